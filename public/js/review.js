// The review page: keys, optimistic advance to a prefetched item, back/forward trail, and a save queue that retries until each label lands.
(() => {
  const root = document.getElementById("review");
  if (!root) return;
  const setId = root.dataset.evalSetId;
  const stage = document.getElementById("review-stage");
  const noteBox = document.getElementById("review-note");
  const statusEl = document.getElementById("review-save-status");
  const flashEl = document.getElementById("review-flash");
  const help = document.getElementById("review-help");
  const doneEl = document.getElementById("review-done");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["X-CSRF-Token"] || "";
  const opsKey = `iofold.review.${setId}.ops`;
  const trailKey = `iofold.review.${setId}.trail`;
  const KEY_LABELS = { 1: "negative", 2: "neutral", 3: "positive", ArrowLeft: "negative", ArrowDown: "neutral", ArrowRight: "positive" };

  let opCounter = 0;
  const newOpId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${opCounter++}`;

  /** Pending saves, oldest first; kept in localStorage so a reload or a crash never loses one. */
  let ops = JSON.parse(localStorage.getItem(opsKey) || "[]");
  /** Items shown in this tab, in order (j/k walk it), and where we are in it. */
  let trail = JSON.parse(sessionStorage.getItem(trailKey) || "[]");
  let pos = -1;
  /** The reviewer's latest label and note per item as far as this page knows (saves may still be on their way). */
  const known = new Map();
  const htmlCache = new Map();
  /** Label changes made here, newest last: `u` shows the item with its previous state at once. */
  const undoStack = [];
  let buffer = null;
  let prefetching = null;
  let retry = { attempt: 0, reason: "" };
  for (const op of ops) if (op.fields.label) known.set(op.itemId, { label: op.fields.label, note: op.fields.note || "" });

  const persistOps = () => localStorage.setItem(opsKey, JSON.stringify(ops));
  const persistTrail = () => sessionStorage.setItem(trailKey, JSON.stringify(trail.slice(-300)));

  function flash(message) {
    flashEl.textContent = message;
    flashEl.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => (flashEl.hidden = true), 4000);
  }

  function showStatus() {
    const failed = retry.attempt > 0;
    statusEl.className = `save-status ${ops.length === 0 ? "saved" : failed ? "failed" : "saving"}`;
    statusEl.textContent =
      ops.length === 0 ? "All saved" : failed ? `Save failed (${retry.reason}), retrying… ${ops.length} waiting` : `Saving ${ops.length}…`;
  }

  const current = () => stage.querySelector(".review-item");
  const currentId = () => current()?.dataset.itemId || null;

  /** Parses an item fragment into {itemId, html, label, note} (itemId null for the "nothing left" state). */
  function parseItem(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const article = template.content.querySelector(".review-item");
    return {
      itemId: article?.dataset.itemId || null,
      html,
      label: article?.dataset.label || null,
      note: article?.querySelector("[data-item-note]")?.textContent || "",
    };
  }

  function remember(item) {
    if (!item.itemId) return;
    htmlCache.set(item.itemId, item.html);
    if (!known.has(item.itemId)) known.set(item.itemId, { label: item.label, note: item.note });
  }

  async function post(url, fields) {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": csrf },
      body: new URLSearchParams(fields),
    });
  }

  /** What the server must not hand out again: everything this page holds or is still saving. */
  function excluded() {
    const ids = new Set([...trail.slice(-100), ...ops.map((o) => o.itemId).filter(Boolean)]);
    if (buffer?.itemId) ids.add(buffer.itemId);
    return [...ids].join(",");
  }

  async function fetchNext() {
    const response = await post(`/eval-sets/${setId}/review/next`, { exclude: excluded() });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const item = parseItem(await response.text());
    remember(item);
    return item;
  }

  function prefetch() {
    if (buffer || prefetching) return prefetching;
    prefetching = fetchNext()
      .then((item) => (buffer = item))
      .catch(() => (buffer = null))
      .finally(() => (prefetching = null));
    return prefetching;
  }

  function paint(html, itemId) {
    stage.innerHTML = html;
    const state = itemId ? known.get(itemId) : null;
    for (const button of root.querySelectorAll("[data-review-label]")) {
      button.setAttribute("aria-pressed", String(state?.label === button.dataset.reviewLabel));
    }
    root.dataset.currentItem = itemId || "";
    root.dataset.myLabel = state?.label || "";
    noteBox.value = state?.note || "";
    window.scrollTo(0, 0);
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark("review-painted");
        if (performance.getEntriesByName("review-key", "mark").length) performance.measure("review-next", "review-key", "review-painted");
        performance.clearMarks("review-key");
      }, 0),
    );
  }

  async function showItem(itemId) {
    let html = htmlCache.get(itemId);
    if (!html) {
      const response = await fetch(`/eval-sets/${setId}/review/items/${encodeURIComponent(itemId)}`);
      if (!response.ok) return flash(`Could not load that trace (HTTP ${response.status}).`);
      const item = parseItem(await response.text());
      remember(item);
      html = item.html;
    }
    paint(html, itemId);
  }

  /** Moves on: forward in the trail, else to the prefetched next item (fetching it only if it is not there yet). */
  async function advance() {
    if (pos < trail.length - 1) {
      pos++;
      return showItem(trail[pos]);
    }
    if (!buffer && prefetching) await prefetching;
    if (!buffer?.itemId) {
      buffer = null;
      await prefetch();
    }
    const next = buffer;
    buffer = null;
    if (!next) return flash("Could not load the next trace; press j to try again.");
    if (next.itemId) {
      trail.push(next.itemId);
      pos = trail.length - 1;
      persistTrail();
    }
    paint(next.html, next.itemId);
    prefetch();
  }

  function enqueue(op) {
    ops.push(op);
    persistOps();
    showStatus();
    drain();
  }

  /** Sends saves one at a time, in order; network errors and 5xx are retried with backoff, never dropped. */
  async function drain() {
    if (drain.running) return;
    drain.running = true;
    try {
      while (ops.length) {
        const op = ops[0];
        let response;
        try {
          response = await post(`/api/v1/eval-sets/${setId}/review/${op.kind}`, op.fields);
        } catch (error) {
          response = null;
        }
        if (!response || response.status >= 500 || response.status === 429) {
          retry = { attempt: retry.attempt + 1, reason: response ? `HTTP ${response.status}` : "offline" };
          showStatus();
          await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** (retry.attempt - 1), 5000)));
          continue;
        }
        retry = { attempt: 0, reason: "" };
        ops.shift();
        persistOps();
        const body = await response.json().catch(() => ({}));
        if (response.ok) settled(op, body);
        else rejected(op, body);
        showStatus();
      }
    } finally {
      drain.running = false;
    }
  }

  function settled(op, body) {
    if (op.kind !== "undo") return;
    const undone = body.undone;
    if (!undone) return flash("Nothing left to undo.");
    known.set(undone.itemId, { label: undone.label, note: undone.note });
    if (undone.itemId !== op.itemId) {
      if (!trail.includes(undone.itemId)) trail.splice(pos + 1, 0, undone.itemId);
      pos = trail.indexOf(undone.itemId);
      showItem(undone.itemId);
    } else if (currentId() === undone.itemId) {
      paint(htmlCache.get(undone.itemId) || stage.innerHTML, undone.itemId);
    }
  }

  function rejected(op, body) {
    const message = body?.error?.message || "The server refused this change.";
    if (op.kind === "label" && body?.error?.code === "already_labeled") known.set(op.itemId, { label: null, note: "" });
    flash(message);
  }

  function label(value) {
    const itemId = currentId();
    if (!itemId) return;
    performance.mark("review-key");
    const before = known.get(itemId) || { label: null, note: "" };
    const note = noteBox.value;
    known.set(itemId, { label: value, note });
    undoStack.push({ itemId, before });
    if (!before.label && root.dataset.labelsPerTrace === "1") doneEl.textContent = String(Number(doneEl.textContent) + 1);
    enqueue({ kind: "label", itemId, fields: { op_id: newOpId(), item_id: itemId, label: value, note } });
    advance();
  }

  function saveNote() {
    const itemId = currentId();
    noteBox.blur();
    if (!itemId) return;
    const state = known.get(itemId) || { label: null, note: "" };
    if (!state.label) return flash("Note kept: it is saved with the label you give this trace.");
    if (state.note === noteBox.value) return;
    undoStack.push({ itemId, before: { ...state } });
    known.set(itemId, { label: state.label, note: noteBox.value });
    enqueue({ kind: "label", itemId, fields: { op_id: newOpId(), item_id: itemId, note: noteBox.value } });
    flash("Note saved.");
  }

  function undo() {
    const last = undoStack.pop();
    if (last) {
      const now = known.get(last.itemId);
      if (now?.label && !last.before.label && root.dataset.labelsPerTrace === "1") doneEl.textContent = String(Math.max(0, Number(doneEl.textContent) - 1));
      known.set(last.itemId, last.before);
      if (!trail.includes(last.itemId)) trail.splice(pos + 1, 0, last.itemId);
      pos = trail.indexOf(last.itemId);
      showItem(last.itemId);
    }
    enqueue({ kind: "undo", itemId: last?.itemId || null, fields: { op_id: newOpId() } });
  }

  function skip() {
    const itemId = currentId();
    if (!itemId) return advance();
    performance.mark("review-key");
    if (!known.get(itemId)?.label) enqueue({ kind: "skip", itemId, fields: { item_id: itemId } });
    advance();
  }

  function back() {
    if (pos <= 0) return flash("This is the first trace of this session.");
    pos--;
    showItem(trail[pos]);
  }

  function next() {
    const itemId = currentId();
    if (pos < trail.length - 1 || !itemId || known.get(itemId)?.label) return advance();
    skip();
  }

  function toggleHelp() {
    help.hidden = !help.hidden;
  }

  const actions = {
    prev: back,
    next,
    skip,
    undo,
    expand: () => stage.querySelector("[data-toggle-steps]")?.click(),
    open: () => {
      const traceId = current()?.dataset.traceId;
      if (traceId) location.href = `/traces/${traceId}`;
    },
    help: toggleHelp,
    note: () => noteBox.focus(),
  };
  const KEY_ACTIONS = { j: "next", k: "prev", s: "skip", u: "undo", e: "expand", g: "open", "?": "help", n: "note" };

  document.addEventListener("keydown", (event) => {
    if (event.target === noteBox) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        saveNote();
      } else if (event.key === "Escape") {
        event.preventDefault();
        noteBox.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest?.("input, textarea, select, [contenteditable]")) return;
    if (event.key === "Escape" && !help.hidden) return toggleHelp();
    const labelValue = KEY_LABELS[event.key];
    const action = KEY_ACTIONS[event.key];
    if (!labelValue && !action) return;
    event.preventDefault();
    if (labelValue) label(labelValue);
    else actions[action]();
  });

  root.addEventListener("click", (event) => {
    const labelButton = event.target.closest("[data-review-label]");
    if (labelButton) return label(labelButton.dataset.reviewLabel);
    const actionButton = event.target.closest("[data-review-action]");
    if (actionButton) actions[actionButton.dataset.reviewAction]();
  });

  let touch = null;
  stage.addEventListener("touchstart", (event) => (touch = { x: event.touches[0].clientX, y: event.touches[0].clientY }), { passive: true });
  stage.addEventListener("touchend", (event) => {
    if (!touch) return;
    const dx = event.changedTouches[0].clientX - touch.x;
    const dy = event.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) > 80 && Math.abs(dy) < 60) label(dx > 0 ? "positive" : "negative");
  });

  /** Start: the server rendered the first item; if a save from before a reload is still pending for it, move on. */
  const first = current();
  if (first?.dataset.itemId) {
    const item = parseItem(first.outerHTML);
    remember(item);
    const at = trail.indexOf(item.itemId);
    if (at >= 0) trail.splice(at, 1);
    trail.push(item.itemId);
    pos = trail.length - 1;
    persistTrail();
    paint(item.html, item.itemId);
    if (ops.some((o) => o.itemId === item.itemId && o.kind !== "undo")) advance();
    else prefetch();
  }
  showStatus();
  drain();
})();
