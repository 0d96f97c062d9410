// The broker's replica manager (Kafka's ReplicaManager): the partitions this broker holds, led or
// followed as the metadata says; Produce with acks 0, 1 and all and min.insync.replicas (writes
// waiting for the high watermark until request.timeout); Fetch for consumers (up to the high
// watermark) and followers (fenced by leader epoch, KIP-320; diverging epochs, KIP-595), both
// long-polled; ListOffsets, OffsetForLeaderEpoch, Metadata, InitProducerId (ids from blocks the
// controller allots, producer-ids.ts) and DescribeConfigs (in describe-configs.ts); ISR shrink and
// expansion through AlterPartition; high watermark checkpoints; the log start offset: retention
// every log.retention.check.interval.ms (core/log/retention.ts), DeleteRecords waiting for every
// replica to reach it, followers taking their leader's, and its checkpoints.

import type { MetadataImage, PartitionState } from '../controller/image.ts';
import type { Env, NodeId, TimerTag } from '../env.ts';
import { retentionDecision, retentionPolicy, type RetentionPolicy } from '../log/retention.ts';
import { brokerRetentionMs, effectiveTopicConfig, type Config } from '../protocol/configs.ts';
import type {
  AllocateProducerIdsRequest,
  AllocateProducerIdsResponse,
  AlterPartitionRequest,
  AlterPartitionResponse,
  CreateTopicsRequest,
} from '../protocol/controller.ts';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  DELETE_UP_TO_HIGH_WATERMARK,
  type DataMessage,
  type DataRequest,
  type DeleteRecordsPartitionResult,
  type DeleteRecordsRequest,
  type FetchPartitionRequest,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
  type InitProducerIdRequest,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  type MetadataRequest,
  type OffsetForLeaderEpochRequest,
  type ProducePartitionResponse,
  type ProduceRequest,
} from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';
import {
  batchSizeInBytes,
  isControl,
  isTransactional,
  lastOffsetOf,
  NO_PRODUCER_ID,
  TRANSACTIONAL_BIT,
  type KafkaRecord,
  type RecordBatch,
} from '../protocol/records.ts';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../protocol/txn.ts';
import { OFFSETS_TOPIC } from '../group/offsets-topic.ts';
import { TRANSACTION_STATE_TOPIC, transactionPartitionFor } from '../txn/transaction-topic.ts';
import type { LeaderHint } from '../protocol/quorum.ts';
import type { Compressors } from '../wire/compression.ts';
import type { BrokerBug } from './bugs.ts';
import { describeConfigs } from './describe-configs.ts';
import { FollowerFetcher } from './follower-fetcher.ts';
import type { CompressionType, TimestampType } from './log-validator.ts';
import { logConfigOf } from '../log/log-config.ts';
import { Partition, type PartitionSettings, type VerificationGuard } from './partition.ts';
import { isCompacted, LogCleaner, type CleanerCandidate } from './log-cleaner.ts';
import type { LogBug } from '../log/bugs.ts';
import { OffsetCheckpoints } from './offset-checkpoints.ts';
import { ProducerIdBlocks } from './producer-ids.ts';

/** What the replica manager sends: data-plane responses, follower fetches and ISR changes. */
type BrokerEnv = Env<
  DataMessage | AlterPartitionRequest | AllocateProducerIdsRequest | CreateTopicsRequest | AddPartitionsToTxnRequest | WriteTxnMarkersResponse
>;

/** Kafka's Topic.isInternal: these topics are created with cleanup.policy=compact, and DeleteRecords refuses them. */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);
/** The size batchSizeInBytes counts for a batch before its records. */
const BATCH_HEADER_BYTES = 61;
const T = {
  isrCheck: 'replica:isr-check',
  hwCheckpoint: 'replica:hw-checkpoint',
  produceTimeout: 'replica:produce-timeout:',
  fetchWait: 'replica:fetch-wait:',
  alterPartition: 'replica:alter-partition:',
  producerIds: 'replica:producer-ids',
  offsetReset: 'replica:offset-reset:',
  flush: 'replica:flush:',
  retention: 'replica:retention',
  cleaner: 'replica:log-cleaner',
  logStartCheckpoint: 'replica:log-start-checkpoint',
  deleteRecordsTimeout: 'replica:delete-records-timeout:',
  txnVerification: 'replica:txn-verification:',
} as const;

interface DelayedProduce {
  id: number;
  /** Who gets the response; null for a write of the broker's own (the group coordinator's), answered through `done`. */
  from: NodeId | null;
  done?: (errorCode: number) => void;
  correlationId: number;
  results: Array<{ name: string; partition: ProducePartitionResponse }>;
  /** Partition key -> the offset the high watermark must pass. */
  waiting: Map<string, number>;
}

/** A DeleteRecords request waiting until every replica's log start reaches the new one (Kafka's DelayedDeleteRecords). */
interface DelayedDeleteRecords {
  id: number;
  from: NodeId;
  correlationId: number;
  results: Array<{ name: string; partition: DeleteRecordsPartitionResult }>;
  /** Partition key -> the log start offset every replica must reach. */
  waiting: Map<string, number>;
}

/** A Produce whose transactional batches wait for their coordinator's KIP-890 answer (Kafka's AddPartitionsToTxnManager). */
interface PendingVerification {
  id: number;
  from: NodeId;
  request: ProduceRequest;
  results: DelayedProduce['results'];
  waiting: Map<string, number>;
  /** The correlation id of the AddPartitionsToTxn sent for them (-1 before it is sent). */
  correlationId: number;
  /** Where it went; null when the image names no coordinator. */
  coordinator: NodeId | null;
  held: Array<{ name: string; index: number; records: RecordBatch; guard: VerificationGuard; result: ProducePartitionResponse }>;
}

interface DelayedFetch {
  id: number;
  from: NodeId;
  request: FetchRequest;
  keys: string[];
}

/** Kafka's legal topic names (Topic.validate): at most 249 of letters, digits, '.', '_' and '-'. */
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export interface ReplicaManagerHooks {
  /** The active controller, as this node knows it. */
  controller(): NodeId | null;
  /** This broker's epoch, or -1 before it registered. */
  brokerEpoch(): number;
  clusterId: string;
  /** The runtime's record codecs (real mode); absent in the simulator, whose batches carry no bytes and only name their codec. */
  compressors?: Compressors;
  /** The log cleaner's seeded bugs. */
  logBugs?: ReadonlySet<LogBug>;
  /** This broker became the leader of a partition (its leader epoch) or stopped leading it (null). */
  leadershipChanged?(env: Env<never>, topic: string, partition: number, leaderEpoch: number | null): void;
  /**
   * A transaction marker was appended to a partition of __consumer_offsets this broker leads and
   * every ISR replica has it (the group coordinator materializes or drops the producer's pending
   * transactional offset commits, Kafka's scheduleHandleTxnCompletion); `offset` is the marker's.
   */
  txnMarkerWritten?(env: Env<never>, topic: string, partition: number, producerId: number, committed: boolean, offset: number): void;
}

export class ReplicaManager {
  readonly partitions = new Map<string, Partition>();
  private readonly fetcher: FollowerFetcher;
  private readonly produces = new Map<number, DelayedProduce>();
  private readonly fetches = new Map<number, DelayedFetch>();
  private readonly deleteRecords = new Map<number, DelayedDeleteRecords>();
  private readonly verifications = new Map<number, PendingVerification>();
  private readonly alterInFlight = new Map<string, number>();
  /** Partitions with a flush.ms timer armed. */
  private readonly flushArmed = new Set<string>();
  private readonly checkpoints = new OffsetCheckpoints();
  private readonly cleaner: LogCleaner;
  private nextId = 1;
  /** Topics this broker asked the controller to auto-create, with when it asked. */
  private readonly autoCreating = new Map<string, number>();
  private nextAutoCreateId = 1;
  private nextCorrelationId = 1;
  private readonly producerIds = new ProducerIdBlocks();
  /**
   * Followed partitions answered OFFSET_OUT_OF_RANGE, by key: the ListOffsets sent to their leader
   * about it, first for its log end (latest), then, when this log is not ahead, its log start (earliest).
   */
  private readonly resetting = new Map<string, { leader: NodeId; leaderEpoch: number; correlationId: number; timestamp: number }>();
  private active = false;
  private image: MetadataImage | null = null;

