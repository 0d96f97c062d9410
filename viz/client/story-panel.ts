// The explanation of the chosen violation beside the diagram: a headline, then each step of its
// causal chain (acknowledgement or commit, crashes, elections, ISR changes, truncations, restarts,
// deletions below a log start, overwrites, the event that exposed it), each a link that moves the cursor to its step.

import type { ViolationEntry, ViolationStory } from '../shared/contract.ts';
import { el } from './dom.ts';

export interface StoryHandlers {
  go(row: number): void;
}

const ROLE_LABELS: Record<ViolationStory['steps'][number]['role'], string> = {
  origin: 'came in',
  crash: 'crash',
  restart: 'restart',
  log: 'log end',
  election: 'election',
  isr: 'ISR',
  truncation: 'truncation',
  recovery: 'restart',
  deletion: 'deletion',
  overwrite: 'overwrite',
  exposed: 'exposed',
};

export class StoryPanel {
  readonly element = el('section', { class: 'story', 'data-testid': 'story', hidden: '' });
  private items: HTMLElement[] = [];
  private rows: number[] = [];

  constructor(private readonly handlers: StoryHandlers) {}

  /** Says that the story is on its way. */
  loading(v: ViolationEntry): void {
    this.element.hidden = false;
    this.items = [];
    this.element.replaceChildren(el('h2', {}, 'Explanation'), el('p', { class: 'dim' }, `reading the trace for the story of ${v.name} …`));
  }

  /** Shows a story, or says that this violation's checker has none. */
  show(v: ViolationEntry, story: ViolationStory | null): void {
    this.element.hidden = false;
    if (story === null) {
      this.items = [];
      this.rows = [];
      this.element.replaceChildren(
        el('h2', {}, 'Explanation'),
        el(
          'p',
          { class: 'dim', 'data-testid': 'story-none' },
          `no explanation for ${v.name}: the visualizer explains lost writes, inconsistent offsets and ISR violations`,
        ),
      );
      return;
    }
    this.rows = story.steps.map((s) => s.row);
    this.items = story.steps.map((s, k) => {
      const item = el(
        'li',
        { class: `story-step role-${s.role}${s.cause ? ' cause' : ''}`, 'data-testid': `story-step-${k}`, 'data-row': s.row, tabindex: 0 },
        el('span', { class: 'story-role' }, s.cause ? `${ROLE_LABELS[s.role]} · removed it` : ROLE_LABELS[s.role]),
        el('span', { class: 'dim' }, ` step ${s.step}${s.node === '' ? '' : ` · ${s.node}`}`),
        el('div', {}, s.text),
      );
      item.addEventListener('click', () => this.handlers.go(s.row));
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.handlers.go(s.row);
      });
      return item;
    });
    this.element.replaceChildren(
      el('h2', {}, 'Explanation'),
      el('p', { class: 'story-headline', 'data-testid': 'story-headline' }, story.headline),
      el('ol', { class: 'story-steps' }, ...this.items),
    );
  }

  /** Marks the steps at the cursor's row. */
  markCurrent(row: number): void {
    this.items.forEach((item, k) => item.classList.toggle('current', this.rows[k] === row));
  }
}
