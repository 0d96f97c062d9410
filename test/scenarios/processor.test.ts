// The consume-transform-produce processor (sim/scenario/processor.ts) against fake brokers with a
// fake transaction and group coordinator: it copies every input record once into the committed
// output, commits the consumed positions in its transactions, and after an abortable error (aborts,
// rewinds) or a fencing (initialises again, rewinds) still ends with each input copied exactly once.
// Also its config split and checks.

import { describe, expect, it } from 'vitest';
import type { Env } from '../../core/env.ts';
import { ControlType, controlTypeOf, isControl, isTransactional } from '../../core/protocol/records.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { Processor, processorConfigKeyProblem, processorConfigs } from '../../sim/scenario/processor.ts';
import type { ProducerMessage } from '../../core/client/producer.ts';
import { clientWorld, BROKERS, type ClientWorld } from '../client/helpers.ts';
import { FakeTxnCoordinator } from '../client/fake-txn-coordinator.ts';
import type { FakeCluster } from '../client/fake-broker.ts';
import { inputOfOutputValue } from '../../models/history/types.ts';

/** The inputs of the copies a read_committed reader would see in the partition (aborted and open transactions left out). */
function committedValues(cluster: FakeCluster, topic: string, partition: number): Array<string | null> {
  return committedCopies(cluster, topic, partition).map((v) => (v === null ? null : inputOfOutputValue(v)));
}

/** The values a read_committed reader would see in the partition: aborted and open transactions left out. */
function committedCopies(cluster: FakeCluster, topic: string, partition: number): Array<string | null> {
  const out: Array<string | null> = [];
  const open = new Map<number, Array<string | null>>();
  for (const b of cluster.partition(topic, partition).log) {
    if (isControl(b)) {
      const values = open.get(b.producerId) ?? [];
      open.delete(b.producerId);
      if (controlTypeOf(b.records[0]!.key) === ControlType.COMMIT) out.push(...values);
    } else if (isTransactional(b)) open.set(b.producerId, [...(open.get(b.producerId) ?? []), ...b.records.map((r) => r.value)]);
    else out.push(...b.records.map((r) => r.value));
  }
  return out;
}

function processorWorld(): { w: ClientWorld; tc: FakeTxnCoordinator; processor: () => Processor | null } {
  const w = clientWorld({ input: 1, output: 1 });
  const tc = new FakeTxnCoordinator(w.cluster, 'b2');
  w.cluster.txn = tc;
  const settings = {
    from: 'input',
    to: 'output',
    group: 'copiers',
    // read_committed is the processor's default; these fakes hold no open input transactions.
    config: { 'transactional.id': 'x1', 'isolation.level': 'read_uncommitted', 'linger.ms': 0, 'max.poll.records': 3 },
  };
  w.sim.addNode('x1', () => new Processor('x1', BROKERS, settings) as never);
  w.sim.start('x1');
  const tick = () => {
    w.sim.act<Processor & never>('x1', (p, env) => (p as Processor).step(env as unknown as Env<ProducerMessage>));
    w.sim.after(50, tick);
  };
  w.sim.after(50, tick);
  return { w, tc, processor: () => w.sim.nodeObject('x1') as Processor | null };
}

const INPUT = Array.from({ length: 10 }, (_, i) => `in-${i}`);

describe('processor (consume-transform-produce)', () => {
  it('copies each input record once into the committed output and commits the positions in its transactions', () => {
    const { w, tc } = processorWorld();
    w.cluster.appendRecords('input', 0, INPUT, { keys: INPUT.map((v) => `k-${v}`) });
    w.sim.run(3000);
    expect(committedValues(w.cluster, 'output', 0)).toEqual(INPUT);
    // Each copy names its input, its processor and its transaction.
    expect(committedCopies(w.cluster, 'output', 0)[0]).toMatch(/^in-0@x1\.\d+$/);
    expect(
      w.cluster
        .partition('output', 0)
        .log.filter((b) => !isControl(b))
        .flatMap((b) => b.records.map((r) => r.key)),
    ).toEqual(INPUT.map((v) => `k-${v}`));
    expect(tc.committedOffsets.get('copiers')?.at(-1)).toEqual(['input', 0, 10]);
    // max.poll.records 3: one transaction per poll batch.
    expect(tc.requests('EndTxn').filter((r) => r.committed)).toHaveLength(4);
  });

  it('after an abortable error it aborts and rewinds to the committed offsets: still exactly once', () => {
    const { w, tc } = processorWorld();
    w.cluster.appendRecords('input', 0, INPUT);
    tc.faults.push({ api: 'TxnOffsetCommit', error: ErrorCode.ILLEGAL_GENERATION, times: 1 });
    w.sim.run(3000);
    expect(tc.requests('EndTxn').filter((r) => !r.committed)).toHaveLength(1);
    expect(committedValues(w.cluster, 'output', 0)).toEqual(INPUT);
    // The aborted copies are in the log, written once more after the rewind.
    expect(w.cluster.values('output', 0).length).toBeGreaterThan(INPUT.length);
  });

  it('after a fenced commit it initialises again (the coordinator aborts the transaction) and rewinds: still exactly once', () => {
    const { w, tc } = processorWorld();
    w.cluster.appendRecords('input', 0, INPUT);
    tc.faults.push({ api: 'EndTxn', error: ErrorCode.PRODUCER_FENCED, times: 1 });
    w.sim.run(3000);
    expect(tc.received.filter((r) => r.msg.api === 'InitProducerId')).toHaveLength(2);
    expect(committedValues(w.cluster, 'output', 0)).toEqual(INPUT);
  });

  it('splits its config between its producer and its consumer, with a processor’s defaults, and names a bad key', () => {
    const { producer, consumer } = processorConfigs({ 'transactional.id': 'x1', 'max.poll.records': 5, 'request.timeout.ms': 1000 }, 'copiers');
    expect(producer).toEqual({ 'transactional.id': 'x1', 'request.timeout.ms': 1000 });
    expect(consumer).toEqual({
      'auto.offset.reset': 'earliest',
      'isolation.level': 'read_committed',
      'enable.auto.commit': false,
      'max.poll.records': 5,
      'request.timeout.ms': 1000,
      'group.id': 'copiers',
    });
    expect(processorConfigKeyProblem('transactional.idd', 'x')).toMatch(/unknown processor config "transactional\.idd" \(did you mean "transactional\.id"\?\)/);
    expect(processorConfigKeyProblem('enable.auto.commit', true)).toMatch(/enable\.auto\.commit must be false/);
    expect(processorConfigKeyProblem('group.id', 'g')).toMatch(/as group:/);
  });
});
