// The active controller (KRaft's QuorumController): the quorum leader turns requests into
// metadata records, appends them, and answers once they are committed. It registers brokers and
// hands out broker epochs, fences brokers whose heartbeats stop (broker.session.timeout.ms) and
// moves their leaderships, unfences caught-up brokers, creates and deletes topics, adds partitions
// (KIP-195), alters topic configs (IncrementalAlterConfigs, KIP-339), applies AlterPartition requests
// checked against partition epochs and broker epochs (KIP-903), hands brokers blocks of producer ids
// (AllocateProducerIds, KIP-730), and keeps the ACLs and SCRAM credentials (CreateAcls, DeleteAcls,
// AlterUserScramCredentials).

import type { Env, NodeId, TimerTag } from '../env.ts';
import { topicConfigProblem, type Config } from '../protocol/configs.ts';
import type {
  AllocateProducerIdsRequest,
  AlterPartitionPartitionResult,
  AlterPartitionRequest,
  BrokerHeartbeatRequest,
  BrokerRegistrationRequest,
  ControllerMessage,
  ControllerRequest,
  CreatePartitionsRequest,
  CreateTopicsRequest,
  DeleteTopicsRequest,
  IncrementalAlterConfigsRequest,
} from '../protocol/controller.ts';
import { errorResponse } from '../protocol/error-response.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { QuorumMessage, RaftEntry } from '../protocol/quorum.ts';
import type { SecurityMessage, SecurityRequest } from '../protocol/security.ts';
import { alterUserScramCredentials, createAcls, deleteAcls } from './security-admin.ts';
import type { RaftReplica } from '../raft/raft-replica.ts';
import type { ControllerBug } from './bugs.ts';
import { compressionTypeAvailable } from '../broker/log-validator.ts';
import type { Compressors } from '../wire/compression.ts';
import { incrementalAlterConfigs, topicConfigsConflict } from './alter-configs.ts';
import { createPartitions, MAX_RECORDS_PER_USER_OP } from './create-partitions.ts';
import { MetadataImage, type PartitionState } from './image.ts';
import { fencedBrokerChange, isrChange, leaderlessChange, type ElectionRules } from './partition-change.ts';
import { placeReplicas } from './placement.ts';
import { randomUuid } from '../uuid.ts';
import type { MetadataRecord, RegisterBrokerRecord } from './records.ts';

type ControllerEnv = Env<ControllerMessage | SecurityMessage | QuorumMessage<MetadataRecord>>;

const SESSION_CHECK: TimerTag = 'controller:session-check';
const NO_OP: TimerTag = 'controller:no-op';
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
/** How many producer ids a broker gets at a time (Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

interface PendingWrite {
  /** The last offset of the write; the reply goes out once it is committed. */
  offset: number;
  done(): void;
  fail(errorCode: number): void;
}

export class QuorumController {
  private active = false;
  /** The committed image plus this controller's own appended, not yet committed, records. */
  private latest: MetadataImage | null = null;
  private pending: PendingWrite[] = [];
  private readonly lastHeartbeat = new Map<NodeId, number>();
  /** Each broker's metadata offset as its last heartbeat told it (Kafka's BrokerHeartbeatManager metadataOffset). */
  private readonly metadataOffsets = new Map<NodeId, number>();
  /** Per broker in controlled shutdown, the end offset of the records that moved its leaderships away. */
  private readonly shutdownOffsets = new Map<NodeId, number>();
  /** End offset of what the state machine has committed (mirrors the image). */
  private committedEnd = 0;

