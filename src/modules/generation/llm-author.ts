// Asks the model for an eval, checks and runs it on the labelled traces it saw, and gives it one repair round on failure.
import type { LlmClient, LlmRequest } from "../../llm/client";
import { extractEvalCode } from "../../llm/extract-code";
import { buildGenerationPrompt, buildRepairMessage, type Contradiction, type LabelledExample, type PromptBudget } from "../../llm/prompt";
import type { TraceItem } from "../../sandbox";
import { problemsOf, runInSandbox, RUNTIME_FAILURE } from "./sandbox-scoring";

export interface AuthorSettings {
  model: string;
  maxTokens: number;
  budget: PromptBudget;
  seed: number;
  timeoutMs: number;
}

export interface Authored {
  /** null when even the repaired code could not load. */
  code: string | null;
  /** The first request's prompt (system + user), as recorded on the version. */
  prompt: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  calls: number;
  cachedCalls: number;
  /** What went wrong and whether the repair fixed it. */
  notes: string[];
}

function asItems(examples: readonly LabelledExample[]): TraceItem[] {
  return examples.map((e) => ({ id: e.traceId, trace: e.trace }));
}

export async function authorEval(
  llm: LlmClient,
  input: { rubric: string; examples: readonly LabelledExample[]; previous?: { code: string; contradictions: Contradiction[] } },
  settings: AuthorSettings,
  signal?: AbortSignal,
): Promise<Authored> {
  const built = buildGenerationPrompt({ rubric: input.rubric, examples: input.examples, budget: settings.budget, seed: settings.seed, previous: input.previous });
  const request: LlmRequest = { model: settings.model, system: built.system, messages: [{ role: "user", content: built.user }], maxTokens: settings.maxTokens };
  const authored: Authored = { code: null, prompt: `${built.system}\n\n${built.user}`, tokensIn: 0, tokensOut: 0, costUsd: 0, calls: 0, cachedCalls: 0, notes: [] };

  async function ask(req: LlmRequest): Promise<{ text: string; code: string | null; problem: string | null }> {
    const response = await llm.complete(req, signal);
    authored.calls++;
    if (response.cached) authored.cachedCalls++;
    else {
      authored.tokensIn += response.tokensIn;
      authored.tokensOut += response.tokensOut;
      authored.costUsd += response.costUsd;
    }
    const code = extractEvalCode(response.text);
    if (!code) return { text: response.text, code: null, problem: "The answer held no ```python block defining evaluate(trace)." };
    const verdicts = await runInSandbox(code, asItems(input.examples), { timeoutMs: settings.timeoutMs, signal });
    return { text: response.text, code, problem: problemsOf(verdicts) };
  }

  const first = await ask(request);
  if (!first.problem) return { ...authored, code: first.code };
  authored.notes.push(`first answer failed: ${first.problem.split("\n")[0]}`);
  const repair = await ask({ ...request, messages: [...request.messages, { role: "assistant", content: first.text }, { role: "user", content: buildRepairMessage(first.problem) }] });
  if (!repair.problem) {
    authored.notes.push("repaired in one round");
    return { ...authored, code: repair.code };
  }
  authored.notes.push(`repair failed: ${repair.problem.split("\n")[0]}`);
  // Code that loads but raises on some traces is still usable (those traces count as failed); code that cannot load is not.
  return { ...authored, code: repair.problem.startsWith(RUNTIME_FAILURE) ? repair.code : null };
}
