// The group coordinator of one broker (Kafka's GroupCoordinator and GroupMetadataManager, classic
// protocol): FindCoordinator from the metadata image (creating __consumer_offsets on first use); the
// groups of the __consumer_offsets partitions this broker leads, loaded by replaying the partition
// (COORDINATOR_LOAD_IN_PROGRESS meanwhile, NOT_COORDINATOR elsewhere) and dropped when leadership
// moves; OffsetCommit fenced by member and generation, written with acks=all before it is answered;
// TxnOffsetCommit's offsets written in the producer's transaction and pending until its marker
// (KIP-98, KIP-447); OffsetFetch (UNSTABLE_OFFSET_COMMIT under requireStable while a transaction
// holds an offset), ListGroups, DescribeGroups and DeleteGroups. Rebalancing is membership.ts.

import type { MetadataImage } from '../controller/image.ts';
import type { Env, NodeId, TimerTag } from '../env.ts';
import type { Config } from '../protocol/configs.ts';
import { ErrorCode } from '../protocol/errors.ts';
import {
  CoordinatorType,
  groupErrorResponse,
  type Coordinator,
  type DeleteGroupsRequest,
  type DescribeGroupsRequest,
  type FindCoordinatorRequest,
  type GroupRequest,
  type GroupResponse,
  type ListGroupsRequest,
  type OffsetCommitRequest,
  type OffsetFetchGroupResult,
  type OffsetFetchRequest,
} from '../protocol/group.ts';
import type { Bytes, KafkaRecord, RecordBatch } from '../protocol/records.ts';
import type { TxnOffsetCommitRequest } from '../protocol/txn.ts';
import type { GroupBug } from './bugs.ts';
import { Group, type GroupOffset } from './group.ts';
import { replayOffsetsPartition } from './offsets-replay.ts';
import { Membership, type GroupSettings } from './membership.ts';
import { groupMetadataRecord, offsetCommitRecord, offsetsPartitionFor, OFFSETS_TOPIC, type CommittedOffset } from './offsets-topic.ts';

/** The producer whose transaction a write belongs to (its batch is transactional). */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}

/** What the coordinator needs from its broker. */
export interface CoordinatorHooks {
  image(): MetadataImage | null;
  /** The batches of this broker's replica of the partition, up to its log end, while it leads it. */
  ledLog(topic: string, partition: number): readonly RecordBatch[] | null;
  /**
   * Appends records as the partition's leader and calls `done` once every ISR replica has them
   * (acks=all) or the write failed; with `producer`, as a batch of that producer's transaction.
   * Answers the offset the batch was appended at, or null when nothing was appended.
   */
  appendCommitted(
    env: Env<never>,
    topic: string,
    partition: number,
    records: KafkaRecord[],
    timeoutMs: number,
    done: (errorCode: number) => void,
    producer?: TxnProducer,
  ): number | null;
  /** Asks the controller to create a topic (Kafka's AutoTopicCreationManager). */
  createTopic(env: Env<never>, name: string, partitions: number, replicationFactor: number): void;
}

type GroupEnv = Env<GroupResponse>;

const TIMER_PREFIX = 'group:';
const LOAD_TIMER = 'group:load:';

