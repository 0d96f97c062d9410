// The client-history checkers together (Jepsen's Kafka workload analysis, run incrementally): each
// `client` trace event becomes a HistoryOp that every checker reads once, in trace order; `finish`
// settles what only the whole history can (acknowledged writes no poll ever returned).

import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { AT_LEAST_ONCE, AtLeastOnce, type GroupDeliveries } from './at-least-once.ts';
import { CommitFacts } from './commit-facts.ts';
import { CompactionFacts, NO_COMPACTION, type TopicPolicies } from './compaction-facts.ts';
import { COMPACTION_LAST_VALUE, CompactionLastValue } from './compaction-last-value.ts';
import { COMPACTION_ORDER, CompactionOrder } from './compaction-order.ts';
import { COMMITTED_OFFSET_REGRESSION, CommittedOffsetRegression } from './committed-offset-regression.ts';
import { DOUBLE_ASSIGNMENT, DoubleAssignment } from './double-assignment.ts';
import { STALE_GENERATION_COMMIT, StaleGenerationCommit } from './stale-generation-commit.ts';
import { DIRTY_READ, DirtyRead } from './dirty-read.ts';
import { DUPLICATE, Duplicate } from './duplicate.ts';
import type { HistoryChecker } from './history-checker.ts';
import { INCONSISTENT_OFFSET, InconsistentOffset } from './inconsistent-offset.ts';
import { KEY_PARTITION, KeyPartition } from './key-partition.ts';
import { LOST_WRITE, LostWrite } from './lost-write.ts';
import { NONMONOTONIC_POLL, NonmonotonicPoll } from './nonmonotonic-poll.ts';
import { OFFSETS_STABLE, OffsetsStable } from './offsets-stable.ts';
import { Invocations } from './invocations.ts';
import { ProduceOps } from './produce-ops.ts';
import { readOp } from './op-values.ts';
import { Sightings } from './sightings.ts';
import { POLL_SKIP, PollSkip } from './poll-skip.ts';
import { PRODUCER_ORDER, ProducerOrder } from './producer-order.ts';
import { ReadStretches } from './read-stretches.ts';
import { TOMBSTONE_VISIBLE, TombstoneVisible } from './tombstone-visible.ts';
import type { HistoryOp, OpType } from './types.ts';
import { ABORTED_READ, AbortedRead } from './aborted-read.ts';
import { EXACTLY_ONCE, ExactlyOnce, type PipelineCounts } from './exactly-once.ts';
import { PRECOMMITTED_READ, PrecommittedRead } from './precommitted-read.ts';
import { TORN_TRANSACTION, TornTransaction } from './torn-transaction.ts';
import { TxnFacts, txnOfProduce } from './txn-facts.ts';
import { TxnReads } from './txn-reads.ts';
import { UNAUTHORIZED_ACCESS, UnauthorizedAccess } from './unauthorized-access.ts';

export {
  ABORTED_READ,
  EXACTLY_ONCE,
  PRECOMMITTED_READ,
  TORN_TRANSACTION,
  AT_LEAST_ONCE,
  COMMITTED_OFFSET_REGRESSION,
  COMPACTION_LAST_VALUE,
  COMPACTION_ORDER,
  DIRTY_READ,
  DOUBLE_ASSIGNMENT,
  DUPLICATE,
  INCONSISTENT_OFFSET,
  KEY_PARTITION,
  LOST_WRITE,
  NONMONOTONIC_POLL,
  OFFSETS_STABLE,
  POLL_SKIP,
  PRODUCER_ORDER,
  STALE_GENERATION_COMMIT,
  TOMBSTONE_VISIBLE,
  UNAUTHORIZED_ACCESS,
};
export type { GroupDeliveries, HistoryChecker, PipelineCounts, TopicPolicies };

