// The admin client's operations (Kafka's Admin.createTopics / deleteTopics / createPartitions /
// incrementalAlterConfigs) sent
// to the controllers: it tries them in turn until the active one answers (NOT_CONTROLLER means "ask
// another"), retries after a request timeout, and records each operation as client history.
// describeConfigs goes to a broker instead: any one for topics, the broker itself for its own config.

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
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
} from '../protocol/data.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';

/** What the admin client sends and hears. */
export type AdminMessage = ControllerMessage | DescribeConfigsRequest | DescribeConfigsResponse;

export interface AdminSettings {
  requestTimeoutMs: number;
  retryBackoffMs: number;
}

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
    };

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

  receive(env: Env<AdminMessage>, _from: NodeId, msg: AdminMessage): void {
    if (msg.kind !== 'response' || this.inFlight === null || msg.correlationId !== this.inFlight.correlationId) return;
    if (
      msg.api !== 'CreateTopics' &&
      msg.api !== 'DeleteTopics' &&
      msg.api !== 'CreatePartitions' &&
      msg.api !== 'DescribeConfigs' &&
      msg.api !== 'IncrementalAlterConfigs'
    )
      return;
    const op = this.inFlight.op;
    this.inFlight = null;
    env.cancelTimer(RETRY);
    // Correlation ids are the client's own, so the answer is always of the operation's kind.
    if (msg.api === 'DescribeConfigs' || op.kind === 'describe-configs') {
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

  fire(env: Env<AdminMessage>, tag: TimerTag): void {
    if (tag !== RETRY) return;
    if (this.inFlight !== null) {
      // No answer in time: the request or its response was lost; try the next controller (or broker).
      const op = this.inFlight.op;
      this.queue.unshift(op);
      this.inFlight = null;
      if (op.kind === 'describe-configs') this.brokerTarget = (this.brokerTarget + 1) % this.brokers.length;
      else this.target = (this.target + 1) % this.controllers.length;
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
    }
    env.setTimer(timeoutMs, RETRY);
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
