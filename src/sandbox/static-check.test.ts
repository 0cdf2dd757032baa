// The static fence: what it accepts, what it rejects, and that each message names the offending line.
import { describe, expect, test } from "bun:test";
import { MAX_CODE_CHARS } from "./limits.ts";
import { checkEvalCode } from "./static-check.ts";

const GOOD_EVAL = `
import json, re, math
from collections import Counter
from typing import Any

def evaluate(trace: dict[str, Any]) -> tuple[bool, str]:
    words = Counter(re.findall(r"\\w+", json.dumps(trace.get("output"))))
    name = getattr(trace, "get")("name", "")
    return math.isfinite(len(words)), f"{len(words)} distinct words in {name}"
`;

async function rejection(code: string): Promise<Array<{ line: number; message: string }>> {
  const result = await checkEvalCode(code);
  if (result.ok) throw new Error("expected the static check to reject the code");
  return result.errors;
}

describe("checkEvalCode", () => {
  test("accepts an eval that sticks to the allowed standard library", async () => {
    expect(await checkEvalCode(GOOD_EVAL)).toEqual({ ok: true });
  });

  test("reports a syntax error with its line", async () => {
    expect(await rejection("def evaluate(trace):\n    return (True, 'x'\n")).toEqual([
      { line: 2, message: "line 2: syntax error: '(' was never closed" },
    ]);
  });

  test("rejects imports outside the allow-list", async () => {
    const errors = await rejection("import os\nfrom subprocess import run\nimport json\ndef evaluate(t):\n    return True, ''\n");
    expect(errors.map((error) => error.line)).toEqual([1, 2]);
    expect(errors[0]!.message).toStartWith("line 1: import of 'os' is not allowed (allowed: collections, datetime, difflib,");
    expect(errors[1]!.message).toStartWith("line 2: import of 'subprocess' is not allowed");
  });

  test("rejects relative imports", async () => {
    expect(await rejection("from . import secrets\ndef evaluate(t):\n    return True, ''\n")).toEqual([
      { line: 1, message: "line 1: relative imports are not allowed" },
    ]);
  });

  test.each([
    ["__import__('os')", "use of '__import__' is not allowed"],
    ["eval('1')", "use of 'eval' is not allowed"],
    ["exec('x = 1')", "use of 'exec' is not allowed"],
    ["compile('1', 'f', 'eval')", "use of 'compile' is not allowed"],
    ["open('/etc/passwd')", "use of 'open' is not allowed"],
    ["globals()", "use of 'globals' is not allowed"],
    ["locals()", "use of 'locals' is not allowed"],
    ["vars(trace)", "use of 'vars' is not allowed"],
    ["trace.__class__", "access to the private attribute '__class__' is not allowed"],
    ["().__class__.__base__.__subclasses__()", "access to the private attribute '__subclasses__' is not allowed"],
    ["evaluate.__globals__", "access to the private attribute '__globals__' is not allowed"],
    ["getattr(trace, '__class__')", "access to the private attribute '__class__' is not allowed"],
    ["getattr(trace, 'get' + 'x')", "getattr needs a literal attribute name"],
    ["__builtins__", "the name '__builtins__' is not allowed"],
    ["(x for x in []).gi_frame", "access to 'gi_frame' is not allowed"],
    ["'{0.__class__}'.format(trace)", "strings naming dunder attributes are not allowed"],
    ["'{0._secret}'.format(trace)", "format fields reaching private attributes are not allowed"],
  ])("rejects %s, naming its line", async (expression, message) => {
    const errors = await rejection(`def evaluate(trace):\n    x = 1\n    y = ${expression}\n    return True, ''\n`);
    expect(errors).toContainEqual({ line: 3, message: `line 3: ${message}` });
  });

  test("rejects a module without a top-level evaluate", async () => {
    expect(await rejection("def score(trace):\n    return True, ''\n")).toEqual([
      { line: 1, message: "line 1: no top-level `def evaluate(trace)` found; it must return (passed: bool, reason: str)" },
    ]);
  });

  test("rejects an evaluate that takes no argument", async () => {
    expect(await rejection("\ndef evaluate():\n    return True, ''\n")).toEqual([
      { line: 2, message: "line 2: evaluate must take the trace as its argument: def evaluate(trace)" },
    ]);
  });

  test("rejects code over the size limit without starting a jail", async () => {
    const errors = await rejection("#".repeat(MAX_CODE_CHARS + 1));
    expect(errors[0]!.message).toContain(`the limit is ${MAX_CODE_CHARS}`);
  });
});
