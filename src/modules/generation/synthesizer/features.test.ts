// Every feature of the library gives the same value in TypeScript and in its emitted Python, on awkward traces.
import { describe, expect, test } from "bun:test";
import { DETECTORS, compileDetector, pythonDetectorConstant } from "./detectors";
import { droppedPhraseFeature, genericFeatures, languageOf, phraseFeature, PYTHON_FEATURE_HELPERS } from "./features";
import { runBatch, type TraceResult } from "../../../sandbox";
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
  makeTrace("a4", "Book 30 min with Ana on Friday; the thread said: could you approve the budget by Friday?", "Booked Friday 10:00. The disk is full, so writes fail.", [
    { name: "list_events", arguments: { start: "2025-03-07T00:00:00-04:00", end: "2025-03-07T23:59:00-04:00" }, output: { events: [
      { title: "Standup", start: "2025-03-07T09:30:00-04:00", end: "2025-03-07T10:15:00-04:00", busy: true },
      { title: "Focus", start: "2025-03-07T13:00:00Z", end: "2025-03-07T15:00:00Z", busy: false },
      { title: "Naive", start: "2025-03-07 16:00", end: "2025-03-07 16:30:00.5", nested: [{ from: "2024-02-29T23:00:00+0530", to: "2024-03-01T01:00:00+05:30" }] },
    ] } },
    { name: "get_thread", arguments: { id: "t1" }, output: { messages: [{ body: "Could you approve the budget by Friday? Thanks.\nPlease sign the order form. Bitte prüfen." }] } },
    { name: "create_event", arguments: { start: "2025-03-07T10:00:00-04:00", end: "2025-03-07T10:30:00-04:00" }, output: { ok: true } },
    { name: "create_event", arguments: { start: "2025-03-07T09:00:00-04:00", end: "2025-03-07T09:30:00-04:00", extra: { a: "2025-03-07T12:30:00Z", b: "2025-03-07T14:00:00Z" } }, output: { ok: true } },
    { name: "create_event", arguments: { start: "1969-12-31T23:00:00Z", end: "2025-03-07" }, output: null },
    { name: "shell", arguments: { host: "prod-db-1", command: "psql -c 'TRUNCATE TABLE jobs'" }, output: "TRUNCATE" },
    { name: "shell", arguments: { host: "staging-1", command: "kubectl delete deployment api" }, output: "deleted" },
    { name: "shell", arguments: { context: "prod-us1", command: "kubectl delete pod api-1" }, output: "deleted" },
  ]),
  makeTrace("a5", "Move it", "Done", [{ name: "create_event", arguments: { start: "2025-03-07T10:00:00", end: "2025-03-07T09:00:00" }, output: { start: "2025-03-07T10:00:00", end: "2025-03-07T11:00:00", busy: false } }]),
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
  test("TypeScript and Python (in the jail) agree on every generic, phrase and dropped-phrase feature", async () => {
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
    const python: TraceResult[] = [];
    const program = valuesProgram(features.map((f) => f.python));
    for await (const row of runBatch({ code: program, traces: awkward.map((trace) => ({ id: trace.id, trace })), concurrency: 1, limits: { reasonChars: 1_000_000 } })) python.push(row);
    python.forEach((row, t) => {
      if (!row.ok) throw new Error(`${row.id}: ${row.error.message}\n${row.error.traceback}`);
      const pyValues = JSON.parse(row.reason) as unknown[];
      features.forEach((feature, k) => {
        const tsValue = feature.compute(views[t]);
        if (tsValue !== pyValues[k]) throw new Error(`${feature.key} on ${awkward[t].id}: ts=${tsValue} py=${pyValues[k]}`);
      });
    });
  }, 30_000);

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

  test("the structural features find overlapping spans, uncovered requests and destructive calls on production", () => {
    const views = awkward.map((t) => new TraceView(JSON.parse(JSON.stringify(t))));
    const value = (key: string) => genericFeatures(views).find((f) => f.key === key)!.compute(views[3]);
    // 14:00-14:30Z overlaps the busy standup (13:30-14:15Z) and the focus hold (13:00-15:00Z, busy: false); 13:00-13:30Z
    // only touches the standup but overlaps the hold; the nested 12:30-14:00Z span overlaps both; a date alone is no time.
    expect(value("overlap:create_event")).toBe(5);
    expect(value("overlap_firm:create_event")).toBe(2);
    expect(value("calls_both:DESTRUCTIVE_OP:PRODUCTION")).toBe(1);
    expect(value("uncovered_requests")).toBe(3);
  });
});

test("languageOf tells German from English and gives up on too little text", () => {
  expect(languageOf("Ich kann das leider nicht für Sie machen, bitte warten Sie")).toBe("de");
  expect(languageOf("I can do this for you, it is not a problem and the team will help")).toBe("en");
  expect(languageOf("ok")).toBe("unknown");
});
