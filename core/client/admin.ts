// The admin client's topic operations (Kafka's Admin.createTopics / deleteTopics) sent to the
// controllers: it tries them in turn until the active one answers (NOT_CONTROLLER means "ask
// another"), retries after a request timeout, and records each operation as client history.

import type { Env, Node, NodeId, TimerTag } from '../env.ts';
import type { ControllerMessage, CreatableTopic, CreateTopicsResponse, DeleteTopicsResponse } from '../protocol/controller.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';

export interface AdminSettings {
  requestTimeoutMs: number;
  retryBackoffMs: number;
}

export interface TopicResult {
  name: string;
  errorCode: number;
}

type Operation =
  | { kind: 'create'; id: number; topics: CreatableTopic[]; done: (results: TopicResult[]) => void }
  | { kind: 'delete'; id: number; names: string[]; done: (results: TopicResult[]) => void };

const RETRY: TimerTag = 'admin:retry';

export class AdminClient implements Node<ControllerMessage> {
  private queue: Operation[] = [];
  private inFlight: { op: Operation; correlationId: number } | null = null;
  private nextCorrelationId = 1;
  private nextOpId = 1;
  private target = 0;

  constructor(
    readonly id: NodeId,
    private readonly controllers: readonly NodeId[],
    private readonly settings: AdminSettings,
  ) {}

  start(env: Env<ControllerMessage>): void {
    // Operations do not survive a restart of the client, as in a real process.
    this.queue = [];
    this.inFlight = null;
    this.target = Math.floor(env.random() * this.controllers.length);
  }

  createTopics(env: Env<ControllerMessage>, topics: CreatableTopic[], done: (results: TopicResult[]) => void = () => {}): void {
    const op: Operation = { kind: 'create', id: this.nextOpId++, topics, done };
    env.trace({ kind: 'client', op: 'create-topics', type: 'invoke', id: op.id, value: topics.map((t) => t.name) });
    this.enqueue(env, op);
  }

  deleteTopics(env: Env<ControllerMessage>, names: string[], done: (results: TopicResult[]) => void = () => {}): void {
    const op: Operation = { kind: 'delete', id: this.nextOpId++, names, done };
    env.trace({ kind: 'client', op: 'delete-topics', type: 'invoke', id: op.id, value: names });
    this.enqueue(env, op);
  }

  receive(env: Env<ControllerMessage>, _from: NodeId, msg: ControllerMessage): void {
    if (msg.kind !== 'response' || this.inFlight === null || msg.correlationId !== this.inFlight.correlationId) return;
    if (msg.api !== 'CreateTopics' && msg.api !== 'DeleteTopics') return;
    const op = this.inFlight.op;
    this.inFlight = null;
    env.cancelTimer(RETRY);
    const results = toResults(msg);
    if (results.some((r) => r.errorCode === ErrorCode.NOT_CONTROLLER)) {
      this.target = (this.target + 1) % this.controllers.length;
      this.queue.unshift(op);
      env.setTimer(this.settings.retryBackoffMs, RETRY);
      return;
    }
    const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
    const opName = op.kind === 'create' ? 'create-topics' : 'delete-topics';
    if (failed.length === 0) env.trace({ kind: 'client', op: opName, type: 'ok', id: op.id, value: results.map((r) => r.name) });
    else env.trace({ kind: 'client', op: opName, type: 'fail', id: op.id, error: failed.map((r) => `${r.name}: ${errorName(r.errorCode)}`).join(', ') });
    op.done(results);
    this.sendNext(env);
  }

  fire(env: Env<ControllerMessage>, tag: TimerTag): void {
    if (tag !== RETRY) return;
    if (this.inFlight !== null) {
      // No answer in time: the request or its response was lost; try the next controller.
      this.queue.unshift(this.inFlight.op);
      this.inFlight = null;
      this.target = (this.target + 1) % this.controllers.length;
    }
    this.sendNext(env);
  }

  private enqueue(env: Env<ControllerMessage>, op: Operation): void {
    this.queue.push(op);
    if (this.inFlight === null) this.sendNext(env);
  }

  private sendNext(env: Env<ControllerMessage>): void {
    if (this.inFlight !== null) return;
    const op = this.queue.shift();
    if (op === undefined) return;
    const correlationId = this.nextCorrelationId++;
    this.inFlight = { op, correlationId };
    const to = this.controllers[this.target]!;
    if (op.kind === 'create') {
      env.send(to, { api: 'CreateTopics', kind: 'request', correlationId, topics: op.topics, timeoutMs: this.settings.requestTimeoutMs, validateOnly: false });
    } else {
      env.send(to, { api: 'DeleteTopics', kind: 'request', correlationId, topicNames: op.names, timeoutMs: this.settings.requestTimeoutMs });
    }
    env.setTimer(this.settings.requestTimeoutMs, RETRY);
  }
}

function toResults(msg: CreateTopicsResponse | DeleteTopicsResponse): TopicResult[] {
  const entries = msg.api === 'CreateTopics' ? msg.topics : msg.responses;
  return entries.map((t) => ({ name: t.name, errorCode: t.errorCode }));
}
