// One replica of one partition on a broker (Kafka's Partition): its log, its role and epochs from
// the metadata, and, as leader, the followers' progress, the ISR with any pending AlterPartition
// (the maximal ISR), the high watermark (the smallest log end among the maximal ISR and the
// caught-up followers about to join it, held while the ISR is below the effective
// min.insync.replicas, KIP-966), and idempotent producer state (KIP-98); with transactions, the
// last stable offset, the aborted-transaction index it feeds (core/log/txn-index.ts), markers
// appended for the transaction coordinator, and KIP-890's verification guards.

import type { Env, NodeId } from '../env.ts';
import type { PartitionState } from '../controller/image.ts';
import { UNDEFINED_EPOCH } from '../log/epoch-cache.ts';
import type { LogConfig } from '../log/log-config.ts';
import { PartitionLog, type StoredBatch } from '../log/partition-log.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { OffsetAndEpoch } from '../protocol/quorum.ts';
import {
  assignOffsets,
  CONTROL_BIT,
  ControlType,
  controlKey,
  endTxnMarkerValue,
  isControl,
  isTransactional,
  lastOffsetOf,
  NO_PRODUCER_ID,
  TRANSACTIONAL_BIT,
  type RecordBatch,
} from '../protocol/records.ts';
import type { BatchSummary, LogStartCause, ProducerBatchSummary } from '../trace/schema.ts';
import type { BrokerBug } from './bugs.ts';
import { checkSize, DEFAULT_LOG_VALIDATION, validateBatch, type LogValidation } from './log-validator.ts';
import type { PartitionCheckpoints } from './offset-checkpoints.ts';
import { latestProducerSnapshot, writeProducerSnapshot } from './producer-snapshots.ts';
import { KEPT_BATCHES, ProducerState } from './producer-state.ts';

export interface PartitionSettings {
  minIsr: number;
  replicaLagTimeMaxMs: number;
  flushMessages: number;
  /** The log's segment settings (segment.bytes, segment.ms, segment.index.bytes, index.interval.bytes). */
  log: LogConfig;
  /** What the leader checks and does to a producer's batch (max.message.bytes, message.timestamp.type, compression.type); Kafka's defaults when absent. */
  validation?: LogValidation;
  bugs: ReadonlySet<BrokerBug>;
  /**
   * Whether a follower may join the ISR as the leader's metadata shows it (Kafka's
   * isReplicaIsrEligible): registered, unfenced, not shutting down, and fetching with the broker
   * epoch of its registration (KIP-903).
   */
  isrEligible: (follower: NodeId, brokerEpoch: number) => boolean;
  /** transaction.partition.verification.enable (KIP-890 part 1): a producer's client write that opens a transaction needs a verification guard. */
  verifyTransactions?: boolean;
}

/** How a leader takes a batch in (see Partition.appendAsLeader). */
export interface AppendOptions {
  guard?: VerificationGuard | null;
  coordinator?: boolean;
}

/** A transaction marker a coordinator asks a leader to append (one partition of a WriteTxnMarkers entry). */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  committed: boolean;
}

/**
 * KIP-890's verification guard (Kafka's VerificationGuard, KAFKA-14884): a unique token for one
 * verification of a producer on a partition. The append that opens the transaction must bring the
 * guard still current; a marker or the opening append retires it, so a stale verification answer
 * cannot open a transaction the coordinator does not know.
 */
export interface VerificationGuard {
  readonly producerId: number;
}

interface FollowerState {
  /** The follower's log end offset as of its last fetch in this leader epoch; -1 before any. */
  leo: number;
  brokerEpoch: number;
  lastCaughtUpMs: number;
  lastFetchMs: number;
  /** The leader's log end offset when this follower last fetched. */
  lastFetchLeaderLeo: number;
  /** The follower's log start offset as its last fetch said; -1 before any (Kafka's UNKNOWN_OFFSET). */
  logStartOffset: number;
}

export type Role = 'leader' | 'follower' | 'none';

/** logAppendTime: the time the leader stamped on the batch under LogAppendTime, else -1 (the Produce response's logAppendTimeMs). */
export type AppendResult =
  { errorCode: 0; baseOffset: number; lastOffset: number; duplicate: boolean; logAppendTime: number } | { errorCode: number; message: string };

type BrokerEnv = Env<never>;

