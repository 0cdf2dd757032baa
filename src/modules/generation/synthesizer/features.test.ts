// Every feature of the library gives the same value in TypeScript and in its emitted Python, on awkward traces.
import { describe, expect, test } from "bun:test";
import { DETECTORS, compileDetector, pythonDetectorConstant } from "./detectors";
import { droppedPhraseFeature, genericFeatures, languageOf, phraseFeature, PYTHON_FEATURE_HELPERS } from "./features";
import { runPlainPython } from "./plain-python";
import { makeTrace, supportDataset } from "./test-traces";
import { PYTHON_VIEW_PRELUDE, TraceView } from "./trace-view";

const awkward = [
  makeTrace("a1", { message: "Wie hoch ist mein Kontostand? Bitte schnell, das ist dringend und ich kann nicht warten." }, "Ihr Konto DE44 5001 0517 5407 3249 31 hat 1.234,56 € — leider kann ich nicht mehr sagen. Karte 4111 1111 1111 1111.", [
    { name: "get_accounts", arguments: { ids: [1, 2.5, 1e-7, 12345678901234] }, output: { iban: "DE44500105175407324931", rate: 0.0003, big: 1e21, flag: true, none: null } },
    { name: "get_accounts", arguments: { ids: [1, 2.5, 1e-7, 12345678901234] }, output: "same again", error: "timeout" },
  ]),
  makeTrace("a2", "Send the recap to {{first_name}} — TODO", "Done! Mail sent: postgres://admin:hunter22@db.prod:5432/app and key sk_live_abcdefgh12345678 [1] https://x.io/a?b=c 😀 İstanbul", [
    { name: "send_email", arguments: { body: "Hi [Your Name], see <DATE> at XX:XX.\n- item one\n- item two" }, output: { ok: true } },
    { name: "delete_user", arguments: { cmd: "rm -rf /var/data && kubectl scale deploy api --replicas=0" }, output: {} },
  ]),
  makeTrace("a3", null, "", [], { latency_ms: null, cost_usd: null, has_errors: false }),
  ...supportDataset(12, 5).map((d) => d.trace),
];

/** A Python eval whose "reason" is the JSON list of every feature's value. */
function valuesProgram(expressions: string[]): string {
  return [
    "import collections",
    "import json",
    "import re",
    PYTHON_VIEW_PRELUDE,
    PYTHON_FEATURE_HELPERS,
    ...DETECTORS.map(pythonDetectorConstant),
    `FEATURES = [${expressions.map((e) => `lambda v: ${e}`).join(",\n")}]`,
    "def evaluate(trace):",
    "    v = View(trace)",
    "    return True, json.dumps([f(v) for f in FEATURES])",
  ].join("\n\n");
}

describe("feature library parity", () => {
  test("TypeScript and Python agree on every generic, phrase and dropped-phrase feature", () => {
    const views = awkward.map((t) => new TraceView(JSON.parse(JSON.stringify(t))));
    const features = [
      ...genericFeatures(views),
      phraseFeature("output", "kann ich"),
      phraseFeature("input", "kontostand"),
      phraseFeature("args:send_email", "your name"),
      droppedPhraseFeature("delivered"),
      droppedPhraseFeature("same again"),
    ];
    expect(features.length).toBeGreaterThan(300);
    const python = runPlainPython(valuesProgram(features.map((f) => f.python)), awkward);
    python.forEach((row, t) => {
      expect(row.error).toBeUndefined();
      const pyValues = JSON.parse(row.reason!) as unknown[];
      features.forEach((feature, k) => {
        const tsValue = feature.compute(views[t]);
        if (tsValue !== pyValues[k]) throw new Error(`${feature.key} on ${awkward[t].id}: ts=${tsValue} py=${pyValues[k]}`);
      });
    });
  });

  test("the awkward traces do exercise the detectors", () => {
    const v = new TraceView(JSON.parse(JSON.stringify(awkward[1])));
    const count = (id: string, text: string) => text.match(compileDetector(DETECTORS.find((d) => d.id === id)!))?.length ?? 0;
    expect(count("CREDENTIAL_URL", v.output.toLowerCase())).toBe(1);
    expect(count("KNOWN_KEY", v.output)).toBe(1);
    expect(count("PLACEHOLDER_SQUARE", v.fieldText("args:send_email"))).toBe(1);
    expect(count("PLACEHOLDER_ANGLE", v.fieldText("args:send_email"))).toBe(1);
    expect(count("PLACEHOLDER_CURLY", v.input)).toBe(1);
    expect(count("CARD_NUMBER", "Karte 4111 1111 1111 1111, Konto 12345")).toBe(1);
  });
});

test("languageOf tells German from English and gives up on too little text", () => {
  expect(languageOf("Ich kann das leider nicht für Sie machen, bitte warten Sie")).toBe("de");
  expect(languageOf("I can do this for you, it is not a problem and the team will help")).toBe("en");
  expect(languageOf("ok")).toBe("unknown");
});
