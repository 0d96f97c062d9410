// The admin client's operations (Kafka's Admin.createTopics / deleteTopics / createPartitions /
// incrementalAlterConfigs) sent
// to the controllers: it tries them in turn until the active one answers (NOT_CONTROLLER means "ask
// another"), retries after a request timeout, and records each operation as client history.
// describeConfigs goes to a broker instead: any one for topics, the broker itself for its own config;
// deleteRecords to each partition's leader, found with Metadata and found again when it moves.

import type { Env, Node, NodeId, TimerTag } from '../env.ts';
import type {
  ControllerMessage,
  CreatableTopic,
  CreatePartitionsResponse,
  CreatePartitionsTopic,
  CreateTopicsResponse,
  DeleteTopicsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../protocol/controller.ts';
import {
  ConfigResourceType,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
  type MetadataRequest,
  type MetadataResponse,
} from '../protocol/data.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';

/** What the admin client sends and hears. */
export type AdminMessage =
  ControllerMessage | DescribeConfigsRequest | DescribeConfigsResponse | MetadataRequest | MetadataResponse | DeleteRecordsRequest | DeleteRecordsResponse;

export interface AdminSettings {
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** How long an operation that retries (deleteRecords) may take in all (Kafka's default.api.timeout.ms, 60 s by default). */
  apiTimeoutMs?: number;
}

/** Records to delete: those of `topic`/`partition` below `offset` (-1: below the high watermark). */
export interface RecordsToDelete {
  topic: string;
  partition: number;
  offset: number;
}

/** A partition's answer to deleteRecords: its low watermark (every replica's log starts there or later), or an error. */
export interface DeletedRecords {
  topic: string;
  partition: number;
  lowWatermark: number;
  errorCode: number;
}

/** Per partition, errors after which the leader is looked up again (Kafka's InvalidMetadataException) or the request retried. */
const DELETE_RECORDS_RETRIABLE: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.REQUEST_TIMED_OUT,
]);

export interface TopicResult {
  name: string;
  errorCode: number;
  /** The controller's explanation of an error, when it gave one. */
  errorMessage: string | null;
}

export interface DescribeConfigsOptions {
  includeSynonyms?: boolean;
  includeDocumentation?: boolean;
}

type Operation =
  | { kind: 'create'; id: number; topics: CreatableTopic[]; done: (results: TopicResult[]) => void }
  | { kind: 'delete'; id: number; names: string[]; done: (results: TopicResult[]) => void }
  | { kind: 'create-partitions'; id: number; topics: CreatePartitionsTopic[]; done: (results: TopicResult[]) => void }
  | {
      kind: 'alter-configs';
      id: number;
      resources: AlterConfigsResource[];
      validateOnly: boolean;
      done: (results: AlterConfigsResult[]) => void;
    }
  | {
      kind: 'describe-configs';
      id: number;
      resources: DescribeConfigsResource[];
      options: DescribeConfigsOptions;
      done: (results: DescribeConfigsResult[]) => void;
    }
  | DeleteRecordsOperation;

interface DeleteRecordsOperation {
  kind: 'delete-records';
  id: number;
  partitions: RecordsToDelete[];
  /** How long each leader may wait for its followers (the request's timeoutMs). */
  timeoutMs: number;
  /** When the operation gives up on what is still unanswered. */
  deadline: number;
  /** Each partition's leader as the last Metadata said (partitions not in it are looked up). */
  leaders: Map<string, NodeId>;
  results: Map<string, DeletedRecords>;
  done: (results: DeletedRecords[]) => void;
}

const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

/** A resource's config changes (Kafka's ConfigResource with its AlterConfigOps). */
export type AlterConfigsResource = IncrementalAlterConfigsRequest['resources'][number];
export type AlterConfigsResult = IncrementalAlterConfigsResponse['resources'][number];

const RETRY: TimerTag = 'admin:retry';

export class AdminClient implements Node<AdminMessage> {
  private queue: Operation[] = [];
  private inFlight: { op: Operation; correlationId: number } | null = null;
  private nextCorrelationId = 1;
  private nextOpId = 1;
  private target = 0;
  private brokerTarget = 0;

