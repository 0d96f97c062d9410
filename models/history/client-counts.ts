// What a run's clients did, counted from their `client` trace events (any runtime's): writes sent,
// acknowledged, failed and of unknown outcome (Jepsen's ok / fail / info), and records consumed.

import type { NodeEvents } from '../../core/trace/schema.ts';

export interface ClientCounts {
  /** Client writes: sent, acknowledged (ok), certainly not written (fail), outcome unknown (info). */
  sends: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  /** Records returned by consumers' polls, in all. */
  consumed: number;
}

export function emptyClientCounts(): ClientCounts {
  return { sends: 0, acknowledged: 0, failed: 0, unknown: 0, consumed: 0 };
}

/** Adds one `client` event to the counts. */
export function countClientOp(counts: ClientCounts, event: NodeEvents['client']): void {
  if (event.op === 'send') {
    if (event.type === 'invoke') counts.sends++;
    else if (event.type === 'ok') counts.acknowledged++;
    else if (event.type === 'fail') counts.failed++;
    else if (event.type === 'info') counts.unknown++;
  } else if (event.op === 'produce') {
    // Per request (models/history/produce-ops.ts): each listed send counts as one.
    const sends = (event.value as { sends?: unknown } | undefined)?.sends;
    const n = Array.isArray(sends) ? sends.length : 0;
    if (event.type === 'invoke') counts.sends += n;
    else if (event.type === 'ok') counts.acknowledged += n;
    else if (event.type === 'fail') counts.failed += n;
    else if (event.type === 'info') counts.unknown += n;
  } else if (event.op === 'poll' && event.type === 'ok') {
    counts.consumed += ((event.value as { records?: unknown[] } | undefined)?.records ?? []).length;
  }
}
