// The home page: the traces the server may show (given, under failures/, dropped earlier) and a
// zone to drop a trace file onto.

import { listTraces, uploadTrace } from './api.ts';
import { el, showError } from './dom.ts';
import { openTrace } from './url.ts';

export async function showHome(app: HTMLElement): Promise<void> {
  const list = el('ul', { 'data-testid': 'trace-list', class: 'trace-list' });
  const zone = el('div', { 'data-testid': 'drop-zone', class: 'drop-zone' }, 'Drop a trace (.jsonl) here to open it');
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file === undefined) return showError('nothing was dropped: drop a trace file');
    zone.textContent = `sending ${file.name} …`;
    uploadTrace(file).then(openTrace, (err: unknown) => {
      zone.textContent = 'Drop a trace (.jsonl) here to open it';
      showError(`cannot open ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  app.replaceChildren(el('section', { class: 'home' }, el('h1', {}, 'Traces'), list, zone));
  try {
    const traces = await listTraces();
    if (traces.length === 0) list.append(el('li', { class: 'dim' }, 'none yet: run `samsa viz <trace>`, or drop one below'));
    for (const t of traces) {
      list.append(el('li', {}, el('a', { href: `/?trace=${encodeURIComponent(t.id)}` }, t.name), el('span', { class: 'dim' }, ` ${t.source} · ${t.path} · ${(t.bytes / 1e6).toFixed(1)} MB`)));
    }
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
  }
}
