// The scenario workload's options for compaction: a producer's share of tombstones (null values,
// drawn from its own stream) and a consumer that seeks back to the log start every `reread`.
// On a topic that is not compacted the cluster keeps every tombstone, and nothing trips.

import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.ts';
import { runScenario, topicPolicies } from '../../sim/scenario/run.ts';
import { ProduceOps } from '../../models/history/produce-ops.ts';
import type { HistoryOp } from '../../models/history/types.ts';
import { MemorySink } from '../../trace/sink.ts';

const scenario = (clients: string) =>
  parseScenario(
    `samsa: 1
name: workload
duration: 6s
cluster: { nodes: 3 }
topics:
  - { name: orders, partitions: 2, replicationFactor: 3 }
clients:
${clients}
`,
    'workload.yaml',
    { knownBugs: [] },
  );

type Event = Record<string, unknown> & { kind: string; node?: string };
/** The values of a client's ops of one kind and type; a producer's `send`s come from its per-request `produce` events, in send order. */
const clientOps = (events: Event[], node: string, op: string, type: string): Array<Record<string, unknown>> => {
  const mine = events.filter((e) => e.kind === 'client' && e.node === node);
  if (op !== 'send') return mine.filter((e) => e['op'] === op && e['type'] === type).map((e) => e['value'] as Record<string, unknown>);
  const produce = new ProduceOps();
  return mine
    .filter((e) => e['op'] === 'produce')
    .flatMap((e, i) =>
      produce.expand({ process: node, op: 'produce', type: e['type'] as HistoryOp['type'], id: e['id'] as number, step: i, value: e['value'] }),
    )
    .filter((s) => s.op.type === type)
    .sort((a, b) => a.op.id - b.op.id)
    .map((s) => s.op.value as Record<string, unknown>);
};

describe('workload: tombstones and rereads', () => {
  it('sends about the asked share of tombstones, with keys; consumers get them back as null values; nothing trips', () => {
    const sink = new MemorySink();
    const result = runScenario(scenario('  - { producer: p1, topic: orders, rate: 100/s, keys: 5, tombstones: 0.3 }\n  - { consumer: r1, topic: orders }'), {
      trace: sink,
    });
    expect(result.violations).toEqual([]);
    const events = sink.events() as Event[];
    const sent = clientOps(events, 'p1', 'send', 'invoke');
    const tombstones = sent.filter((v) => v['value'] === null);
    expect(sent.length).toBeGreaterThan(400);
    expect(tombstones.length / sent.length).toBeGreaterThan(0.2);
    expect(tombstones.length / sent.length).toBeLessThan(0.4);
    expect(tombstones.every((v) => typeof v['key'] === 'string')).toBe(true);
    const acked = clientOps(events, 'p1', 'send', 'ok').filter((v) => v['value'] === null);
    expect(acked.length).toBe(tombstones.length);
    const read = clientOps(events, 'r1', 'poll', 'ok').flatMap((v) => v['records'] as unknown[][]);
    expect(read.filter((rec) => rec[4] === null).length).toBe(tombstones.length);
  });

  it('a producer without tombstones sends exactly what it sent before the option existed (its stream is not drawn more)', () => {
    const values = (clients: string) => {
      const sink = new MemorySink();
      runScenario(scenario(clients), { trace: sink });
      return clientOps(sink.events() as Event[], 'p1', 'send', 'invoke').map((v) => `${v['key']}=${v['value']}`);
    };
    const plain = values('  - { producer: p1, topic: orders, rate: 50/s, keys: 5 }');
    expect(plain.length).toBeGreaterThan(200);
    expect(values('  - { producer: p1, topic: orders, rate: 50/s, keys: 5, tombstones: 0 }')).toEqual(plain);
    expect(plain.some((v) => v.endsWith('=null'))).toBe(false);
  });

  it('a consumer with reread seeks back to the log start of every partition it holds that often, and reads it all again', () => {
    const sink = new MemorySink();
    const result = runScenario(scenario('  - { producer: p1, topic: orders, rate: 50/s, keys: 5 }\n  - { consumer: r1, topic: orders, reread: 2s }'), {
      trace: sink,
    });
    expect(result.violations).toEqual([]);
    const seeks = clientOps(sink.events() as Event[], 'r1', 'seek', 'ok').filter((v) => v['reason'] === undefined);
    // At 2 s and 4 s of the run (and on during the healing phase), once per partition, to offset 0.
    expect(seeks.length).toBeGreaterThanOrEqual(4);
    expect(seeks.every((v) => v['offset'] === 0)).toBe(true);
    expect(new Set(seeks.map((v) => v['partition']))).toEqual(new Set([0, 1]));
    const firstOffsets = clientOps(sink.events() as Event[], 'r1', 'poll', 'ok')
      .flatMap((v) => v['records'] as unknown[][])
      .filter((rec) => rec[2] === 0);
    expect(firstOffsets.length).toBeGreaterThanOrEqual(4);
  });
});

describe('the checkers learn each topic’s cleanup.policy and delete.retention.ms from the scenario', () => {
  it('from the topic, else the brokers’ synonyms, else Kafka’s defaults', () => {
    const base = scenario('  - { producer: p1, topic: orders, rate: 1/s }');
    const withConfigs = (topic: Record<string, string | number>, cluster: Record<string, string | number> = {}) =>
      topicPolicies({ ...base, cluster: { ...base.cluster, config: cluster }, topics: base.topics.map((t) => ({ ...t, config: topic })) });
    expect(withConfigs({})('orders')).toEqual({ compacted: false, deleteRetentionMs: 86_400_000 });
    expect(withConfigs({ 'cleanup.policy': 'compact', 'delete.retention.ms': 5000 })('orders')).toEqual({ compacted: true, deleteRetentionMs: 5000 });
    expect(withConfigs({ 'cleanup.policy': 'delete, compact' })('orders').compacted).toBe(true);
    expect(withConfigs({}, { 'log.cleanup.policy': 'compact', 'log.cleaner.delete.retention.ms': 7 })('orders')).toEqual({
      compacted: true,
      deleteRetentionMs: 7,
    });
    expect(withConfigs({ 'cleanup.policy': 'delete' }, { 'log.cleanup.policy': 'compact' })('orders').compacted).toBe(false);
    expect(withConfigs({ 'cleanup.policy': 'compact' })('other').compacted).toBe(false);
  });
});
