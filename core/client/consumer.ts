// The consumer (Kafka's KafkaConsumer) as a sans-IO node: assign() or, with a group.id, subscribe()
// (membership in group-membership.ts, committed offsets in group-offsets.ts); a background fetcher
// per leader, positions from committed offsets or ListOffsets per auto.offset.reset, and KIP-320
// truncation detection with OffsetForLeaderEpoch after a leader change; isolation.level
// read_committed (up to the last stable offset, aborted transactions dropped). Records its history.

import type { Env, Node, NodeId, TimerTag } from '../env.ts';
import type { ConfigValue } from '../protocol/configs.ts';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type AbortedTransaction,
  type DataMessage,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { GroupMessage, GroupResponse } from '../protocol/group.ts';
import {
  ControlType,
  controlTypeOf,
  isControl,
  isTransactional,
  recordTimestamp,
  type Bytes,
  type RecordBatch,
  type RecordHeader,
} from '../protocol/records.ts';
import { GroupMembership, type TopicPartition } from './group-membership.ts';
import { GroupOffsets } from './group-offsets.ts';
import type { ClientBug } from './bugs.ts';
import { ClientConfigError, parseConsumerConfig, type ConsumerConfig } from './client-config.ts';
import { LEADER_MOVED_ERRORS, MetadataCache } from './metadata-cache.ts';
import { OpIds } from './op-ids.ts';
import { earlierWake } from './wake.ts';

/** A record as poll() returns it. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Bytes | null;
  value: Bytes | null;
  headers: RecordHeader[];
  timestamp: number;
  /** The leader epoch of the batch that holds it (KIP-320: the position's epoch after it). */
  leaderEpoch: number;
}

/** A user error in driving the consumer (Kafka's IllegalStateException / IllegalArgumentException). */
export class ConsumerUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerUsageError';
  }
}

/** Why a position moved without a seek() call (recorded as the `seek`'s reason). */
export type SeekReason = 'auto.offset.reset' | 'offset-out-of-range' | 'truncation' | 'committed';

type ConsumerEnv = Env<DataMessage | GroupMessage>;

type FetchState =
  /** Assigned by the group: needs the group's committed offset first (OffsetFetch). */
  | 'await-committed'
  | 'fetching-committed'
  /** Needs a position from ListOffsets. */
  | 'await-reset'
  | 'resetting'
  /** Has a position and fetches from it. */
  | 'fetching'
  /** The leader epoch changed: check the position against the new leader's log first (KIP-320). */
  | 'await-validation'
  | 'validating'
  /** Cannot go on until the application seeks (auto.offset.reset=none). */
  | 'stuck';

interface AssignedPartition {
  topic: string;
  partition: number;
  key: string;
  state: FetchState;
  /** The offset of the next record poll() returns. */
  position: number | null;
  /** The leader epoch of the last record consumed (or of the ListOffsets answer); null when unknown. */
  positionEpoch: number | null;
  /** The leader epoch the position was last checked against. */
  validatedEpoch: number;
  resetTimestamp: number;
  /** null when the application asked for the reset (seekToBeginning / seekToEnd). */
  resetReason: SeekReason | null;
  /** The ListOffsets or OffsetForLeaderEpoch request in flight for it. */
  request: number | null;
  /** The Fetch request in flight that includes it, and the broker it went to. */
  fetching: number | null;
  fetchingFrom: NodeId | null;
  buffer: ConsumerRecord[];
  /** Where the next fetch starts once the buffer is drained (past skipped control batches). */
  bufferNext: number | null;
  /** The position as the history last showed it: a position that passed markers or aborted records without returning any is reported in the next poll. */
  reportedPosition: number | null;
  /** A fetch stepped over markers or aborted records since the last poll reported the position. */
  skippedRecords: boolean;
  backoffUntilMs: number;
  error: string | null;
}

interface PendingRequest {
  correlationId: number;
  broker: NodeId;
  deadlineMs: number;
  /** Partition key -> the leader epoch (or fetch offset, for fetches) it was sent with. */
  sentWith: Map<string, number>;
}

const WAKE: TimerTag = 'consumer:wake';
/** How many fetches the consumer-stale-fetch bug remembers. */
const REMEMBERED_FETCHES = 64;

function rememberFetch(sent: Map<number, PendingRequest>, request: PendingRequest): void {
  sent.set(request.correlationId, request);
  if (sent.size > REMEMBERED_FETCHES) sent.delete(sent.keys().next().value!);
}
const NO_EPOCH = -1;

export class Consumer implements Node<DataMessage | GroupMessage> {
  readonly config: ConsumerConfig;
  private metadata!: MetadataCache;
  private readonly opIds = new OpIds();
  private assigned = new Map<string, AssignedPartition>();
  private fetches = new Map<NodeId, PendingRequest>();
  /** With the consumer-stale-fetch bug: recent fetches, answered or not, by correlation id. */
  private sentFetches = new Map<number, PendingRequest>();
  private listOffsets = new Map<number, PendingRequest>();
  private validations = new Map<number, PendingRequest>();
  private nextCorrelationId = 1;
  private pollCursor = 0;
  private wakeAtMs = Infinity;
  private membership: GroupMembership | null = null;
  private offsets: GroupOffsets | null = null;
  private brokerCursor = 0;

