// The clients' wake-up rule, shared by producer and consumer: of the instants at which time alone
// makes progress, keep the earliest still in the future. A plain function rather than a closure
// per call: armWake runs after every event a client handles.

/** `t` if it is after `now` and before `next`, else `next`. */
export function earlierWake(now: number, next: number, t: number): number {
  return t > now && t < next ? t : next;
}
