// Setups shared by the clients' tests: a simulation with two fake brokers, producers and
// consumers added as nodes, and the client history gathered from the trace events.

import { expect } from 'vitest';
import type { Env, NodeId } from '../../core/env.ts';
import { Consumer } from '../../core/client/consumer.ts';
import { Producer } from '../../core/client/producer.ts';
import type { ConfigValue } from '../../core/protocol/configs.ts';
import type { DataMessage } from '../../core/protocol/data.ts';
import { ProduceOps } from '../../models/history/produce-ops.ts';
import type { HistoryOp } from '../../models/history/types.ts';
import { Simulation } from '../../sim/kernel.ts';
import { FakeBroker, FakeCluster } from './fake-broker.ts';

export const BROKERS = ['b1', 'b2'] as const;

export interface ClientWorld {
  sim: Simulation<DataMessage>;
  cluster: FakeCluster;
  history: HistoryOp[];
  /** Adds and starts a producer node. */
  producer(id: NodeId, config?: Record<string, ConfigValue>): void;
  /** Adds and starts a consumer node. */
  consumer(id: NodeId, config?: Record<string, ConfigValue>): void;
  /** Runs `action` on a client now (at the current simulated time). */
  withProducer(id: NodeId, action: (p: Producer, env: Env<DataMessage>) => void): void;
  withConsumer(id: NodeId, action: (c: Consumer, env: Env<DataMessage>) => void): void;
}

/** Two fake brokers b1, b2 (1 ms links), a topic per entry of `topics` led by b1. */
export function clientWorld(topics: Record<string, number> = { orders: 1 }, seed = 1): ClientWorld {
  const sim = new Simulation<DataMessage>({ seed, network: { latency: { constant: 1 } } });
  const cluster = new FakeCluster(BROKERS);
  for (const [name, n] of Object.entries(topics)) cluster.createTopic(name, n);
  const history: HistoryOp[] = [];
  const produceOps = new ProduceOps();
  sim.observe((step, node, event) => {
    if (event.kind !== 'client' || node === null) return;
    const e = event as unknown as { op: string; type: HistoryOp['type']; id: number; value?: unknown; error?: string };
    const op: HistoryOp = { process: node, op: e.op, type: e.type, id: e.id, value: e.value, error: e.error, step };
    // The producer writes its history per request: expanded to the per-record sends the tests read.
    if (op.op === 'produce') for (const send of produceOps.expand(op)) history.push(send.op);
    else history.push(op);
  });
  for (const b of BROKERS) {
    sim.addNode(b, () => new FakeBroker(b, cluster));
    sim.start(b);
  }
  return {
    sim,
    cluster,
    history,
    producer(id, config = {}) {
      sim.addNode(id, () => new Producer(id, BROKERS, config));
      sim.start(id);
    },
    consumer(id, config = {}) {
      sim.addNode(id, () => new Consumer(id, BROKERS, config));
      sim.start(id);
    },
    withProducer(id, action) {
      expect(sim.act<Producer>(id, action)).toBe(true);
    },
    withConsumer(id, action) {
      expect(sim.act<Consumer>(id, action)).toBe(true);
    },
  };
}

/** Outcomes of one op, keyed by invocation id: the history's pairs for one process. */
export function outcomes(history: HistoryOp[], process: NodeId, op: string): Map<number, HistoryOp[]> {
  const byId = new Map<number, HistoryOp[]>();
  for (const h of history) {
    if (h.process !== process || h.op !== op) continue;
    const list = byId.get(h.id) ?? [];
    list.push(h);
    byId.set(h.id, list);
  }
  return byId;
}

/**
 * Checks the history's shape: per process and id, an invocation first, then exactly one outcome
 * (or none for the ids in `open`, whose client crashed). Returns the outcome per id.
 */
export function expectWellFormed(history: HistoryOp[], open: ReadonlySet<string> = new Set()): Map<string, HistoryOp> {
  const byKey = new Map<string, HistoryOp[]>();
  for (const h of history) {
    const key = `${h.process}#${h.id}`;
    const list = byKey.get(key) ?? [];
    list.push(h);
    byKey.set(key, list);
  }
  const result = new Map<string, HistoryOp>();
  for (const [key, ops] of byKey) {
    expect(ops[0]!.type, `${key} starts with an invocation`).toBe('invoke');
    const rest = ops.slice(1);
    if (open.has(key)) {
      expect(rest, `${key} (crashed) has no outcome`).toHaveLength(0);
      continue;
    }
    expect(
      rest.map((o) => o.type),
      `${key} has exactly one outcome`,
    ).toHaveLength(1);
    expect(['ok', 'fail', 'info']).toContain(rest[0]!.type);
    expect(new Set(rest.map((o) => o.op)).size).toBe(1);
    result.set(key, rest[0]!);
  }
  return result;
}

/** The send outcomes of a producer, in send order: [value, type, error?]. */
export function sendOutcomes(
  history: HistoryOp[],
  process: NodeId,
): Array<{ value: string; type: string; partition?: number; offset?: number; error?: string }> {
  // Send ids count the producer's send() calls: sorted by id, invocations are in send order (a request lists them per partition).
  const invokes = history.filter((h) => h.process === process && h.op === 'send' && h.type === 'invoke').sort((a, b) => a.id - b.id);
  return invokes.map((inv) => {
    const out = history.find((h) => h.process === process && h.op === 'send' && h.id === inv.id && h.type !== 'invoke');
    const v = (out?.value ?? inv.value) as { value: string; partition?: number; offset?: number };
    const entry: { value: string; type: string; partition?: number; offset?: number; error?: string } = { value: v.value, type: out?.type ?? 'open' };
    if (out?.type === 'ok') {
      entry.partition = v.partition!;
      entry.offset = v.offset!;
    }
    if (out?.error !== undefined) entry.error = out.error;
    return entry;
  });
}