  constructor(
    readonly brokerId: NodeId,
    private readonly config: Config,
    private readonly bugs: ReadonlySet<BrokerBug>,
    private readonly hooks: ReplicaManagerHooks,
  ) {
    this.cleaner = new LogCleaner(config, hooks.logBugs ?? new Set(), hooks.compressors);
    this.fetcher = new FollowerFetcher(
      brokerId,
      {
        maxWaitMs: config.int('replica.fetch.wait.max.ms'),
        minBytes: config.int('replica.fetch.min.bytes'),
        maxBytes: config.int('replica.fetch.max.bytes'),
        backoffMs: config.int('replica.fetch.backoff.ms'),
        requestTimeoutMs: config.int('replica.socket.timeout.ms'),
      },
      hooks.brokerEpoch,
      (key) => {
        const p = this.partitions.get(key);
        // A partition asking its leader where its log ends (after OFFSET_OUT_OF_RANGE) fetches nothing meanwhile.
        if (p === undefined || p.role !== 'follower' || this.resetting.has(key)) return null;
        return {
          topic: p.topic,
          partition: p.partition,
          leaderEpoch: p.leaderEpoch,
          fetchOffset: p.logEndOffset,
          lastFetchedEpoch: p.lastFetchedEpoch,
          logStartOffset: p.log.logStartOffset,
        };
      },
    );
  }

  start(env: BrokerEnv): void {
    this.checkpoints.read(env.storage);
    env.setTimer(this.config.int('replica.high.watermark.checkpoint.interval.ms'), T.hwCheckpoint);
    env.setTimer(this.isrCheckIntervalMs, T.isrCheck);
    env.setTimer(this.config.int('log.retention.check.interval.ms'), T.retention);
    env.setTimer(this.config.int('log.flush.start.offset.checkpoint.interval.ms'), T.logStartCheckpoint);
    this.cleaner.read(env as Env<never>);
    if (this.config.bool('log.cleaner.enable')) env.setTimer(this.config.int('log.cleaner.backoff.ms'), T.cleaner);
  }

  /** transaction.partition.verification.enable, unless the seeded bug hanging-transaction turned it off. */
  private get verifyTransactions(): boolean {
    return this.config.bool('transaction.partition.verification.enable') && !this.bugs.has('hanging-transaction');
  }

  private get isrCheckIntervalMs(): number {
    return Math.max(100, Math.floor(this.config.int('replica.lag.time.max.ms') / 2));
  }

  // ---- metadata --------------------------------------------------------------------------------

  /**
   * Takes the partitions' states from the metadata image once this broker is registered and has
   * caught up with its own registration; before that it serves no partition.
   */
  applyImage(env: BrokerEnv, image: MetadataImage, ready: boolean): void {
    this.image = image;
    if (!ready) return;
    this.active = true;
    const seen = new Set<string>();
    // Settings come from the topic's configs: worked out once per topic per image, not per partition.
    const byTopic = new Map<string, PartitionSettings>();
    const settingsOf = (state: PartitionState): PartitionSettings => {
      let settings = byTopic.get(state.topicId);
      if (settings === undefined) byTopic.set(state.topicId, (settings = this.partitionSettings(state)));
      return settings;
    };
    for (const state of image.allPartitions()) {
      if (!state.replicas.includes(this.brokerId)) continue;
      const key = `${state.topic}-${state.partition}`;
      seen.add(key);
      let p = this.partitions.get(key);
      let minIsrChanged = false;
      if (p === undefined) {
        p = Partition.open(env, this.brokerId, state, this.checkpoints.of(key), settingsOf(state));
        this.partitions.set(key, p);
      } else {
        // Topic configs altered at run time (IncrementalAlterConfigs) take effect here, on the next image.
        const settings = settingsOf(state);
        minIsrChanged = settings.minIsr !== p.settings.minIsr;
        p.settings = settings;
      }
      p.log.setConfig(p.settings.log);
      const change = p.applyMetadata(env, state);
      // A lower min.insync.replicas may free a held high watermark (and the acks=all writes waiting on it); a higher one holds it.
      if (change === 'unchanged' && minIsrChanged && p.role === 'leader' && p.maybeIncrementHw(env)) this.afterHwChange(env, key);
      if (change === 'became-leader') {
        this.fetcher.unfollow(key);
        this.failWaiting(env, key, ErrorCode.NOT_LEADER_OR_FOLLOWER);
        this.afterHwChange(env, key);
        this.hooks.leadershipChanged?.(env as Env<never>, p.topic, p.partition, p.leaderEpoch);
      } else if (change === 'became-follower') {
        this.failWaiting(env, key, ErrorCode.NOT_LEADER_OR_FOLLOWER);
        this.hooks.leadershipChanged?.(env as Env<never>, p.topic, p.partition, null);
        if (state.leader !== null) this.fetcher.follow(key, state.leader);
        else this.fetcher.unfollow(key);
      } else if (change === 'isr-updated') {
        this.afterHwChange(env, key);
      }
    }
    for (const [key, p] of this.partitions) {
      if (seen.has(key)) continue;
      p.stop(env);
      this.fetcher.unfollow(key);
      this.failWaiting(env, key, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      this.partitions.delete(key);
      this.hooks.leadershipChanged?.(env as Env<never>, p.topic, p.partition, null);
      if (image.topics.get(p.topicId) === undefined) {
        p.log.deleteFiles();
        // A topic created again under this name starts from scratch.
        this.checkpoints.forget(key);
        this.cleaner.forget(key);
      }
    }
    this.fetcher.pump(env);
  }

  private partitionSettings(state: PartitionState): PartitionSettings {
    const topicConfig = this.image?.topics.get(state.topicId)?.config ?? {};
    const num = (topicKey: string, brokerValue: number) => (topicConfig[topicKey] === undefined ? brokerValue : Number(topicConfig[topicKey]));
    return {
      minIsr: num('min.insync.replicas', this.config.int('min.insync.replicas')),
      replicaLagTimeMaxMs: this.config.int('replica.lag.time.max.ms'),
      flushMessages: num('flush.messages', this.config.int('log.flush.interval.messages')),
      log: logConfigOf(topicConfig, this.config),
      validation: {
        maxMessageBytes: Number(effectiveTopicConfig('max.message.bytes', topicConfig, this.config)),
        timestampType: effectiveTopicConfig('message.timestamp.type', topicConfig, this.config) as TimestampType,
        compressionType: effectiveTopicConfig('compression.type', topicConfig, this.config) as CompressionType,
        compressors: this.hooks.compressors ?? null,
        compacted: isCompacted(topicConfig, this.config, INTERNAL_TOPICS.has(state.topic)),
      },
      bugs: this.bugs,
      isrEligible: this.isrEligible,
      verifyTransactions: this.verifyTransactions,
    };
  }

  /** Kafka's isReplicaIsrEligible: registered, unfenced and not in controlled shutdown in this broker's image, fetching with that registration's epoch (KIP-903; -1 from a fetcher that sends none). */
  private readonly isrEligible = (follower: NodeId, brokerEpoch: number): boolean => {
    const registration = this.image?.brokers.get(follower);
    return registration !== undefined && this.image!.isActive(follower) && (brokerEpoch === -1 || brokerEpoch === registration.brokerEpoch);
  };

  /** A topic's retention: its own configs over this broker's log.retention.* (internal topics are compacted, as Kafka creates them). */
  private retentionPolicy(p: Partition): RetentionPolicy {
    return retentionPolicy(this.image?.topics.get(p.topicId)?.config ?? {}, {
      cleanupPolicy: INTERNAL_TOPICS.has(p.topic) ? 'compact' : 'delete',
      retentionMs: brokerRetentionMs(this.config),
      retentionBytes: this.config.int('log.retention.bytes'),
    });
  }

  private flushMs(p: Partition): number {
    const topicValue = this.image?.topics.get(p.topicId)?.config['flush.ms'];
    return topicValue === undefined ? this.config.int('log.flush.interval.ms') : Number(topicValue);
  }

  // ---- requests --------------------------------------------------------------------------------

  handle(env: BrokerEnv, from: NodeId, req: DataRequest): void {
    switch (req.api) {
      case 'Produce':
        return this.onProduce(env, from, req);
      case 'Fetch':
        return this.onFetch(env, from, req);
      case 'ListOffsets':
        return this.onListOffsets(env, from, req);
      case 'OffsetForLeaderEpoch':
        return this.onOffsetForLeaderEpoch(env, from, req);
      case 'Metadata':
        return this.onMetadata(env, from, req);
      case 'InitProducerId':
        return this.onInitProducerId(env, from, req);
      case 'DescribeConfigs':
        return env.send(from, describeConfigs(req, { brokerId: this.brokerId, config: this.config, image: this.image }));
      case 'DeleteRecords':
        return this.onDeleteRecords(env, from, req);
    }
  }

  /** A leader hint for clients and followers: where the image says the partition's leader is. */
  private leaderHint(topic: string, partition: number): LeaderHint {
    const state = this.image?.partition(topic, partition);
    return { leaderId: state?.leader ?? null, leaderEpoch: state?.leaderEpoch ?? -1 };
  }

  private leaderOf(topic: string, partition: number): Partition | null {
    if (!this.active) return null;
    const p = this.partitions.get(`${topic}-${partition}`);
    return p !== undefined && p.role === 'leader' ? p : null;
  }

  private onProduce(env: BrokerEnv, from: NodeId, req: ProduceRequest): void {
    const results: DelayedProduce['results'] = [];
    const waiting = new Map<string, number>();
    const held: PendingVerification['held'] = [];
    for (const topic of req.topicData) {
      for (const data of topic.partitionData) {
        const result: ProducePartitionResponse = {
          index: data.index,
          errorCode: ErrorCode.NONE,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
          errorMessage: null,
          currentLeader: null,
        };
        results.push({ name: topic.name, partition: result });
        const guard = this.verificationGuard(req, topic.name, data.index, data.records);
        if (guard !== null) held.push({ name: topic.name, index: data.index, records: data.records, guard, result });
        else this.produceToLeader(env, req, topic.name, data.index, data.records, null, result, waiting);
      }
    }
    if (held.length > 0) return this.verify(env, from, req, results, waiting, held);
    this.finishProduce(env, from, req, results, waiting);
  }

  /**
   * Appends one partition's batch of a Produce as its leader, filling in `result`; an acks=all
   * write adds the offset its high watermark must pass to `waiting`.
   */
  private produceToLeader(
    env: BrokerEnv,
    req: ProduceRequest,
    name: string,
    index: number,
    records: RecordBatch,
    guard: VerificationGuard | null,
    result: ProducePartitionResponse,
    waiting: Map<string, number>,
  ): void {
    const p = this.leaderOf(name, index);
    if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) {
      result.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
      return;
    }
    if (p === null) {
      result.errorCode = this.image?.topicByName(name) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER;
      result.currentLeader = this.leaderHint(name, index);
      return;
    }
    if (req.acks === -1 && p.underMinIsr) {
      result.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
      result.errorMessage = `the ISR has ${p.isr.length} of the ${p.effectiveMinIsr} replicas min.insync.replicas requires`;
      return;
    }
    // Kafka's LogValidator refuses control batches from clients: only coordinators write markers.
    if (isControl(records)) {
      result.errorCode = ErrorCode.INVALID_RECORD;
      result.errorMessage = 'a client may not write a control batch';
      return;
    }
    const appended = p.appendAsLeader(env, records, env.now(), { guard });
    result.logStartOffset = p.log.logStartOffset;
    if (appended.errorCode !== ErrorCode.NONE) {
      result.errorCode = appended.errorCode;
      result.errorMessage = 'message' in appended ? appended.message : null;
      return;
    }
    if ('baseOffset' in appended) {
      result.baseOffset = appended.baseOffset;
      result.logAppendTimeMs = appended.logAppendTime;
      if (!appended.duplicate) this.afterAppend(env, p);
      if (req.acks === -1 && !this.bugs.has('ack-before-hw')) waiting.set(p.key, appended.lastOffset + 1);
    }
  }

