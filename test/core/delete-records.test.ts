// The admin client's deleteRecords in a simulated cluster (Kafka's Admin.deleteRecords): Metadata finds each
// partition's leader, DeleteRecords goes to it, and every partition gets an answer, the low watermark or an error.
import { describe, expect, it } from 'vitest';
import type { AdminClient, DeletedRecords, RecordsToDelete } from '../../core/client/admin.ts';
import type { CreateTopicsResponse } from '../../core/protocol/controller.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { ADMIN_ID, kafkaNode } from '../../sim/scenario/cluster.ts';
import { startCluster, type TestCluster } from './controller-helpers.ts';

function createTopic(tc: TestCluster, name: string, partitions: number, configs: Record<string, string> = {}): void {
  const response = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
    api: 'CreateTopics',
    kind: 'request',
    correlationId,
    topics: [{ name, numPartitions: partitions, replicationFactor: 3, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 2_000,
    validateOnly: false,
  }));
  expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  const led = () =>
    tc.cluster.brokers.every((id) => {
      const image = kafkaNode(tc.cluster, id)?.image;
      return Array.from({ length: partitions }, (_, p) => image?.partition(name, p)?.leader ?? null).every((l) => l !== null);
    });
  tc.runUntil(led, 5_000, `${name} led everywhere`);
}

function deleteRecords(tc: TestCluster, partitions: RecordsToDelete[]): DeletedRecords[] {
  let results: DeletedRecords[] | null = null;
  tc.sim.act<AdminClient>(ADMIN_ID, (admin, env) => admin.deleteRecords(env as never, partitions, (r) => (results = r)));
  tc.runUntil(() => results !== null, 20_000, 'the admin client');
  return results!;
}

describe('AdminClient.deleteRecords', () => {
  it("asks each partition's leader and answers per partition: the low watermark, OFFSET_OUT_OF_RANGE past the high watermark, POLICY_VIOLATION, UNKNOWN_TOPIC_OR_PARTITION", () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 3);
    createTopic(tc, 'kept', 1, { 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    const results = deleteRecords(tc, [
      { topic: 'orders', partition: 0, offset: -1 },
      { topic: 'orders', partition: 1, offset: 0 },
      { topic: 'orders', partition: 2, offset: 5 },
      { topic: 'orders', partition: 7, offset: 0 },
      { topic: 'nope', partition: 0, offset: 0 },
      { topic: 'kept', partition: 0, offset: 0 },
    ]);
    expect(results).toEqual([
      { topic: 'orders', partition: 0, lowWatermark: 0, errorCode: ErrorCode.NONE },
      { topic: 'orders', partition: 1, lowWatermark: 0, errorCode: ErrorCode.NONE },
      { topic: 'orders', partition: 2, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
      { topic: 'orders', partition: 7, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
      { topic: 'nope', partition: 0, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
      { topic: 'kept', partition: 0, lowWatermark: 0, errorCode: ErrorCode.NONE },
    ]);
    const ops = tc.traces.filter((t) => t.node === ADMIN_ID && t.event['op'] === 'delete-records').map((t) => [t.event['type'], t.event['error']]);
    expect(ops).toEqual([
      ['invoke', undefined],
      ['fail', 'orders/2: OFFSET_OUT_OF_RANGE, orders/7: UNKNOWN_TOPIC_OR_PARTITION, nope/0: UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
  });

  it('finds the leader again when the one it asked has moved', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1);
    const leader = kafkaNode(tc.cluster, 'b1')!.image.partition('orders', 0)!.leader!;
    // The leader is cut off from everyone; the controller elects another, and the admin's request to the old one goes unanswered.
    tc.sim.partition([[leader], tc.cluster.nodes.filter((n) => n !== leader).concat(ADMIN_ID)]);
    const before = tc.sim.now;
    const results = deleteRecords(tc, [{ topic: 'orders', partition: 0, offset: -1 }]);
    expect(results).toEqual([{ topic: 'orders', partition: 0, lowWatermark: 0, errorCode: ErrorCode.NONE }]);
    // Answered by the new leader, once the controller had fenced the old one (broker.session.timeout.ms).
    const other = tc.cluster.nodes.find((n) => n !== leader)!;
    expect(kafkaNode(tc.cluster, other)!.image.partition('orders', 0)!.leader).not.toBe(leader);
    expect(tc.sim.now - before).toBeGreaterThan(9_000);
  });
});
