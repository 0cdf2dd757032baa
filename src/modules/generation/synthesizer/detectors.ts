// The catalogue of generic text detectors (regexes written once, compiled identically by TypeScript and Python).

/**
 * A pattern both engines read the same way: JavaScript without the `u` flag and Python with `re.ASCII`
 * agree on \b, \d-free classes and lookarounds. Classes are spelled out ([ \t\r\n], [0-9]) rather than
 * \s or \d, whose Unicode reach differs. Case-insensitive detectors run on lowercased text with a
 * lowercase pattern instead of using a flag, because the engines fold case differently.
 */
export interface Detector {
  /** UPPER_SNAKE constant name in the emitted Python. */
  id: string;
  /** What a match means, for rule reasons: "placeholder like [Name]". */
  label: string;
  source: string;
  lowercase: boolean;
}

export const DETECTORS: readonly Detector[] = [
  { id: "EMAIL", label: "email address", source: String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`, lowercase: false },
  { id: "URL", label: "URL", source: String.raw`https?://[^ \t\r\n<>"')\]]+`, lowercase: true },
  { id: "LONG_DIGIT_RUN", label: "run of 12+ digits", source: String.raw`[0-9](?:[ -]?[0-9]){11,}`, lowercase: false },
  { id: "CARD_NUMBER", label: "16-digit card-like number", source: String.raw`(?<![0-9])[0-9]{4}(?:[ -]?[0-9]{4}){3}(?![0-9])`, lowercase: false },
  { id: "IBAN", label: "IBAN-like account number", source: String.raw`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b`, lowercase: false },
  { id: "PHONE", label: "phone number", source: String.raw`\+[0-9][0-9 ()-]{7,}[0-9]`, lowercase: false },
  { id: "MASKED_VALUE", label: "masked value (***, •••, ending in 1234)", source: String.raw`[*•x]{3,}|…|ending in [0-9]{2,4}`, lowercase: true },
  { id: "PLACEHOLDER_SQUARE", label: "placeholder like [Name]", source: String.raw`\[[^\[\]\n]{0,40}[a-z][^\[\]\n]{0,40}\](?!\()`, lowercase: false },
  { id: "PLACEHOLDER_CURLY", label: "placeholder like {{name}}", source: String.raw`\{\{[^{}\n]{0,60}\}\}|\{[a-z_]{2,30}\}`, lowercase: false },
  { id: "PLACEHOLDER_ANGLE", label: "placeholder like <DATE>", source: String.raw`<[A-Z][A-Z_ ]{1,30}>`, lowercase: false },
  { id: "PLACEHOLDER_WORD", label: "TODO / TBD / XX:XX / lorem ipsum", source: String.raw`\b(?:TODO|TBD|FIXME|XX:XX|XXX)\b|[Ll]orem ipsum`, lowercase: false },
  { id: "SECRET_ASSIGNMENT", label: "password/token/key assigned a clear value", source: String.raw`(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)["']?[ \t]*[:=][ \t]*["']?[^ \t\r\n"'*•…]{6,}(?=[ \t\r\n"',;)]|(?![\s\S]))`, lowercase: true },
  { id: "CREDENTIAL_URL", label: "password inside a URL", source: String.raw`[a-z][a-z0-9+.-]*://[^ \t\r\n:/@]+:[^ \t\r\n@/*•…]{3,}@`, lowercase: true },
  { id: "KNOWN_KEY", label: "API key with a known prefix", source: String.raw`(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|AIza[0-9A-Za-z_-]{30,}`, lowercase: false },
  { id: "RANDOM_TOKEN", label: "random-looking token (mixed case and digits, 20+ chars)", source: String.raw`(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}`, lowercase: false },
  { id: "HEX_ID", label: "hex id of 16+ chars", source: String.raw`\b[0-9a-f]{16,}\b`, lowercase: true },
  { id: "APOLOGY", label: "apology", source: String.raw`\b(?:sorry|apologi[sz]e|apologies|unfortunately|regret)\b|leider|entschuldig|désolé|lo siento`, lowercase: true },
  { id: "REFUSAL", label: "refusal", source: String.raw`\b(?:i can(?:no|')t|i cannot|i'm (?:unable|not able)|i am (?:unable|not able)|unable to|not able to|i won't|i will not|not allowed|not permitted|can't help|cannot help)\b|kann ich nicht|nicht möglich|darf ich nicht`, lowercase: true },
  { id: "CODE_BLOCK", label: "code block", source: "```", lowercase: false },
  { id: "CITATION", label: "citation ([1], source:, according to)", source: String.raw`\[[0-9]{1,2}\]|\bsources?:|\baccording to\b|\bquelle`, lowercase: true },
  { id: "QUESTION", label: "question mark", source: String.raw`\?`, lowercase: false },
  { id: "EXCLAMATION", label: "exclamation mark", source: "!", lowercase: false },
  { id: "NUMBER", label: "number", source: String.raw`[0-9]+(?:[.,][0-9]+)*`, lowercase: false },
  { id: "PERCENT", label: "percentage", source: String.raw`[0-9](?:[.,][0-9]+)? ?%`, lowercase: false },
  { id: "MONEY", label: "money amount", source: String.raw`[$€£¥] ?[0-9]|[0-9] ?(?:€|\$|eur\b|usd\b)`, lowercase: true },
  { id: "ISO_DATE", label: "ISO date", source: String.raw`[0-9]{4}-[0-9]{2}-[0-9]{2}`, lowercase: false },
  { id: "CLOCK_TIME", label: "clock time", source: String.raw`\b[0-9]{1,2}:[0-9]{2}\b`, lowercase: false },
  { id: "LIST_ITEM", label: "list item", source: String.raw`(?:^|\n)[ \t]*(?:[-*•]|[0-9]+\.)[ \t]`, lowercase: false },
  { id: "NEGATION", label: "negation", source: String.raw`\b(?:not|no|never|don't|doesn't|didn't|won't|isn't|aren't|nicht|kein|keine)\b`, lowercase: true },
  { id: "HEDGE", label: "hedge (might, unclear, not sure)", source: String.raw`\b(?:might|may|possibly|likely|unclear|not sure|probably|appears|seems|unknown|vielleicht)\b`, lowercase: true },
  { id: "FUTURE_PROMISE", label: "promise to act later", source: String.raw`\b(?:will|i'll|we'll|going to|later|shortly|soon)\b`, lowercase: true },
  { id: "PLACEHOLDER", label: "unfilled template placeholder ([Name], {{name}}, <link>, TODO, XX:XX)", source: String.raw`\[[^\[\]\n]{0,40}[A-Za-z][^\[\]\n]{0,40}\](?!\()|\{\{[^{}\n]{0,60}\}\}|\{[A-Za-z_]{2,30}\}|<[A-Za-z][A-Za-z_ ]{2,30}>|\b(?:TODO|TBD|FIXME|XX:XX|XXX)\b|[Ll]orem ipsum`, lowercase: false },
  { id: "DESTRUCTIVE_OP", label: "destructive operation (rm -rf, drop, truncate, destroy, delete a whole resource, scale to 0…)", source: String.raw`\b(?:rm -(?:rf|fr|r)|drop (?:table|database|schema|index|collection)|dropdb|truncate|flushall|flushdb|destroy|purge|wipe|delete from|(?:delete|remove) (?:deployment|deploy|statefulset|sts|daemonset|namespace|ns|pvc|pv|persistentvolumeclaim|volume|database|db|bucket|table|cluster|service|svc|node|account|user|repo|repository|backup|snapshot|index)s?|force[- ]push|push --force|push -f|reset --hard)\b|--replicas[= ]0\b|replicas: 0\b|scale[^\n]{0,40} to 0\b`, lowercase: true },
  { id: "DELETE_OP", label: "delete / remove", source: String.raw`\b(?:delete|deleted|remove|removed|rm|del|erase|unlink)\b`, lowercase: true },
  { id: "REQUEST", label: "request or deadline (could you, please, by Friday, deadline)", source: String.raw`\b(?:could you|can you|would you|will you|please|need your|need you to|you need to|action required|deadline|due (?:by|on|date)|by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|eod|cob|end of|noon|the end))\b|bitte|könnten sie|kannst du`, lowercase: true },
  { id: "PRODUCTION", label: "production target (prod, production, live)", source: String.raw`\b(?:prod|production|prd|live)\b`, lowercase: true },
];

export function compileDetector(detector: Detector): RegExp {
  return new RegExp(detector.source, "g");
}

/** The Python module-level constant for a detector; JSON string syntax is valid Python string syntax. */
export function pythonDetectorConstant(detector: Detector): string {
  return `${detector.id} = re.compile(${JSON.stringify(detector.source)}, re.ASCII)  # ${detector.label}`;
}