/** Every client-history checker, in report order. */
export const HISTORY_CHECKERS: readonly CheckerInfo[] = [
  LOST_WRITE,
  DUPLICATE,
  INCONSISTENT_OFFSET,
  NONMONOTONIC_POLL,
  POLL_SKIP,
  KEY_PARTITION,
  PRODUCER_ORDER,
  DIRTY_READ,
  DOUBLE_ASSIGNMENT,
  STALE_GENERATION_COMMIT,
  COMMITTED_OFFSET_REGRESSION,
  AT_LEAST_ONCE,
  COMPACTION_LAST_VALUE,
  COMPACTION_ORDER,
  OFFSETS_STABLE,
  TOMBSTONE_VISIBLE,
  ABORTED_READ,
  PRECOMMITTED_READ,
  TORN_TRANSACTION,
  EXACTLY_ONCE,
  UNAUTHORIZED_ACCESS,
];

export class HistoryCheckers {
  readonly checkers: readonly HistoryChecker[];
  /** Oks of send, poll, assign or seek whose value lacked the documented shape, and malformed produce entries (they are ignored). */
  malformed = 0;

  private readonly sightings = new Sightings();
  private readonly atLeastOnce: AtLeastOnce;
  private readonly calls = new Invocations();
  private readonly produce = new ProduceOps();
  private readonly compaction: CompactionFacts;
  private readonly stretches: ReadStretches;
  /** Transactions: their sends and fates (a transactional send's outcome waits for its fate). */
  readonly txns = new TxnFacts();
  /** The last step of the history seen (end-of-run verdicts are placed there). */
  private lastStep = 0;
  private readonly txnReads = new TxnReads(this.txns);
  private readonly exactlyOnce: ExactlyOnce;
  /** Also fed the cluster's events and final metadata (checker-suite.ts, the scenario runner). */
  readonly unauthorizedAccess: UnauthorizedAccess;

  /**
   * `facts` tells what the replicas committed when (lost-write and dirty-read read it); the
   * checker suite feeds it from the partition ghost. Without it (a black-box history) nothing is
   * known of the replicas, and every read counts as committed. `nonIdempotentProducers` names the
   * producers whose retries may append a value twice (duplicate leaves their values alone).
   * `topics` tells which topics are compacted (cleanup.policy) and their delete.retention.ms: the
   * compaction checkers judge those, and the others leave alone what compaction may remove there.
   */
  constructor(
    reporter: (info: CheckerInfo) => Report,
    facts: CommitFacts = new CommitFacts(),
    nonIdempotentProducers: ReadonlySet<string> = new Set(),
    topics: TopicPolicies = NO_COMPACTION,
    scenarioTopics: readonly string[] = [],
  ) {
    const compaction = (this.compaction = new CompactionFacts(topics, this.sightings));
    const stretches = (this.stretches = new ReadStretches(compaction));
    this.checkers = [
      new LostWrite(reporter(LOST_WRITE), this.sightings, facts, compaction),
      new Duplicate(reporter(DUPLICATE), this.sightings, nonIdempotentProducers),
      new InconsistentOffset(reporter(INCONSISTENT_OFFSET), this.sightings),
      new NonmonotonicPoll(reporter(NONMONOTONIC_POLL)),
      new PollSkip(reporter(POLL_SKIP), this.sightings, compaction, this.txns),
      new KeyPartition(reporter(KEY_PARTITION)),
      new ProducerOrder(reporter(PRODUCER_ORDER)),
      new DirtyRead(reporter(DIRTY_READ), this.sightings, facts),
      new DoubleAssignment(reporter(DOUBLE_ASSIGNMENT)),
      new StaleGenerationCommit(reporter(STALE_GENERATION_COMMIT)),
      new CommittedOffsetRegression(reporter(COMMITTED_OFFSET_REGRESSION)),
      (this.atLeastOnce = new AtLeastOnce(reporter(AT_LEAST_ONCE), this.sightings, facts, compaction)),
      new CompactionLastValue(reporter(COMPACTION_LAST_VALUE), this.sightings, compaction, stretches),
      new CompactionOrder(reporter(COMPACTION_ORDER), this.sightings, compaction),
      new OffsetsStable(reporter(OFFSETS_STABLE), this.sightings, compaction),
      new TombstoneVisible(reporter(TOMBSTONE_VISIBLE), this.sightings, compaction, stretches),
      new AbortedRead(reporter(ABORTED_READ), this.txnReads),
      new PrecommittedRead(reporter(PRECOMMITTED_READ), this.txnReads),
      new TornTransaction(reporter(TORN_TRANSACTION), this.txns, this.txnReads),
      (this.exactlyOnce = new ExactlyOnce(reporter(EXACTLY_ONCE), this.sightings, this.txns, this.txnReads)),
      (this.unauthorizedAccess = new UnauthorizedAccess(reporter(UNAUTHORIZED_ACCESS), scenarioTopics)),
    ];
  }