/** Kafka's mapping of a failed offset write to what the committer hears (GroupMetadataManager.storeOffsets). */
function storeOffsetsError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return errorCode;
  }
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  /** __consumer_offsets partitions this broker leads: loading until replayed, then serving. */
  private readonly owned = new Map<number, { leaderEpoch: number; loaded: boolean }>();
  private readonly actions = new Map<TimerTag, (env: GroupEnv) => void>();
  private readonly membership: Membership;
  private readonly settings: GroupSettings;

  constructor(
    private readonly config: Config,
    private readonly bugs: ReadonlySet<GroupBug>,
    private readonly hooks: CoordinatorHooks,
  ) {
    this.settings = {
      minSessionTimeoutMs: config.int('group.min.session.timeout.ms'),
      maxSessionTimeoutMs: config.int('group.max.session.timeout.ms'),
      initialRebalanceDelayMs: config.int('group.initial.rebalance.delay.ms'),
      maxSize: config.int('group.max.size'),
    };
    this.membership = new Membership({
      settings: this.settings,
      reply: (env, to, res) => env.send(to, res),
      schedule: (env, key, delayMs, action) => this.schedule(env, key, delayMs, action),
      unschedule: (env, key) => this.unschedule(env, key),
      storeGroup: (env, group, assignments, done) => this.storeGroup(env, group, assignments, done),
      traced: (env, group) => traceGroup(env, group),
    });
  }

  handle(env: GroupEnv, from: NodeId, req: GroupRequest): void {
    switch (req.api) {
      case 'FindCoordinator':
        return this.onFindCoordinator(env, from, req);
      case 'ListGroups':
        return this.onListGroups(env, from, req);
      case 'DescribeGroups':
        return this.onDescribeGroups(env, from, req);
      case 'DeleteGroups':
        return this.onDeleteGroups(env, from, req);
      case 'OffsetFetch':
        return this.onOffsetFetch(env, from, req);
      case 'OffsetCommit':
        return this.onOffsetCommit(env, from, req);
      case 'TxnOffsetCommit':
        return this.onTxnOffsetCommit(env, from, req);
    }
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.coordinatorError(req.groupId);
    if (problem !== null) return env.send(from, groupErrorResponse(req, problem));
    const group = this.groups.get(req.groupId);
    switch (req.api) {
      case 'JoinGroup': {
        if (req.sessionTimeoutMs < this.settings.minSessionTimeoutMs || req.sessionTimeoutMs > this.settings.maxSessionTimeoutMs)
          return env.send(from, groupErrorResponse(req, ErrorCode.INVALID_SESSION_TIMEOUT));
        if (group === undefined && req.memberId !== '') return env.send(from, groupErrorResponse(req, ErrorCode.UNKNOWN_MEMBER_ID));
        return this.membership.join(env, from, req, group ?? this.addGroup(req.groupId));
      }
      case 'SyncGroup':
        return this.membership.sync(env, from, req, group);
      case 'Heartbeat':
        return this.membership.heartbeat(env, from, req, group);
      case 'LeaveGroup':
        return this.membership.leave(env, from, req, group);
    }
  }

  fire(env: GroupEnv, tag: TimerTag): boolean {
    if (!tag.startsWith(TIMER_PREFIX)) return false;
    if (tag.startsWith(LOAD_TIMER)) {
      this.load(env, Number(tag.slice(LOAD_TIMER.length)));
      return true;
    }
    const action = this.actions.get(tag);
    this.actions.delete(tag);
    action?.(env);
    return true;
  }

  // ---- coordination ----------------------------------------------------------------------------

  /** Why this broker cannot serve the group now, or null when it can. */
  private coordinatorError(groupId: string): number | null {
    const partition = this.partitionOf(groupId);
    if (partition === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const owned = this.owned.get(partition);
    if (owned === undefined) return ErrorCode.NOT_COORDINATOR;
    return owned.loaded ? null : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  private partitionOf(groupId: string): number | null {
    const topic = this.hooks.image()?.topicByName(OFFSETS_TOPIC);
    return topic === undefined || topic.partitions.length === 0 ? null : offsetsPartitionFor(groupId, topic.partitions.length);
  }

  private onFindCoordinator(env: GroupEnv, from: NodeId, req: FindCoordinatorRequest): void {
    const coordinators =
      req.keyType === CoordinatorType.GROUP
        ? coordinatorsOf(this.hooks.image(), req.coordinatorKeys, OFFSETS_TOPIC, offsetsPartitionFor, () =>
            this.hooks.createTopic(env, OFFSETS_TOPIC, this.config.int('offsets.topic.num.partitions'), this.config.int('offsets.topic.replication.factor')),
          )
        : req.coordinatorKeys.map((key) => noCoordinator(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, `key type ${req.keyType} is not served`));
    env.send(from, { api: 'FindCoordinator', kind: 'response', correlationId: req.correlationId, coordinators });
  }

  private addGroup(groupId: string): Group {
    const group = new Group(groupId);
    this.groups.set(groupId, group);
    return group;
  }

  /**
   * Leadership of a __consumer_offsets partition moved: a new leader loads it (after the load delay;
   * with the bug coordinator-no-load it serves at once and the replay lands later); a former one drops its groups.
   */
  leadershipChanged(env: GroupEnv, partition: number, leaderEpoch: number | null): void {
    const before = this.owned.get(partition);
    if (before !== undefined && leaderEpoch === before.leaderEpoch) return;
    this.unloadPartition(env, partition);
    if (leaderEpoch === null) return;
    this.owned.set(partition, { leaderEpoch, loaded: this.bugs.has('coordinator-no-load') });
    env.setTimer(this.config.int('samsa.group.load.delay.ms'), LOAD_TIMER + partition);
  }

  private unloadPartition(env: GroupEnv, partition: number): void {
    this.owned.delete(partition);
    env.cancelTimer(LOAD_TIMER + partition);
    const count = this.hooks.image()?.topicByName(OFFSETS_TOPIC)?.partitions.length ?? 0;
    for (const [groupId, group] of this.groups) {
      if (count > 0 && offsetsPartitionFor(groupId, count) !== partition) continue;
      this.membership.unloaded(env, group, ErrorCode.NOT_COORDINATOR);
      this.groups.delete(groupId);
    }
  }

  /** Replays the partition from its start to its log end (Kafka's doLoadGroupsAndOffsets) and starts serving its groups. */
  private load(env: GroupEnv, partition: number): void {
    const owned = this.owned.get(partition);
    const batches = this.hooks.ledLog(OFFSETS_TOPIC, partition);
    if (owned === undefined || batches === null) return;
    const { stored, offsets, pending } = replayOffsetsPartition(batches);
    let offsetCount = 0;
    const loaded: string[] = [];
    for (const groupId of new Set([...stored.keys(), ...offsets.keys(), ...pending.keys()])) {
      const metadata = stored.get(groupId) ?? null;
      const groupOffsets = offsets.get(groupId) ?? new Map<string, GroupOffset>();
      const groupPending = pending.get(groupId);
      if (metadata === null && groupOffsets.size === 0 && groupPending === undefined) continue;
      // With coordinator-no-load the group may already be served; the replay overwrites what it did meanwhile.
      const earlier = this.groups.get(groupId);
      if (earlier !== undefined) this.membership.unloaded(env, earlier, ErrorCode.NOT_COORDINATOR);
      const group = metadata === null ? new Group(groupId) : Group.fromStored(groupId, metadata);
      for (const [key, offset] of groupOffsets) group.offsets.set(key, offset);
      // Transactions still open in the log: their offsets wait for the marker (the producer's generation is not in the log).
      for (const [producerId, byPartition] of groupPending ?? [])
        group.pendingTxnOffsets.set(producerId, { generation: -1, member: '', offsets: byPartition, appendedAt: new Map() });
      offsetCount += groupOffsets.size;
      this.groups.set(groupId, group);
      this.membership.loaded(env, group);
      loaded.push(groupId);
      traceGroup(env, group);
    }
    owned.loaded = true;
    env.trace({ kind: 'group-load', partition, leaderEpoch: owned.leaderEpoch, groups: loaded.sort(), offsets: offsetCount });
  }

  // ---- writes ----------------------------------------------------------------------------------

  /** Writes records to the group's partition; answers the offset they were appended at, or null when nothing was appended. */
  private write(env: GroupEnv, groupId: string, records: KafkaRecord[], done: (errorCode: number) => void, producer?: TxnProducer): number | null {
    const partition = this.partitionOf(groupId);
    if (partition === null) {
      done(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return null;
    }
    const timeoutMs = this.config.int('offsets.commit.timeout.ms');
    if (producer === undefined) return this.hooks.appendCommitted(env as Env<never>, OFFSETS_TOPIC, partition, records, timeoutMs, done);
    return this.hooks.appendCommitted(env as Env<never>, OFFSETS_TOPIC, partition, records, timeoutMs, done, producer);
  }

  private storeGroup(env: GroupEnv, group: Group, assignments: ReadonlyMap<string, Bytes> | null, done: (errorCode: number) => void): void {
    const stored = group.toStored(Math.floor(env.now()));
    if (assignments !== null) for (const m of stored.members) m.assignment = assignments.get(m.memberId) ?? '';
    this.write(env, group.groupId, [groupMetadataRecord(group.groupId, stored)], done);
  }

  // ---- offsets ---------------------------------------------------------------------------------

  /** Kafka's validateOffsetCommit: null when the commit may be written, else the error for every partition. */
  private commitError(group: Group | undefined, req: OffsetCommitRequest): number | null {
    if (group === undefined) return req.generationId < 0 ? null : ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.bugs.has('commit-no-generation-check')) return null;
    if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      if (group.isFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
      if (!group.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (req.generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
      if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
      return null;
    }
    // A simple commit (no member, no generation) is only for groups nobody is a member of.
    return group.state === 'Empty' ? null : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private onOffsetCommit(env: GroupEnv, from: NodeId, req: OffsetCommitRequest): void {
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.coordinatorError(req.groupId);
    if (problem !== null) return env.send(from, groupErrorResponse(req, problem));
    const existing = this.groups.get(req.groupId);
    const invalid = this.commitError(existing, req);
    if (invalid !== null) return env.send(from, groupErrorResponse(req, invalid));
    const group = existing ?? this.addGroup(req.groupId);
    const { results, accepted } = this.checkedOffsets(env, req);
    const respond = () => env.send(from, { api: 'OffsetCommit', kind: 'response', correlationId: req.correlationId, topics: results });
    if (accepted.length === 0) return respond();
    const apply = () => {
      for (const o of accepted) group.offsets.set(`${o.topic}/${o.partition}`, o);
      env.trace({
        kind: 'group-commit',
        group: req.groupId,
        generation: req.generationId,
        member: req.memberId,
        offsets: accepted.map((o) => [o.topic, o.partition, o.offset]),
      });
    };
    // The bug (offsets-in-memory): the commit is kept only in this coordinator's memory.
    if (this.bugs.has('offsets-in-memory')) {
      apply();
      return respond();
    }
    const records = accepted.map((o) => offsetCommitRecord(req.groupId, o.topic, o.partition, committedValue(o)));
    this.write(env, req.groupId, records, (errorCode) => {
      if (errorCode === ErrorCode.NONE && this.groups.get(req.groupId) === group) apply();
      const mapped = errorCode === ErrorCode.NONE && this.groups.get(req.groupId) !== group ? ErrorCode.NOT_COORDINATOR : storeOffsetsError(errorCode);
      for (const t of results) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = mapped;
      respond();
    });
  }

  /** Each partition's answer (OFFSET_METADATA_TOO_LARGE, else NONE for now) and the offsets that may be written. */
  private checkedOffsets(env: GroupEnv, req: OffsetCommitRequest | TxnOffsetCommitRequest) {
    const maxMetadata = this.config.int('offset.metadata.max.bytes');
    const now = Math.floor(env.now());
    const results = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: (p.committedMetadata?.length ?? 0) > maxMetadata ? ErrorCode.OFFSET_METADATA_TOO_LARGE : (ErrorCode.NONE as number),
      })),
    }));
    const accepted: GroupOffset[] = [];
    req.topics.forEach((t, ti) =>
      t.partitions.forEach((p, pi) => {
        if (results[ti]!.partitions[pi]!.errorCode !== ErrorCode.NONE) return;
        accepted.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: now,
        });
      }),
    );
    return { results, accepted };
  }

  /**
   * Kafka's doTxnCommitOffsets: a member and generation, when given (KIP-447), must be the group's;
   * a producer without them (older clients) commits whatever the group's state.
   */
  private txnCommitError(group: Group, req: TxnOffsetCommitRequest): number | null {
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.bugs.has('commit-no-generation-check')) return null;
    if (group.isFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (req.memberId !== '' && !group.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId >= 0 && req.generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
    return null;
  }

  /**
   * Kafka's storeOffsets with a producer id: the offsets are written as a batch of the producer's
   * transaction and stay pending (invisible to OffsetFetch, UNSTABLE_OFFSET_COMMIT under
   * requireStable) until the transaction's marker reaches the partition (completeTransaction).
   */
  private onTxnOffsetCommit(env: GroupEnv, from: NodeId, req: TxnOffsetCommitRequest): void {
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.coordinatorError(req.groupId);
    if (problem !== null) return env.send(from, groupErrorResponse(req, problem));
    // Kafka creates the group when a producer commits for one it does not know.
    const group = this.groups.get(req.groupId) ?? this.addGroup(req.groupId);
    const invalid = this.txnCommitError(group, req);
    if (invalid !== null) return env.send(from, groupErrorResponse(req, invalid));
    const { results, accepted } = this.checkedOffsets(env, req);
    const respond = () => env.send(from, { api: 'TxnOffsetCommit', kind: 'response', correlationId: req.correlationId, topics: results });
    if (accepted.length === 0) return respond();
    // Pending from before the write (Kafka's prepareTxnOffsetCommit): requireStable already sees it.
    let pending = group.pendingTxnOffsets.get(req.producerId);
    if (pending === undefined)
      group.pendingTxnOffsets.set(
        req.producerId,
        (pending = { generation: req.generationId, member: req.memberId, offsets: new Map(), appendedAt: new Map() }),
      );
    pending.generation = req.generationId;
    pending.member = req.memberId;
    const before = new Map(accepted.map((o) => [`${o.topic}/${o.partition}`, pending!.offsets.get(`${o.topic}/${o.partition}`)]));
    for (const o of accepted) pending.offsets.set(`${o.topic}/${o.partition}`, o);
    const records = accepted.map((o) => offsetCommitRecord(req.groupId, o.topic, o.partition, committedValue(o)));
    const producer = { producerId: req.producerId, producerEpoch: req.producerEpoch };
    const appendedAt = this.write(
      env,
      req.groupId,
      records,
      (errorCode) => {
        const stillHere = this.groups.get(req.groupId) === group;
        if (errorCode !== ErrorCode.NONE && stillHere) {
          // Kafka's failPendingTxnOffsetCommit: what the write did not store is not pending either,
          // unless a later commit of the producer has replaced it meanwhile (a retry that did store).
          const current = group.pendingTxnOffsets.get(req.producerId);
          for (const o of accepted) {
            const key = `${o.topic}/${o.partition}`;
            if (current?.offsets.get(key) !== o) continue;
            current.appendedAt.delete(o);
            const earlier = before.get(key);
            if (earlier === undefined) current.offsets.delete(key);
            else current.offsets.set(key, earlier);
          }
          if (current?.offsets.size === 0) group.pendingTxnOffsets.delete(req.producerId);
        }
        const mapped = errorCode === ErrorCode.NONE && !stillHere ? ErrorCode.NOT_COORDINATOR : storeOffsetsError(errorCode);
        for (const t of results) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = mapped;
        respond();
      },
      producer,
    );
    if (appendedAt !== null) for (const o of accepted) pending.appendedAt.set(o, appendedAt);
  }

  /**
   * A transaction's marker, appended at `markerOffset`, reached this __consumer_offsets partition
   * (the replica manager's txnMarkerWritten): a COMMIT makes the producer's pending offsets the
   * groups' committed ones (a `group-commit` event, as for OffsetCommit); an ABORT drops them. Only
   * the offsets whose records precede the marker in the log are its transaction's, as a replay
   * reads them: the hook runs once the marker is replicated, and a marker the network delivered
   * twice can be replicated after the producer's next transaction wrote its offsets (seed 3747).
   */
  completeTransaction(env: GroupEnv, partition: number, producerId: number, committed: boolean, markerOffset: number): void {
    if (this.owned.get(partition)?.loaded !== true) return;
    for (const group of this.groups.values()) {
      const pending = group.pendingTxnOffsets.get(producerId);
      if (pending === undefined || this.partitionOf(group.groupId) !== partition) continue;
      const ended = [...pending.offsets].filter(([, o]) => (pending.appendedAt.get(o) ?? -1) < markerOffset);
      for (const [key, o] of ended) {
        pending.offsets.delete(key);
        pending.appendedAt.delete(o);
      }
      if (pending.offsets.size === 0) group.pendingTxnOffsets.delete(producerId);
      if ((!committed && !this.bugs.has('txn-offsets-on-abort')) || ended.length === 0) continue;
      for (const [key, o] of ended) group.offsets.set(key, o);
      env.trace({
        kind: 'group-commit',
        group: group.groupId,
        generation: pending.generation,
        member: pending.member,
        offsets: ended.map(([, o]) => [o.topic, o.partition, o.offset]),
      });
    }
  }

  private onOffsetFetch(env: GroupEnv, from: NodeId, req: OffsetFetchRequest): void {
    const groups: OffsetFetchGroupResult[] = req.groups.map((g) => {
      const problem = g.groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.coordinatorError(g.groupId);
      if (problem !== null) return { groupId: g.groupId, topics: [], errorCode: problem };
      const group = this.groups.get(g.groupId);
      const offsets = group?.offsets ?? new Map<string, GroupOffset>();
      const partition = (topic: string, index: number) => {
        const o = offsets.get(`${topic}/${index}`);
        // KIP-447: a consumer that asks for stable offsets waits while a transaction holds one pending.
        if (req.requireStable && group?.hasPendingTxnOffset(`${topic}/${index}`) === true)
          return { partitionIndex: index, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
        return o === undefined
          ? { partitionIndex: index, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }
          : { partitionIndex: index, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
      };
      if (g.topics !== null) {
        return {
          groupId: g.groupId,
          topics: g.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => partition(t.name, i)) })),
          errorCode: 0,
        };
      }
      const byTopic = new Map<string, number[]>();
      for (const o of offsets.values()) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o.partition]);
      return {
        groupId: g.groupId,
        topics: [...byTopic].map(([name, indexes]) => ({ name, partitions: indexes.sort((a, b) => a - b).map((i) => partition(name, i)) })),
        errorCode: ErrorCode.NONE,
      };
    });
    env.send(from, { api: 'OffsetFetch', kind: 'response', correlationId: req.correlationId, groups });
  }

  // ---- administration --------------------------------------------------------------------------

  private onListGroups(env: GroupEnv, from: NodeId, req: ListGroupsRequest): void {
    const loading = [...this.owned.values()].some((o) => !o.loaded);
    const wanted = new Set(req.statesFilter.map((s) => s.toLowerCase()));
    const groups = loading
      ? []
      : [...this.groups.values()]
          .filter((g) => g.state !== 'Dead' && (wanted.size === 0 || wanted.has(g.state.toLowerCase())))
          .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state }));
    env.send(from, {
      api: 'ListGroups',
      kind: 'response',
      correlationId: req.correlationId,
      errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE,
      groups,
    });
  }

  private onDescribeGroups(env: GroupEnv, from: NodeId, req: DescribeGroupsRequest): void {
    const groups = req.groups.map((groupId) => {
      const problem = this.coordinatorError(groupId);
      const group = this.groups.get(groupId);
      if (problem !== null || group === undefined) {
        return { errorCode: problem ?? ErrorCode.NONE, groupId, groupState: problem === null ? 'Dead' : '', protocolType: '', protocolData: '', members: [] };
      }
      const stable = group.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? group.metadataOf(m) : '',
          memberAssignment: stable ? m.assignment : '',
        })),
      };
    });
    env.send(from, { api: 'DescribeGroups', kind: 'response', correlationId: req.correlationId, groups });
  }

  /** Deletes empty groups: tombstones for the group and each of its offsets, then it is gone. */
  private onDeleteGroups(env: GroupEnv, from: NodeId, req: DeleteGroupsRequest): void {
    const results = req.groupsNames.map((groupId) => ({ groupId, errorCode: ErrorCode.NONE as number }));
    let waiting = 0;
    const respond = () => env.send(from, { api: 'DeleteGroups', kind: 'response', correlationId: req.correlationId, results });
    for (const result of results) {
      const groupId = result.groupId;
      const problem = groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.coordinatorError(groupId);
      const group = this.groups.get(groupId);
      if (problem !== null) result.errorCode = problem;
      else if (group === undefined || group.state === 'Dead') result.errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
      else if (group.state !== 'Empty') result.errorCode = ErrorCode.NON_EMPTY_GROUP;
      if (result.errorCode !== ErrorCode.NONE || group === undefined) continue;
      this.membership.unloaded(env, group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      this.groups.delete(groupId);
      traceGroup(env, group);
      const records = [groupMetadataRecord(groupId, null), ...[...group.offsets.values()].map((o) => offsetCommitRecord(groupId, o.topic, o.partition, null))];
      waiting++;
      this.write(env, groupId, records, (errorCode) => {
        result.errorCode = storeOffsetsError(errorCode);
        if (--waiting === 0) respond();
      });
    }
    if (waiting === 0) respond();
  }

  // ---- timers ----------------------------------------------------------------------------------

  private schedule(env: GroupEnv, key: string, delayMs: number, action: (env: GroupEnv) => void): void {
    const tag = TIMER_PREFIX + key;
    this.actions.set(tag, action);
    env.setTimer(delayMs, tag);
  }

  private unschedule(env: GroupEnv, key: string): void {
    const tag = TIMER_PREFIX + key;
    if (this.actions.delete(tag)) env.cancelTimer(tag);
  }
}

