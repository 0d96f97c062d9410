// Liveness after faults heal (KIP-595, KIP-631; Vanlightly's specs' EventuallyLeaderElected and
// broker convergence): checked at the end of a run's liveness phase, in which every fault is
// healed and every node runs; each must hold within a bounded time.

import type { CheckerInfo } from '../violation.ts';
import { ISR_FRESHNESS } from './isr-freshness.ts';
import { QUORUM_LEADER_STABLE } from './leader-stable.ts';

export const LEADER_ELECTED: CheckerInfo = {
  name: 'leader-elected',
  statement: 'Once faults heal, the quorum has one leader that every live voter follows, within a bounded time.',
  source: "KIP-595; Vanlightly's KRaft spec EventuallyLeaderElected",
};

export const BROKERS_UNFENCED: CheckerInfo = {
  name: 'brokers-unfenced',
  statement: 'Once faults heal, every live broker is registered and unfenced, within a bounded time.',
  source: "KIP-631 (broker lifecycle); Vanlightly's replication spec (fenced brokers get unfenced)",
};

export const IMAGES_CONVERGED: CheckerInfo = {
  name: 'images-converged',
  statement: "Once faults heal, every live node's metadata image reaches the committed end of the metadata log, within a bounded time.",
  source: "Vanlightly's replication spec (broker metadata converges)",
};

export const ISR_REGROWN: CheckerInfo = {
  name: 'isr-regrown',
  statement: 'Once faults heal, every partition has a leader and all its replicas back in its ISR, within a bounded time.',
  source: "Kafka docs (a rejoining replica re-syncs and re-enters the ISR); Vanlightly's replication spec (acked writes become fully replicated)",
};

export const FINAL_READ: CheckerInfo = {
  name: 'final-read',
  statement: "Once faults heal, every consumer reads every partition of its topic up to the partition's high watermark, within a bounded time.",
  source: "Jepsen's Kafka workload (final polls read everything; an unread acknowledged write is then lost, not late)",
};

export const GROUP_STABLE: CheckerInfo = {
  name: 'group-stable',
  statement:
    'Once faults heal, every consumer group reaches one stable generation, within the liveness bound (60 s after the heal unless `samsa run --liveness` says otherwise): every live member holds an assignment of the same generation and each partition of its topic is assigned to exactly one of them.',
  source: 'Kafka consumer group protocol (a rebalance ends with every member synced to one generation); KIP-429; KIP-345',
};

/** Every liveness check: judged after the faults heal, except isr-freshness and quorum-leader-stable, judged as the run goes. */
export const LIVENESS_CHECKERS: readonly CheckerInfo[] = [
  LEADER_ELECTED,
  BROKERS_UNFENCED,
  IMAGES_CONVERGED,
  ISR_REGROWN,
  FINAL_READ,
  GROUP_STABLE,
  ISR_FRESHNESS,
  QUORUM_LEADER_STABLE,
];
