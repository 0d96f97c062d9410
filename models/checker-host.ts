// What a run offers its checkers, whichever runtime runs it (the simulator now; the real runtime
// and black-box checks later): its events as objects, the end of every step, and a line in its
// trace for each violation. Checkers attach to this and to nothing else of the runtime.

import type { RunEvent, TraceObserver } from '../core/trace/schema.ts';

export interface CheckerHost {
  /** Calls `observer` with every node event and runtime record, with the step it is written at. */
  observe(observer: TraceObserver): void;
  /** Calls `listener` after every processed event (where step-end checks run). */
  onStep(listener: () => void): void;
  /** The run's clock in milliseconds (simulated time in the simulator), for checks that judge durations. */
  readonly now: number;
  /** Trace steps so far. */
  readonly step: number;
  /** Writes a line about the run into its trace (the checkers' violations). */
  record(event: RunEvent): void;
}