export class Partition {
  role: Role = 'none';
  leader: NodeId | null = null;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: NodeId[] = [];
  /** The ISR as committed by the controller. */
  isr: NodeId[] = [];
  /** The ISR this leader asked the controller for, while the request is in flight. */
  pendingIsr: NodeId[] | null = null;
  hw = 0;
  leaderEpochStartOffset = 0;
  readonly producers = new ProducerState();
  /** The last stable offset this leader last traced; null before it traced one in its epoch. */
  private tracedLso: number | null = null;
  /** Current verification guards, by producer id. */
  private readonly guards = new Map<number, VerificationGuard>();
  /** The lowest log end a truncation left since the log cleaner last asked (it lowers its checkpoint there). */
  private truncatedTo = Infinity;
  private followers = new Map<NodeId, FollowerState>();
  readonly key: string;

  constructor(
    readonly brokerId: NodeId,
    readonly topic: string,
    readonly topicId: string,
    readonly partition: number,
    readonly log: PartitionLog,
    public settings: PartitionSettings,
  ) {
    this.key = `${topic}-${partition}`;
    // The segments the log re-read on opening lost their aborted-transaction entries: the replay puts them back.
    this.reloadProducerState(log.takeRecoveredFrom());
  }

  /**
   * Rebuilds the idempotent producer state from the log: from the newest producer snapshot at or
   * below the log end (and at or below `indexFrom`), replaying the batches after it, or from the
   * whole log when there is none. Aborted transactions whose marker lies at or after `indexFrom`
   * are indexed again (Kafka's recovery rebuilds a recovered segment's transaction index so).
   */
  private reloadProducerState(indexFrom = Infinity): void {
    const snapshot = latestProducerSnapshot(this.log.storage, this.log.dir, 0, this.log.logEndOffset, indexFrom);
    this.producers.load(snapshot?.producers ?? []);
    const from = snapshot?.offset ?? this.log.logStartOffset;
    for (const batch of this.log.read(from, Infinity, Infinity)) this.takeIn(batch, batch.baseOffset >= indexFrom);
  }

  /** Takes a batch now in the log into the producer state, indexing the transaction its ABORT marker ends (unless `index` is false). */
  private takeIn(batch: RecordBatch, index = true): void {
    const completed = this.producers.update(batch);
    if (isControl(batch) || isTransactional(batch)) this.guards.delete(batch.producerId);
    if (completed === null || !completed.aborted || !index) return;
    this.log.appendAbortedTxn({
      producerId: completed.producerId,
      firstOffset: completed.firstOffset,
      lastOffset: completed.lastOffset,
      lastStableOffset: this.producers.lastStableOffsetAfter(completed),
    });
  }

