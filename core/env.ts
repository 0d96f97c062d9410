// The node model: every process (broker, controller, client) is a Node driven by an Env.
// Core code reaches the outside world only through Env, so the simulator and the real
// runtime can drive the very same classes (sans-IO, as etcd's raft and stateright do).

import type { BuggifySite } from './buggify.ts';
import type { Storage } from './storage.ts';
import type { Session } from './security/session.ts';
import type { NodeEvent, NodeId } from './trace/schema.ts';

export type { NodeId };

/**
 * Names a timer within one node. At most one timer per tag is pending: setting a tag that is
 * already pending re-arms it, so `election` or `fetch:orders/0` can be reset freely.
 */
export type TimerTag = string;

export interface Env<M> {
  /** This node's id. */
  readonly self: NodeId;
  /** The node's clock in milliseconds (may be skewed against other nodes' clocks). */
  now(): number;
  /** A uniform draw in [0, 1) from this node's own seeded stream. */
  random(): number;
  /** Sends a message; the network decides whether, when and how often it arrives. */
  send(to: NodeId, msg: M): void;
  /** Arms (or re-arms) the timer `tag` to fire after `delayMs`. */
  setTimer(delayMs: number, tag: TimerTag): void;
  /** Disarms the timer `tag`; a no-op when it is not pending. */
  cancelTimer(tag: TimerTag): void;
  /** The node's durable storage; survives crashes up to its last fsync. */
  readonly storage: Storage;
  /** Records a protocol event in the run's trace. */
  trace(event: NodeEvent): void;
  /**
   * True when nothing keeps this node's trace events (a real broker run without --trace): events
   * that cost real work to build only for checkers, such as a scan of a whole log, may be skipped.
   */
  readonly untraced?: boolean;
  /**
   * BUGGIFY: whether to take the unusual but legal path at `site` this time (core/buggify.ts). Only the
   * simulator implements it, and only when a run asks for BUGGIFY; absent means never.
   */
  buggify?(site: BuggifySite): boolean;
  /**
   * Ends this process on its own: a graceful shutdown is done. The simulator stops the node with
   * its files synced (a clean shutdown flushes); a runtime without it leaves the process running.
   */
  exit?(): void;
}

export interface Node<M> {
  /** Boot or reboot: recover state from `env.storage`, arm timers, send first messages. */
  start(env: Env<M>): void;
  /**
   * A message from `from`. `session` is who the transport authenticated the sender as (its principal
   * and host); absent for a node's message to itself, which no authorizer checks.
   */
  receive(env: Env<M>, from: NodeId, msg: M, session?: Session): void;
  fire(env: Env<M>, timer: TimerTag): void;
  /** Asked to stop gracefully (SIGTERM): hand work over, then `env.exit()`. Absent: the node is simply stopped. */
  shutdown?(env: Env<M>): void;
}

/** Builds a fresh node object; called at first start and at every restart after a crash. */
export type NodeFactory<M> = (id: NodeId) => Node<M>;