  constructor(
    readonly id: NodeId,
    private readonly config: Config,
    private readonly raft: RaftReplica<MetadataRecord>,
    private readonly committed: () => MetadataImage,
    private readonly bugs: ReadonlySet<ControllerBug>,
    /** The runtime's record codecs (real mode): a compression.type it lacks is refused; null in the simulator, which only names codecs. */
    private readonly compressors: Compressors | null = null,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  // ---- hooks from the quorum ----------------------------------------------------------------

  /** Committed entries arrived; activates a new leader once its own epoch's first entry commits. */
  committedEntries(env: ControllerEnv, entries: RaftEntry<MetadataRecord>[]): void {
    const last = entries.at(-1);
    if (last !== undefined) this.committedEnd = last.offset + 1;
    if (!this.active && this.raft.isLeader) {
      const ownEpochCommitted = entries.some((e) => e.record.type === 'leader-change' && e.epoch === this.raft.currentEpoch && e.record.leaderId === this.id);
      if (ownEpochCommitted) this.activate(env);
    }
    if (this.pending.length > 0) {
      const done = this.pending.filter((w) => w.offset < this.committedEnd);
      this.pending = this.pending.filter((w) => w.offset >= this.committedEnd);
      for (const w of done) w.done();
    }
  }

  /** A snapshot replaced the state: the committed end moves to its end. */
  snapshotLoaded(endOffset: number): void {
    this.committedEnd = endOffset;
  }

  leaderChanged(env: ControllerEnv, selfIsLeader: boolean): void {
    if (!selfIsLeader && this.active) this.deactivate(env);
  }

  private activate(env: ControllerEnv): void {
    this.active = true;
    env.trace({ kind: 'controller-active', active: true, epoch: this.raft.currentEpoch });
    this.latest = this.committed().clone();
    // Every registered broker gets a full session from now: heartbeats went to the old controller.
    const now = env.now();
    for (const broker of this.latest.brokers.keys()) this.lastHeartbeat.set(broker, now);
    env.setTimer(this.sessionCheckIntervalMs, SESSION_CHECK);
    this.armNoOp(env);
  }

  private armNoOp(env: ControllerEnv): void {
    const interval = this.config.int('metadata.max.idle.interval.ms');
    if (interval > 0) env.setTimer(interval, NO_OP);
  }

  private deactivate(env: ControllerEnv): void {
    this.active = false;
    env.trace({ kind: 'controller-active', active: false, epoch: this.raft.currentEpoch });
    this.latest = null;
    this.lastHeartbeat.clear();
    this.metadataOffsets.clear();
    this.shutdownOffsets.clear();
    env.cancelTimer(SESSION_CHECK);
    env.cancelTimer(NO_OP);
    const pending = this.pending;
    this.pending = [];
    for (const w of pending) w.fail(ErrorCode.NOT_CONTROLLER);
  }

  fire(env: ControllerEnv, tag: TimerTag): boolean {
    if (tag === NO_OP) {
      if (this.active) {
        this.write(
          env,
          [{ type: 'NoOpRecord' }],
          () => {},
          () => {},
        );
        this.armNoOp(env);
      }
      return true;
    }
    if (tag !== SESSION_CHECK) return false;
    if (this.active) {
      this.fenceExpiredBrokers(env);
      env.setTimer(this.sessionCheckIntervalMs, SESSION_CHECK);
    }
    return true;
  }

  private get sessionCheckIntervalMs(): number {
    return Math.max(100, Math.floor(this.config.int('broker.session.timeout.ms') / 18));
  }

  // ---- requests ---------------------------------------------------------------------------

  handle(env: ControllerEnv, from: NodeId, req: ControllerRequest): void {
    if (!this.active || this.latest === null) return rejectNotController(env, from, req);
    switch (req.api) {
      case 'BrokerRegistration':
        return this.onRegistration(env, from, req);
      case 'BrokerHeartbeat':
        return this.onHeartbeat(env, from, req);
      case 'CreateTopics':
        return this.onCreateTopics(env, from, req);
      case 'DeleteTopics':
        return this.onDeleteTopics(env, from, req);
      case 'CreatePartitions':
        return this.onCreatePartitions(env, from, req);
      case 'AlterPartition':
        return this.onAlterPartition(env, from, req);
      case 'AllocateProducerIds':
        return this.onAllocateProducerIds(env, from, req);
      case 'IncrementalAlterConfigs':
        return this.onIncrementalAlterConfigs(env, from, req);
    }
  }

  /** The security admin requests that change the metadata log: CreateAcls, DeleteAcls, AlterUserScramCredentials. */
  handleSecurity(env: ControllerEnv, from: NodeId, req: SecurityRequest): void {
    if (!this.active || this.latest === null) return rejectNotController(env, from, req);
    const latest = this.latest;
    const authorizerEnabled = this.config.string('authorizer.class.name') !== '';
    const records: MetadataRecord[] = [];
    const stage = (record: MetadataRecord) => this.stage(records, record);
    const correlationId = req.correlationId;
    const written = (answer: (override: number | null) => void) =>
      this.write(
        env,
        records,
        () => answer(null),
        (code) => answer(code),
      );
    switch (req.api) {
      case 'CreateAcls': {
        const results = createAcls(latest, req, authorizerEnabled, () => randomUuid(() => env.random()), stage);
        return written((override) =>
          env.send(from, { api: 'CreateAcls', kind: 'response', correlationId, throttleTimeMs: 0, results: lostLeadership(results, override) }),
        );
      }
      case 'DeleteAcls': {
        const filterResults = deleteAcls(latest, req, authorizerEnabled, stage);
        return written((override) =>
          env.send(from, { api: 'DeleteAcls', kind: 'response', correlationId, throttleTimeMs: 0, filterResults: lostLeadership(filterResults, override) }),
        );
      }
      case 'AlterUserScramCredentials': {
        const { results, records: scram } = alterUserScramCredentials(latest, req);
        for (const record of scram) stage(record);
        return written((override) =>
          env.send(from, { api: 'AlterUserScramCredentials', kind: 'response', correlationId, throttleTimeMs: 0, results: lostLeadership(results, override) }),
        );
      }
      default:
        // DescribeAcls and DescribeUserScramCredentials are a broker's: KafkaNode never routes them here.
        return rejectNotController(env, from, req);
    }
  }

  /** A value this runtime cannot honour: a compression.type whose codec it lacks. */
  private readonly runtimeProblem = (name: string, value: string): string | null =>
    name === 'compression.type' && !compressionTypeAvailable(value, this.compressors)
      ? `compression.type ${value}: the ${value} codec is not available in this runtime`
      : null;

  /** Kafka's ConfigurationControlManager: topic configs changed by ConfigRecords, answered once they are committed. */
  private onIncrementalAlterConfigs(env: ControllerEnv, from: NodeId, req: IncrementalAlterConfigsRequest): void {
    const { results, records } = incrementalAlterConfigs(this.latest!, req, this.runtimeProblem);
    this.commitThenAnswer(env, records, (override) =>
      env.send(from, { api: 'IncrementalAlterConfigs', kind: 'response', correlationId: req.correlationId, resources: lostLeadership(results, override) }),
    );
  }

  /** Stages `records`, writes them, and answers once they are committed, or with `override` the error that ended the write. */
  private commitThenAnswer(env: ControllerEnv, records: readonly MetadataRecord[], answer: (override: number | null) => void): void {
    const staged: MetadataRecord[] = [];
    for (const record of records) this.stage(staged, record);
    if (staged.length === 0) return answer(null);
    this.write(
      env,
      staged,
      () => answer(null),
      (code) => answer(code),
    );
  }

  /**
   * Kafka's ProducerIdControlManager: a registered broker of the current epoch gets the next
   * PRODUCER_ID_BLOCK_SIZE ids, once the record that hands them out is committed; no id is ever
   * handed out twice, across controller failovers too, since the block lives in the metadata log.
   */
  private onAllocateProducerIds(env: ControllerEnv, from: NodeId, req: AllocateProducerIdsRequest): void {
    const latest = this.latest!;
    const reply = (errorCode: number, producerIdStart: number, producerIdLen: number) =>
      env.send(from, { api: 'AllocateProducerIds', kind: 'response', correlationId: req.correlationId, errorCode, producerIdStart, producerIdLen });
    const requester = latest.brokers.get(req.brokerId);
    if (requester === undefined) return reply(ErrorCode.BROKER_ID_NOT_REGISTERED, -1, 0);
    if (requester.brokerEpoch !== req.brokerEpoch) return reply(ErrorCode.STALE_BROKER_EPOCH, -1, 0);
    const start = latest.nextProducerId;
    const records: MetadataRecord[] = [];
    this.stage(records, { type: 'ProducerIdsRecord', brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, nextProducerId: start + PRODUCER_ID_BLOCK_SIZE });
    this.write(
      env,
      records,
      () => reply(ErrorCode.NONE, start, PRODUCER_ID_BLOCK_SIZE),
      (code) => reply(code, -1, 0),
    );
  }

  private onRegistration(env: ControllerEnv, from: NodeId, req: BrokerRegistrationRequest): void {
    const latest = this.latest!;
    const reply = (errorCode: number, brokerEpoch: number) =>
      env.send(from, { api: 'BrokerRegistration', kind: 'response', correlationId: req.correlationId, errorCode, brokerEpoch });
    const existing = latest.brokers.get(req.brokerId);
    if (existing !== undefined && existing.incarnationId === req.incarnationId) {
      // A retry of a registration already made: answer with the same epoch once it is committed.
      if (existing.brokerEpoch < this.committedEnd) return reply(ErrorCode.NONE, existing.brokerEpoch);
      this.pending.push({ offset: existing.brokerEpoch, done: () => reply(ErrorCode.NONE, existing.brokerEpoch), fail: (code) => reply(code, -1) });
      return;
    }
    const sinceHeartbeat = env.now() - (this.lastHeartbeat.get(req.brokerId) ?? -Infinity);
    if (existing !== undefined && !existing.fenced && sinceHeartbeat < this.config.int('broker.session.timeout.ms')) {
      return reply(ErrorCode.DUPLICATE_BROKER_REGISTRATION, -1);
    }
    const brokerEpoch = this.raft.logEndOffset;
    const records: MetadataRecord[] = [];
    const registration: RegisterBrokerRecord = {
      type: 'RegisterBrokerRecord',
      brokerId: req.brokerId,
      brokerEpoch,
      incarnationId: req.incarnationId,
      fenced: true,
    };
    // Only a broker that advertised listeners gets the field: records and snapshots without it stay as they were.
    if (req.listeners !== undefined && req.listeners.length > 0)
      registration.listeners = req.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol }));
    this.stage(records, registration);
    // The old incarnation is gone: it leaves every ISR and leadership it held.
    this.stagePartitionChanges(records, (p) => fencedBrokerChange(p, req.brokerId, this.rulesFor(p)));
    this.lastHeartbeat.set(req.brokerId, env.now());
    this.write(
      env,
      records,
      () => reply(ErrorCode.NONE, brokerEpoch),
      (code) => reply(code, -1),
    );
  }

  private onHeartbeat(env: ControllerEnv, from: NodeId, req: BrokerHeartbeatRequest): void {
    const latest = this.latest!;
    const reply = (errorCode: number, isFenced: boolean, isCaughtUp: boolean, shouldShutDown = false) =>
      env.send(from, { api: 'BrokerHeartbeat', kind: 'response', correlationId: req.correlationId, errorCode, isCaughtUp, isFenced, shouldShutDown });
    const broker = latest.brokers.get(req.brokerId);
    if (broker === undefined) return reply(ErrorCode.BROKER_ID_NOT_REGISTERED, true, false);
    if (broker.brokerEpoch !== req.brokerEpoch) return reply(ErrorCode.STALE_BROKER_EPOCH, true, false);
    this.lastHeartbeat.set(req.brokerId, env.now());
    this.metadataOffsets.set(req.brokerId, req.currentMetadataOffset);
    // Caught up: the broker has applied the metadata log up to its own registration.
    const caughtUp = req.currentMetadataOffset >= broker.brokerEpoch;
    if (req.wantShutDown) return this.controlledShutdown(env, req.brokerId, caughtUp, reply);
    if (broker.fenced && caughtUp && !req.wantFence && !this.bugs.has('controller-never-unfences')) {
      const records: MetadataRecord[] = [];
      this.stage(records, { type: 'UnfenceBrokerRecord', id: req.brokerId, epoch: broker.brokerEpoch });
      this.stagePartitionChanges(records, (p) => (p.replicas.includes(req.brokerId) ? leaderlessChange(p, this.rulesFor(p)) : null));
      this.write(
        env,
        records,
        () => reply(ErrorCode.NONE, false, true),
        (code) => reply(code, true, true),
      );
      return;
    }
    if (!broker.fenced && req.wantFence) {
      this.write(
        env,
        this.fenceRecords(req.brokerId),
        () => reply(ErrorCode.NONE, true, caughtUp),
        (code) => reply(code, false, caughtUp),
      );
      return;
    }
    reply(ErrorCode.NONE, broker.fenced, caughtUp);
  }

  /**
   * A heartbeat with wantShutDown (Kafka's BrokerHeartbeatManager.calculateNextBrokerState and
   * ReplicationControlManager.handleBrokerInControlledShutdown): a fenced broker, or one that leads
   * nothing, may go at once and is fenced; otherwise the controller records that it is in
   * controlled shutdown and moves its leaderships and ISR places to other active brokers. It may
   * go once those records are committed and every other active broker has applied them; it is
   * then fenced, and told shouldShutDown.
   */
  private controlledShutdown(
    env: ControllerEnv,
    brokerId: NodeId,
    caughtUp: boolean,
    reply: (errorCode: number, isFenced: boolean, isCaughtUp: boolean, shouldShutDown?: boolean) => void,
  ): void {
    const latest = this.latest!;
    const broker = latest.brokers.get(brokerId)!;
    const leads = latest.allPartitions().some((p) => p.leader === brokerId);
    const shutDownNow = () =>
      this.write(
        env,
        broker.fenced ? [] : this.fenceRecords(brokerId),
        () => reply(ErrorCode.NONE, true, caughtUp, true),
        (code) => reply(code, broker.fenced, caughtUp),
      );
    if (broker.fenced || (broker.inControlledShutdown !== true && !leads)) return shutDownNow();
    if (broker.inControlledShutdown !== true) {
      const records: MetadataRecord[] = [];
      this.stage(records, { type: 'BrokerRegistrationChangeRecord', brokerId, brokerEpoch: broker.brokerEpoch, inControlledShutdown: true });
      this.stagePartitionChanges(records, (p) => fencedBrokerChange(p, brokerId, this.rulesFor(p)));
      this.write(
        env,
        records,
        () => reply(ErrorCode.NONE, false, caughtUp),
        (code) => reply(code, false, caughtUp),
      );
      this.shutdownOffsets.set(brokerId, this.raft.logEndOffset);
      return;
    }
    // A controller that took over without the offset waits for everything committed so far.
    const offset = this.shutdownOffsets.get(brokerId) ?? this.committedEnd;
    const othersCaughtUp = [...latest.brokers.keys()].every((b) => b === brokerId || !latest.isActive(b) || (this.metadataOffsets.get(b) ?? -1) >= offset - 1);
    if (this.committedEnd >= offset && othersCaughtUp) return shutDownNow();
    reply(ErrorCode.NONE, false, caughtUp);
  }

  private fenceExpiredBrokers(env: ControllerEnv): void {
    const latest = this.latest!;
    const timeout = this.config.int('broker.session.timeout.ms');
    const now = env.now();
    for (const broker of latest.brokers.values()) {
      if (broker.fenced) continue;
      const last = this.lastHeartbeat.get(broker.brokerId) ?? now;
      if (now - last >= timeout)
        this.write(
          env,
          this.fenceRecords(broker.brokerId),
          () => {},
          () => {},
        );
      if (!this.active) return;
    }
  }

  private fenceRecords(brokerId: NodeId): MetadataRecord[] {
    const broker = this.latest!.brokers.get(brokerId)!;
    const records: MetadataRecord[] = [];
    this.stage(records, { type: 'FenceBrokerRecord', id: brokerId, epoch: broker.brokerEpoch });
    this.stagePartitionChanges(records, (p) => fencedBrokerChange(p, brokerId, this.rulesFor(p)));
    return records;
  }

  private onCreateTopics(env: ControllerEnv, from: NodeId, req: CreateTopicsRequest): void {
    const latest = this.latest!;
    const results: Array<{
      name: string;
      topicId: string | null;
      errorCode: number;
      errorMessage: string | null;
      numPartitions: number;
      replicationFactor: number;
    }> = [];
    const records: MetadataRecord[] = [];
    const brokers = latest.unfencedBrokers();
    let placedPartitions = 0;
    for (const topic of req.topics) {
      const partitions = topic.numPartitions === -1 ? this.config.int('num.partitions') : topic.numPartitions;
      const rf = topic.replicationFactor === -1 ? this.config.int('default.replication.factor') : topic.replicationFactor;
      const fail = (errorCode: number, errorMessage: string) =>
        results.push({ name: topic.name, topicId: null, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 });
      const configProblem =
        topic.configs.map((c) => topicConfigProblem(c.name, c.value) ?? this.runtimeProblem(c.name, c.value)).find((p) => p !== null) ??
        topicConfigsConflict(Object.fromEntries(topic.configs.map((c) => [c.name, c.value])));
      if (!TOPIC_NAME.test(topic.name) || topic.name === '.' || topic.name === '..')
        fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `invalid topic name "${topic.name}"`);
      else if (latest.topicByName(topic.name) !== undefined) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic "${topic.name}" already exists`);
      else if (partitions < 1) fail(ErrorCode.INVALID_PARTITIONS, `number of partitions must be at least 1, got ${partitions}`);
      else if (rf < 1) fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor must be at least 1, got ${rf}`);
      else if (rf > brokers.length) fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${rf} exceeds the ${brokers.length} unfenced broker(s)`);
      else if (configProblem !== undefined && configProblem !== null) fail(ErrorCode.INVALID_CONFIG, configProblem);
      // Bounded as Kafka bounds one operation's records: placing millions of partitions would stall the controller.
      else if (placedPartitions + partitions > MAX_RECORDS_PER_USER_OP)
        fail(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
      else {
        placedPartitions += partitions;
        const topicId = randomUuid(() => env.random());
        results.push({ name: topic.name, topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: partitions, replicationFactor: rf });
        if (req.validateOnly) continue;
        this.stage(records, { type: 'TopicRecord', name: topic.name, topicId });
        for (const c of topic.configs) this.stage(records, { type: 'ConfigRecord', resourceType: 2, resourceName: topic.name, name: c.name, value: c.value });
        const placement = placeReplicas(brokers, partitions, rf, Math.floor(env.random() * brokers.length));
        placement.forEach((replicas, partitionId) =>
          this.stage(records, {
            type: 'PartitionRecord',
            partitionId,
            topicId,
            replicas,
            isr: [...replicas],
            leader: replicas[0]!,
            leaderRecoveryState: 0,
            leaderEpoch: 0,
            partitionEpoch: 0,
          }),
        );
      }
    }
    const reply = (override: number | null) =>
      env.send(from, {
        api: 'CreateTopics',
        kind: 'response',
        correlationId: req.correlationId,
        topics: results.map((r) =>
          override === null || r.errorCode !== ErrorCode.NONE
            ? r
            : { ...r, topicId: null, errorCode: override, errorMessage: 'the controller lost leadership' },
        ),
      });
    if (records.length === 0) return reply(null);
    this.write(
      env,
      records,
      () => reply(null),
      (code) => reply(code),
    );
  }

  private onDeleteTopics(env: ControllerEnv, from: NodeId, req: DeleteTopicsRequest): void {
    const latest = this.latest!;
    const results: Array<{ name: string; topicId: string | null; errorCode: number; errorMessage: string | null }> = [];
    const records: MetadataRecord[] = [];
    for (const name of req.topicNames) {
      const topic = latest.topicByName(name);
      if (topic === undefined) {
        results.push({ name, topicId: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic "${name}"` });
        continue;
      }
      results.push({ name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
      this.stage(records, { type: 'RemoveTopicRecord', topicId: topic.topicId });
    }
    const reply = (override: number | null) =>
      env.send(from, {
        api: 'DeleteTopics',
        kind: 'response',
        correlationId: req.correlationId,
        responses: results.map((r) =>
          override === null || r.errorCode !== ErrorCode.NONE ? r : { ...r, errorCode: override, errorMessage: 'the controller lost leadership' },
        ),
      });
    if (records.length === 0) return reply(null);
    this.write(
      env,
      records,
      () => reply(null),
      (code) => reply(code),
    );
  }

  private onCreatePartitions(env: ControllerEnv, from: NodeId, req: CreatePartitionsRequest): void {
    const { results, records } = createPartitions(this.latest!, req, () => env.random());
    this.commitThenAnswer(env, records, (override) =>
      env.send(from, { api: 'CreatePartitions', kind: 'response', correlationId: req.correlationId, results: lostLeadership(results, override) }),
    );
  }

  private onAlterPartition(env: ControllerEnv, from: NodeId, req: AlterPartitionRequest): void {
    const latest = this.latest!;
    const reply = (errorCode: number, topics: Array<{ topicId: string; partitions: AlterPartitionPartitionResult[] }>) =>
      env.send(from, { api: 'AlterPartition', kind: 'response', correlationId: req.correlationId, errorCode, topics });
    const requester = latest.brokers.get(req.brokerId);
    if (requester === undefined || requester.brokerEpoch !== req.brokerEpoch) return reply(ErrorCode.STALE_BROKER_EPOCH, []);
    const records: MetadataRecord[] = [];
    const results: Array<{ topicId: string; partitions: AlterPartitionPartitionResult[] }> = [];
    for (const topic of req.topics) {
      const partitions: AlterPartitionPartitionResult[] = [];
      results.push({ topicId: topic.topicId, partitions });
      for (const change of topic.partitions) {
        const p = latest.topics.get(topic.topicId)?.partitions[change.partitionIndex];
        const error = this.alterPartitionError(p, req.brokerId, change);
        if (error !== ErrorCode.NONE || p === undefined) {
          partitions.push(partitionResult(p, change.partitionIndex, error === ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : error));
          continue;
        }
        const record = isrChange(
          p,
          change.newIsrWithEpochs.map((b) => b.brokerId),
          change.leaderRecoveryState,
        );
        if (record !== null) this.stage(records, record);
        partitions.push(partitionResult(p, change.partitionIndex, ErrorCode.NONE));
      }
    }
    if (records.length === 0) return reply(ErrorCode.NONE, results);
    // Answer with the state as committed: the partition results above already show it (staged).
    this.write(
      env,
      records,
      () => reply(ErrorCode.NONE, results),
      (code) => reply(code, []),
    );
  }

  private alterPartitionError(p: PartitionState | undefined, brokerId: NodeId, change: AlterPartitionRequest['topics'][number]['partitions'][number]): number {
    const latest = this.latest!;
    if (p === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (p.leader !== brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (change.leaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (change.leaderEpoch > p.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (change.partitionEpoch !== p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
    const isr = change.newIsrWithEpochs;
    if (isr.length === 0 || !isr.some((b) => b.brokerId === p.leader)) return ErrorCode.INVALID_REQUEST;
    // KIP-903: every member must be a live replica in the incarnation the leader saw (its broker
    // epoch), so a replica that restarted and lost data cannot slip back in with its old epoch.
    for (const member of isr) {
      const broker = latest.brokers.get(member.brokerId);
      const eligible =
        p.replicas.includes(member.brokerId) &&
        broker !== undefined &&
        latest.isActive(member.brokerId) &&
        (member.brokerEpoch === -1 || member.brokerEpoch === broker.brokerEpoch);
      if (!eligible) return ErrorCode.INELIGIBLE_REPLICA;
    }
    return ErrorCode.NONE;
  }

  // ---- writing ----------------------------------------------------------------------------

  /** Adds a record to a batch and applies it to the latest image, so later decisions see it. */
  private stage(records: MetadataRecord[], record: MetadataRecord): void {
    records.push(record);
    this.latest!.apply(record);
  }

  private stagePartitionChanges(records: MetadataRecord[], change: (p: PartitionState) => MetadataRecord | null): void {
    for (const p of this.latest!.allPartitions()) {
      const record = change(p);
      if (record !== null) this.stage(records, record);
    }
  }

  private write(env: ControllerEnv, records: MetadataRecord[], done: () => void, fail: (errorCode: number) => void): void {
    if (records.length === 0) return done();
    const offset = this.raft.append(env, records);
    if (offset === null) {
      this.deactivate(env);
      return fail(ErrorCode.NOT_CONTROLLER);
    }
    // A single-voter quorum may have committed the write already.
    if (offset < this.committedEnd) return done();
    this.pending.push({ offset, done, fail });
  }

  private rulesFor(p: PartitionState): ElectionRules {
    const latest = this.latest!;
    const topicUnclean = latest.topics.get(p.topicId)?.config['unclean.leader.election.enable'];
    return {
      isUnfenced: (broker) => latest.isActive(broker),
      uncleanLeaderElection: topicUnclean === undefined ? this.config.bool('unclean.leader.election.enable') : topicUnclean === 'true',
      bugs: this.bugs,
    };
  }
}

function partitionResult(p: PartitionState | undefined, partitionIndex: number, errorCode: number): AlterPartitionPartitionResult {
  return {
    partitionIndex,
    errorCode,
    leaderId: p?.leader ?? null,
    leaderEpoch: p?.leaderEpoch ?? -1,
    isr: p === undefined ? [] : [...p.isr],
    leaderRecoveryState: p?.leaderRecoveryState ?? 0,
    partitionEpoch: p?.partitionEpoch ?? -1,
  };
}

/** Answers a controller request as a node that is not the active controller (NOT_CONTROLLER). */
export function rejectNotController(env: ControllerEnv, from: NodeId, req: ControllerRequest | SecurityRequest): void {
  env.send(from, errorResponse(req, ErrorCode.NOT_CONTROLLER, 'this node is not the active controller'));
}

/** Results as answered: those that succeeded carry `override` instead when the write that committed them failed. */
function lostLeadership<R extends { errorCode: number }>(results: readonly R[], override: number | null): R[] {
  return results.map((r) =>
    override === null || r.errorCode !== ErrorCode.NONE ? r : { ...r, errorCode: override, errorMessage: 'the controller lost leadership' },
  );
}
