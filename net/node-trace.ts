// One real node's trace (`samsa broker --trace FILE`): the node's events as lines of the one trace
// schema, at wall-clock times (ms since this incarnation started; the header holds that start as
// epoch ms, so net/trace-merge.ts can align a run's files). Lines are buffered and written every
// TRACE_FLUSH_MS and on a clean stop, so a killed broker loses at most that much of its trace.
// Each incarnation writes its own file: FILE first, then FILE.2, FILE.3, … (before the extension).
// A cluster's fault trace (net/fault-trace.ts) is a RunTraceFile, written the same way.

import { existsSync } from 'node:fs';
import type { NodeId } from '../core/env.ts';
import type { NodeEvent, RecordedNodeEvent, RunEvent } from '../core/trace/schema.ts';
import { FileSink } from '../trace/sink.ts';
import { quoteNode, TraceWriter, type QuotedNode } from '../trace/writer.ts';

/** How often buffered lines reach the file (what a SIGKILL can cost). */
export const TRACE_FLUSH_MS = 200;

/** The file of incarnation `n` of a node traced to `path`: `b1.jsonl`, `b1.2.jsonl`, `b1.3.jsonl`, … */
export function incarnationFile(path: string, n: number): string {
  if (n === 1) return path;
  const dot = path.lastIndexOf('.');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return dot > slash + 1 ? `${path.slice(0, dot)}.${n}${path.slice(dot)}` : `${path}.${n}`;
}

/** The first incarnation whose file does not exist yet, and that file. */
export function nextIncarnation(path: string): { incarnation: number; file: string } {
  let n = 1;
  while (existsSync(incarnationFile(path, n))) n++;
  return { incarnation: n, file: incarnationFile(path, n) };
}

/** A trace file at wall-clock times: header, periodic flush, summary at close. */
abstract class WallClockTrace {
  /** The wall-clock time (epoch ms) at which this trace's time 0 lies. */
  readonly startedAtMs = Date.now();
  readonly incarnation: number;
  readonly file: string;
  private readonly origin = performance.now();
  private readonly sink: FileSink;
  protected readonly writer: TraceWriter;
  private readonly timer: NodeJS.Timeout;
  protected closed = false;

  /** Opens the next free incarnation file of `path` and writes the header. */
  constructor(path: string, scenario: string, config: Record<string, unknown>) {
    ({ incarnation: this.incarnation, file: this.file } = nextIncarnation(path));
    this.sink = new FileSink(this.file);
    this.writer = new TraceWriter(this.sink);
    this.writer.header({
      samsa: 1,
      scenario,
      seed: 0,
      config: { runtime: 'real', ...config, startedAt: new Date(this.startedAtMs).toISOString(), startedAtMs: this.startedAtMs },
    });
    this.timer = setInterval(() => this.sink.flush(), TRACE_FLUSH_MS);
    this.timer.unref();
  }

  /** Microseconds since this trace's time 0. */
  protected get us(): number {
    return Math.round((performance.now() - this.origin) * 1000);
  }

  /** Writes the summary and closes the file. */
  protected finish(): void {
    this.closed = true;
    clearInterval(this.timer);
    const steps = this.writer.step;
    this.writer.close({ kind: 'summary', steps, simMs: Math.round(performance.now() - this.origin), events: steps });
  }
}

/** A node's trace: its events, its start (or restart) and its exit. */
export class NodeTraceFile extends WallClockTrace {
  private readonly node: QuotedNode;

  /** Opens the next incarnation's file of `path` and writes the header and the `start` (or `restart`) line. */
  constructor(
    path: string,
    readonly nodeId: NodeId,
    setup: Record<string, unknown> = {},
  ) {
    super(path, 'broker', { node: nodeId, incarnation: nextIncarnation(path).incarnation, ...setup });
    this.node = quoteNode(nodeId);
    this.record(this.incarnation === 1 ? { kind: 'start', incarnation: 1 } : { kind: 'restart', incarnation: this.incarnation });
  }

  /** One event of the node (the NodeRuntime's `trace`), or a lifecycle record. */
  record(event: NodeEvent | RecordedNodeEvent): void {
    if (!this.closed) this.writer.nodeEvent(this.us, this.node, event);
  }

  /** Writes the node's exit (`crash` with `reason`: shutdown after a clean stop, or why it halted) and the summary, and closes the file. */
  close(reason: string): void {
    if (this.closed) return;
    this.record({ kind: 'crash', reason, disk: [] });
    this.finish();
  }
}

/** A trace of lines about the whole run (the faults a cluster applied), and about nodes where their own traces cannot tell (a pause). */
export class RunTraceFile extends WallClockTrace {
  record(event: RunEvent): void {
    if (!this.closed) this.writer.runEvent(this.us, event);
  }

  recordNode(node: NodeId, event: RecordedNodeEvent): void {
    if (!this.closed) this.writer.nodeEvent(this.us, quoteNode(node), event);
  }

  close(): void {
    if (!this.closed) this.finish();
  }
}