  /** Per consume-transform-produce pipeline, its inputs processed once, missing and duplicated (after finish). */
  pipelines(): PipelineCounts[] {
    return this.exactlyOnce.counts();
  }

  /** Per consumer group, the records its members processed and how many of them again (re-deliveries). */
  groupDeliveries(): Record<string, GroupDeliveries> {
    return this.atLeastOnce.deliveries();
  }

  observe(op: HistoryOp): void {
    if (op.op === 'produce') {
      const before = this.produce.malformed;
      const txn = txnOfProduce(op);
      for (const send of this.produce.expand(op)) {
        if (txn === null) this.observeRead(send.op, send.invocation);
        else this.observeSends(this.txns.send(op.process, txn, send));
      }
      this.malformed += this.produce.malformed - before;
      return;
    }
    const invocation = this.calls.observe(op);
    if (op.op === 'end-txn') {
      const before = this.txns.malformed;
      const settled = this.txns.endTxn(op, invocation);
      this.malformed += this.txns.malformed - before;
      this.observeRead(op, invocation);
      this.observeSends(settled);
      return;
    }
    this.observeRead(op, invocation);
  }

  private observeSends(sends: ReturnType<TxnFacts['send']>): void {
    for (const send of sends) this.observeRead(send.op, send.invocation);
  }

  private observeRead(op: HistoryOp, invocation: HistoryOp | undefined): void {
    if (op.step > this.lastStep) this.lastStep = op.step;
    const read = readOp(op, invocation, this.sightings);
    if (read.malformed) this.malformed++;
    this.compaction.observe(read);
    this.stretches.observe(read);
    this.txnReads.observe(read);
    for (const c of this.checkers) c.observe(read);
  }

  /**
   * Takes in one trace event: `client` events, and the lifecycle lines of client processes (a
   * stopped client holds nothing). `time` is the run's clock at the event, when known.
   */
  observeTrace(step: number, node: NodeId | null, event: ObservedEvent, time?: number): void {
    if (node !== null && LIFECYCLE.has(event.kind)) {
      this.observeSends(this.txns.crashed(node, step));
      this.produce.forget(node);
      this.stretches.crashed(node);
      for (const c of this.checkers) c.crashed?.(node);
      return;
    }
    const op = historyOpFromTrace(step, node, event, time);
    if (op !== null) this.observe(op);
  }

  /** The history is complete (see HistoryChecker.finish). Calling it again reports nothing more. */
  finish(finalRead = true): void {
    this.observeSends(this.txns.finish(this.lastStep));
    for (const c of this.checkers) c.finish(finalRead);
  }
}

/** Lines that end or begin a process: whatever a client held before is gone. */
const LIFECYCLE: ReadonlySet<string> = new Set(['crash', 'stop', 'start', 'restart']);

const OP_TYPES: ReadonlySet<unknown> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

/**
 * The history entry a `client` trace event records, written by the client node `node`, or null
 * for other kinds and for client events whose fields are not what the schema says (a trace file
 * may hold anything).
 */
export function historyOpFromTrace(step: number, node: string | null, event: ObservedEvent, time?: number): HistoryOp | null {
  if (event.kind !== 'client' || node === null) return null;
  const { op, type, id, value, error } = event;
  if (typeof op !== 'string' || !OP_TYPES.has(type) || typeof id !== 'number' || !Number.isInteger(id)) return null;
  const h: HistoryOp = { process: node, op, type, id, step };
  if (value !== undefined) h.value = value;
  if (typeof error === 'string') h.error = error;
  if (time !== undefined) h.time = time;
  return h;
}