  constructor(
    readonly id: NodeId,
    private readonly bootstrap: readonly NodeId[],
    config: Readonly<Record<string, ConfigValue>> = {},
    private readonly bugs: ReadonlySet<ClientBug> = new Set(),
    /** Topics to subscribe to at every start (an application that subscribes when it boots); needs group.id. */
    private readonly subscription: readonly string[] = [],
  ) {
    this.config = parseConsumerConfig(config);
    if (bootstrap.length === 0) throw new ClientConfigError(`consumer ${id} needs at least one bootstrap broker`);
  }

  start(env: ConsumerEnv): void {
    // A restarted consumer begins unassigned, with nothing buffered.
    this.metadata = new MetadataCache(this.bootstrap, this.config, () => this.nextCorrelationId++);
    this.assigned = new Map();
    this.fetches = new Map();
    this.sentFetches = new Map();
    this.listOffsets = new Map();
    this.validations = new Map();
    this.pollCursor = 0;
    this.wakeAtMs = Infinity;
    this.opIds.start(env.storage);
    this.membership = null;
    this.offsets = null;
    if (this.subscription.length > 0) this.subscribe(env, this.subscription);
  }

  // ---- the group -------------------------------------------------------------------------------

  /** Joins the consumer's group (group.id) for these topics; the group assigns the partitions (KafkaConsumer.subscribe). */
  subscribe(env: ConsumerEnv, topics: readonly string[]): void {
    const groupId = this.config.groupId;
    if (groupId === null) throw new ConsumerUsageError('subscribe: a consumer without group.id cannot subscribe; set group.id or use assign()');
    if (this.assigned.size > 0 && this.membership === null) throw new ConsumerUsageError('subscribe: the consumer already has partitions from assign()');
    const now = env.now();
    if (this.membership === null) {
      const c = this.config;
      this.membership = new GroupMembership(
        {
          groupId,
          groupInstanceId: c.groupInstanceId,
          sessionTimeoutMs: c.sessionTimeoutMs,
          heartbeatIntervalMs: c.heartbeatIntervalMs,
          maxPollIntervalMs: c.maxPollIntervalMs,
          assignors: c.assignors,
          requestTimeoutMs: c.requestTimeoutMs,
          retryBackoffMs: c.retryBackoffMs,
          assignorOptions: { overlap: this.bugs.has('assignor-overlap'), noRevoke: this.bugs.has('cooperative-no-revoke') },
        },
        {
          nextCorrelationId: () => this.nextCorrelationId++,
          anyBroker: () => this.anyBroker(),
          partitionCount: (topic) => this.metadata.partitionCount(topic),
          commitBeforeRevoke: (e, partitions, done) => (c.enableAutoCommit ? this.commitPositions(e, partitions, done) : done()),
          revoked: (_e, partitions) => this.dropPartitions(partitions),
          assigned: (_e, partitions) => this.addGroupPartitions(partitions),
          record: (e, op, value) => this.recordDone(e, op, value),
        },
      );
      this.offsets = new GroupOffsets(
        this.membership,
        {
          requestTimeoutMs: c.requestTimeoutMs,
          retryBackoffMs: c.retryBackoffMs,
          autoCommitIntervalMs: c.autoCommitIntervalMs,
          enableAutoCommit: c.enableAutoCommit,
        },
        {
          nextCorrelationId: () => this.nextCorrelationId++,
          record: (e, op, type, id, value, error) => this.recordOp(e, op, type, id, value, error),
        },
        now,
      );
    }
    this.recordDone(env, 'subscribe', { group: groupId, topics: [...topics] });
    this.membership.subscribe(topics, now);
    this.metadata.setTopics(new Set(topics));
    this.run(env);
  }

  /** Commits the positions of the partitions the group assigned this consumer (KafkaConsumer.commitAsync). */
  commit(env: ConsumerEnv, done: (ok: boolean) => void = () => {}): void {
    if (this.membership === null) throw new ConsumerUsageError('commit: only a consumer in a group (subscribe) commits offsets');
    this.commitPositions(env, this.membership.owned, () => {}, done);
    this.run(env);
  }

  /**
   * KafkaConsumer.close: commits its positions (with auto-commit), revokes its partitions and leaves
   * the group (a dynamic member sends LeaveGroup, so its partitions move at once); `done` once it has.
   */
  close(env: ConsumerEnv, done: () => void = () => {}): void {
    const m = this.membership;
    if (m === null) return done();
    const leave = () => {
      m.close(env, 'the consumer is being closed');
      done();
    };
    if (this.config.enableAutoCommit && m.commitIdentity() !== null) this.commitPositions(env, m.owned, leave);
    else leave();
    this.run(env);
  }

  /** A graceful stop (SIGTERM): the consumer closes, then exits. */
  shutdown(env: ConsumerEnv): void {
    this.close(env, () => env.exit?.());
  }

  /** The group's generation and this consumer's member id while it is in the group. */
  groupMetadata(): { groupId: string; generation: number; memberId: string } | null {
    const m = this.membership;
    return m === null ? null : { groupId: m.groupId, generation: m.generation, memberId: m.memberId };
  }

  private anyBroker(): NodeId | null {
    const brokers = this.metadata.contactableBrokers();
    return brokers[this.brokerCursor++ % brokers.length]!;
  }

