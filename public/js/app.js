// Small page behaviours htmx does not cover: expand/collapse all steps of a trace.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-toggle-steps]");
  if (!button) return;
  const steps = document.querySelectorAll("details.step");
  const open = [...steps].some((d) => !d.open);
  steps.forEach((d) => (d.open = open));
  button.textContent = open ? "Collapse all" : "Expand all";
});
