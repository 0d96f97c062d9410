// What checkers report: a violation names the checker, the step of the event that exposed it,
// the nodes involved and the values seen. Every checker states its property and its source.

import type { NodeId } from '../core/env.ts';

export type ViolationClass = 'safety' | 'liveness';

export interface Violation {
  /** The checker's name (kebab-case, fixed by the design and kept stable). */
  name: string;
  class: ViolationClass;
  message: string;
  /** The trace step of the event that exposed it. */
  step: number;
  nodes: NodeId[];
  values: Record<string, unknown>;
}

export interface CheckerInfo {
  name: string;
  /** The property, in one sentence. */
  statement: string;
  /** Where the property comes from (Kafka docs, KIP, TLA+ spec, Jepsen). */
  source: string;
}

/** Where checkers send what they find. */
export type Report = (violation: Omit<Violation, 'name' | 'class'>) => void;