  /**
   * Opens the replica's log from storage and reports what survived. The checkpointed log start is
   * where the log starts again (from scratch if its records ended before it).
   */
  static open(env: BrokerEnv, brokerId: NodeId, state: PartitionState, checkpoints: PartitionCheckpoints, settings: PartitionSettings): Partition {
    const topic = state.topic;
    const p = state.partition;
    let partition: Partition | null = null;
    const observer = {
      appended: (batches: readonly StoredBatch[]) => env.trace({ kind: 'partition-append', topic, partition: p, batches: batches.map(describe) }),
      truncated: (endOffset: number) => env.trace({ kind: 'partition-truncate', topic, partition: p, endOffset }),
      rolled: (baseOffset: number) => {
        if (partition !== null) writeProducerSnapshot(env.storage, `${topic}-${p}`, baseOffset, partition.producers.snapshot());
      },
    };
    const { log, tornBytes } = PartitionLog.open(env.storage, `${topic}-${p}`, observer, settings.log, checkpoints);
    const hw = checkpoints.hw;
    // The checkpointed high watermark, clamped to what the log kept, is traced with the log: a new
    // leader starts from it, and a trace without it would show followers learning a value from nowhere.
    const highWatermark = Math.max(log.logStartOffset, Math.min(hw, log.logEndOffset));
    if (env.untraced !== true) {
      const start = log.logStartOffset > 0 ? { logStartOffset: log.logStartOffset } : {};
      env.trace({ kind: 'partition-recover', topic, partition: p, batches: log.storedBatches().map(describe), tornBytes, highWatermark, ...start });
    }
    partition = new Partition(brokerId, topic, state.topicId, p, log, settings);
    partition.hw = highWatermark;
    partition.traceProducerState(env, 'recover');
    return partition;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /** min.insync.replicas, but never more than the replicas there are (Kafka's effectiveMinIsr). */
  get effectiveMinIsr(): number {
    return Math.min(this.settings.minIsr, this.replicas.length);
  }

  /** Whether acks=all writes are refused and the high watermark is held (Kafka's isUnderMinIsr, on the committed ISR). */
  get underMinIsr(): boolean {
    return this.isr.length < this.effectiveMinIsr;
  }

  /** The ISR the high watermark is computed over: committed plus pending (the maximal ISR). */
  get maximalIsr(): NodeId[] {
    if (this.pendingIsr === null || this.settings.bugs.has('no-maximal-isr')) return this.isr;
    return [...new Set([...this.isr, ...this.pendingIsr])];
  }

  // ---- roles from the metadata ----------------------------------------------------------------

  /**
   * Takes the partition's committed state from the metadata image. Returns what changed for the
   * caller to act on (start or stop fetching, fail waiting requests).
   */
  applyMetadata(env: BrokerEnv, state: PartitionState): 'became-leader' | 'became-follower' | 'isr-updated' | 'unchanged' {
    this.replicas = [...state.replicas];
    const newEpoch = state.leaderEpoch !== this.leaderEpoch;
    if (state.leader === this.brokerId && (this.role !== 'leader' || newEpoch)) {
      this.becomeLeader(env, state);
      return 'became-leader';
    }
    if (state.leader !== this.brokerId && (this.role !== 'follower' || newEpoch || state.leader !== this.leader)) {
      this.becomeFollower(env, state);
      return 'became-follower';
    }
    if (this.role === 'leader' && state.partitionEpoch > this.partitionEpoch) {
      this.isr = [...state.isr];
      this.partitionEpoch = state.partitionEpoch;
      // A newer committed state settles any proposal (Kafka's makeLeader commits the partition
      // state): one made against an older partition epoch can no longer be applied.
      this.pendingIsr = null;
      this.traceIsr(env);
      // As Kafka's makeLeader does on every partition change: an ISR the controller shrank (a
      // fenced follower) or brought up to min.insync.replicas may let the high watermark move
      // now, with no fetch or append to come (a lone leader's acks=all writes would time out).
      this.maybeIncrementHw(env);
      return 'isr-updated';
    }
    this.partitionEpoch = Math.max(this.partitionEpoch, state.partitionEpoch);
    return 'unchanged';
  }

  private becomeLeader(env: BrokerEnv, state: PartitionState): void {
    this.role = 'leader';
    this.leader = this.brokerId;
    this.leaderEpoch = state.leaderEpoch;
    this.partitionEpoch = state.partitionEpoch;
    this.isr = [...state.isr];
    this.pendingIsr = null;
    this.leaderEpochStartOffset = this.log.logEndOffset;
    const now = env.now();
    // Followers prove themselves again in this epoch: their progress starts unknown. An ISR member
    // counts as caught up now, any other as never (Kafka's resetReplicaState), so a follower out
    // of the ISR holds the high watermark back only once it has caught up in this epoch.
    this.followers = new Map(
      state.replicas
        .filter((r) => r !== this.brokerId)
        .map((r) => [
          r,
          { leo: -1, brokerEpoch: -1, lastCaughtUpMs: state.isr.includes(r) ? now : -Infinity, lastFetchMs: now, lastFetchLeaderLeo: -1, logStartOffset: -1 },
        ]),
    );
    env.trace({ kind: 'partition-role', topic: this.topic, partition: this.partition, role: 'leader', leader: this.brokerId, leaderEpoch: this.leaderEpoch });
    // The state this leader now checks sequences against, kept up as a follower.
    this.traceProducerState(env, 'leader');
    this.traceIsr(env);
    this.tracedLso = null;
    this.maybeIncrementHw(env);
    this.maybeTraceLso(env);
  }

  private becomeFollower(env: BrokerEnv, state: PartitionState): void {
    this.role = 'follower';
    this.leader = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.partitionEpoch = state.partitionEpoch;
    this.isr = [...state.isr];
    this.pendingIsr = null;
    this.followers.clear();
    env.trace({ kind: 'partition-role', topic: this.topic, partition: this.partition, role: 'follower', leader: state.leader, leaderEpoch: this.leaderEpoch });
    if (this.settings.bugs.has('truncate-to-hw') && this.hw < this.log.logEndOffset) {
      // The bug: before KIP-101 a follower cut its log back to its own high watermark.
      this.truncateTo(env, this.hw);
    }
  }

  /** No longer a replica here (the topic was deleted or moved). */
  stop(env: BrokerEnv): void {
    this.role = 'none';
    env.trace({ kind: 'partition-role', topic: this.topic, partition: this.partition, role: 'none', leader: null, leaderEpoch: this.leaderEpoch });
  }

  // ---- the leader's side ------------------------------------------------------------------------

  /**
   * Appends a producer's batch as leader: sequence checks, offsets, epoch stamp. `options.guard`
   * (given for a client's Produce): a batch opening a transaction needs a current verification
   * guard when verification is on (Kafka's batchMissingRequiredVerification).
   * `options.coordinator`: the broker's own write (Kafka's AppendOrigin.COORDINATOR), whose
   * sequence is not checked (a transactional offset commit has none), its epoch still is.
   */
  appendAsLeader(env: BrokerEnv, batch: RecordBatch, now: number, options: AppendOptions = {}): AppendResult {
    const validation = this.settings.validation ?? DEFAULT_LOG_VALIDATION;
    // As Kafka's UnifiedLog: the size first (analyzeAndValidateRecords), then duplicates and sequences, then LogValidator.
    const tooLarge = checkSize(batch, validation.maxMessageBytes);
    if (tooLarge !== null && !tooLarge.ok) return { errorCode: tooLarge.errorCode, message: tooLarge.message };
    if (!this.settings.bugs.has('no-sequence-check')) {
      const check = this.producers.check(batch, options.coordinator !== true);
      if (check.kind === 'duplicate') return { errorCode: 0, baseOffset: check.baseOffset, lastOffset: check.lastOffset, duplicate: true, logAppendTime: -1 };
      if (check.kind === 'error') return { errorCode: check.errorCode, message: check.message };
    }
    if (options.guard !== undefined && this.missingVerification(batch, options.guard)) {
      return { errorCode: ErrorCode.INVALID_TXN_STATE, message: 'Record was not part of an ongoing transaction' };
    }
    const appended = assignOffsets(batch, this.log.logEndOffset, this.leaderEpoch);
    const stamped = { ...appended, maxTimestamp: Math.max(appended.maxTimestamp, appended.baseTimestamp) };
    const validated = validateBatch(stamped, validation, now);
    if (!validated.ok) return { errorCode: validated.errorCode, message: validated.message };
    const stored = validated.batch;
    this.appendLeaderBatch(env, stored);
    return { errorCode: 0, baseOffset: stored.baseOffset, lastOffset: lastOffsetOf(stored), duplicate: false, logAppendTime: validated.logAppendTime };
  }

  private appendLeaderBatch(env: BrokerEnv, stored: RecordBatch): void {
    this.log.append([stored]);
    this.takeIn(stored);
    this.maybeFlush();
    this.maybeIncrementHw(env);
    this.maybeTraceLso(env);
  }

  /**
   * Appends a transaction marker for the coordinator (Kafka's appendRecordsToLeader with origin
   * COORDINATOR): a control batch of one record, key controlKey(COMMIT|ABORT), value
   * endTxnMarkerValue(coordinatorEpoch), checked against the producer's epoch and last marker's
   * coordinator epoch. An ABORT marker indexes the transaction it ends.
   */
  appendMarker(env: BrokerEnv, marker: TxnMarker, now: number): AppendResult {
    const timestamp = Math.floor(now);
    const batch: RecordBatch = {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: TRANSACTIONAL_BIT | CONTROL_BIT,
      lastOffsetDelta: 0,
      baseTimestamp: timestamp,
      maxTimestamp: timestamp,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      baseSequence: -1,
      records: [
        {
          offsetDelta: 0,
          timestampDelta: 0,
          key: controlKey(marker.committed ? ControlType.COMMIT : ControlType.ABORT),
          value: endTxnMarkerValue(marker.coordinatorEpoch),
          headers: [],
        },
      ],
    };
    const check = this.producers.check(batch);
    if (check.kind === 'error') return { errorCode: check.errorCode, message: check.message };
    const stored = assignOffsets(batch, this.log.logEndOffset, this.leaderEpoch);
    this.appendLeaderBatch(env, stored);
    return { errorCode: 0, baseOffset: stored.baseOffset, lastOffset: stored.baseOffset, duplicate: false, logAppendTime: -1 };
  }

  // ---- transactions ------------------------------------------------------------------------------

  /**
   * Kafka's lastStableOffset: the first offset of the earliest transaction still open here or whose
   * marker the high watermark has not passed, capped at the high watermark.
   */
  lastStableOffset(): number {
    if (this.settings.bugs.has('lso-ignores-open-txn')) return this.hw;
    this.producers.markersReplicated(this.hw);
    const first = this.producers.firstUnstableOffset();
    return first !== null && first < this.hw ? first : this.hw;
  }

  /**
   * Kafka's maybeStartTransactionVerification: null when the producer has a transaction open here
   * (its write needs no verification), else the producer's current guard (made now if none).
   */
  startVerification(producerId: number): VerificationGuard | null {
    if (this.producers.ongoingTxnFirstOffset(producerId) !== null) return null;
    let guard = this.guards.get(producerId);
    if (guard === undefined) this.guards.set(producerId, (guard = { producerId }));
    return guard;
  }

  private missingVerification(batch: RecordBatch, guard: VerificationGuard | null): boolean {
    if (this.settings.verifyTransactions !== true || !isTransactional(batch) || isControl(batch)) return false;
    if (this.producers.ongoingTxnFirstOffset(batch.producerId) !== null) return false;
    return guard === null || this.guards.get(batch.producerId) !== guard;
  }

  /** A leader traces its last stable offset when it changes, once the partition has seen a transaction. */
  private maybeTraceLso(env: BrokerEnv): void {
    if (this.role !== 'leader') return;
    const lso = this.lastStableOffset();
    if (lso === this.tracedLso || (this.tracedLso === null && !this.producers.hasTransactions)) return;
    this.tracedLso = lso;
    env.trace({ kind: 'partition-lso', topic: this.topic, partition: this.partition, lastStableOffset: lso, leaderEpoch: this.leaderEpoch });
  }

  /**
   * Records a follower's fetch (its log end is the fetch offset) and returns whether the
   * high watermark moved and whether the follower should join the ISR.
   */
  followerFetched(env: BrokerEnv, follower: NodeId, fetchOffset: number, brokerEpoch: number, logStartOffset = -1): { hwChanged: boolean; expandIsr: boolean } {
    const now = env.now();
    let state = this.followers.get(follower);
    if (state === undefined) {
      state = { leo: -1, brokerEpoch, lastCaughtUpMs: -Infinity, lastFetchMs: now, lastFetchLeaderLeo: -1, logStartOffset: -1 };
      this.followers.set(follower, state);
    }
    state.logStartOffset = logStartOffset;
    const leaderLeo = this.log.logEndOffset;
    // Kafka's rule: caught up now if it has everything; or as of its previous fetch if it has what the leader had then.
    if (fetchOffset >= leaderLeo || this.settings.bugs.has('isr-lag-since-last-fetch')) state.lastCaughtUpMs = now;
    else if (fetchOffset >= state.lastFetchLeaderLeo && state.lastFetchLeaderLeo >= 0) state.lastCaughtUpMs = state.lastFetchMs;
    state.leo = fetchOffset;
    state.brokerEpoch = brokerEpoch;
    state.lastFetchMs = now;
    state.lastFetchLeaderLeo = leaderLeo;
    const hwChanged = this.maybeIncrementHw(env);
    return { hwChanged, expandIsr: this.shouldJoinIsr(follower, state) };
  }

  /**
   * Kafka's Replica.isCaughtUp: a follower is in sync if its log end (as of its last fetch) is the
   * leader's, or if it caught up within replica.lag.time.max.ms.
   */
  private isCaughtUp(state: FollowerState, now: number): boolean {
    return state.leo === this.log.logEndOffset || now - state.lastCaughtUpMs <= this.settings.replicaLagTimeMaxMs;
  }

  private shouldJoinIsr(follower: NodeId, state: FollowerState): boolean {
    if (this.role !== 'leader' || this.pendingIsr !== null || this.maximalIsr.includes(follower)) return false;
    if (this.settings.bugs.has('no-isr-expansion')) return false;
    if (!this.settings.isrEligible(follower, state.brokerEpoch)) return false;
    if (state.leo < this.hw) return false;
    // KAFKA-7128: the high watermark of a new leader may lag; a follower must also hold this epoch's start.
    if (!this.settings.bugs.has('isr-join-before-epoch-start') && state.leo < this.leaderEpochStartOffset) return false;
    return true;
  }

  /** ISR members out of sync: neither at the leader's log end nor caught up within replica.lag.time.max.ms (Kafka's getOutOfSyncReplicas). */
  laggingIsrMembers(now: number): NodeId[] {
    if (this.role !== 'leader' || this.pendingIsr !== null) return [];
    return this.isr.filter((r) => {
      if (r === this.brokerId) return false;
      const state = this.followers.get(r);
      return state === undefined || !this.isCaughtUp(state, now);
    });
  }

  /** The epochs to send with an ISR proposal (KIP-903). */
  isrWithEpochs(isr: NodeId[]): Array<{ brokerId: NodeId; brokerEpoch: number }> {
    return isr.map((r) => ({ brokerId: r, brokerEpoch: r === this.brokerId ? -1 : (this.followers.get(r)?.brokerEpoch ?? -1) }));
  }

  proposeIsr(env: BrokerEnv, isr: NodeId[]): void {
    this.pendingIsr = isr;
    this.traceIsr(env);
  }

  /**
   * The controller's answer to an ISR proposal; false when the proposal stays pending. As Kafka's
   * Partition.handleAlterPartitionError: only OPERATION_NOT_ATTEMPTED and INELIGIBLE_REPLICA say
   * for certain that the change was not applied, so only they drop the pending ISR. After any
   * other error (INVALID_UPDATE_VERSION when a retry or a duplicate reached a controller that had
   * applied the first copy) the change may be committed already: the high watermark stays over
   * the maximal ISR until the metadata says which, or a retry settles it.
   */
  isrResult(env: BrokerEnv, errorCode: number, isr: NodeId[], partitionEpoch: number): boolean {
    if (errorCode === ErrorCode.NONE) {
      if (partitionEpoch >= this.partitionEpoch) {
        this.isr = [...isr];
        this.partitionEpoch = partitionEpoch;
      }
    } else if (errorCode !== ErrorCode.OPERATION_NOT_ATTEMPTED && errorCode !== ErrorCode.INELIGIBLE_REPLICA) {
      return false;
    }
    this.pendingIsr = null;
    this.traceIsr(env);
    this.maybeIncrementHw(env);
    return true;
  }

  /**
   * Leader: the smallest log end among the maximal ISR and the followers caught up and eligible to
   * join it (Kafka's shouldWaitForReplicaToJoinIsr: the ISR change that adds them may be on its
   * way), never backwards, held below the effective min.insync.replicas.
   */
  maybeIncrementHw(env: BrokerEnv): boolean {
    if (this.role !== 'leader') return false;
    if (this.underMinIsr && !this.settings.bugs.has('hw-below-min-isr')) return false;
    const now = env.now();
    const maximalIsr = this.maximalIsr;
    // The bug no-maximal-isr counts the committed ISR alone: neither the pending ISR nor the joiners.
    const waitForJoiners = !this.settings.bugs.has('no-maximal-isr');
    let hw = this.log.logEndOffset;
    for (const [r, state] of this.followers) {
      if (state.leo >= hw) continue;
      if (maximalIsr.includes(r) || (waitForJoiners && this.isCaughtUp(state, now) && this.settings.isrEligible(r, state.brokerEpoch))) hw = state.leo;
    }
    // A member of the maximal ISR this leader has no progress for (not a replica in its metadata).
    for (const r of maximalIsr) if (r !== this.brokerId && !this.followers.has(r)) hw = -1;
    if (hw <= this.hw) return false;
    this.setHw(env, hw);
    return true;
  }

  /**
   * Kafka's checkEnoughReplicasReachOffset, for an acks=all write waiting for `requiredOffset`:
   * null while the high watermark is below it, then NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when
   * the maximal ISR has fallen below the effective min.insync.replicas since the append.
   */
  enoughReplicasReached(requiredOffset: number): number | null {
    if (this.hw < requiredOffset) return null;
    return this.maximalIsr.length < this.effectiveMinIsr ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE;
  }

  /**
   * Kafka's lowWatermarkIfLeader: the smallest log start offset among this leader and its followers
   * on live brokers (-1 for a follower not heard from in this epoch): DeleteRecords waits for it.
   */
  get lowWatermark(): number {
    let low = this.log.logStartOffset;
    for (const [r, state] of this.followers) if (state.logStartOffset < low && this.settings.isrEligible(r, -1)) low = state.logStartOffset;
    return low;
  }

  /**
   * Whether a fetcher's position is consistent with this log; the divergence if not (KIP-595). An
   * epoch older than every one held (the log start moved past it) ends, as Kafka's leader-epoch
   * cache answers, where the earliest held epoch starts.
   */
  validateFetch(fetchOffset: number, lastFetchedEpoch: number): OffsetAndEpoch | null {
    if (lastFetchedEpoch < 0) return null;
    const diverging = this.log.divergence(fetchOffset, lastFetchedEpoch);
    const cacheEmpty = this.log.endOffsetForEpoch(Number.MAX_SAFE_INTEGER).epoch === UNDEFINED_EPOCH;
    if (diverging === null || diverging.epoch !== UNDEFINED_EPOCH || cacheEmpty) return diverging;
    return diverging.endOffset < fetchOffset ? { epoch: lastFetchedEpoch, endOffset: diverging.endOffset } : null;
  }

  // ---- the log start offset ---------------------------------------------------------------------

  /**
   * Moves the log start forward to `offset` (never back, never past the log end; the caller keeps
   * it at or below the high watermark). The producer state keeps what it knows of the deleted
   * batches, as Kafka's does since KIP-360 (producers expire by time, not with their batches), so a
   * late retry of a deleted batch is still a duplicate. Returns whether it moved; a move is traced
   * with its cause.
   */
  advanceLogStart(env: BrokerEnv, offset: number, cause: LogStartCause): boolean {
    const before = this.log.logStartOffset;
    this.log.advanceLogStartOffset(offset);
    if (this.log.logStartOffset === before) return false;
    // A snapshot at the log end keeps that state across a restart, which a rebuild from the log alone could not.
    writeProducerSnapshot(env.storage, this.log.dir, this.log.logEndOffset, this.producers.snapshot());
    this.traceLogStart(env, cause);
    return true;
  }

  /**
   * A follower whose log ends before its leader's log start (Kafka's fetchOffsetAndTruncate after
   * OFFSET_OUT_OF_RANGE): its log is emptied and starts again there, high watermark included.
   */
  startAtLeaderLogStart(env: BrokerEnv, offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.truncatedTo = Math.min(this.truncatedTo, offset);
    this.producers.rebuild([]);
    this.traceLogStart(env, 'leader');
    if (this.hw !== offset) this.setHw(env, offset);
  }

  // ---- the log cleaner ---------------------------------------------------------------------------

  /** The lowest log end truncations left since the last call (Infinity: none); Kafka's cleaner lowers its checkpoint there (maybeTruncateCheckpoint). */
  takeTruncation(): number {
    const cut = this.truncatedTo;
    this.truncatedTo = Infinity;
    return cut;
  }

  /**
   * Swaps the closed segments from `baseOffset` up to `endOffset` for one holding `batches`, what
   * the cleaner kept of them (core/broker/log-cleaner.ts), and traces the cleaned range. The
   * producer state stays: the cleaner keeps every active producer's last batch.
   */
  replaceCleaned(env: BrokerEnv, baseOffset: number, endOffset: number, batches: readonly RecordBatch[]): void {
    this.log.replaceSegments(baseOffset, endOffset, batches);
    if (env.untraced === true) return;
    const stored = this.log.segmentBatches(baseOffset);
    env.trace({ kind: 'partition-clean', topic: this.topic, partition: this.partition, baseOffset, endOffset, batches: stored.map(describe) });
  }

  // ---- the follower's side ------------------------------------------------------------------------

  /**
   * Appends what the leader sent (offsets and epochs as the leader wrote them), takes the leader's
   * high watermark (clamped to this log's end) and then its log start offset (Kafka's
   * ReplicaFetcherThread.processPartitionData; -1: not given).
   */
  appendAsFollower(env: BrokerEnv, batches: RecordBatch[], leaderHw: number, leaderLogStart = -1): void {
    const fresh = batches.filter((b) => lastOffsetOf(b) >= this.log.logEndOffset);
    const start = this.log.logStartOffset;
    if (fresh.length > 0 && this.log.isEmpty && fresh[0]!.baseOffset < start) {
      // An empty log started at its leader's log start, which DeleteRecords put inside a batch: it
      // takes that whole batch, its start staying inside it (Kafka's Partition.appendRecordsToFollower
      // on UnexpectedAppendOffsetException).
      this.log.truncateFullyAndStartAt(fresh[0]!.baseOffset);
      this.log.append(fresh);
      for (const b of fresh) this.takeIn(b);
      this.log.advanceLogStartOffset(start);
      this.maybeFlush();
    } else if (fresh.length > 0 && fresh[0]!.baseOffset >= this.log.logEndOffset) {
      // Past this log's end when the leader's cleaner removed the batches in between.
      this.log.append(fresh, true);
      for (const b of fresh) this.takeIn(b);
      this.maybeFlush();
    }
    if (leaderHw < 0) return;
    // Kafka's updateHighWatermark bounds it by the log start and the log end.
    const hw = this.settings.bugs.has('follower-hw-unclamped') ? leaderHw : Math.max(this.log.logStartOffset, Math.min(leaderHw, this.log.logEndOffset));
    // The leader's log start before the high watermark (never past the new one): what lies below it
    // goes first, so no high watermark ever covers records of this log that the leader has deleted
    // (a suffix of an old epoch the leader never had, say, left below its log start).
    if (leaderLogStart > this.log.logStartOffset) this.advanceLogStart(env, Math.min(leaderLogStart, hw), 'leader');
    if (hw !== this.hw) this.setHw(env, hw);
  }

  /** Truncates where the leader says this log diverges (the epoch cache's fetcher rule). */
  truncateToDivergence(env: BrokerEnv, diverging: OffsetAndEpoch): void {
    this.truncateTo(env, this.log.truncationOffsetFor(diverging));
  }

  /** Cuts the log back to `offset` (never past its end), rebuilding the producer state and clamping the high watermark. */
  truncateTo(env: BrokerEnv, offset: number): void {
    const truncated = offset < this.log.logEndOffset;
    const start = this.log.logStartOffset;
    this.log.truncateTo(offset);
    this.truncatedTo = Math.min(this.truncatedTo, this.log.logEndOffset);
    if (this.log.logStartOffset !== start) this.traceLogStart(env, 'truncate');
    if (this.settings.bugs.has('producer-state-lost-on-truncate')) {
      // The bug (KAFKA-5435): the reload after a truncation assumes the log holds no producer data.
      this.producers.rebuild([]);
    } else {
      this.reloadProducerState();
    }
    if (truncated) this.traceProducerState(env, 'truncate');
    if (this.hw > this.log.logEndOffset) this.setHw(env, this.log.logEndOffset);
    this.maybeTraceLso(env);
  }

  /** The epoch a follower reports as its last fetched (-1 with the truncate-to-hw bug: no divergence check). */
  get lastFetchedEpoch(): number {
    return this.settings.bugs.has('truncate-to-hw') ? -1 : this.log.lastEpoch;
  }

  // ---- shared ---------------------------------------------------------------------------------------

  private setHw(env: BrokerEnv, hw: number): void {
    this.hw = hw;
    env.trace({
      kind: 'partition-hw',
      topic: this.topic,
      partition: this.partition,
      highWatermark: hw,
      role: this.role === 'leader' ? 'leader' : 'follower',
      leaderEpoch: this.leaderEpoch,
      exposed: this.role === 'leader' && hw >= this.leaderEpochStartOffset,
    });
    this.maybeTraceLso(env);
  }

  private traceLogStart(env: BrokerEnv, cause: LogStartCause): void {
    env.trace({ kind: 'partition-log-start', topic: this.topic, partition: this.partition, logStartOffset: this.log.logStartOffset, cause });
  }

  /** Traces the producer state beside what the log holds for it (producer-state-consistent), unless both are empty. */
  private traceProducerState(env: BrokerEnv, cause: 'recover' | 'leader' | 'truncate'): void {
    // Reading the whole log for an event nobody keeps would make every leader change O(log size).
    if (env.untraced === true) return;
    const producers = this.producers.describe();
    const log = producerBatches(this.log.storedBatches());
    if (producers.length === 0 && log.length === 0) return;
    env.trace({ kind: 'producer-state', topic: this.topic, partition: this.partition, cause, producers, log });
  }

  private maybeFlush(): void {
    if (this.log.unflushedMessages >= this.settings.flushMessages) this.log.flush();
  }

  private traceIsr(env: BrokerEnv): void {
    env.trace({
      kind: 'partition-isr',
      topic: this.topic,
      partition: this.partition,
      isr: [...this.isr],
      pendingIsr: this.pendingIsr === null ? null : [...this.pendingIsr],
      partitionEpoch: this.partitionEpoch,
    });
  }
}

function describe(b: StoredBatch): BatchSummary {
  const summary: BatchSummary = [b.batch.baseOffset, lastOffsetOf(b.batch), b.batch.partitionLeaderEpoch, b.hash];
  // Attributes only when set (a codec, LogAppendTime): traces of plain batches stay as they were.
  if (b.batch.attributes === 0) return summary;
  // A transaction's batches and markers name their producer (lso-monotonic pairs them).
  return isTransactional(b.batch) ? [...summary, b.batch.attributes, b.batch.producerId] : [...summary, b.batch.attributes];
}

/**
 * Each producer's last KEPT_BATCHES data batches in the log, in offset order: all a rebuild of the
 * producer state reads; and a producer's last marker when it follows them (a marker keeps no batch
 * but may carry a newer epoch), flagged 'marker'.
 */
function producerBatches(stored: readonly StoredBatch[]): ProducerBatchSummary[] {
  const kept = new Map<number, number>();
  const out: ProducerBatchSummary[] = [];
  for (let i = stored.length - 1; i >= 0; i--) {
    const b = stored[i]!.batch;
    if (b.producerId === NO_PRODUCER_ID) continue;
    const n = kept.get(b.producerId) ?? 0;
    if (isControl(b)) {
      if (!kept.has(b.producerId)) out.push([b.baseOffset, lastOffsetOf(b), b.producerId, b.producerEpoch, b.baseSequence, 'marker']);
      kept.set(b.producerId, n);
      continue;
    }
    if (n === KEPT_BATCHES) continue;
    kept.set(b.producerId, n + 1);
    out.push([b.baseOffset, lastOffsetOf(b), b.producerId, b.producerEpoch, b.baseSequence]);
  }
  return out.reverse();
}
