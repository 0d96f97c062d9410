// The drop zone: a trace file dropped onto the page is sent to the server and opened.

import { uploadTrace } from './api.ts';
import { el, showError } from './dom.ts';
import { openTrace } from './url.ts';

const PROMPT = 'Drop a trace (.jsonl) here to open it';

export function dropZone(): HTMLElement {
  const zone = el('div', { 'data-testid': 'drop-zone', class: 'drop-zone' }, PROMPT);
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
      zone.textContent = PROMPT;
      showError(`cannot open ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  return zone;
}
