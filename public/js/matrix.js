// Matrix keyboard navigation: arrows or h/j/k/l move between cells, Enter opens the focused cell, Escape closes the panel.
(() => {
  const cells = (row) => [...row.querySelectorAll("[data-cell]")];
  const move = (from, dRow, dCol) => {
    const row = from.closest("tr");
    const col = cells(row).indexOf(from);
    let target = row;
    if (dRow) target = dRow > 0 ? row.nextElementSibling : row.previousElementSibling;
    if (!target) return;
    const list = cells(target);
    const next = list[Math.min(Math.max(col + dCol, 0), list.length - 1)];
    if (next) focusCell(next);
  };
  const focusCell = (cell) => {
    document.querySelectorAll("table.matrix tr.current").forEach((r) => r.classList.remove("current"));
    cell.closest("tr").classList.add("current");
    cell.focus();
  };
  const keys = { ArrowDown: [1, 0], j: [1, 0], ArrowUp: [-1, 0], k: [-1, 0], ArrowRight: [0, 1], l: [0, 1], ArrowLeft: [0, -1], h: [0, -1] };
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
    const grid = document.querySelector("table.matrix");
    if (!grid) return;
    if (event.key === "Escape") {
      const drill = document.getElementById("matrix-drill");
      if (drill) drill.innerHTML = "";
      return;
    }
    const current = event.target.closest && event.target.closest("table.matrix [data-cell]");
    if (event.key === "Enter" && current) {
      event.preventDefault();
      current.click();
      return;
    }
    const step = keys[event.key];
    if (!step) return;
    event.preventDefault();
    if (!current) {
      const first = grid.querySelector("tbody [data-cell]");
      if (first) focusCell(first);
      return;
    }
    move(current, step[0], step[1]);
  });
  document.addEventListener("click", (event) => {
    const cell = event.target.closest && event.target.closest("table.matrix [data-cell]");
    if (cell) focusCell(cell);
  });
})();
