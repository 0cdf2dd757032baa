// JSX typing for htmx 4's <hx-partial> element, which @kitajs/html does not know.
declare namespace JSX {
  interface IntrinsicElements {
    "hx-partial": { "hx-target": string; "hx-swap"?: string; children?: unknown };
  }
}
