// Replay controls: play / pause and speed, a scrubber over kernel steps, single steps, next
// fault and next violation, and the keyboard (space, j/k, arrows).

import type { TraceMeta } from '../shared/contract.ts';
import type { Cursor } from './cursor.ts';
import { el, formatMs } from './dom.ts';

const TICK_MS = 50;
const SPEEDS = [1, 10, 100, 1000];

export class Controls {
  readonly element = el('nav', { class: 'controls' });
  private readonly play = el('button', { 'data-testid': 'play', title: 'play / pause (space)' }, '▶ play');
  private readonly speed = el('select', { 'data-testid': 'speed', title: 'rows per tick' }, ...SPEEDS.map((s) => el('option', { value: s }, `${s}×`)));
  private readonly scrubber = el('input', { 'data-testid': 'scrubber', type: 'range', min: 0, step: 1 });
  private readonly label = el('span', { 'data-testid': 'step-label', class: 'step-label' });
  private timer: number | null = null;
  private busy = false;

  constructor(
    private readonly meta: TraceMeta,
    private readonly cursor: Cursor,
  ) {
    const last = cursor.columns.count - 1;
    this.scrubber.max = String(cursor.columns.step[last] ?? 0);
    const button = (id: string, text: string, title: string, action: () => void) => {
      const b = el('button', { 'data-testid': id, title }, text);
      b.addEventListener('click', () => {
        action();
        b.blur();
      });
      return b;
    };
    this.play.addEventListener('click', () => {
      this.toggle();
      this.play.blur();
    });
    this.scrubber.addEventListener('input', () => void this.goStep(Number(this.scrubber.value)));
    this.scrubber.addEventListener('change', () => void this.goStep(Number(this.scrubber.value)));
    this.element.append(
      this.play,
      this.speed,
      button('step-prev', '◀', 'previous event (k, ←)', () => void this.stepBy(-1)),
      button('step-next', '▶|', 'next event (j, →)', () => void this.stepBy(1)),
      button('next-fault', 'next fault', 'next fault: a partition, crash, restart, heal, slow link…', () => void this.nextFault()),
      button('next-violation', 'next violation', 'next violation of an invariant', () => void this.nextViolation()),
      this.scrubber,
      this.label,
    );
    document.addEventListener('keydown', (event) => this.key(event));
  }

  /** Shows where the cursor is. */
  update(row: number): void {
    const c = this.cursor.columns;
    this.scrubber.value = String(c.step[row]);
    this.label.textContent = `step ${c.step[row]} · row ${row} of ${c.count} · ${formatMs(c.t[row] ?? 0)}`;
  }

  private key(event: KeyboardEvent): void {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement || event.ctrlKey || event.metaKey || event.altKey) return;
    const actions: Record<string, () => void> = {
      ' ': () => this.toggle(),
      j: () => void this.stepBy(1),
      ArrowRight: () => void this.stepBy(1),
      k: () => void this.stepBy(-1),
      ArrowLeft: () => void this.stepBy(-1),
    };
    const action = actions[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  }

  private toggle(): void {
    if (this.timer === null) {
      this.play.textContent = '❚❚ pause';
      this.timer = window.setInterval(() => this.tick(), TICK_MS);
    } else this.pause();
  }

  pause(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.busy = false;
    this.cursor.cancelPending();
    this.play.textContent = '▶ play';
  }

  private tick(): void {
    if (this.busy) return;
    const next = this.cursor.row + Number(this.speed.value);
    if (next >= this.cursor.columns.count) {
      this.pause();
      return;
    }
    this.busy = true;
    void this.cursor.seekRow(next).finally(() => (this.busy = false));
  }

  private stepBy(delta: number): Promise<void> {
    this.pause();
    return this.cursor.seekRow(this.cursor.row + delta);
  }

  private goStep(step: number): Promise<void> {
    this.pause();
    return this.cursor.seekRow(this.cursor.rowOfStep(step));
  }

  private nextFault(): Promise<void> {
    const here = this.cursor.row;
    const starts = [...this.meta.faults.map((f) => f.startRow), ...this.meta.marks.map((m) => m.row)].filter((r) => r > here);
    this.pause();
    return starts.length === 0 ? Promise.resolve() : this.cursor.seekRow(Math.min(...starts));
  }

  private nextViolation(): Promise<void> {
    const here = this.cursor.row;
    const rows = this.meta.violations.map((v) => v.atRow).filter((r) => r > here);
    this.pause();
    return rows.length === 0 ? Promise.resolve() : this.cursor.seekRow(Math.min(...rows));
  }
}
