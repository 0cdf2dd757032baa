// The review page's controls with their keys beside them, and the `?` overlay that lists every key.
const LABEL_BUTTONS = [
  { label: "negative", keys: ["1", "←"], text: "Negative" },
  { label: "neutral", keys: ["2", "↓"], text: "Neutral" },
  { label: "positive", keys: ["3", "→"], text: "Positive" },
] as const;

const ACTIONS = [
  { action: "prev", key: "k", text: "Previous" },
  { action: "next", key: "j", text: "Next" },
  { action: "skip", key: "s", text: "Skip" },
  { action: "undo", key: "u", text: "Undo" },
  { action: "expand", key: "e", text: "Expand steps" },
  { action: "open", key: "g", text: "Trace page" },
  { action: "help", key: "?", text: "Keys" },
] as const;

export function ReviewControls() {
  return (
    <div class="review-controls">
      <div class="label-buttons" role="group" aria-label="Label">
        {LABEL_BUTTONS.map((b) => (
          <button type="button" class={`label-btn ${b.label}`} data-review-label={b.label} aria-pressed="false">
            <span class="label-text">{b.text}</span>
            {b.keys.map((k) => <kbd>{k}</kbd>)}
          </button>
        ))}
      </div>
      <div class="review-actions">
        {ACTIONS.map((a) => (
          <button type="button" class="small" data-review-action={a.action}>
            {a.text} <kbd>{a.key}</kbd>
          </button>
        ))}
      </div>
      <label class="review-note">
        <span>Note <kbd>n</kbd></span>
        <textarea id="review-note" rows="2" maxlength="10000" placeholder="Why? Enter saves, Shift+Enter for a new line, Esc leaves."></textarea>
      </label>
    </div>
  );
}

const HELP_ROWS: [string, string][] = [
  ["1  or  ←", "Negative, then the next trace"],
  ["2  or  ↓", "Neutral, then the next trace"],
  ["3  or  →", "Positive, then the next trace"],
  ["n", "Write a note (Enter saves, Esc leaves)"],
  ["j / k", "Next / previous trace"],
  ["u", "Undo your last label"],
  ["s", "Skip this trace"],
  ["e", "Expand or collapse all steps"],
  ["g", "Open the trace page"],
  ["?", "Show or hide this help"],
  ["Swipe", "Right: positive, left: negative (phones)"],
];

export function ReviewHelp() {
  return (
    <div id="review-help" class="review-help" hidden role="dialog" aria-label="Keyboard shortcuts">
      <div class="card">
        <h2>Keys</h2>
        <table class="compact">
          <tbody>
            {HELP_ROWS.map(([key, what]) => (
              <tr>
                <td><kbd safe>{key}</kbd></td>
                <td safe>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">Labels save in the background and are retried until they land; the status at the top says when all are saved.</p>
        <button type="button" data-review-action="help">Close <kbd>Esc</kbd></button>
      </div>
    </div>
  );
}
