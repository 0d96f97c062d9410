// The violations beside the diagram: each names its checker and what broke; a click jumps to the
// step that exposed it and highlights the partition, replicas and nodes it names.

import type { TraceMeta, ViolationEntry } from '../shared/contract.ts';
import { el } from './dom.ts';

export interface ViolationHandlers {
  select(index: number, violation: ViolationEntry, involved: string[]): void;
}

export function violationList(meta: TraceMeta, handlers: ViolationHandlers): HTMLElement {
  const list = el('ol', { class: 'violations', 'data-testid': 'violations' });
  if (meta.violations.length === 0) list.append(el('li', { class: 'none' }, 'no violations'));
  meta.violations.forEach((v, i) => {
    const item = el(
      'li',
      { 'data-testid': `violation-${i}`, class: `violation ${v.class}`, tabindex: 0 },
      el('strong', {}, v.name),
      ` ${v.class} · step ${v.atStep}`,
      el('div', { class: 'message' }, v.message),
    );
    const choose = () => {
      for (const other of list.querySelectorAll('.highlight')) other.classList.remove('highlight');
      item.classList.add('highlight');
      handlers.select(i, v, involvedTestIds(meta, v));
    };
    item.addEventListener('click', choose);
    item.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') choose();
    });
    list.append(item);
  });
  return el('section', { class: 'violations-panel' }, el('h2', {}, `Violations (${meta.violations.length})`), list);
}

/** The state panel's elements a violation involves: its partition, that partition's replicas on the nodes it names, and those nodes' quorum rows. */
function involvedTestIds(meta: TraceMeta, v: ViolationEntry): string[] {
  const partition = v.partition;
  const ids: string[] = [];
  if (partition !== null) ids.push(`partition-${partition}`);
  for (const node of v.nodes) {
    ids.push(`raft-${node}`);
    for (const p of partition === null ? meta.partitions : [partition]) ids.push(`replica-${p}-${node}`);
  }
  return ids;
}
