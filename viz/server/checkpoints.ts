// Derived-state checkpoints of an indexed trace, every CHECKPOINT_EVERY rows, folded lazily: the
// index answers the page first, then the fold runs in small slices between requests (or at once
// up to a checkpoint that is asked for before the fold got there). Only rows that change derived
// state are read back and parsed; sends, timers and client operations other than the consumers'
// group operations are skipped by their kind and op.

import type { EventKind, EventLine, TraceHeader } from '../../core/trace/schema.ts';
import { parseTraceLine, TraceFormatError } from '../../trace/reader.ts';
import type { DerivedState, TraceColumns } from '../shared/contract.ts';
import { CLIENT_OPS_WITH_STATE } from '../shared/groups.ts';
import { applyEvent, cloneState, initialState, KINDS_WITHOUT_STATE } from '../shared/state.ts';
import { readFileRange } from './line-scanner.ts';

export const CHECKPOINT_EVERY = 2000;
/** Checkpoints folded per background slice (about 20 ms each). */
const SLICE_CHECKPOINTS = 4;

export class Checkpoints {
  private readonly list: DerivedState[] = [];
  private readonly state: DerivedState;
  private nextRow = 0;
  /** By kind index: rows of this kind never change derived state. */
  private readonly skipKind: boolean[];
  /** By op index: client rows of this op never change derived state. */
  private readonly skipOp: boolean[];
  private readonly clientKind: number;
  private background: NodeJS.Immediate | null = null;

  constructor(
    header: TraceHeader,
    private readonly path: string,
    private readonly columns: TraceColumns,
    private readonly offsets: Float64Array,
    kinds: readonly EventKind[],
    ops: readonly string[],
  ) {
    this.state = initialState(header);
    this.list.push(cloneState(this.state));
    this.skipKind = kinds.map((k) => KINDS_WITHOUT_STATE.has(k));
    this.skipOp = ops.map((op) => !CLIENT_OPS_WITH_STATE.has(op));
    this.clientKind = kinds.indexOf('client');
  }

  /** The state of the latest checkpoint at or before `row` (after row k * CHECKPOINT_EVERY - 1). */
  atOrBefore(row: number): DerivedState {
    const k = Math.floor((row + 1) / CHECKPOINT_EVERY);
    while (this.list.length <= k) this.foldBlock();
    return this.list[k]!;
  }

  /** Folds the rest a few checkpoints at a time, yielding to requests in between. */
  foldInBackground(): void {
    if (this.background !== null) return;
    const slice = () => {
      for (let n = 0; n < SLICE_CHECKPOINTS && !this.done(); n++) this.foldBlock();
      this.background = this.done() ? null : setImmediate(slice);
    };
    this.background = setImmediate(slice);
  }

  stop(): void {
    if (this.background !== null) clearImmediate(this.background);
    this.background = null;
  }

  private done(): boolean {
    return this.nextRow >= this.columns.count;
  }

  /** Applies the next block of rows and keeps the checkpoint after it (when the block is whole). */
  private foldBlock(): void {
    if (this.done()) throw new Error('no checkpoint past the end of the trace');
    const from = this.nextRow;
    const to = Math.min(this.columns.count, from + CHECKPOINT_EVERY);
    const base = this.offsets[from]!;
    const buffer = readFileRange(this.path, base, this.offsets[to]!);
    for (let row = from; row < to; row++) {
      if (!this.changesState(row)) continue;
      const start = this.offsets[row]! - base;
      const end = this.offsets[row + 1]! - base - 1;
      applyEvent(this.state, parseRow(buffer.toString('utf8', start, end), row, this.path), row);
    }
    this.state.row = to - 1;
    this.state.step = this.columns.step[to - 1]!;
    this.state.t = this.columns.t[to - 1]!;
    this.nextRow = to;
    if (to - from === CHECKPOINT_EVERY) this.list.push(cloneState(this.state));
  }

  /** Whether applying the row may change derived state (else the fold skips reading it back). */
  private changesState(row: number): boolean {
    const kind = this.columns.kind[row]!;
    if (this.skipKind[kind]!) return false;
    return kind !== this.clientKind || !this.skipOp[this.columns.label[row]!]!;
  }
}

/** A row read back, through the trace reader's checks (line numbers as if the trace had no blank lines: row r is line r + 2). */
function parseRow(text: string, row: number, path: string): EventLine {
  const line = parseTraceLine(text, row + 2, path);
  if (line.kind === 'summary') throw new TraceFormatError(path, `row ${row} reads as the summary: the file changed since it was indexed`);
  return line;
}