  /** `brokers` answer describeConfigs for topics; in a combined cluster the controllers are brokers too. */
  constructor(
    readonly id: NodeId,
    private readonly controllers: readonly NodeId[],
    private readonly settings: AdminSettings,
    private readonly brokers: readonly NodeId[] = controllers,
  ) {}

  start(env: Env<AdminMessage>): void {
    // Operations do not survive a restart of the client, as in a real process.
    this.queue = [];
    this.inFlight = null;
    // One draw for both, so that runs without describeConfigs consume the random stream as before.
    const draw = env.random();
    this.target = Math.floor(draw * this.controllers.length);
    this.brokerTarget = Math.floor(draw * this.brokers.length);
  }

  createTopics(env: Env<AdminMessage>, topics: CreatableTopic[], done: (results: TopicResult[]) => void = () => {}): void {
    const op: Operation = { kind: 'create', id: this.nextOpId++, topics, done };
    env.trace({ kind: 'client', op: 'create-topics', type: 'invoke', id: op.id, value: topics.map((t) => t.name) });
    this.enqueue(env, op);
  }

  deleteTopics(env: Env<AdminMessage>, names: string[], done: (results: TopicResult[]) => void = () => {}): void {
    const op: Operation = { kind: 'delete', id: this.nextOpId++, names, done };
    env.trace({ kind: 'client', op: 'delete-topics', type: 'invoke', id: op.id, value: names });
    this.enqueue(env, op);
  }

  /** Grows each topic to `count` partitions (Kafka's Admin.createPartitions). */
  createPartitions(env: Env<AdminMessage>, topics: CreatePartitionsTopic[], done: (results: TopicResult[]) => void = () => {}): void {
    const op: Operation = { kind: 'create-partitions', id: this.nextOpId++, topics, done };
    env.trace({ kind: 'client', op: 'create-partitions', type: 'invoke', id: op.id, value: topics.map((t) => ({ name: t.name, count: t.count })) });
    this.enqueue(env, op);
  }

  /** Sets, deletes, appends to or subtracts from configs (Kafka's Admin.incrementalAlterConfigs), at the active controller. */
  incrementalAlterConfigs(
    env: Env<AdminMessage>,
    resources: AlterConfigsResource[],
    options: { validateOnly?: boolean } = {},
    done: (results: AlterConfigsResult[]) => void = () => {},
  ): void {
    const op: Operation = { kind: 'alter-configs', id: this.nextOpId++, resources, validateOnly: options.validateOnly ?? false, done };
    env.trace({
      kind: 'client',
      op: 'alter-configs',
      type: 'invoke',
      id: op.id,
      value: resources.map((r) => ({ resource: `${r.resourceType}:${r.resourceName}`, configs: r.configs.map((c) => [c.name, c.configOperation, c.value]) })),
    });
    this.enqueue(env, op);
  }

  /** Describes topics' and brokers' configs (Kafka's Admin.describeConfigs); one request, so one broker, per call. */
  describeConfigs(
    env: Env<AdminMessage>,
    resources: DescribeConfigsResource[],
    options: DescribeConfigsOptions = {},
    done: (results: DescribeConfigsResult[]) => void = () => {},
  ): void {
    const op: Operation = { kind: 'describe-configs', id: this.nextOpId++, resources, options, done };
    env.trace({ kind: 'client', op: 'describe-configs', type: 'invoke', id: op.id, value: resources.map((r) => `${r.resourceType}:${r.resourceName}`) });
    this.enqueue(env, op);
  }

  /**
   * Deletes the records of each partition below its offset (Kafka's Admin.deleteRecords): each leader
   * moves its log start there and answers once every replica's log starts there or later, with the
   * low watermark. A partition whose leader moved is looked up again, until the API timeout.
   */
  deleteRecords(
    env: Env<AdminMessage>,
    partitions: RecordsToDelete[],
    done: (results: DeletedRecords[]) => void = () => {},
    timeoutMs: number = this.settings.requestTimeoutMs,
  ): void {
    const op: DeleteRecordsOperation = {
      kind: 'delete-records',
      id: this.nextOpId++,
      partitions,
      timeoutMs,
      deadline: env.now() + (this.settings.apiTimeoutMs ?? 60_000),
      leaders: new Map(),
      results: new Map(),
      done,
    };
    env.trace({ kind: 'client', op: 'delete-records', type: 'invoke', id: op.id, value: partitions });
    this.enqueue(env, op);
  }

