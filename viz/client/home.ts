// The home page: the traces the server may show (given, under failures/, dropped earlier) and a
// zone to drop a trace file onto.

import { listTraces } from './api.ts';
import { el, showError } from './dom.ts';
import { dropZone } from './upload.ts';

export async function showHome(app: HTMLElement): Promise<void> {
  const list = el('ul', { 'data-testid': 'trace-list', class: 'trace-list' });
  app.replaceChildren(el('section', { class: 'home' }, el('h1', {}, 'Traces'), list, dropZone()));
  try {
    const traces = await listTraces();
    if (traces.length === 0) list.append(el('li', { class: 'dim' }, 'none yet: run `samsa viz <trace>`, or drop one below'));
    for (const t of traces) {
      list.append(
        el(
          'li',
          {},
          el('a', { href: `/?trace=${encodeURIComponent(t.id)}` }, t.name),
          el('span', { class: 'dim' }, ` ${t.source} · ${t.path} · ${(t.bytes / 1e6).toFixed(1)} MB`),
        ),
      );
    }
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
  }
}
