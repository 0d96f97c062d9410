// The shape every client-history checker has: it reads each op once, in history order, and judges
// at `finish` what only the end of the history can settle (a write no read ever returned).

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo } from '../violation.ts';
import type { ReadOp } from './op-values.ts';

export interface HistoryChecker {
  readonly info: CheckerInfo;
  observe(read: ReadOp): void;
  /**
   * The history is complete; a second call reports nothing more. `finalRead` says whether the
   * consumers' final read caught up with every partition: only then can "never returned" be told
   * apart from "not returned yet".
   */
  finish(finalRead: boolean): void;
  /** The client process stopped (crashed, was stopped, or started afresh): it holds nothing it held before. */
  crashed?(process: NodeId): void;
}

/** The nodes of a violation: each named once, in order. */
export function involved(...nodes: string[]): string[] {
  return [...new Set(nodes)];
}
