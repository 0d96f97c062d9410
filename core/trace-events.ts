// The typed events a node may record in the run's trace through `env.trace`. The runtime adds
// the time, the step and the node; each protocol adds its own kinds here as it grows
// (append, truncate, hw, isr, leader, elect, client, ...).

/** Every node-level trace event kind, with the fields it carries. */
export interface NodeTraceEvents {
  /** Free-form remark from a node; for tests and demos, not for protocol state. */
  note: { text: string };
}

export type TraceEventKind = keyof NodeTraceEvents;

export type TraceEvent = {
  [K in TraceEventKind]: { kind: K } & NodeTraceEvents[K];
}[TraceEventKind];
