// The replay cursor: the current row of a trace and the derived state there. State comes from
// the server's nearest checkpoint plus that checkpoint's block of raw events (cached), so a seek
// anywhere costs at most one checkpoint and one block, and stepping inside a block costs nothing.

import { checkpoint, traceEvents } from './api.ts';
import { showError } from './dom.ts';
import type { EventLine } from '../../core/trace/schema.ts';
import type { DerivedState, TraceColumns, TraceMeta } from '../shared/contract.ts';
import { applyEvent, cloneState } from '../shared/state.ts';

export interface CursorView {
  row: number;
  step: number;
  state: DerivedState;
  /** The raw event of the cursor's row. */
  event: EventLine;
}

interface Block {
  base: DerivedState;
  events: EventLine[];
}

const CACHED_BLOCKS = 24;

export class Cursor {
  private readonly blocks = new Map<number, Promise<Block>>();
  private generation = 0;
  view: CursorView | null = null;
  private readonly listeners: Array<(view: CursorView) => void> = [];

  constructor(
    readonly meta: TraceMeta,
    readonly columns: TraceColumns,
  ) {}

  onMove(listener: (view: CursorView) => void): void {
    this.listeners.push(listener);
  }

  get row(): number {
    return this.view?.row ?? 0;
  }

  /** The last row whose kernel step is at most `step` (0 when none is). */
  rowOfStep(step: number): number {
    const s = this.columns.step;
    let lo = 0;
    let hi = this.columns.count - 1;
    if (hi < 0 || s[0]! > step) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= step) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first row at or after simulated time `t`. */
  rowAtTime(t: number): number {
    const times = this.columns.t;
    let lo = 0;
    let hi = this.columns.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves to `row`; a later call overtakes an earlier one that has not finished. */
  async seekRow(row: number): Promise<void> {
    const target = Math.max(0, Math.min(this.columns.count - 1, Math.round(row)));
    const generation = ++this.generation;
    let view: CursorView;
    try {
      view = await this.viewAt(target);
    } catch (err) {
      // Shown in the page (the state stays where it was); the caller's promise still settles.
      showError(`cannot show row ${target}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (generation !== this.generation) return;
    this.view = view;
    for (const listener of this.listeners) listener(view);
  }

  /** Forgets a seek in flight (pausing must not be overtaken by a step of the player). */
  cancelPending(): void {
    this.generation++;
  }

  private async viewAt(row: number): Promise<CursorView> {
    const every = this.meta.checkpointEvery;
    const k = Math.floor(row / every);
    const block = await this.block(k);
    const first = k * every;
    const state = cloneState(block.base);
    for (let r = first; r <= row; r++) applyEvent(state, block.events[r - first]!, r);
    return { row, step: this.columns.step[row]!, state, event: block.events[row - first]! };
  }

  /** Checkpoint k (the state before row k * every: the server's checkpoint for row k * every - 1) and the raw events of its block. */
  private block(k: number): Promise<Block> {
    let block = this.blocks.get(k);
    if (block === undefined) {
      const every = this.meta.checkpointEvery;
      const first = k * every;
      const last = Math.min(this.columns.count - 1, first + every - 1);
      // Row 0's checkpoint is the state before any row, as row -1's would be.
      block = Promise.all([checkpoint(this.meta.id, Math.max(0, first - 1)), traceEvents(this.meta.id, first, last)]).then(async ([base, events]) => {
        // A checkpoint further back than the block's start (the server keeps them elsewhere): fold the gap in.
        if (base.row < first - 1) {
          const gap = base.row + 1;
          base = cloneState(base);
          (await traceEvents(this.meta.id, gap, first - 1)).forEach((ev, i) => applyEvent(base, ev, gap + i));
        }
        return { base, events };
      });
      block.catch(() => this.blocks.delete(k));
      this.blocks.set(k, block);
      if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    return block;
  }
}