  receive(env: Env<AdminMessage>, _from: NodeId, msg: AdminMessage): void {
    if (msg.kind !== 'response' || this.inFlight === null || msg.correlationId !== this.inFlight.correlationId) return;
    const op = this.inFlight.op;
    if (op.kind === 'delete-records' && (msg.api === 'Metadata' || msg.api === 'DeleteRecords')) {
      this.inFlight = null;
      env.cancelTimer(RETRY);
      return msg.api === 'Metadata' ? this.leadersFound(env, op, msg) : this.recordsDeleted(env, op, msg);
    }
    if (
      msg.api !== 'CreateTopics' &&
      msg.api !== 'DeleteTopics' &&
      msg.api !== 'CreatePartitions' &&
      msg.api !== 'DescribeConfigs' &&
      msg.api !== 'IncrementalAlterConfigs'
    )
      return;
    this.inFlight = null;
    env.cancelTimer(RETRY);
    // Correlation ids are the client's own, so the answer is always of the operation's kind.
    if (msg.api === 'DescribeConfigs' || op.kind === 'describe-configs' || op.kind === 'delete-records') {
      if (msg.api === 'DescribeConfigs' && op.kind === 'describe-configs') this.describeAnswered(env, op, msg);
      return this.sendNext(env);
    }
    if (msg.api === 'IncrementalAlterConfigs' || op.kind === 'alter-configs') {
      if (msg.api === 'IncrementalAlterConfigs' && op.kind === 'alter-configs') this.alterAnswered(env, op, msg);
      return;
    }
    const results = toResults(msg);
    if (results.some((r) => r.errorCode === ErrorCode.NOT_CONTROLLER)) return this.askAnotherController(env, op);
    const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
    const opName = op.kind === 'create' ? 'create-topics' : op.kind === 'delete' ? 'delete-topics' : 'create-partitions';
    if (failed.length === 0) env.trace({ kind: 'client', op: opName, type: 'ok', id: op.id, value: results.map((r) => r.name) });
    else env.trace({ kind: 'client', op: opName, type: 'fail', id: op.id, error: failed.map((r) => `${r.name}: ${errorName(r.errorCode)}`).join(', ') });
    op.done(results);
    this.sendNext(env);
  }

  private alterAnswered(env: Env<AdminMessage>, op: Extract<Operation, { kind: 'alter-configs' }>, msg: IncrementalAlterConfigsResponse): void {
    if (msg.resources.some((r) => r.errorCode === ErrorCode.NOT_CONTROLLER)) return this.askAnotherController(env, op);
    const failed = msg.resources.filter((r) => r.errorCode !== ErrorCode.NONE);
    if (failed.length === 0) env.trace({ kind: 'client', op: 'alter-configs', type: 'ok', id: op.id, value: msg.resources.map((r) => r.resourceName) });
    else
      env.trace({
        kind: 'client',
        op: 'alter-configs',
        type: 'fail',
        id: op.id,
        error: failed.map((r) => `${r.resourceName}: ${errorName(r.errorCode)}`).join(', '),
      });
    op.done(msg.resources);
    this.sendNext(env);
  }

  /** NOT_CONTROLLER: the operation goes again, to the next controller, after retry.backoff.ms. */
  private askAnotherController(env: Env<AdminMessage>, op: Operation): void {
    this.target = (this.target + 1) % this.controllers.length;
    this.queue.unshift(op);
    env.setTimer(this.settings.retryBackoffMs, RETRY);
  }

  private describeAnswered(env: Env<AdminMessage>, op: Extract<Operation, { kind: 'describe-configs' }>, msg: DescribeConfigsResponse): void {
    const failed = msg.results.filter((r) => r.errorCode !== ErrorCode.NONE);
    if (failed.length === 0) env.trace({ kind: 'client', op: 'describe-configs', type: 'ok', id: op.id, value: msg.results.map((r) => r.resourceName) });
    else
      env.trace({
        kind: 'client',
        op: 'describe-configs',
        type: 'fail',
        id: op.id,
        error: failed.map((r) => `${r.resourceName}: ${errorName(r.errorCode)}`).join(', '),
      });
    op.done(msg.results);
  }

