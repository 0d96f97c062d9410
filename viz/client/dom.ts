// Small DOM helpers shared by the client's modules.

/** An element with attributes (data-testid and friends), children and text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | null | undefined> = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** Shows an error in the page's error bar (never console.error: the tests treat that as a failure). */
export function showError(message: string): void {
  let bar = document.getElementById('errors');
  if (bar === null) {
    bar = el('div', { id: 'errors', role: 'alert' });
    document.body.prepend(bar);
  }
  bar.append(el('div', {}, message));
  window.samsaViz?.errors.push(message);
}

/** A table with a header row; `attrs` go on the table. */
export function table(
  attrs: Record<string, string | number | null | undefined>,
  headers: readonly string[],
  rows: readonly HTMLTableRowElement[],
): HTMLTableElement {
  const head = el('tr', {}, ...headers.map((h) => el('th', {}, h)));
  return el('table', attrs, el('thead', {}, head), el('tbody', {}, ...rows));
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`;
}

/** Saves a blob as a download. */
export function download(blob: Blob, name: string): void {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