function noCoordinator(key: string, errorCode: number, errorMessage: string | null = null): Coordinator {
  return { key, nodeId: null, host: '', port: -1, errorCode, errorMessage };
}

/**
 * FindCoordinator's answers for keys kept in an internal topic (__consumer_offsets, __transaction_state):
 * the leader of each key's partition; COORDINATOR_NOT_AVAILABLE while the topic or the leader is
 * missing, the first ask creating the topic (Kafka's AutoTopicCreationManager).
 */
export function coordinatorsOf(
  image: MetadataImage | null,
  keys: readonly string[],
  topicName: string,
  partitionFor: (key: string, partitions: number) => number,
  createTopic: () => void,
): Coordinator[] {
  const topic = image?.topicByName(topicName);
  if (image === null) return keys.map((key) => noCoordinator(key, ErrorCode.COORDINATOR_NOT_AVAILABLE));
  if (topic === undefined) {
    if (keys.length > 0) createTopic();
    return keys.map((key) => noCoordinator(key, ErrorCode.COORDINATOR_NOT_AVAILABLE));
  }
  return keys.map((key) => {
    const leader = topic.partitions[partitionFor(key, topic.partitions.length)]?.leader ?? null;
    if (leader === null) return noCoordinator(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const listener = image.brokers.get(leader)?.listeners?.[0];
    return { key, nodeId: leader, host: listener?.host ?? leader, port: listener?.port ?? 9092, errorCode: ErrorCode.NONE, errorMessage: null };
  });
}

function committedValue(o: GroupOffset): CommittedOffset {
  return { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: o.commitTimestamp };
}

function traceGroup(env: GroupEnv, group: Group): void {
  env.trace({
    kind: 'group-state',
    group: group.groupId,
    state: group.state,
    generation: group.generation,
    protocol: group.protocolName,
    leader: group.leaderId,
    members: [...group.members.keys()],
  });
}