  /** Commits the positions of these partitions (those with one), then calls `done`. */
  private commitPositions(env: ConsumerEnv, partitions: readonly TopicPartition[], done: () => void, result: (ok: boolean) => void = () => {}): void {
    const offsets: Array<{ tp: TopicPartition; offset: number; leaderEpoch: number | null }> = [];
    for (const tp of partitions) {
      const p = this.assigned.get(`${tp.topic}/${tp.partition}`);
      if (p === undefined || p.position === null || (p.state !== 'fetching' && p.state !== 'await-validation' && p.state !== 'validating')) continue;
      offsets.push({ tp, offset: p.position, leaderEpoch: p.positionEpoch });
    }
    this.offsets!.commit(env, offsets, (ok) => {
      result(ok);
      done();
    });
  }

  private dropPartitions(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.assigned.delete(`${tp.topic}/${tp.partition}`);
  }

  private addGroupPartitions(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const p = this.newPartition(tp.topic, tp.partition);
      this.dropBuffer(p);
      p.state = 'await-committed';
      p.error = null;
      this.assigned.set(p.key, p);
    }
  }

  /** Asks the coordinator for the committed offsets of partitions that need them; each then starts there, or per auto.offset.reset. */
  private fetchCommitted(env: ConsumerEnv): void {
    const offsets = this.offsets;
    if (offsets === null) return;
    const waiting: AssignedPartition[] = [];
    for (const p of this.assigned.values()) {
      if (p.state === 'fetching-committed' && !offsets.fetching(p)) p.state = 'await-committed';
      if (p.state === 'await-committed') waiting.push(p);
    }
    const sent = offsets.fetchCommitted(env, waiting, (committed) => {
      for (const p of waiting) {
        if (this.assigned.get(p.key) !== p || p.state !== 'fetching-committed') continue;
        const c = committed.get(p.key);
        if (c === undefined) continue;
        if (c === null) {
          this.resetPerPolicy(p, 'auto.offset.reset', `NoOffsetForPartition: ${p.key} has no committed offset and auto.offset.reset is none`);
          continue;
        }
        this.moveTo(p, c.offset, c.leaderEpoch);
        this.recordSeek(env, p, c.offset, 'committed');
      }
    });
    if (sent) for (const p of waiting) p.state = 'fetching-committed';
  }

  /** Records an operation that happened at once: its invocation and its outcome. */
  private recordDone(env: ConsumerEnv, op: string, value: unknown): void {
    const id = this.opIds.take(env.storage);
    env.trace({ kind: 'client', op, type: 'invoke', id, value });
    env.trace({ kind: 'client', op, type: 'ok', id, value });
  }

  /** Records an invocation (id null: a new one, whose id is returned) or the outcome of one. */
  private recordOp(env: ConsumerEnv, op: string, type: 'invoke' | 'ok' | 'fail' | 'info', id: number | null, value: unknown, error?: string): number {
    const opId = id ?? this.opIds.take(env.storage);
    env.trace(error === undefined ? { kind: 'client', op, type, id: opId, value } : { kind: 'client', op, type, id: opId, value, error });
    return opId;
  }

  // ---- the application's calls ----------------------------------------------------------------

  /** Reads exactly these partitions of `topic` from now on (replacing its earlier ones; [] drops it). */
  assign(env: ConsumerEnv, topic: string, partitions: readonly number[]): void {
    if (this.membership !== null) throw new ConsumerUsageError('assign: the consumer is subscribed to a group; its partitions come from the group');
    for (const p of partitions) if (!Number.isSafeInteger(p) || p < 0) throw new ConsumerUsageError(`assign: invalid partition ${p} of ${topic}`);
    const wanted = [...new Set(partitions)];
    const id = this.opIds.take(env.storage);
    env.trace({ kind: 'client', op: 'assign', type: 'invoke', id, value: { topic, partitions: wanted } });
    const next = new Map<string, AssignedPartition>();
    for (const [key, p] of this.assigned) if (p.topic !== topic) next.set(key, p);
    for (const partition of wanted) {
      const key = `${topic}/${partition}`;
      // Kafka keeps the position of a partition that stays assigned.
      next.set(key, this.assigned.get(key) ?? this.newPartition(topic, partition));
    }
    this.assigned = next;
    this.metadata.setTopics(new Set([...next.values()].map((p) => p.topic)));
    env.trace({ kind: 'client', op: 'assign', type: 'ok', id, value: { topic, partitions: wanted } });
    this.run(env);
  }

  /** Moves the position of an assigned partition (KafkaConsumer.seek). */
  seek(env: ConsumerEnv, topic: string, partition: number, offset: number): void {
    const p = this.assignedPartition('seek', topic, partition);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ConsumerUsageError(`seek: offset must be a non-negative integer, got ${offset}`);
    this.moveTo(p, offset, null);
    this.recordSeek(env, p, offset, null);
    this.run(env);
  }

  /** The first offset of each partition becomes its position (ListOffsets -2); recorded as a seek once known. */
  seekToBeginning(env: ConsumerEnv, topic: string, partitions: readonly number[]): void {
    for (const partition of partitions) this.requestReset(this.assignedPartition('seekToBeginning', topic, partition), EARLIEST_TIMESTAMP, null);
    this.run(env);
  }

  /** The end of each partition becomes its position (ListOffsets -1); recorded as a seek once known. */
  seekToEnd(env: ConsumerEnv, topic: string, partitions: readonly number[]): void {
    for (const partition of partitions) this.requestReset(this.assignedPartition('seekToEnd', topic, partition), LATEST_TIMESTAMP, null);
    this.run(env);
  }

  /**
   * The first offset whose record's timestamp is at or after `timestampMs` becomes each partition's position
   * (KafkaConsumer.offsetsForTimes then seek); a partition with no such record goes to its end. Recorded as a seek once known.
   */
  seekToTimestamp(env: ConsumerEnv, topic: string, partitions: readonly number[], timestampMs: number): void {
    if (!Number.isSafeInteger(timestampMs) || timestampMs < 0)
      throw new ConsumerUsageError(`seekToTimestamp: expected a timestamp in ms >= 0, got ${timestampMs}`);
    for (const partition of partitions) this.requestReset(this.assignedPartition('seekToTimestamp', topic, partition), timestampMs, null);
    this.run(env);
  }

  /**
   * Every assigned partition starts again at the group's committed offset (OffsetFetch), what was
   * fetched dropped: what a transactional application does after an abort or a lost producer, as
   * the consumer never rewinds by itself (KAFKA-17582). Recorded as seeks with reason committed.
   */
  resetToCommitted(env: ConsumerEnv): void {
    if (this.offsets === null) throw new ConsumerUsageError('resetToCommitted: the consumer is in no group (group.id)');
    for (const p of this.assigned.values()) {
      this.dropBuffer(p);
      p.state = 'await-committed';
      p.request = null;
      p.error = null;
    }
    this.run(env);
  }

  /** The offset of the next record poll() returns for the partition; null while unknown. */
  position(topic: string, partition: number): number | null {
    return this.assigned.get(`${topic}/${partition}`)?.position ?? null;
  }

  /** The assigned partitions, in assignment order. */
  assignment(): Array<{ topic: string; partition: number }> {
    return [...this.assigned.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  /**
   * Returns the records fetched so far, in offset order per partition, at most max.poll.records
   * (or `maxRecords` if lower), and records the poll. Fails (returning nothing) while a
   * partition needs a seek, as Kafka's poll throws.
   */
  poll(env: ConsumerEnv, maxRecords?: number): ConsumerRecord[] {
    this.membership?.polled(env.now());
    const id = this.opIds.take(env.storage);
    env.trace({ kind: 'client', op: 'poll', type: 'invoke', id });
    const stuck = [...this.assigned.values()].filter((p) => p.state === 'stuck');
    if (stuck.length > 0) {
      env.trace({ kind: 'client', op: 'poll', type: 'fail', id, error: stuck.map((p) => p.error).join('; ') });
      this.run(env);
      return [];
    }
    const limit = Math.max(0, Math.min(maxRecords ?? this.config.maxPollRecords, this.config.maxPollRecords));
    const partitions = [...this.assigned.values()];
    const out: ConsumerRecord[] = [];
    for (let i = 0; i < partitions.length && out.length < limit; i++) {
      const at = (this.pollCursor + i) % partitions.length;
      const p = partitions[at]!;
      if (p.state !== 'fetching' || p.buffer.length === 0) continue;
      const taken = p.buffer.splice(0, limit - out.length);
      for (const r of taken) out.push(r);
      const last = taken[taken.length - 1]!;
      p.position = last.offset + 1;
      p.positionEpoch = last.leaderEpoch;
      if (p.buffer.length > 0 && this.bugs.has('consumer-drops-buffer')) p.buffer.length = 0;
      if (p.buffer.length === 0 && p.bufferNext !== null) {
        p.position = Math.max(p.position, p.bufferNext);
        p.bufferNext = null;
      }
      // A partition with records left goes first next time, so none is starved.
      this.pollCursor = p.buffer.length > 0 ? at : at + 1;
    }
    const records = out.map((r) => [r.topic, r.partition, r.offset, r.key, r.value]);
    env.trace({ kind: 'client', op: 'poll', type: 'ok', id, value: this.pollValue(records, out) });
    this.run(env);
    return out;
  }

  /**
   * A poll's history value: its records, `readCommitted` under read_committed, and the positions
   * that moved past offsets it returns no record for (markers, aborted transactions), so a reader
   * of the history knows how far the consumer read (a transactional partition often ends with a marker).
   */
  private pollValue(
    records: unknown[],
    out: readonly ConsumerRecord[],
  ): { records: unknown[]; readCommitted?: true; positions?: Array<[string, number, number]> } {
    const value: { records: unknown[]; readCommitted?: true; positions?: Array<[string, number, number]> } = { records };
    if (this.isolationLevel === 1) value.readCommitted = true;
    for (const r of out) {
      const p = this.assigned.get(`${r.topic}/${r.partition}`);
      if (p !== undefined) p.reportedPosition = r.offset + 1;
    }
    const positions: Array<[string, number, number]> = [];
    for (const p of this.assigned.values()) {
      if (!p.skippedRecords || p.state !== 'fetching' || p.position === null || p.buffer.length > 0) continue;
      p.skippedRecords = false;
      if (p.position === p.reportedPosition) continue;
      positions.push([p.topic, p.partition, p.position]);
      p.reportedPosition = p.position;
    }
    if (positions.length > 0) value.positions = positions;
    return value;
  }

  // ---- the node --------------------------------------------------------------------------------

  receive(env: ConsumerEnv, from: NodeId, msg: DataMessage | GroupMessage): void {
    if (msg.kind !== 'response') return;
    switch (msg.api) {
      case 'OffsetFetch':
      case 'OffsetCommit':
        this.offsets?.receive(env, from, msg);
        break;
      case 'FindCoordinator':
      case 'JoinGroup':
      case 'SyncGroup':
      case 'Heartbeat':
      case 'LeaveGroup':
        this.membership?.receive(env, from, msg as GroupResponse);
        break;
      case 'Metadata':
        this.metadata.handleResponse(env, msg);
        break;
      case 'Fetch':
        this.onFetchResponse(env, from, msg);
        break;
      case 'ListOffsets':
        this.onListOffsetsResponse(env, msg);
        break;
      case 'OffsetForLeaderEpoch':
        this.onOffsetForLeaderEpochResponse(env, msg);
        break;
      default:
        return;
    }
    this.run(env);
  }

  fire(env: ConsumerEnv, tag: TimerTag): void {
    if (tag !== WAKE) return;
    this.wakeAtMs = Infinity;
    this.run(env);
  }

  private run(env: ConsumerEnv): void {
    const now = env.now();
    this.metadata.poll(env);
    if (this.membership !== null) {
      this.offsets!.expire(env, now);
      this.offsets!.flushDeferred(env);
      this.membership.poll(env, now);
      if (this.membership.commitIdentity() !== null && this.offsets!.autoCommitDue(now)) this.commitPositions(env, this.membership.owned, () => {});
      this.fetchCommitted(env);
    }
    this.expireRequests(now);
    this.noticeLeaderEpochs();
    this.sendListOffsets(env, now);
    this.sendValidations(env, now);
    this.sendFetches(env, now);
    this.metadata.poll(env);
    this.armWake(env, now);
  }

  // ---- positions -------------------------------------------------------------------------------

  private newPartition(topic: string, partition: number): AssignedPartition {
    const p: AssignedPartition = {
      topic,
      partition,
      key: `${topic}/${partition}`,
      state: 'await-reset',
      position: null,
      positionEpoch: null,
      validatedEpoch: NO_EPOCH,
      resetTimestamp: LATEST_TIMESTAMP,
      resetReason: 'auto.offset.reset',
      request: null,
      fetching: null,
      fetchingFrom: null,
      buffer: [],
      bufferNext: null,
      reportedPosition: null,
      skippedRecords: false,
      backoffUntilMs: -Infinity,
      error: null,
    };
    this.resetPerPolicy(p, 'auto.offset.reset', `NoOffsetForPartition: ${p.key} has no position and auto.offset.reset is none`);
    return p;
  }

  /** auto.offset.reset: earliest or latest through ListOffsets; none leaves the partition stuck. */
  private resetPerPolicy(p: AssignedPartition, reason: SeekReason, errorIfNone: string): void {
    const policy = this.config.autoOffsetReset;
    if (policy === 'none') {
      this.dropBuffer(p);
      p.state = 'stuck';
      p.request = null;
      p.error = errorIfNone;
      return;
    }
    this.requestReset(p, policy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP, reason);
  }

  private requestReset(p: AssignedPartition, timestamp: number, reason: SeekReason | null): void {
    this.dropBuffer(p);
    p.state = 'await-reset';
    p.resetTimestamp = timestamp;
    p.resetReason = reason;
    p.request = null;
    p.error = null;
    p.backoffUntilMs = -Infinity;
  }

  /** A new position, fetched from at once; `epoch` is its leader epoch when known. */
  private moveTo(p: AssignedPartition, offset: number, epoch: number | null): void {
    this.dropBuffer(p);
    p.state = 'fetching';
    p.position = offset;
    p.positionEpoch = epoch;
    p.validatedEpoch = this.metadata.leaderEpoch(p.topic, p.partition);
    p.request = null;
    p.error = null;
    p.backoffUntilMs = -Infinity;
  }

  private dropBuffer(p: AssignedPartition): void {
    p.buffer = [];
    p.bufferNext = null;
  }

  private recordSeek(env: ConsumerEnv, p: AssignedPartition, offset: number, reason: SeekReason | null): void {
    p.reportedPosition = offset;
    const id = this.opIds.take(env.storage);
    const value = reason === null ? { topic: p.topic, partition: p.partition, offset } : { topic: p.topic, partition: p.partition, offset, reason };
    env.trace({ kind: 'client', op: 'seek', type: 'invoke', id, value });
    env.trace({ kind: 'client', op: 'seek', type: 'ok', id, value });
  }

  private assignedPartition(call: string, topic: string, partition: number): AssignedPartition {
    const p = this.assigned.get(`${topic}/${partition}`);
    if (p === undefined) throw new ConsumerUsageError(`${call}: ${topic}/${partition} is not assigned to this consumer`);
    return p;
  }

  /**
   * KIP-320: a partition whose leader epoch moved past the one its position was checked against
   * must be validated before fetching again, since the new leader's log may have been truncated
   * below the position. What was buffered from the old leader is dropped (Kafka does the same).
   */
  private noticeLeaderEpochs(): void {
    for (const p of this.assigned.values()) {
      if (p.state !== 'fetching') continue;
      const epoch = this.metadata.leaderEpoch(p.topic, p.partition);
      if (epoch <= p.validatedEpoch) continue;
      if (p.positionEpoch === null || p.positionEpoch < 0) {
        p.validatedEpoch = epoch; // nothing to check against (Kafka skips validation too)
        continue;
      }
      this.dropBuffer(p);
      p.state = 'await-validation';
      p.backoffUntilMs = -Infinity;
    }
  }

  // ---- requests --------------------------------------------------------------------------------

  /** Groups the partitions in `state` by their leader; asks for metadata when a leader is unknown. */
  private byLeader(state: FetchState, now: number): Map<NodeId, AssignedPartition[]> {
    const groups = new Map<NodeId, AssignedPartition[]>();
    for (const p of this.assigned.values()) {
      if (p.state !== state || p.backoffUntilMs > now) continue;
      const leader = this.metadata.leader(p.topic, p.partition);
      if (leader === null) {
        this.metadata.requestUpdate();
        continue;
      }
      const list = groups.get(leader.leaderId);
      if (list === undefined) groups.set(leader.leaderId, [p]);
      else list.push(p);
    }
    return groups;
  }

  private sendListOffsets(env: ConsumerEnv, now: number): void {
    for (const [broker, ps] of this.byLeader('await-reset', now)) {
      const correlationId = this.nextCorrelationId++;
      const sentWith = new Map<string, number>();
      const topics: ListOffsetsRequest['topics'] = [];
      for (const p of ps) {
        const epoch = this.metadata.leaderEpoch(p.topic, p.partition);
        sentWith.set(p.key, epoch);
        p.state = 'resetting';
        p.request = correlationId;
        groupInto(
          topics,
          p.topic,
          (t) => t.name,
          (name) => ({ name, partitions: [] }),
        ).partitions.push({
          partitionIndex: p.partition,
          currentLeaderEpoch: epoch,
          timestamp: p.resetTimestamp,
        });
      }
      this.listOffsets.set(correlationId, { correlationId, broker, deadlineMs: now + this.config.requestTimeoutMs, sentWith });
      env.send(broker, { api: 'ListOffsets', kind: 'request', correlationId, replicaId: null, isolationLevel: this.isolationLevel, topics });
    }
  }

  private sendValidations(env: ConsumerEnv, now: number): void {
    for (const [broker, ps] of this.byLeader('await-validation', now)) {
      const correlationId = this.nextCorrelationId++;
      const sentWith = new Map<string, number>();
      const topics: OffsetForLeaderEpochRequest['topics'] = [];
      for (const p of ps) {
        const epoch = this.metadata.leaderEpoch(p.topic, p.partition);
        sentWith.set(p.key, epoch);
        p.state = 'validating';
        p.request = correlationId;
        groupInto(
          topics,
          p.topic,
          (t) => t.topic,
          (topic) => ({ topic, partitions: [] }),
        ).partitions.push({
          partition: p.partition,
          currentLeaderEpoch: epoch,
          leaderEpoch: p.positionEpoch!,
        });
      }
      this.validations.set(correlationId, { correlationId, broker, deadlineMs: now + this.config.requestTimeoutMs, sentWith });
      env.send(broker, { api: 'OffsetForLeaderEpoch', kind: 'request', correlationId, replicaId: null, topics });
    }
  }

  /** One Fetch in flight per leader, for its partitions that have a position and nothing buffered. */
  private sendFetches(env: ConsumerEnv, now: number): void {
    for (const [broker, candidates] of this.byLeader('fetching', now)) {
      if (this.fetches.has(broker)) continue;
      // A fetch still out to a former leader does not hold the partition back: its answer will be
      // ignored, since the partition's fetch is then the newer one.
      const ps = candidates.filter(
        (p) => (p.fetching === null || p.fetchingFrom !== broker) && p.buffer.length === 0 && p.bufferNext === null && p.position !== null,
      );
      if (ps.length === 0) continue;
      const correlationId = this.nextCorrelationId++;
      const sentWith = new Map<string, number>();
      const topics: FetchRequest['topics'] = [];
      for (const p of ps) {
        sentWith.set(p.key, p.position!);
        p.fetching = correlationId;
        p.fetchingFrom = broker;
        groupInto(
          topics,
          p.topic,
          (t) => t.topic,
          (topic) => ({ topic, partitions: [] }),
        ).partitions.push({
          partition: p.partition,
          currentLeaderEpoch: this.metadata.leaderEpoch(p.topic, p.partition),
          fetchOffset: p.position!,
          lastFetchedEpoch: NO_EPOCH,
          logStartOffset: -1,
          partitionMaxBytes: this.config.maxPartitionFetchBytes,
        });
      }
      const request = { correlationId, broker, deadlineMs: now + this.config.requestTimeoutMs, sentWith };
      this.fetches.set(broker, request);
      if (this.bugs.has('consumer-stale-fetch')) rememberFetch(this.sentFetches, request);
      env.send(broker, {
        api: 'Fetch',
        kind: 'request',
        correlationId,
        replicaId: null,
        replicaEpoch: -1,
        maxWaitMs: this.config.fetchMaxWaitMs,
        minBytes: this.config.fetchMinBytes,
        maxBytes: this.config.fetchMaxBytes,
        isolationLevel: this.isolationLevel,
        topics,
      });
    }
  }

  /** Requests without an answer in request.timeout.ms are given up (the connection is dropped). */
  private expireRequests(now: number): void {
    let expired = false;
    for (const [broker, r] of this.fetches) {
      if (now < r.deadlineMs) continue;
      this.fetches.delete(broker);
      for (const key of r.sentWith.keys()) {
        const p = this.assigned.get(key);
        if (p !== undefined && p.fetching === r.correlationId) {
          p.fetching = null;
          p.fetchingFrom = null;
        }
      }
      expired = true;
    }
    for (const [requests, waiting, back] of [
      [this.listOffsets, 'resetting', 'await-reset'],
      [this.validations, 'validating', 'await-validation'],
    ] as const) {
      for (const [correlationId, r] of requests) {
        if (now < r.deadlineMs) continue;
        requests.delete(correlationId);
        for (const key of r.sentWith.keys()) {
          const p = this.assigned.get(key);
          if (p !== undefined && p.state === waiting && p.request === correlationId) {
            p.state = back;
            p.request = null;
          }
        }
        expired = true;
      }
    }
    if (expired) this.metadata.requestUpdate();
  }

  // ---- answers ---------------------------------------------------------------------------------

  private onFetchResponse(env: ConsumerEnv, from: NodeId, msg: FetchResponse): void {
    const staleBug = this.bugs.has('consumer-stale-fetch');
    const r = staleBug ? this.sentFetches.get(msg.correlationId) : this.fetches.get(from);
    if (r === undefined || r.correlationId !== msg.correlationId) return;
    if (this.fetches.get(from)?.correlationId === msg.correlationId) this.fetches.delete(from);
    const now = env.now();
    for (const [key, fetchOffset] of r.sentWith) {
      const p = this.assigned.get(key);
      if (p === undefined || (p.fetching !== msg.correlationId && !staleBug)) continue;
      if (p.fetching === msg.correlationId) {
        p.fetching = null;
        p.fetchingFrom = null;
      }
      const response = msg.errorCode === ErrorCode.NONE ? findFetchPartition(msg, p.topic, p.partition) : null;
      const code = msg.errorCode !== ErrorCode.NONE ? msg.errorCode : response === null ? ErrorCode.UNKNOWN_SERVER_ERROR : response.errorCode;
      // The position moved (seek, reset, validation) while the fetch was out: its data is stale.
      if (p.state !== 'fetching' || ((p.position !== fetchOffset || p.buffer.length > 0) && !staleBug)) continue;
      if (code === ErrorCode.NONE) {
        this.absorb(p, response!.records, fetchOffset, this.isolationLevel === 1 ? (response!.abortedTransactions ?? []) : null);
      } else if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
        this.resetPerPolicy(p, 'offset-out-of-range', `OffsetOutOfRange: fetch offset ${fetchOffset} of ${key} is out of range and auto.offset.reset is none`);
      } else {
        if (LEADER_MOVED_ERRORS.has(code) || code === ErrorCode.KAFKA_STORAGE_ERROR || code === ErrorCode.REPLICA_NOT_AVAILABLE) this.metadata.requestUpdate();
        p.backoffUntilMs = now + this.config.retryBackoffMs;
      }
    }
  }

  /** The isolation level fetches and ListOffsets carry: 1 for read_committed. */
  private get isolationLevel(): 0 | 1 {
    return this.config.isolationLevel === 'read_committed' ? 1 : 0;
  }

  /**
   * Buffers the records at or after the fetch offset; control batches are skipped. Under
   * read_committed (`aborted`: the fetch's aborted transactions) the batches of aborted
   * transactions are dropped as Kafka's CompletedFetch drops them: a producer counts as aborted
   * from the first aborted transaction it started at or before the batch's last offset until its
   * ABORT marker.
   */
  private absorb(p: AssignedPartition, batches: readonly RecordBatch[], fetchOffset: number, aborted: readonly AbortedTransaction[] | null): void {
    const pending = aborted === null ? [] : [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
    const abortedProducers = new Set<number>();
    let next = fetchOffset;
    for (const batch of batches) {
      const last = batch.baseOffset + batch.lastOffsetDelta;
      if (last < next) continue;
      let skip = isControl(batch);
      if (aborted !== null && batch.producerId >= 0) {
        while (pending.length > 0 && pending[0]!.firstOffset <= last) abortedProducers.add(pending.shift()!.producerId);
        if (isControl(batch) && controlTypeOf(batch.records[0]?.key ?? null) === ControlType.ABORT) abortedProducers.delete(batch.producerId);
        else if (isTransactional(batch) && abortedProducers.has(batch.producerId)) skip = true;
      }
      if (skip) p.skippedRecords = true;
      else {
        for (const r of batch.records) {
          const offset = batch.baseOffset + r.offsetDelta;
          // Records below the position (the first batch may start earlier) are not returned.
          if (offset < next) continue;
          p.buffer.push({
            topic: p.topic,
            partition: p.partition,
            offset,
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: recordTimestamp(batch, r),
            leaderEpoch: batch.partitionLeaderEpoch,
          });
          next = offset + 1;
        }
      }
      next = Math.max(next, last + 1);
    }
    if (next === fetchOffset) return;
    if (p.buffer.length === 0)
      p.position = next; // only control records or aborted ones: step over them
    else p.bufferNext = next;
  }

  private onListOffsetsResponse(env: ConsumerEnv, msg: ListOffsetsResponse): void {
    const r = this.listOffsets.get(msg.correlationId);
    if (r === undefined) return;
    this.listOffsets.delete(msg.correlationId);
    const now = env.now();
    for (const [key, epoch] of r.sentWith) {
      const p = this.assigned.get(key);
      if (p === undefined || p.state !== 'resetting' || p.request !== msg.correlationId) continue;
      p.request = null;
      const response = msg.topics.find((t) => t.name === p.topic)?.partitions.find((x) => x.partitionIndex === p.partition);
      if (response?.errorCode === ErrorCode.NONE && response.offset < 0 && p.resetTimestamp >= 0) {
        // No record at or after the timestamp: the position is the end of the log.
        p.state = 'await-reset';
        p.resetTimestamp = LATEST_TIMESTAMP;
        continue;
      }
      if (response === undefined || response.errorCode !== ErrorCode.NONE || response.offset < 0) {
        const code = response?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (LEADER_MOVED_ERRORS.has(code)) this.metadata.requestUpdate();
        p.state = 'await-reset';
        p.backoffUntilMs = now + this.config.retryBackoffMs;
        continue;
      }
      const reason = p.resetReason;
      this.moveTo(p, response.offset, response.leaderEpoch >= 0 ? response.leaderEpoch : null);
      p.validatedEpoch = Math.max(epoch, response.leaderEpoch);
      this.recordSeek(env, p, response.offset, reason);
    }
  }

  private onOffsetForLeaderEpochResponse(env: ConsumerEnv, msg: OffsetForLeaderEpochResponse): void {
    const r = this.validations.get(msg.correlationId);
    if (r === undefined) return;
    this.validations.delete(msg.correlationId);
    const now = env.now();
    for (const [key, epoch] of r.sentWith) {
      const p = this.assigned.get(key);
      if (p === undefined || p.state !== 'validating' || p.request !== msg.correlationId) continue;
      p.request = null;
      const response = msg.topics.find((t) => t.topic === p.topic)?.partitions.find((x) => x.partition === p.partition);
      if (response === undefined || response.errorCode !== ErrorCode.NONE) {
        const code = response?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (LEADER_MOVED_ERRORS.has(code)) this.metadata.requestUpdate();
        p.state = 'await-validation';
        p.backoffUntilMs = now + this.config.retryBackoffMs;
        continue;
      }
      const position = p.position!;
      if (response.endOffset < 0 || response.leaderEpoch < 0) {
        // The leader knows no epoch at or below ours: nothing to fall back on but the policy.
        this.resetPerPolicy(p, 'auto.offset.reset', `LogTruncation: ${key} has no offset for leader epoch ${p.positionEpoch} and auto.offset.reset is none`);
        continue;
      }
      if (response.endOffset < position) {
        // The log was truncated under the consumer: the records from endOffset on that it may
        // have read are gone. Kafka moves back to the divergence point when a reset policy is set.
        if (this.config.autoOffsetReset === 'none') {
          p.state = 'stuck';
          p.error = `LogTruncation: ${key} was truncated to ${response.endOffset} below the position ${position} (epoch ${p.positionEpoch})`;
          continue;
        }
        this.moveTo(p, response.endOffset, response.leaderEpoch);
        p.validatedEpoch = epoch;
        this.recordSeek(env, p, response.endOffset, 'truncation');
        continue;
      }
      p.state = 'fetching';
      p.validatedEpoch = epoch;
      p.error = null;
    }
  }

  private armWake(env: ConsumerEnv, now: number): void {
    let next = this.metadata.nextWakeMs();
    if (this.membership !== null) {
      next = earlierWake(now, next, this.membership.nextWakeMs(now));
      next = earlierWake(now, next, this.offsets!.nextWakeMs(now));
    }
    for (const r of this.fetches.values()) next = earlierWake(now, next, r.deadlineMs);
    for (const r of this.listOffsets.values()) next = earlierWake(now, next, r.deadlineMs);
    for (const r of this.validations.values()) next = earlierWake(now, next, r.deadlineMs);
    for (const p of this.assigned.values()) next = earlierWake(now, next, p.backoffUntilMs);
    if (next <= now) next = Infinity;
    if (next === this.wakeAtMs) return;
    this.wakeAtMs = next;
    if (next === Infinity) env.cancelTimer(WAKE);
    else env.setTimer(Math.max(next - now, 0.001), WAKE);
  }
}

function findFetchPartition(msg: FetchResponse, topic: string, partition: number): FetchPartitionResponse | null {
  for (const t of msg.topics) {
    if (t.topic !== topic) continue;
    for (const p of t.partitions) if (p.partitionIndex === partition) return p;
  }
  return null;
}

/** The entry of `list` for `name`, created at the end when missing (keeps first-seen order). */
function groupInto<T>(list: T[], name: string, nameOf: (t: T) => string, make: (name: string) => T): T {
  let entry = list.find((t) => nameOf(t) === name);
  if (entry === undefined) {
    entry = make(name);
    list.push(entry);
  }
  return entry;
}