  /** Answers a Produce whose partitions are all appended (or failed), or parks it until their high watermarks pass. */
  private finishProduce(env: BrokerEnv, from: NodeId, req: ProduceRequest, results: DelayedProduce['results'], waiting: Map<string, number>): void {
    if (req.acks === 0) return;
    const delayed: DelayedProduce = { id: this.nextId++, from, correlationId: req.correlationId, results, waiting };
    this.checkProduce(env, delayed);
    if (delayed.waiting.size === 0) return this.answerProduce(env, delayed);
    this.produces.set(delayed.id, delayed);
    env.setTimer(req.timeoutMs, T.produceTimeout + delayed.id);
  }

  // ---- KIP-890 part 1: verifying a transaction with its coordinator -------------------------------

  /**
   * The guard a transactional batch must bring when it would open a transaction on a partition this
   * broker leads (Kafka's maybeStartTransactionVerification); null when no verification is needed.
   */
  private verificationGuard(req: ProduceRequest, name: string, index: number, records: RecordBatch): VerificationGuard | null {
    if (!this.verifyTransactions || req.transactionalId === null || !isTransactional(records) || isControl(records)) return null;
    if (records.producerId === NO_PRODUCER_ID) return null;
    return this.leaderOf(name, index)?.startVerification(records.producerId) ?? null;
  }

  /** The transaction coordinator of a transactional id in this broker's image (the leader of its __transaction_state partition), or null. */
  private transactionCoordinator(transactionalId: string): NodeId | null {
    const topic = this.image?.topicByName(TRANSACTION_STATE_TOPIC);
    if (topic === undefined || topic.partitions.length === 0) return null;
    return topic.partitions[transactionPartitionFor(transactionalId, topic.partitions.length)]?.leader ?? null;
  }

