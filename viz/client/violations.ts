// The violations beside the diagram: each names its checker and what broke; choosing one (a click,
// Enter, or opening a trace at its first violation) moves the cursor to the step that exposed it
// and highlights the partition, replicas and nodes it names.

import type { TraceMeta, ViolationEntry } from '../shared/contract.ts';
import { el } from './dom.ts';

export interface ViolationHandlers {
  select(index: number, violation: ViolationEntry, involved: string[]): Promise<void>;
}

export class ViolationList {
  readonly element: HTMLElement;
  private readonly items: HTMLElement[] = [];

  constructor(
    private readonly meta: TraceMeta,
    private readonly handlers: ViolationHandlers,
  ) {
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
      item.addEventListener('click', () => void this.select(i));
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') void this.select(i);
      });
      this.items.push(item);
      list.append(item);
    });
    this.element = el('section', { class: 'violations-panel' }, el('h2', {}, `Violations (${meta.violations.length})`), list);
  }

  /** The violation exposed first (the lowest step), or null when there is none. */
  first(): number | null {
    let best: number | null = null;
    this.meta.violations.forEach((v, i) => {
      if (best === null || v.atRow < this.meta.violations[best]!.atRow) best = i;
    });
    return best;
  }

  select(index: number): Promise<void> {
    for (const item of this.items) item.classList.remove('highlight');
    this.items[index]!.classList.add('highlight');
    const v = this.meta.violations[index]!;
    return this.handlers.select(index, v, involvedTestIds(this.meta, v));
  }
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
