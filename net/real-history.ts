// A real run as its checkers see it (models/checker-host.ts): the client events of Samsa's own
// clients on the real runtime, each a trace step at its wall-clock time (ms since the run began),
// handed to the checkers as the simulator hands them, and written as trace lines when a sink is given.

import type { NodeId } from '../core/env.ts';
import type { NodeEvent, RecordedNodeEvent, RunEvent, TraceHeader, TraceObserver, TraceSummary } from '../core/trace/schema.ts';
import type { CheckerHost } from '../models/checker-host.ts';
import type { TraceSink } from '../trace/sink.ts';
import { quoteNode, TraceWriter } from '../trace/writer.ts';

export class RealHistory implements CheckerHost {
  /** The wall-clock time (ms since the epoch) at which the run's time 0 lies. */
  readonly startedAtMs = Date.now();
  private readonly origin = performance.now();
  private readonly writer: TraceWriter;
  private readonly observers: TraceObserver[] = [];
  private readonly stepListeners: Array<() => void> = [];

  constructor(sink: TraceSink | null, header: Omit<TraceHeader, 'samsa'>) {
    this.writer = new TraceWriter(sink);
    this.writer.header({
      samsa: 1,
      ...header,
      config: { ...header.config, startedAt: new Date(this.startedAtMs).toISOString(), startedAtMs: this.startedAtMs },
    });
  }

  /** Milliseconds since the run began (wall clock). */
  get now(): number {
    return performance.now() - this.origin;
  }

  get step(): number {
    return this.writer.step;
  }

  observe(observer: TraceObserver): void {
    this.observers.push(observer);
  }

  onStep(listener: () => void): void {
    this.stepListeners.push(listener);
  }

  record(event: RunEvent): void {
    const step = this.writer.step;
    this.writer.runEvent(this.us(), event);
    for (const o of this.observers) o(step, null, event);
  }

  /** Where client `id`'s trace events go (a ClientRuntime's `trace`): each is one step. */
  recorder(id: NodeId): (event: NodeEvent | RecordedNodeEvent) => void {
    const node = quoteNode(id);
    return (event) => {
      const step = this.writer.step;
      this.writer.nodeEvent(this.us(), node, event);
      for (const o of this.observers) o(step, id, event);
      for (const l of this.stepListeners) l();
    };
  }

  /**
   * Writes a line about the run or a node that is no client (a fault the nemesis applied) without
   * handing it to the observers: a black-box check judges what the clients saw, not the faults.
   */
  note(node: NodeId | null, event: RunEvent | RecordedNodeEvent): void {
    if (node === null) this.writer.runEvent(this.us(), event as RunEvent);
    else this.writer.nodeEvent(this.us(), quoteNode(node), event as RecordedNodeEvent);
  }

  /** Writes the summary line and closes the trace; returns its hash (null without a sink). */
  close(summary: Omit<TraceSummary, 'kind' | 'steps' | 'simMs' | 'events' | 'traceHash'>): string | null {
    const steps = this.writer.step;
    return this.writer.close({ kind: 'summary', steps, simMs: Math.round(this.now), events: steps, ...summary });
  }

  private us(): number {
    return Math.round(this.now * 1000);
  }
}
