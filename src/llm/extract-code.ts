// Pulls the Python eval out of a model response: the fenced block that defines evaluate, else the whole text if it does.

/** The code, or null when the response holds no `def evaluate(`. */
export function extractEvalCode(response: string): string | null {
  const blocks = [...response.matchAll(/```[ \t]*(?:python|py)?[ \t]*\r?\n([\s\S]*?)(?:```|$)/gi)].map((m) => m[1]);
  const withEvaluate = blocks.filter((b) => /^\s*def evaluate\s*\(/m.test(b));
  if (withEvaluate.length > 0) return withEvaluate.sort((a, b) => b.length - a.length)[0].trimEnd() + "\n";
  if (/^\s*def evaluate\s*\(/m.test(response) && !response.includes("```")) return response.trim() + "\n";
  return null;
}
