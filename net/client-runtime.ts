// The real runtime of one of Samsa's own clients (producer, consumer, admin from core/client/): the
// core's client class, unchanged, driven by wall-clock timers and a BrokerPool's connections, so it
// talks to any Kafka cluster.

import type { Env, Node, NodeId, TimerTag } from '../core/env.ts';
import type { NodeEvent } from '../core/trace/schema.ts';
import type { BrokerPool, CoreMessage } from './broker-pool.ts';
import { MemoryStorage } from './memory-storage.ts';

export interface ClientRuntimeOptions {
  /** The client's id (its node id; the pool's client id goes in request headers). */
  id: NodeId;
  pool: BrokerPool;
  /** A request that could not be sent or answered (no shared version, a lost connection), or a failed step; the core's timers retry requests. */
  onError?(err: Error, api: string, to: NodeId): void;
  /** The client's trace events (its operation history); dropped by default. */
  trace?(event: NodeEvent): void;
}

/** What a facade (KafkaProducer, KafkaConsumer) may be told of its client: its node id, and where its trace events (its history) go. */
export type ClientIdentity = Partial<Pick<ClientRuntimeOptions, 'id' | 'trace'>>;

export class ClientRuntime<M extends CoreMessage, N extends Node<M>> {
  readonly env: Env<M>;
  readonly node: N;
  private readonly timers = new Map<TimerTag, NodeJS.Timeout>();
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  /** Builds the client with the pool's bootstrap ids and starts it. */
  constructor(
    private readonly options: ClientRuntimeOptions,
    createNode: (bootstrapIds: readonly NodeId[]) => N,
  ) {
    this.env = {
      self: options.id,
      now: () => Date.now(),
      random: () => Math.random(),
      send: (to, msg) => this.send(to, msg),
      setTimer: (delayMs, tag) => this.setTimer(delayMs, tag),
      cancelTimer: (tag) => this.cancelTimer(tag),
      storage: new MemoryStorage(),
      trace: (event) => options.trace?.(event),
    };
    this.node = createNode(options.pool.bootstrapIds);
    this.step('start', () => this.node.start(this.env));
  }

  /** Calls `listener` after every step the client takes (a response handled, a timer fired); returns its removal. */
  onStep(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the client's timers; what it had not sent is dropped. The pool is the caller's to close. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private send(to: NodeId, msg: M): void {
    if (this.stopped) return;
    this.options.pool.call<M>(to, msg).then(
      (response) => {
        if (response !== null && !this.stopped) this.step(`${msg.api} response`, () => this.node.receive(this.env, to, response));
      },
      (err: Error) => {
        if (!this.stopped) this.options.onError?.(err, msg.api, to);
      },
    );
  }

  private setTimer(delayMs: number, tag: TimerTag): void {
    if (this.stopped) return;
    this.cancelTimer(tag);
    const timer = setTimeout(
      () => {
        this.timers.delete(tag);
        if (!this.stopped) this.step(`timer ${tag}`, () => this.node.fire(this.env, tag));
      },
      Math.max(0, delayMs),
    );
    this.timers.set(tag, timer);
  }

  private cancelTimer(tag: TimerTag): void {
    const timer = this.timers.get(tag);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(tag);
  }

  /** Runs one step of the client; an exception is a bug in the client, reported rather than swallowed. */
  private step(what: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)), what, this.env.self);
    }
    for (const listener of this.listeners) listener();
  }
}