  /** The partitions' leaders (or that a topic or partition does not exist); what has no leader yet is looked up again after a backoff. */
  private leadersFound(env: Env<AdminMessage>, op: DeleteRecordsOperation, msg: MetadataResponse): void {
    for (const p of this.unanswered(op)) {
      const topic = msg.topics.find((t) => t.name === p.topic);
      const partition = topic?.partitions.find((x) => x.partitionIndex === p.partition);
      if (topic !== undefined && topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) this.answer(op, p, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      else if (topic !== undefined && topic.errorCode === ErrorCode.NONE && partition === undefined)
        this.answer(op, p, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      else if (partition !== undefined && partition.leaderId !== null) op.leaders.set(partitionKey(p.topic, p.partition), partition.leaderId);
    }
    if (this.unanswered(op).some((p) => !op.leaders.has(partitionKey(p.topic, p.partition)))) this.brokerTarget = (this.brokerTarget + 1) % this.brokers.length;
    this.continueDeleteRecords(
      env,
      op,
      this.unanswered(op).every((p) => !op.leaders.has(partitionKey(p.topic, p.partition))),
    );
  }

  /** A leader's answer: final for each partition unless it moved or timed out, which is tried again (after fresh metadata). */
  private recordsDeleted(env: Env<AdminMessage>, op: DeleteRecordsOperation, msg: DeleteRecordsResponse): void {
    let retry = false;
    for (const t of msg.topics) {
      for (const r of t.partitions) {
        const p = op.partitions.find((x) => x.topic === t.name && x.partition === r.partitionIndex);
        if (p === undefined || op.results.has(partitionKey(p.topic, p.partition))) continue;
        if (DELETE_RECORDS_RETRIABLE.has(r.errorCode)) {
          op.leaders.delete(partitionKey(p.topic, p.partition));
          retry = true;
        } else this.answer(op, p, r.lowWatermark, r.errorCode);
      }
    }
    this.continueDeleteRecords(env, op, retry);
  }

  private answer(op: DeleteRecordsOperation, p: RecordsToDelete, lowWatermark: number, errorCode: number): void {
    op.results.set(partitionKey(p.topic, p.partition), { topic: p.topic, partition: p.partition, lowWatermark, errorCode });
  }

  private unanswered(op: DeleteRecordsOperation): RecordsToDelete[] {
    return op.partitions.filter((p) => !op.results.has(partitionKey(p.topic, p.partition)));
  }

  /** Finishes the operation once every partition is answered (or its time is up); otherwise it goes on, after a backoff when asked. */
  private continueDeleteRecords(env: Env<AdminMessage>, op: DeleteRecordsOperation, backoff: boolean): void {
    if (env.now() >= op.deadline) for (const p of this.unanswered(op)) this.answer(op, p, -1, ErrorCode.REQUEST_TIMED_OUT);
    if (this.unanswered(op).length > 0) {
      this.queue.unshift(op);
      if (backoff) env.setTimer(this.settings.retryBackoffMs, RETRY);
      else this.sendNext(env);
      return;
    }
    const results = op.partitions.map((p) => op.results.get(partitionKey(p.topic, p.partition))!);
    const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
    if (failed.length === 0) env.trace({ kind: 'client', op: 'delete-records', type: 'ok', id: op.id, value: results });
    else
      env.trace({
        kind: 'client',
        op: 'delete-records',
        type: 'fail',
        id: op.id,
        error: failed.map((r) => `${r.topic}/${r.partition}: ${errorName(r.errorCode)}`).join(', '),
      });
    op.done(results);
    this.sendNext(env);
  }

  fire(env: Env<AdminMessage>, tag: TimerTag): void {
    if (tag !== RETRY) return;
    if (this.inFlight !== null) {
      // No answer in time: the request or its response was lost; try the next controller (or broker).
      const op = this.inFlight.op;
      this.queue.unshift(op);
      this.inFlight = null;
      if (op.kind === 'describe-configs' || op.kind === 'delete-records') this.brokerTarget = (this.brokerTarget + 1) % this.brokers.length;
      else this.target = (this.target + 1) % this.controllers.length;
      // A leader that never answered is looked up again.
      if (op.kind === 'delete-records') op.leaders.clear();
    }
    const next = this.queue[0];
    if (next?.kind === 'delete-records' && env.now() >= next.deadline) {
      this.queue.shift();
      return this.continueDeleteRecords(env, next, false);
    }
    this.sendNext(env);
  }

  private enqueue(env: Env<AdminMessage>, op: Operation): void {
    this.queue.push(op);
    if (this.inFlight === null) this.sendNext(env);
  }

  private sendNext(env: Env<AdminMessage>): void {
    if (this.inFlight !== null) return;
    const op = this.queue.shift();
    if (op === undefined) return;
    const correlationId = this.nextCorrelationId++;
    this.inFlight = { op, correlationId };
    const to = this.controllers[this.target]!;
    const timeoutMs = this.settings.requestTimeoutMs;
    switch (op.kind) {
      case 'create':
        env.send(to, { api: 'CreateTopics', kind: 'request', correlationId, topics: op.topics, timeoutMs, validateOnly: false });
        break;
      case 'delete':
        env.send(to, { api: 'DeleteTopics', kind: 'request', correlationId, topicNames: op.names, timeoutMs });
        break;
      case 'create-partitions':
        env.send(to, { api: 'CreatePartitions', kind: 'request', correlationId, topics: op.topics, timeoutMs, validateOnly: false });
        break;
      case 'alter-configs':
        env.send(to, { api: 'IncrementalAlterConfigs', kind: 'request', correlationId, resources: op.resources, validateOnly: op.validateOnly });
        break;
      case 'describe-configs':
        env.send(this.describeTarget(op.resources), {
          api: 'DescribeConfigs',
          kind: 'request',
          correlationId,
          resources: op.resources,
          includeSynonyms: op.options.includeSynonyms ?? false,
          includeDocumentation: op.options.includeDocumentation ?? false,
        });
        break;
      case 'delete-records':
        return this.sendDeleteRecords(env, op, correlationId);
    }
    env.setTimer(timeoutMs, RETRY);
  }

  /** Metadata while some partition's leader is unknown; otherwise DeleteRecords to the first partition's leader, for all it leads. */
  private sendDeleteRecords(env: Env<AdminMessage>, op: DeleteRecordsOperation, correlationId: number): void {
    const unanswered = this.unanswered(op);
    const unknown = unanswered.filter((p) => !op.leaders.has(partitionKey(p.topic, p.partition)));
    if (unknown.length > 0) {
      const topics = [...new Set(unknown.map((p) => p.topic))];
      env.send(this.brokers[this.brokerTarget]!, { api: 'Metadata', kind: 'request', correlationId, topics, allowAutoTopicCreation: false });
      env.setTimer(this.settings.requestTimeoutMs, RETRY);
      return;
    }
    const leader = op.leaders.get(partitionKey(unanswered[0]!.topic, unanswered[0]!.partition))!;
    const led = unanswered.filter((p) => op.leaders.get(partitionKey(p.topic, p.partition)) === leader);
    const topics = [...new Set(led.map((p) => p.topic))].map((name) => ({
      name,
      partitions: led.filter((p) => p.topic === name).map((p) => ({ partitionIndex: p.partition, offset: p.offset })),
    }));
    env.send(leader, { api: 'DeleteRecords', kind: 'request', correlationId, topics, timeoutMs: op.timeoutMs });
    // The leader may wait timeoutMs for its followers before it answers.
    env.setTimer(this.settings.requestTimeoutMs + op.timeoutMs, RETRY);
  }

  /** A broker's own config is described only by that broker (as Kafka's admin routes it); topics by any broker. */
  private describeTarget(resources: readonly DescribeConfigsResource[]): NodeId {
    const named = resources.find((r) => r.resourceType === ConfigResourceType.BROKER && r.resourceName !== '');
    return named?.resourceName ?? this.brokers[this.brokerTarget]!;
  }
}

function toResults(msg: CreateTopicsResponse | DeleteTopicsResponse | CreatePartitionsResponse): TopicResult[] {
  const entries = msg.api === 'CreateTopics' ? msg.topics : msg.api === 'DeleteTopics' ? msg.responses : msg.results;
  return entries.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage }));
}
