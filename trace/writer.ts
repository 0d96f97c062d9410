// Writes a run's event lines as core/trace/schema.ts types them: `{"t":..,"i":..,"node":..,"kind":..}`
// then the event's own fields, in the order JSON.stringify gives them. It numbers the steps (one
// per line, also when no sink takes the lines, so a step means the same with or without a file)
// and formats the frequent lines (messages, timers) without building objects. Any runtime uses it:
// the simulator with its virtual clock, a real runtime with wall-clock time.

import type { ArrivalDropReason, NodeEvent, NodeId, RecordedNodeEvent, RunEvent, SendDropReason, TraceHeader, TraceSummary } from '../core/trace/schema.ts';
import type { TraceSink } from './sink.ts';

/** ".001" ... ".999" with trailing zeros dropped, indexed by the microseconds of a millisecond. */
const FRACTIONS = Array.from({ length: 1000 }, (_, us) => (us === 0 ? '' : '.' + String(us).padStart(3, '0').replace(/0+$/, '')));

/** Whole microseconds as milliseconds, printed exactly as `String(us / 1000)` would, but faster. */
export function formatMs(us: number): string {
  const whole = Math.floor(us / 1000);
  return whole + FRACTIONS[us - whole * 1000]!;
}

/** A node's id as a JSON string, computed once per node (lines name nodes constantly). */
export type QuotedNode = string & { readonly quotedNode: unique symbol };

export function quoteNode(id: NodeId): QuotedNode {
  return JSON.stringify(id) as QuotedNode;
}

/** Where a message went, as a `send` line reports it (times in microseconds; -1 for none). */
export interface SendFate {
  dropped: SendDropReason | null;
  atUs: number;
  dupAtUs: number;
  reordered: boolean;
}

export class TraceWriter {
  /** Lines written so far after the header (or that would have been, without a sink). */
  step = 0;
  /** The time as printed in lines, cached for the many lines of one instant. */
  private formattedUs = -1;
  private formattedNow = '';

  constructor(private readonly sink: TraceSink | null) {}

  /** Whether lines are formatted at all (callers can skip building costly descriptions). */
  get tracing(): boolean {
    return this.sink !== null;
  }

  header(header: TraceHeader): void {
    this.sink?.write(JSON.stringify(header));
  }

  /** A node's protocol event, or a runtime record about a node. */
  nodeEvent(us: number, node: QuotedNode, event: NodeEvent | RecordedNodeEvent): void {
    if (this.sink === null) this.step++;
    else this.line(us, `"node":${node},${JSON.stringify(event).slice(1)}`);
  }

  /** A line about the whole run. */
  runEvent(us: number, event: RunEvent): void {
    if (this.sink === null) this.step++;
    else this.line(us, JSON.stringify(event).slice(1));
  }

  /** A `send` line: the message as `describe` shows it, and its fate. */
  send<M>(us: number, from: QuotedNode, to: QuotedNode, m: number, msg: M, describe: (msg: M) => unknown, fate: SendFate): void {
    if (this.sink === null) {
      this.step++;
      return;
    }
    let outcome: string;
    if (fate.dropped !== null) outcome = `"drop":"${fate.dropped}"`;
    else {
      outcome = `"at":${formatMs(fate.atUs)}`;
      if (fate.dupAtUs >= 0) outcome += `,"dup":${formatMs(fate.dupAtUs)}`;
      if (fate.reordered) outcome += `,"reorder":true`;
    }
    this.line(us, `"node":${from},"kind":"send","to":${to},"m":${m},"msg":${JSON.stringify(describe(msg))},${outcome}}`);
  }

  /** A message in flight lost at arrival. */
  drop(us: number, node: QuotedNode, from: QuotedNode, m: number, reason: ArrivalDropReason): void {
    if (this.sink === null) this.step++;
    else this.line(us, `"node":${node},"kind":"drop","from":${from},"m":${m},"reason":"${reason}"}`);
  }

  timer(us: number, node: QuotedNode, tag: string): void {
    if (this.sink === null) this.step++;
    else this.line(us, `"node":${node},"kind":"timer","tag":${JSON.stringify(tag)}}`);
  }

  /** Writes the summary line and closes the sink; returns the trace's hash (null without a sink). */
  close(summary: Omit<TraceSummary, 'traceHash'>): string | null {
    return this.sink === null ? null : this.sink.close(summary);
  }

  private line(us: number, body: string): void {
    const step = this.step++;
    if (this.formattedUs !== us) {
      this.formattedUs = us;
      this.formattedNow = formatMs(us);
    }
    this.sink!.write(`{"t":${this.formattedNow},"i":${step},${body}`);
  }
}