  /** Holds the batches that would open a transaction while their coordinator is asked whether their partitions are in it (AddPartitionsToTxn, verifyOnly). */
  private verify(
    env: BrokerEnv,
    from: NodeId,
    req: ProduceRequest,
    results: DelayedProduce['results'],
    waiting: Map<string, number>,
    held: PendingVerification['held'],
  ): void {
    const transactionalId = req.transactionalId!;
    const coordinator = this.transactionCoordinator(transactionalId);
    const pending: PendingVerification = { id: this.nextId++, from, request: req, results, waiting, correlationId: -1, coordinator, held };
    if (coordinator === null) return this.verified(env, pending, () => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    pending.correlationId = this.nextCorrelationId++;
    this.verifications.set(pending.id, pending);
    env.setTimer(this.config.int('replica.socket.timeout.ms'), T.txnVerification + pending.id);
    const topics = new Map<string, number[]>();
    for (const h of held) topics.set(h.name, [...(topics.get(h.name) ?? []), h.index]);
    const first = held[0]!.records;
    env.send(coordinator, {
      api: 'AddPartitionsToTxn',
      kind: 'request',
      correlationId: pending.correlationId,
      transactions: [
        {
          transactionalId,
          producerId: first.producerId,
          producerEpoch: first.producerEpoch,
          verifyOnly: true,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        },
      ],
    });
  }

  /** A transaction coordinator's answer to a verification this broker asked for. */
  addPartitionsToTxnResponse(env: BrokerEnv, from: NodeId, res: AddPartitionsToTxnResponse): void {
    for (const pending of this.verifications.values()) {
      if (pending.correlationId !== res.correlationId || pending.coordinator !== from) continue;
      const codes = new Map<string, number>();
      for (const txn of res.resultsByTransaction) {
        if (txn.transactionalId !== pending.request.transactionalId) continue;
        for (const t of txn.topicResults) for (const r of t.resultsByPartition) codes.set(`${t.name}-${r.partitionIndex}`, r.partitionErrorCode);
      }
      // A partition the answer leaves out is not in the transaction (Kafka's AddPartitionsToTxnManager).
      return this.verified(env, pending, (key) => (res.errorCode !== ErrorCode.NONE ? res.errorCode : (codes.get(key) ?? ErrorCode.INVALID_TXN_STATE)));
    }
  }

  /**
   * Appends the held batches whose partition the coordinator confirmed, with their guards (the
   * append refuses one whose guard a marker or another write retired meanwhile), answers the
   * others with Kafka's mapped error, and finishes the Produce.
   */
  private verified(env: BrokerEnv, pending: PendingVerification, codeOf: (key: string) => number): void {
    this.verifications.delete(pending.id);
    env.cancelTimer(T.txnVerification + pending.id);
    for (const h of pending.held) {
      const code = codeOf(`${h.name}-${h.index}`);
      if (code === ErrorCode.NONE) {
        this.produceToLeader(env, pending.request, h.name, h.index, h.records, h.guard, h.result, pending.waiting);
        continue;
      }
      h.result.errorCode = produceErrorOfVerification(code);
      h.result.errorMessage =
        code === ErrorCode.INVALID_TXN_STATE
          ? 'Partition was not added to the transaction'
          : `Unable to verify the partition has been added to the transaction: error ${code}`;
    }
    this.finishProduce(env, pending.from, pending.request, pending.results, pending.waiting);
  }

  /** Settles the partitions of a waiting write whose high watermark has passed (or whose leader left). */
  private checkProduce(env: BrokerEnv, delayed: DelayedProduce): void {
    for (const [key, required] of delayed.waiting) {
      const p = this.partitions.get(key);
      const result = delayed.results.find((r) => `${r.name}-${r.partition.index}` === key)!.partition;
      if (p === undefined || p.role !== 'leader') {
        result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        delayed.waiting.delete(key);
      } else {
        const errorCode = p.enoughReplicasReached(required);
        if (errorCode === null) continue;
        result.errorCode = errorCode;
        delayed.waiting.delete(key);
      }
    }
    void env;
  }

  private answerProduce(env: BrokerEnv, delayed: DelayedProduce): void {
    this.produces.delete(delayed.id);
    env.cancelTimer(T.produceTimeout + delayed.id);
    if (delayed.from === null) return delayed.done?.(delayed.results[0]?.partition.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
    const responses = new Map<string, ProducePartitionResponse[]>();
    for (const { name, partition } of delayed.results) responses.set(name, [...(responses.get(name) ?? []), partition]);
    env.send(delayed.from, {
      api: 'Produce',
      kind: 'response',
      correlationId: delayed.correlationId,
      responses: [...responses].map(([name, partitionResponses]) => ({ name, partitionResponses })),
      throttleTimeMs: 0,
    });
  }

  private onFetch(env: BrokerEnv, from: NodeId, req: FetchRequest): void {
    const { responses, ready } = this.readFetch(env, req, true);
    if (ready || req.maxWaitMs <= 0) return this.answerFetch(env, from, req, responses);
    // Less than minBytes to return yet: wait for data (followers) or a higher high watermark (consumers).
    const delayed: DelayedFetch = {
      id: this.nextId++,
      from,
      request: req,
      keys: req.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}`)),
    };
    this.fetches.set(delayed.id, delayed);
    env.setTimer(req.maxWaitMs, T.fetchWait + delayed.id);
  }

  /**
   * Reads what a fetch asks for. With `record`, a follower's fetch also counts as its progress
   * (ISR and high watermark); a parked fetch read again later does not count twice.
   */
  private readFetch(env: BrokerEnv, req: FetchRequest, record: boolean): { responses: FetchResponse['topics']; ready: boolean } {
    let ready = false;
    let bytes = 0;
    const responses: FetchResponse['topics'] = [];
    for (const topic of req.topics) {
      const partitions: FetchPartitionResponse[] = [];
      for (const fp of topic.partitions) {
        const response = this.readFetchPartition(env, req, topic.topic, fp, record);
        // An error or a divergence is answered at once.
        if (response.errorCode !== ErrorCode.NONE || response.divergingEpoch !== null) ready = true;
        // Every batch is at least its 61-byte header: once that settles `ready`, the records need not be walked.
        for (const batch of response.records) bytes += bytes + BATCH_HEADER_BYTES >= req.minBytes ? BATCH_HEADER_BYTES : batchSizeInBytes(batch);
        partitions.push(response);
      }
      responses.push({ topic: topic.topic, partitions });
    }
    // Kafka answers at once on an error or a divergence, or once the fetch can return at least
    // minBytes over all its partitions (fetch.min.bytes / replica.fetch.min.bytes); otherwise the
    // fetch waits for more data until maxWaitMs. (Any record used to count as enough.)
    return { responses, ready: ready || bytes >= req.minBytes };
  }

  /** One partition of a fetch (a method, not a closure: this runs for every partition of every fetch). */
  private readFetchPartition(env: BrokerEnv, req: FetchRequest, topic: string, fp: FetchPartitionRequest, record: boolean): FetchPartitionResponse {
    const follower = req.replicaId;
    const response: FetchPartitionResponse = {
      partitionIndex: fp.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      divergingEpoch: null,
      abortedTransactions: null,
      currentLeader: this.leaderHint(topic, fp.partition),
      records: [],
    };
    const p = this.leaderOf(topic, fp.partition);
    if (p === null)
      return fetchFailed(response, this.image?.topicByName(topic) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const fenceEpochs = !this.bugs.has('no-epoch-fencing');
    if (fenceEpochs && fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch < p.leaderEpoch) return fetchFailed(response, ErrorCode.FENCED_LEADER_EPOCH);
    if (fenceEpochs && fp.currentLeaderEpoch > p.leaderEpoch) return fetchFailed(response, ErrorCode.UNKNOWN_LEADER_EPOCH);
    response.logStartOffset = p.log.logStartOffset;
    // A read returns at least one batch whatever its size limit, so 1 byte is "one batch".
    const maxBytes = env.buggify?.('fetch.short-read') === true ? 1 : fp.partitionMaxBytes;
    if (follower !== null) {
      if (!p.replicas.includes(follower)) return fetchFailed(response, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      // Below the log start the follower cannot be served, whether or not its epochs diverge (Kafka's Partition.fetchRecords).
      if (fp.fetchOffset < p.log.logStartOffset) return fetchFailed(response, ErrorCode.OFFSET_OUT_OF_RANGE);
      const diverging = fenceEpochs ? p.validateFetch(fp.fetchOffset, fp.lastFetchedEpoch) : null;
      if (diverging !== null) {
        response.divergingEpoch = diverging;
        response.highWatermark = p.hw;
        return response;
      }
      if (fp.fetchOffset > p.logEndOffset) return fetchFailed(response, ErrorCode.OFFSET_OUT_OF_RANGE);
      if (record) {
        const { hwChanged, expandIsr } = p.followerFetched(env, follower, fp.fetchOffset, req.replicaEpoch, fp.logStartOffset);
        if (expandIsr) this.proposeIsr(env, p, [...p.isr, follower]);
        if (hwChanged) this.afterHwChange(env, p.key);
        this.checkDeleteRecords(env, p.key);
      }
      response.records = p.log.read(fp.fetchOffset, p.logEndOffset, maxBytes);
    } else {
      if (fp.fetchOffset > p.logEndOffset || fp.fetchOffset < p.log.logStartOffset) return fetchFailed(response, ErrorCode.OFFSET_OUT_OF_RANGE);
      // read_committed reads up to the last stable offset (Kafka's FetchIsolation.TXN_COMMITTED).
      const readCommitted = req.isolationLevel === 1;
      const upTo = readCommitted ? p.lastStableOffset() : p.hw;
      // The bug (fetch-beyond-hw): a consumer is served the records above the high watermark too.
      response.records = p.log.read(fp.fetchOffset, this.bugs.has('fetch-beyond-hw') ? p.logEndOffset : upTo, maxBytes);
      if (readCommitted) response.abortedTransactions = this.abortedTransactions(p, fp.fetchOffset, response.records);
    }
    response.highWatermark = p.hw;
    response.lastStableOffset = p.lastStableOffset();
    return response;
  }

  /** The aborted transactions overlapping what a read_committed fetch returns (Kafka's addAbortedTransactions); none for no records. */
  private abortedTransactions(p: Partition, fetchOffset: number, records: readonly RecordBatch[]): Array<{ producerId: number; firstOffset: number }> {
    const last = records.at(-1);
    // The bug (fetch-ignores-aborted-index): the index is never read.
    if (last === undefined || this.bugs.has('fetch-ignores-aborted-index')) return [];
    return p.log.collectAbortedTxns(fetchOffset, lastOffsetOf(last) + 1).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
  }

  private answerFetch(env: BrokerEnv, to: NodeId, req: FetchRequest, topics: FetchResponse['topics']): void {
    env.send(to, { api: 'Fetch', kind: 'response', correlationId: req.correlationId, errorCode: ErrorCode.NONE, topics });
  }

  /** Wakes the parked fetches on `key` that can now return something. */
  private wakeFetches(env: BrokerEnv, key: string): void {
    for (const delayed of this.fetches.values()) {
      if (!delayed.keys.includes(key)) continue;
      const { responses, ready } = this.readFetch(env, delayed.request, false);
      if (!ready) continue;
      this.fetches.delete(delayed.id);
      env.cancelTimer(T.fetchWait + delayed.id);
      this.answerFetch(env, delayed.from, delayed.request, responses);
    }
  }

  private onListOffsets(env: BrokerEnv, from: NodeId, req: ListOffsetsRequest): void {
    const topics = req.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((lp) => {
        const answer = (errorCode: number, offset = -1, timestamp = -1, leaderEpoch = -1) => ({
          partitionIndex: lp.partitionIndex,
          errorCode,
          timestamp,
          offset,
          leaderEpoch,
        });
        const p = this.leaderOf(topic.name, lp.partitionIndex);
        if (p === null) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        if (lp.currentLeaderEpoch >= 0 && lp.currentLeaderEpoch < p.leaderEpoch) return answer(ErrorCode.FENCED_LEADER_EPOCH);
        if (lp.currentLeaderEpoch > p.leaderEpoch) return answer(ErrorCode.UNKNOWN_LEADER_EPOCH);
        if (lp.timestamp === EARLIEST_TIMESTAMP) return answer(ErrorCode.NONE, p.log.logStartOffset, -1, p.leaderEpoch);
        // A follower (a replica id) is answered from the whole log, as Kafka's fetchOffsetForTimestamp
        // does with no isolation level: its latest offset is the log end.
        if (req.replicaId !== null && lp.timestamp === LATEST_TIMESTAMP) return answer(ErrorCode.NONE, p.logEndOffset, -1, p.leaderEpoch);
        // A new leader's high watermark may still lag the old one's: wait until it reaches this epoch.
        if (p.hw < p.leaderEpochStartOffset) return answer(ErrorCode.OFFSET_NOT_AVAILABLE);
        // read_committed: the last stable offset bounds what a consumer may be pointed at (Kafka's fetchOffsetForTimestamp).
        const fetchable = req.isolationLevel === 1 ? p.lastStableOffset() : p.hw;
        if (lp.timestamp === LATEST_TIMESTAMP) return answer(ErrorCode.NONE, fetchable, -1, p.leaderEpoch);
        const found = p.log.offsetForTimestamp(lp.timestamp);
        return found === null || found.offset >= fetchable
          ? answer(ErrorCode.NONE, -1, -1, p.leaderEpoch)
          : answer(ErrorCode.NONE, found.offset, found.timestamp, found.epoch);
      }),
    }));
    env.send(from, { api: 'ListOffsets', kind: 'response', correlationId: req.correlationId, topics });
  }

  private onOffsetForLeaderEpoch(env: BrokerEnv, from: NodeId, req: OffsetForLeaderEpochRequest): void {
    const topics = req.topics.map((topic) => ({
      topic: topic.topic,
      partitions: topic.partitions.map((op) => {
        const answer = (errorCode: number, leaderEpoch = -1, endOffset = -1) => ({ errorCode, partition: op.partition, leaderEpoch, endOffset });
        const p = this.leaderOf(topic.topic, op.partition);
        if (p === null) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        if (op.currentLeaderEpoch >= 0 && op.currentLeaderEpoch < p.leaderEpoch) return answer(ErrorCode.FENCED_LEADER_EPOCH);
        if (op.currentLeaderEpoch > p.leaderEpoch) return answer(ErrorCode.UNKNOWN_LEADER_EPOCH);
        const end = p.log.endOffsetForEpoch(op.leaderEpoch);
        if (end.epoch >= 0) return answer(ErrorCode.NONE, end.epoch, end.endOffset);
        // Older than every epoch held: Kafka answers the asked-for epoch and where the first one starts; empty logs know nothing.
        return p.log.isEmpty ? answer(ErrorCode.NONE, -1, -1) : answer(ErrorCode.NONE, op.leaderEpoch, end.endOffset);
      }),
    }));
    env.send(from, { api: 'OffsetForLeaderEpoch', kind: 'response', correlationId: req.correlationId, topics });
  }

  private onMetadata(env: BrokerEnv, from: NodeId, req: MetadataRequest): void {
    const image = this.image;
    // A broker that advertised listeners is reached at its first; the simulator's brokers are addressed by id.
    const brokers =
      image === null
        ? []
        : image.unfencedBrokers().map((id) => {
            const listener = image.brokers.get(id)?.listeners?.[0];
            return listener === undefined
              ? { nodeId: id, host: id, port: 9092, rack: null }
              : { nodeId: id, host: listener.host, port: listener.port, rack: null };
          });
    const names = req.topics ?? (image === null ? [] : [...image.topics.values()].map((t) => t.name));
    const topics = names.map((name) => {
      const topic = image?.topicByName(name);
      if (topic === undefined) {
        const creating = req.allowAutoTopicCreation && this.autoCreate(env, name);
        return {
          errorCode: creating ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          name,
          topicId: null,
          isInternal: false,
          partitions: [],
        };
      }
      return {
        errorCode: ErrorCode.NONE,
        name,
        topicId: topic.topicId,
        isInternal: false,
        partitions: topic.partitions.map((p) => ({
          errorCode: p.leader === null ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
          partitionIndex: p.partition,
          leaderId: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: [...p.replicas],
          isrNodes: [...p.isr],
          offlineReplicas: p.replicas.filter((r) => image?.brokers.get(r)?.fenced !== false),
        })),
      };
    });
    env.send(from, {
      api: 'Metadata',
      kind: 'response',
      correlationId: req.correlationId,
      brokers,
      clusterId: this.hooks.clusterId,
      controllerId: this.hooks.controller(),
      topics,
    });
  }

  /**
   * Asks the controller to create a topic a Metadata request named (Kafka's AutoTopicCreationManager),
   * with the broker's default partitions and replication factor, once per request timeout while it is
   * missing. Returns whether the topic is being created (the client then hears LEADER_NOT_AVAILABLE and retries).
   */
  private autoCreate(env: BrokerEnv, name: string): boolean {
    if (!this.config.bool('auto.create.topics.enable') || !LEGAL_TOPIC_NAME.test(name) || name === '.' || name === '..') return false;
    return this.createTopic(env, name, -1, -1);
  }

  /**
   * Asks the controller to create a topic (-1: the broker's defaults), once per request timeout
   * while it is missing. Returns whether the request is under way.
   */
  createTopic(env: BrokerEnv, name: string, numPartitions: number, replicationFactor: number, configs: Array<{ name: string; value: string }> = []): boolean {
    const controller = this.hooks.controller();
    if (controller === null) return true;
    const timeoutMs = this.config.int('controller.quorum.request.timeout.ms');
    const sentAt = this.autoCreating.get(name);
    if (sentAt !== undefined && env.now() - sentAt < timeoutMs) return true;
    this.autoCreating.set(name, env.now());
    env.send(controller, {
      api: 'CreateTopics',
      kind: 'request',
      correlationId: this.nextAutoCreateId++,
      topics: [{ name, numPartitions, replicationFactor, configs }],
      timeoutMs,
      validateOnly: false,
    });
    return true;
  }

  /**
   * A write of the broker's own (the group coordinator's records) as the partition's leader, with
   * acks=all and min.insync.replicas as a producer's: `done` hears NONE once every ISR replica has
   * it, or the error (not leader, not enough replicas, timed out). With `transactional`, the batch
   * belongs to that producer's transaction (a TxnOffsetCommit's offsets, Kafka's storeOffsets with
   * a producer id): no sequence (-1), its epoch checked, made visible by the transaction's marker.
   * Answers the offset the batch was appended at, or null when nothing was appended.
   */
  appendCommitted(
    env: BrokerEnv,
    topic: string,
    partition: number,
    records: KafkaRecord[],
    timeoutMs: number,
    done: (errorCode: number) => void,
    transactional?: { producerId: number; producerEpoch: number },
  ): number | null {
    const p = this.leaderOf(topic, partition);
    if (p === null) return failed(done, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (p.underMinIsr) return failed(done, ErrorCode.NOT_ENOUGH_REPLICAS);
    const now = Math.floor(env.now());
    const batch: RecordBatch = {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: transactional === undefined ? 0 : TRANSACTIONAL_BIT,
      lastOffsetDelta: records.length - 1,
      baseTimestamp: now,
      maxTimestamp: now,
      producerId: transactional?.producerId ?? NO_PRODUCER_ID,
      producerEpoch: transactional?.producerEpoch ?? -1,
      baseSequence: -1,
      records: records.map((r, i) => ({ ...r, offsetDelta: i, timestampDelta: 0 })),
    };
    const appended = p.appendAsLeader(env, batch, now, { coordinator: true });
    if (appended.errorCode !== ErrorCode.NONE || !('baseOffset' in appended)) return failed(done, appended.errorCode);
    this.afterAppend(env, p);
    this.awaitReplication(env, p, appended.baseOffset, appended.lastOffset, timeoutMs, done);
    return appended.baseOffset;
  }

  /** Waits (at most `timeoutMs`) until every ISR replica holds the batch at baseOffset..lastOffset, then tells `done` (as an acks=all Produce is answered). */
  private awaitReplication(env: BrokerEnv, p: Partition, baseOffset: number, lastOffset: number, timeoutMs: number, done: (errorCode: number) => void): void {
    const result: ProducePartitionResponse = {
      index: p.partition,
      errorCode: ErrorCode.NONE,
      baseOffset,
      logAppendTimeMs: -1,
      logStartOffset: p.log.logStartOffset,
      errorMessage: null,
      currentLeader: null,
    };
    const delayed: DelayedProduce = {
      id: this.nextId++,
      from: null,
      done,
      correlationId: -1,
      results: [{ name: p.topic, partition: result }],
      waiting: new Map([[p.key, lastOffset + 1]]),
    };
    this.checkProduce(env, delayed);
    if (delayed.waiting.size === 0) return this.answerProduce(env, delayed);
    this.produces.set(delayed.id, delayed);
    env.setTimer(timeoutMs, T.produceTimeout + delayed.id);
  }

  /**
   * WriteTxnMarkers (Kafka's handleWriteTxnMarkersRequest): each marker is appended to each of its
   * partitions this broker leads, as a control batch with acks=all; each partition's answer waits
   * until every ISR replica has it. A marker on __consumer_offsets then tells the group coordinator
   * (`txnMarkerWritten`). The response goes once every partition has its answer.
   */
  writeTxnMarkers(env: BrokerEnv, from: NodeId, req: WriteTxnMarkersRequest): void {
    const markers: WriteTxnMarkersResponse['markers'] = req.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.NONE })) })),
    }));
    let outstanding = req.markers.reduce((n, m) => n + m.topics.reduce((k, t) => k + t.partitionIndexes.length, 0), 0);
    const answer = () => env.send(from, { api: 'WriteTxnMarkers', kind: 'response', correlationId: req.correlationId, markers });
    if (outstanding === 0) return answer();
    const timeoutMs = this.config.int('replica.socket.timeout.ms');
    req.markers.forEach((m, i) => {
      m.topics.forEach((t, j) => {
        for (const result of markers[i]!.topics[j]!.partitions) {
          this.appendTxnMarker(env, t.name, result.partitionIndex, m, timeoutMs, (errorCode, markerOffset) => {
            result.errorCode = errorCode;
            if (errorCode === ErrorCode.NONE && t.name === OFFSETS_TOPIC) {
              this.hooks.txnMarkerWritten?.(env as Env<never>, t.name, result.partitionIndex, m.producerId, m.transactionResult, markerOffset);
            }
            if (--outstanding === 0) answer();
          });
        }
      });
    });
  }

  private appendTxnMarker(
    env: BrokerEnv,
    topic: string,
    partition: number,
    marker: WriteTxnMarkersRequest['markers'][number],
    timeoutMs: number,
    done: (errorCode: number, markerOffset: number) => void,
  ): void {
    const p = this.leaderOf(topic, partition);
    if (p === null)
      return done(this.image?.partition(topic, partition) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER, -1);
    if (p.underMinIsr) return done(ErrorCode.NOT_ENOUGH_REPLICAS, -1);
    const appended = p.appendMarker(
      env,
      { producerId: marker.producerId, producerEpoch: marker.producerEpoch, coordinatorEpoch: marker.coordinatorEpoch, committed: marker.transactionResult },
      env.now(),
    );
    if (appended.errorCode !== ErrorCode.NONE || !('baseOffset' in appended)) return done(appended.errorCode, -1);
    this.afterAppend(env, p);
    this.awaitReplication(env, p, appended.baseOffset, appended.lastOffset, timeoutMs, (errorCode) => done(errorCode, appended.baseOffset));
  }

  /** The batches of a partition this broker leads, up to its log end (a coordinator loading its state); null when it does not lead it. */
  ledLog(topic: string, partition: number): readonly RecordBatch[] | null {
    const p = this.leaderOf(topic, partition);
    return p === null ? null : p.log.read(p.log.logStartOffset, p.logEndOffset, Infinity);
  }

  private onInitProducerId(env: BrokerEnv, from: NodeId, req: InitProducerIdRequest): void {
    const epoch = this.hooks.brokerEpoch();
    const reply = (errorCode: number, producerId: number, producerEpoch: number) =>
      env.send(from, { api: 'InitProducerId', kind: 'response', correlationId: req.correlationId, errorCode, producerId, producerEpoch });
    if (!this.active || epoch < 0) return reply(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, -1, -1);
    // Without a transactional id Kafka blindly hands out a fresh id with epoch 0, whatever id and
    // epoch the request carries (TransactionCoordinator.handleInitProducerId), from the block the
    // controller allotted this broker (KIP-730).
    const producerId = this.nextProducerId(env);
    if (producerId === null) return reply(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, -1, -1);
    reply(ErrorCode.NONE, producerId, 0);
  }

  /** The next producer id of this broker's blocks (the transaction coordinator's too); null while it has none or is not serving yet. */
  nextProducerId(env: BrokerEnv): number | null {
    if (!this.active || this.hooks.brokerEpoch() < 0) return null;
    const producerId = this.producerIds.next();
    this.maybeRequestProducerIds(env);
    return producerId;
  }

  private maybeRequestProducerIds(env: BrokerEnv): void {
    const controller = this.hooks.controller();
    if (controller === null || !this.producerIds.shouldRequest(env.now())) return;
    const correlationId = this.nextCorrelationId++;
    this.producerIds.requested(correlationId);
    env.setTimer(this.config.int('controller.quorum.request.timeout.ms'), T.producerIds);
    env.send(controller, { api: 'AllocateProducerIds', kind: 'request', correlationId, brokerId: this.brokerId, brokerEpoch: this.hooks.brokerEpoch() });
  }

  /** The controller's answer to AllocateProducerIds. */
  allocateProducerIdsResponse(env: BrokerEnv, res: AllocateProducerIdsResponse): void {
    if (!this.producerIds.answered(res.correlationId, res.errorCode, res.producerIdStart, res.producerIdLen, env.now())) return;
    env.cancelTimer(T.producerIds);
  }

  // ---- the follower side ---------------------------------------------------------------------

  /** A fetch response from a leader this broker follows. */
  fetchResponse(env: BrokerEnv, from: NodeId, res: FetchResponse): void {
    if (!this.fetcher.accept(from, res.correlationId)) return;
    let failed = res.errorCode !== ErrorCode.NONE;
    const reorder = env.buggify?.('follower.reorder') === true;
    for (const topic of reorder ? [...res.topics].reverse() : res.topics) {
      for (const fp of reorder ? [...topic.partitions].reverse() : topic.partitions) {
        const key = `${topic.topic}-${fp.partitionIndex}`;
        const p = this.partitions.get(key);
        if (p === undefined || p.role !== 'follower' || p.leader !== from) continue;
        if (!this.fetcher.stillCurrent(from, key, p.leaderEpoch, p.logEndOffset)) continue;
        if (fp.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          this.resetOutOfRange(env, from, p);
          continue;
        }
        if (fp.errorCode !== ErrorCode.NONE) {
          failed = true;
          continue;
        }
        if (fp.divergingEpoch !== null) p.truncateToDivergence(env, fp.divergingEpoch);
        else p.appendAsFollower(env, fp.records, fp.highWatermark, fp.logStartOffset);
        if (fp.records.length > 0) this.scheduleFlush(env, p);
      }
    }
    this.fetcher.next(env, from, failed);
  }

  /**
   * Kafka's fetchOffsetAndTruncate: a follower answered OFFSET_OUT_OF_RANGE asks its leader for
   * the leader's log end (ListOffsets, latest, as a replica) and stops fetching the partition
   * until the answers come. It takes a follower ahead of a leader that cannot say where they
   * diverge (an unclean election, or a fetch without a last fetched epoch), or one whose log ends
   * before the leader's log starts (retention or DeleteRecords went on while it was away).
   */
  private resetOutOfRange(env: BrokerEnv, leader: NodeId, p: Partition): void {
    if (this.resetting.has(p.key)) return;
    env.setTimer(this.config.int('replica.socket.timeout.ms'), T.offsetReset + p.key);
    this.askLeaderOffset(env, leader, p, LATEST_TIMESTAMP);
  }

  private askLeaderOffset(env: BrokerEnv, leader: NodeId, p: Partition, timestamp: number): void {
    const correlationId = this.nextCorrelationId++;
    this.resetting.set(p.key, { leader, leaderEpoch: p.leaderEpoch, correlationId, timestamp });
    env.send(leader, {
      api: 'ListOffsets',
      kind: 'request',
      correlationId,
      replicaId: this.brokerId,
      isolationLevel: 0,
      topics: [{ name: p.topic, partitions: [{ partitionIndex: p.partition, currentLeaderEpoch: p.leaderEpoch, timestamp }] }],
    });
  }

  /**
   * The leader's log end, then its log start, for a partition being reset. A follower ahead of the
   * leader's end truncates to it, as Kafka does after an unclean election (the logs may differ
   * below it: Kafka does not repair that); one not ahead asks where the leader's log starts, and
   * if that is past its own end, empties its log and starts it there (truncateFullyAndStartAt);
   * otherwise it simply fetches again from its own end. Fetching then resumes.
   */
  listOffsetsResponse(env: BrokerEnv, from: NodeId, res: ListOffsetsResponse): void {
    for (const topic of res.topics) {
      for (const lp of topic.partitions) {
        const key = `${topic.name}-${lp.partitionIndex}`;
        const asked = this.resetting.get(key);
        if (asked === undefined || asked.correlationId !== res.correlationId || asked.leader !== from) continue;
        this.resetting.delete(key);
        const p = this.partitions.get(key);
        const current = p !== undefined && p.role === 'follower' && p.leader === from && p.leaderEpoch === asked.leaderEpoch;
        const answered = current && lp.errorCode === ErrorCode.NONE && lp.offset >= 0;
        if (answered && asked.timestamp === LATEST_TIMESTAMP && lp.offset >= p.logEndOffset) {
          this.askLeaderOffset(env, from, p, EARLIEST_TIMESTAMP);
          continue;
        }
        env.cancelTimer(T.offsetReset + key);
        if (!answered) continue;
        if (asked.timestamp === LATEST_TIMESTAMP) p.truncateTo(env, lp.offset);
        else if (lp.offset > p.logEndOffset) p.startAtLeaderLogStart(env, lp.offset);
      }
    }
    this.fetcher.pump(env);
  }

  // ---- ISR changes -----------------------------------------------------------------------------

  private proposeIsr(env: BrokerEnv, p: Partition, isr: string[]): void {
    p.proposeIsr(env, isr);
    this.sendAlterPartition(env, p);
  }

  private sendAlterPartition(env: BrokerEnv, p: Partition): void {
    const controller = this.hooks.controller();
    const isr = p.pendingIsr;
    if (isr === null) return;
    env.setTimer(this.config.int('controller.quorum.request.timeout.ms'), T.alterPartition + p.key);
    if (controller === null) return;
    const correlationId = this.nextCorrelationId++;
    this.alterInFlight.set(p.key, correlationId);
    const request: AlterPartitionRequest = {
      api: 'AlterPartition',
      kind: 'request',
      correlationId,
      brokerId: this.brokerId,
      brokerEpoch: this.hooks.brokerEpoch(),
      topics: [
        {
          topicId: p.topicId,
          partitions: [
            {
              partitionIndex: p.partition,
              leaderEpoch: p.leaderEpoch,
              newIsrWithEpochs: p.isrWithEpochs(isr),
              leaderRecoveryState: 0,
              partitionEpoch: p.partitionEpoch,
            },
          ],
        },
      ],
    };
    env.send(controller, request);
  }

  alterPartitionResponse(env: BrokerEnv, res: AlterPartitionResponse): void {
    for (const [key, correlationId] of this.alterInFlight) {
      if (correlationId !== res.correlationId) continue;
      this.alterInFlight.delete(key);
      const p = this.partitions.get(key);
      if (p === undefined || p.role !== 'leader') return;
      if (res.errorCode === ErrorCode.NOT_CONTROLLER || res.errorCode === ErrorCode.REQUEST_TIMED_OUT) return; // retried by the timer
      const result = res.topics[0]?.partitions[0];
      const errorCode = res.errorCode !== ErrorCode.NONE ? res.errorCode : (result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
      // A proposal left pending keeps its retry timer; a metadata update may settle it first.
      if (!p.isrResult(env, errorCode, result?.isr ?? p.isr, result?.partitionEpoch ?? -1)) return;
      env.cancelTimer(T.alterPartition + key);
      this.afterHwChange(env, key);
      return;
    }
  }

  // ---- timers ----------------------------------------------------------------------------------

  fire(env: BrokerEnv, tag: TimerTag): boolean {
    if (this.fetcher.fire(env, tag)) return true;
    if (!tag.startsWith('replica:')) return false;
    if (tag === T.producerIds) {
      this.producerIds.timedOut(env.now());
    } else if (tag.startsWith(T.offsetReset)) {
      // No answer about the reset: fetch again, and be answered OFFSET_OUT_OF_RANGE again if still so.
      this.resetting.delete(tag.slice(T.offsetReset.length));
      this.fetcher.pump(env);
    } else if (tag === T.isrCheck) {
      const now = env.now();
      for (const p of this.partitions.values()) {
        const lagging = p.laggingIsrMembers(now);
        if (lagging.length > 0)
          this.proposeIsr(
            env,
            p,
            p.isr.filter((r) => !lagging.includes(r)),
          );
      }
      env.setTimer(this.isrCheckIntervalMs, T.isrCheck);
    } else if (tag === T.hwCheckpoint) {
      this.checkpoints.writeHighWatermarks(env.storage, this.partitions.values());
      env.setTimer(this.config.int('replica.high.watermark.checkpoint.interval.ms'), T.hwCheckpoint);
    } else if (tag === T.retention) {
      this.applyRetention(env);
      env.setTimer(this.config.int('log.retention.check.interval.ms'), T.retention);
    } else if (tag === T.cleaner) {
      this.runCleaner(env);
      env.setTimer(this.config.int('log.cleaner.backoff.ms'), T.cleaner);
    } else if (tag === T.logStartCheckpoint) {
      this.checkpointLogStarts(env);
      env.setTimer(this.config.int('log.flush.start.offset.checkpoint.interval.ms'), T.logStartCheckpoint);
    } else if (tag.startsWith(T.txnVerification)) {
      // No answer from the coordinator: Kafka's AddPartitionsToTxnManager fails the batches with NETWORK_EXCEPTION.
      const pending = this.verifications.get(Number(tag.slice(T.txnVerification.length)));
      if (pending !== undefined) this.verified(env, pending, () => ErrorCode.NETWORK_EXCEPTION);
    } else if (tag.startsWith(T.deleteRecordsTimeout)) {
      const delayed = this.deleteRecords.get(Number(tag.slice(T.deleteRecordsTimeout.length)));
      // What still waits keeps REQUEST_TIMED_OUT and the low watermark it had when the request came.
      if (delayed !== undefined) this.answerDeleteRecords(env, delayed);
    } else if (tag.startsWith(T.produceTimeout)) {
      const delayed = this.produces.get(Number(tag.slice(T.produceTimeout.length)));
      if (delayed !== undefined) {
        for (const key of delayed.waiting.keys())
          delayed.results.find((r) => `${r.name}-${r.partition.index}` === key)!.partition.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        delayed.waiting.clear();
        this.answerProduce(env, delayed);
      }
    } else if (tag.startsWith(T.fetchWait)) {
      const delayed = this.fetches.get(Number(tag.slice(T.fetchWait.length)));
      if (delayed !== undefined) {
        this.fetches.delete(delayed.id);
        this.answerFetch(env, delayed.from, delayed.request, this.readFetch(env, delayed.request, false).responses);
      }
    } else if (tag.startsWith(T.alterPartition)) {
      const p = this.partitions.get(tag.slice(T.alterPartition.length));
      if (p !== undefined && p.role === 'leader' && p.pendingIsr !== null) this.sendAlterPartition(env, p);
    } else if (tag.startsWith(T.flush)) {
      const key = tag.slice(T.flush.length);
      this.flushArmed.delete(key);
      this.partitions.get(key)?.log.flush();
    }
    return true;
  }

  // ---- shared ----------------------------------------------------------------------------------

  private afterAppend(env: BrokerEnv, p: Partition): void {
    this.scheduleFlush(env, p);
    this.wakeFetches(env, p.key);
  }

  private afterHwChange(env: BrokerEnv, key: string): void {
    for (const delayed of this.produces.values()) {
      if (!delayed.waiting.has(key)) continue;
      this.checkProduce(env, delayed);
      if (delayed.waiting.size === 0) this.answerProduce(env, delayed);
    }
    this.wakeFetches(env, key);
  }

  private failWaiting(env: BrokerEnv, key: string, errorCode: number): void {
    for (const delayed of this.produces.values()) {
      if (!delayed.waiting.has(key)) continue;
      delayed.results.find((r) => `${r.name}-${r.partition.index}` === key)!.partition.errorCode = errorCode;
      delayed.waiting.delete(key);
      if (delayed.waiting.size === 0) this.answerProduce(env, delayed);
    }
    this.checkDeleteRecords(env, key);
    this.wakeFetches(env, key);
  }

  // ---- the log start offset ---------------------------------------------------------------------

  /**
   * Kafka's LogManager.cleanupLogs: every partition this broker holds, led or followed, deletes
   * what its topic's retention lets go (never past its own high watermark), rolling the active
   * segment first when all of it goes.
   */
  private applyRetention(env: BrokerEnv): void {
    const now = env.now();
    for (const p of this.partitions.values()) {
      const decision = retentionDecision({
        segments: p.log.segmentInfos(),
        // The bug (retention-past-hw): the high watermark guard is gone.
        highWatermark: this.bugs.has('retention-past-hw') ? Infinity : p.hw,
        logStartOffset: p.log.logStartOffset,
        now,
        policy: this.retentionPolicy(p),
      });
      if (decision.deleted.length === 0) continue;
      if (decision.roll) p.log.roll();
      if (p.advanceLogStart(env, decision.logStartOffset, 'retention')) this.checkDeleteRecords(env, p.key);
    }
  }

  /** Kafka's LogCleaner: every replica here of a compacted topic, leader or follower, is a candidate (core/broker/log-cleaner.ts). */
  private runCleaner(env: BrokerEnv): void {
    const candidates: CleanerCandidate[] = [];
    for (const p of this.partitions.values()) {
      const topicConfig = this.image?.topics.get(p.topicId)?.config ?? {};
      if (isCompacted(topicConfig, this.config, INTERNAL_TOPICS.has(p.topic))) candidates.push({ partition: p, topicConfig });
    }
    if (candidates.length > 0) this.cleaner.run(env as Env<never>, candidates);
  }

  /**
   * Kafka's checkpointLogStartOffsets: every log's start offset, written atomically when it changed
   * (a log starting at 0 needs no entry).
   */
  private checkpointLogStarts(env: BrokerEnv): void {
    this.checkpoints.writeLogStarts(env.storage, this.partitions.values());
  }

  /**
   * DeleteRecords (Kafka's ReplicaManager.deleteRecords and Partition.deleteRecordsOnLeader): on
   * the leader, the log start moves to the asked offset (-1: the high watermark; never past it,
   * never back); the answer waits until every replica's log start has reached it (the low
   * watermark), or for timeoutMs.
   */
  private onDeleteRecords(env: BrokerEnv, from: NodeId, req: DeleteRecordsRequest): void {
    const results: DelayedDeleteRecords['results'] = [];
    const waiting = new Map<string, number>();
    for (const topic of req.topics) {
      for (const dp of topic.partitions) {
        const result: DeleteRecordsPartitionResult = { partitionIndex: dp.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.NONE };
        results.push({ name: topic.name, partition: result });
        const p = this.leaderOf(topic.name, dp.partitionIndex);
        if (INTERNAL_TOPICS.has(topic.name)) result.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
        else if (p === null)
          result.errorCode = this.image?.topicByName(topic.name) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER;
        else if (!this.retentionPolicy(p).delete) result.errorCode = ErrorCode.POLICY_VIOLATION;
        else {
          const offset = dp.offset === DELETE_UP_TO_HIGH_WATERMARK ? p.hw : dp.offset;
          if (offset < 0 || offset > p.hw) {
            result.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
            continue;
          }
          if (p.advanceLogStart(env, offset, 'delete-records')) this.checkDeleteRecords(env, p.key);
          result.lowWatermark = p.lowWatermark;
          if (result.lowWatermark < offset) {
            // Until every replica reaches it, or the request times out (Kafka's DelayedDeleteRecords).
            result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
            waiting.set(p.key, offset);
          }
        }
      }
    }
    const delayed: DelayedDeleteRecords = { id: this.nextId++, from, correlationId: req.correlationId, results, waiting };
    if (waiting.size === 0) return this.answerDeleteRecords(env, delayed);
    this.deleteRecords.set(delayed.id, delayed);
    env.setTimer(req.timeoutMs, T.deleteRecordsTimeout + delayed.id);
  }

  /** Settles the waiting DeleteRecords on `key` whose every replica now starts at or past the new log start (or whose leader left). */
  private checkDeleteRecords(env: BrokerEnv, key: string): void {
    for (const delayed of this.deleteRecords.values()) {
      const required = delayed.waiting.get(key);
      if (required === undefined) continue;
      const result = delayed.results.find((r) => `${r.name}-${r.partition.partitionIndex}` === key)!.partition;
      const p = this.partitions.get(key);
      if (p === undefined || p.role !== 'leader') {
        result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        result.lowWatermark = -1;
      } else {
        const low = p.lowWatermark;
        if (low < required) continue;
        result.errorCode = ErrorCode.NONE;
        result.lowWatermark = low;
      }
      delayed.waiting.delete(key);
      if (delayed.waiting.size === 0) this.answerDeleteRecords(env, delayed);
    }
  }

  private answerDeleteRecords(env: BrokerEnv, delayed: DelayedDeleteRecords): void {
    this.deleteRecords.delete(delayed.id);
    env.cancelTimer(T.deleteRecordsTimeout + delayed.id);
    const topics = new Map<string, DeleteRecordsPartitionResult[]>();
    for (const { name, partition } of delayed.results) topics.set(name, [...(topics.get(name) ?? []), partition]);
    env.send(delayed.from, {
      api: 'DeleteRecords',
      kind: 'response',
      correlationId: delayed.correlationId,
      throttleTimeMs: 0,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    });
  }

  /** flush.ms: the oldest unsynced write is fsynced at most that long after it was appended. */
  private scheduleFlush(env: BrokerEnv, p: Partition): void {
    const flushMs = this.flushMs(p);
    if (flushMs >= 1e15 || this.flushArmed.has(p.key)) return;
    this.flushArmed.add(p.key);
    env.setTimer(flushMs, T.flush + p.key);
  }
}

/**
 * The Produce error for a coordinator's verification answer (Kafka's ReplicaManager, transaction
 * version below 2): errors a client may not retry well become NOT_ENOUGH_REPLICAS, which it
 * retries without a metadata refresh; INVALID_TXN_STATE and the rest are answered as they are.
 */
export function produceErrorOfVerification(code: number): number {
  switch (code) {
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return ErrorCode.NOT_ENOUGH_REPLICAS;
    default:
      return code;
  }
}

function fetchFailed(response: FetchPartitionResponse, errorCode: number): FetchPartitionResponse {
  response.errorCode = errorCode;
  return response;
}

/** A coordinator write that appended nothing: `done` hears why, the caller hears no offset. */
function failed(done: (errorCode: number) => void, errorCode: number): null {
  done(errorCode);
  return null;
}
