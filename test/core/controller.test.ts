// The controller: the metadata image and its records, leader election and ISR changes, replica
// placement, and the active controller serving requests in a simulated combined cluster
// (topics, broker heartbeats, AlterPartition, fencing on session expiry and unfencing).

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/env.ts';
import type { AdminClient, TopicResult } from '../../core/client/admin.ts';
import { compareIds, MetadataImage, type PartitionState } from '../../core/controller/image.ts';
import { fencedBrokerChange, isrChange, leaderlessChange } from '../../core/controller/partition-change.ts';
import { placeReplicas } from '../../core/controller/placement.ts';
import type { MetadataRecord } from '../../core/controller/records.ts';
import type {
  AllocateProducerIdsResponse,
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerHeartbeatResponse,
  BrokerRegistrationResponse,
  CreatableTopic,
  CreateTopicsResponse,
  DeleteTopicsResponse,
} from '../../core/protocol/controller.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { ADMIN_ID, kafkaNode } from '../../sim/scenario/cluster.ts';
import { combinedScenario, imageWith, partitionState, rules, startCluster, startedCluster, TestCluster } from './controller-helpers.ts';

// ---- MetadataImage ------------------------------------------------------------------------------

function register(image: MetadataImage, brokerId: NodeId, brokerEpoch: number, fenced = true): void {
  image.apply({ type: 'RegisterBrokerRecord', brokerId, brokerEpoch, incarnationId: `inc-${brokerId}-${brokerEpoch}`, fenced });
}

/** An image with brokers b1..b3 (unfenced, epochs 1..3) and topic "orders" (T1) of two partitions. */
function sampleImage(): MetadataImage {
  const image = new MetadataImage();
  register(image, 'b1', 1, false);
  register(image, 'b2', 2, false);
  register(image, 'b3', 3, false);
  image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'T1' });
  for (const partitionId of [0, 1]) {
    const replicas = partitionId === 0 ? ['b1', 'b2', 'b3'] : ['b2', 'b3', 'b1'];
    image.apply({
      type: 'PartitionRecord',
      partitionId,
      topicId: 'T1',
      replicas,
      isr: [...replicas],
      leader: replicas[0]!,
      leaderRecoveryState: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
    });
  }
  return image;
}

describe('MetadataImage: brokers', () => {
  it('RegisterBrokerRecord adds the broker with its epoch, incarnation and fencing', () => {
    const image = new MetadataImage();
    image.apply({ type: 'RegisterBrokerRecord', brokerId: 'b1', brokerEpoch: 7, incarnationId: 'abc', fenced: true });
    expect(image.brokers.get('b1')).toEqual({ brokerId: 'b1', brokerEpoch: 7, incarnationId: 'abc', fenced: true });
    expect(image.unfencedBrokers()).toEqual([]);
  });

  it('Fence and Unfence apply only with the broker epoch of the current registration', () => {
    const image = new MetadataImage();
    register(image, 'b1', 5, true);
    image.apply({ type: 'UnfenceBrokerRecord', id: 'b1', epoch: 4 });
    expect(image.brokers.get('b1')!.fenced).toBe(true);
    image.apply({ type: 'UnfenceBrokerRecord', id: 'b1', epoch: 5 });
    expect(image.brokers.get('b1')!.fenced).toBe(false);
    image.apply({ type: 'FenceBrokerRecord', id: 'b1', epoch: 6 });
    expect(image.brokers.get('b1')!.fenced).toBe(false);
    image.apply({ type: 'FenceBrokerRecord', id: 'b1', epoch: 5 });
    expect(image.brokers.get('b1')!.fenced).toBe(true);
  });

  it('a new registration replaces the old one, and records of the old epoch no longer apply', () => {
    const image = new MetadataImage();
    register(image, 'b1', 5, false);
    register(image, 'b1', 9, true);
    expect(image.brokers.get('b1')).toMatchObject({ brokerEpoch: 9, fenced: true, incarnationId: 'inc-b1-9' });
    image.apply({ type: 'UnfenceBrokerRecord', id: 'b1', epoch: 5 });
    expect(image.brokers.get('b1')!.fenced).toBe(true);
    image.apply({ type: 'UnfenceBrokerRecord', id: 'b1', epoch: 9 });
    expect(image.brokers.get('b1')!.fenced).toBe(false);
  });

  it('fencing or unfencing an unknown broker changes nothing', () => {
    const image = new MetadataImage();
    image.apply({ type: 'FenceBrokerRecord', id: 'b9', epoch: 0 });
    image.apply({ type: 'UnfenceBrokerRecord', id: 'b9', epoch: 0 });
    expect(image.brokers.size).toBe(0);
  });

  it('unfencedBrokers lists only unfenced brokers, in numeric id order', () => {
    const image = new MetadataImage();
    for (const [id, epoch] of [
      ['b10', 1],
      ['b2', 2],
      ['b1', 3],
      ['b3', 4],
    ] as const)
      register(image, id, epoch, false);
    image.apply({ type: 'FenceBrokerRecord', id: 'b3', epoch: 4 });
    expect(image.unfencedBrokers()).toEqual(['b1', 'b2', 'b10']);
  });
});

describe('MetadataImage: topics and partitions', () => {
  it('TopicRecord and PartitionRecord build the topic, found by id and by name', () => {
    const image = sampleImage();
    const topic = image.topicByName('orders')!;
    expect(topic.topicId).toBe('T1');
    expect(image.topics.get('T1')).toBe(topic);
    expect(topic.config).toEqual({});
    expect(topic.partitions).toHaveLength(2);
    expect(image.partition('orders', 1)).toEqual({
      topic: 'orders',
      topicId: 'T1',
      partition: 1,
      replicas: ['b2', 'b3', 'b1'],
      isr: ['b2', 'b3', 'b1'],
      leader: 'b2',
      leaderEpoch: 0,
      partitionEpoch: 0,
      leaderRecoveryState: 0,
    });
    expect(image.partition('orders', 2)).toBeUndefined();
    expect(image.partition('nope', 0)).toBeUndefined();
    expect(image.allPartitions().map((p) => p.partition)).toEqual([0, 1]);
  });

  it('a PartitionRecord for an unknown topic is ignored and reports nothing', () => {
    const image = new MetadataImage();
    const changed: PartitionState[] = [];
    image.apply(
      {
        type: 'PartitionRecord',
        partitionId: 0,
        topicId: 'nope',
        replicas: ['b1'],
        isr: ['b1'],
        leader: 'b1',
        leaderRecoveryState: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
      (p) => changed.push(p),
    );
    expect(image.allPartitions()).toEqual([]);
    expect(changed).toEqual([]);
  });

  it('the image copies record arrays: mutating a record after applying it changes nothing', () => {
    const image = new MetadataImage();
    image.apply({ type: 'TopicRecord', name: 't', topicId: 'T' });
    const record: MetadataRecord = {
      type: 'PartitionRecord',
      partitionId: 0,
      topicId: 'T',
      replicas: ['b1', 'b2'],
      isr: ['b1', 'b2'],
      leader: 'b1',
      leaderRecoveryState: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
    };
    image.apply(record);
    record.replicas.push('b3');
    record.isr.pop();
    const change = { type: 'PartitionChangeRecord' as const, partitionId: 0, topicId: 'T', isr: ['b1'] };
    image.apply(change);
    change.isr.push('b9');
    expect(image.partition('t', 0)).toMatchObject({ replicas: ['b1', 'b2'], isr: ['b1'] });
  });

  it('PartitionChangeRecord: an ISR-only change keeps leader and leader epoch, bumps the partition epoch', () => {
    const image = sampleImage();
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', isr: ['b1', 'b3'] });
    expect(image.partition('orders', 0)).toMatchObject({
      isr: ['b1', 'b3'],
      leader: 'b1',
      leaderEpoch: 0,
      partitionEpoch: 1,
      leaderRecoveryState: 0,
      replicas: ['b1', 'b2', 'b3'],
    });
    // The other partition is untouched.
    expect(image.partition('orders', 1)).toMatchObject({ isr: ['b2', 'b3', 'b1'], partitionEpoch: 0 });
  });

  it('PartitionChangeRecord: a leader change bumps the leader epoch and the partition epoch, leaving the ISR', () => {
    const image = sampleImage();
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', leader: 'b2' });
    expect(image.partition('orders', 0)).toMatchObject({ leader: 'b2', isr: ['b1', 'b2', 'b3'], leaderEpoch: 1, partitionEpoch: 1 });
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', leader: null });
    expect(image.partition('orders', 0)).toMatchObject({ leader: null, leaderEpoch: 2, partitionEpoch: 2 });
  });

  it('PartitionChangeRecord: naming the current leader is not a leader change', () => {
    const image = sampleImage();
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', leader: 'b1' });
    expect(image.partition('orders', 0)).toMatchObject({ leader: 'b1', leaderEpoch: 0, partitionEpoch: 1 });
  });

  it('PartitionChangeRecord: with no field set, only the partition epoch moves', () => {
    const image = sampleImage();
    const before = { ...image.partition('orders', 0)! };
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1' });
    expect(image.partition('orders', 0)).toEqual({ ...before, partitionEpoch: 1 });
  });

  it('PartitionChangeRecord: the leader recovery state changes only when given', () => {
    const image = sampleImage();
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', leader: 'b3', isr: ['b3'], leaderRecoveryState: 1 });
    expect(image.partition('orders', 0)).toMatchObject({ leader: 'b3', isr: ['b3'], leaderRecoveryState: 1, leaderEpoch: 1, partitionEpoch: 1 });
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', isr: ['b3', 'b1'] });
    expect(image.partition('orders', 0)!.leaderRecoveryState).toBe(1);
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', leaderRecoveryState: 0 });
    expect(image.partition('orders', 0)).toMatchObject({ leaderRecoveryState: 0, leaderEpoch: 1, partitionEpoch: 3 });
  });

  it('the changed callback hears each partition state a record produces, and nothing else', () => {
    const image = new MetadataImage();
    const changed: PartitionState[] = [];
    const listen = (p: PartitionState) => changed.push({ ...p, isr: [...p.isr] });
    register(image, 'b1', 1, false);
    image.apply({ type: 'TopicRecord', name: 't', topicId: 'T' }, listen);
    image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 't', name: 'retention.ms', value: '1' }, listen);
    image.apply({ type: 'NoOpRecord' }, listen);
    expect(changed).toEqual([]);
    image.apply(
      {
        type: 'PartitionRecord',
        partitionId: 0,
        topicId: 'T',
        replicas: ['b1', 'b2'],
        isr: ['b1', 'b2'],
        leader: 'b1',
        leaderRecoveryState: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
      listen,
    );
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T', isr: ['b1'] }, listen);
    image.apply({ type: 'PartitionChangeRecord', partitionId: 5, topicId: 'T', isr: ['b1'] }, listen);
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'other', isr: ['b1'] }, listen);
    expect(changed.map((p) => [p.topic, p.partition, p.isr, p.partitionEpoch])).toEqual([
      ['t', 0, ['b1', 'b2'], 0],
      ['t', 0, ['b1'], 1],
    ]);
  });

  it('RemoveTopicRecord removes the topic and frees its name for a new topic id', () => {
    const image = sampleImage();
    image.apply({ type: 'RemoveTopicRecord', topicId: 'T1' });
    expect(image.topics.size).toBe(0);
    expect(image.topicByName('orders')).toBeUndefined();
    expect(image.allPartitions()).toEqual([]);
    image.apply({ type: 'RemoveTopicRecord', topicId: 'T1' }); // unknown by now: nothing happens
    image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'T2' });
    expect(image.topicByName('orders')!.topicId).toBe('T2');
    expect(image.topicByName('orders')!.partitions).toEqual([]);
    // A change for the removed topic's id does nothing.
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', leader: 'b2' });
    expect(image.allPartitions()).toEqual([]);
  });

  it('ConfigRecord sets, overwrites and (with a null value) deletes topic configs; other resources are ignored', () => {
    const image = sampleImage();
    const set = (name: string, value: string | null, resourceType: 2 | 4 = 2, resourceName = 'orders') =>
      image.apply({ type: 'ConfigRecord', resourceType, resourceName, name, value });
    set('min.insync.replicas', '2');
    set('retention.ms', '1000');
    set('retention.ms', '2000');
    expect(image.topicByName('orders')!.config).toEqual({ 'min.insync.replicas': '2', 'retention.ms': '2000' });
    set('retention.ms', null);
    expect(image.topicByName('orders')!.config).toEqual({ 'min.insync.replicas': '2' });
    set('log.retention.ms', '5', 4, 'b1');
    set('retention.ms', '5', 2, 'unknown-topic');
    expect(image.topicByName('orders')!.config).toEqual({ 'min.insync.replicas': '2' });
    expect(image.topicByName('unknown-topic')).toBeUndefined();
  });

  it('ProducerIdsRecord moves the next producer id forward only; snapshots and digests carry it', () => {
    const image = new MetadataImage();
    const before = image.digest();
    image.apply({ type: 'ProducerIdsRecord', brokerId: 'b1', brokerEpoch: 3, nextProducerId: 1000 });
    image.apply({ type: 'ProducerIdsRecord', brokerId: 'b2', brokerEpoch: 4, nextProducerId: 500 });
    expect(image.nextProducerId).toBe(1000);
    expect(image.digest()).not.toBe(before);
    const copy = MetadataImage.fromSnapshot(JSON.parse(JSON.stringify(image.toSnapshot())));
    expect(copy.nextProducerId).toBe(1000);
    expect(copy.digest()).toBe(image.digest());
  });

  it('a NoOpRecord changes nothing', () => {
    const image = sampleImage();
    const before = JSON.stringify(image.toSnapshot());
    image.apply({ type: 'NoOpRecord' });
    expect(JSON.stringify(image.toSnapshot())).toBe(before);
  });
});

describe('MetadataImage: snapshots', () => {
  function populated(): MetadataImage {
    const image = sampleImage();
    image.apply({ type: 'FenceBrokerRecord', id: 'b3', epoch: 3 });
    image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1' });
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', isr: ['b1', 'b2'], leader: 'b2' });
    return image;
  }

  it('fromSnapshot(toSnapshot()) rebuilds the same brokers, topics, names and partitions, also through JSON', () => {
    const image = populated();
    for (const copy of [
      MetadataImage.fromSnapshot(image.toSnapshot()),
      MetadataImage.fromSnapshot(JSON.parse(JSON.stringify(image.toSnapshot()))),
      image.clone(),
    ]) {
      expect(copy).not.toBe(image);
      expect([...copy.brokers.entries()]).toEqual([...image.brokers.entries()]);
      expect([...copy.topics.entries()]).toEqual([...image.topics.entries()]);
      expect(copy.topicByName('orders')!.topicId).toBe('T1');
      expect(copy.partition('orders', 0)).toEqual(image.partition('orders', 0));
      expect(copy.unfencedBrokers()).toEqual(['b1', 'b2']);
      expect(copy.toSnapshot()).toEqual(image.toSnapshot());
    }
  });

  it('the copy is deep: changing the original leaves the copy alone, and the other way round', () => {
    const image = populated();
    const snapshot = image.toSnapshot();
    const frozen = JSON.stringify(snapshot);
    const copy = MetadataImage.fromSnapshot(snapshot);
    const copyBefore = JSON.stringify(copy.toSnapshot());

    image.apply({ type: 'UnfenceBrokerRecord', id: 'b3', epoch: 3 });
    image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '99' });
    image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T1', isr: ['b2'] });
    image.partition('orders', 1)!.replicas.push('b9');
    image.apply({ type: 'TopicRecord', name: 'new', topicId: 'T9' });
    expect(JSON.stringify(copy.toSnapshot())).toBe(copyBefore);
    expect(JSON.stringify(snapshot)).toBe(frozen);

    const image2 = populated();
    const before2 = JSON.stringify(image2.toSnapshot());
    const copy2 = image2.clone();
    copy2.apply({ type: 'FenceBrokerRecord', id: 'b1', epoch: 1 });
    copy2.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: null });
    copy2.apply({ type: 'PartitionChangeRecord', partitionId: 1, topicId: 'T1', isr: ['b2'], leader: 'b2' });
    copy2.partition('orders', 0)!.isr.push('b3');
    copy2.apply({ type: 'RemoveTopicRecord', topicId: 'T1' });
    expect(JSON.stringify(image2.toSnapshot())).toBe(before2);
    expect(image2.topicByName('orders')).toBeDefined();
  });

  it('a snapshot taken from an image does not change when the image changes later (fromSnapshot of a mutated snapshot does not leak back)', () => {
    const image = populated();
    const snapshot = image.toSnapshot() as {
      brokers: Array<{ fenced: boolean }>;
      topics: Array<{ config: Record<string, string>; partitions: Array<{ isr: string[] }> }>;
    };
    const copy = MetadataImage.fromSnapshot(snapshot);
    snapshot.brokers[0]!.fenced = true;
    snapshot.topics[0]!.config['x'] = 'y';
    snapshot.topics[0]!.partitions[0]!.isr.push('b7');
    expect(copy.brokers.get('b1')!.fenced).toBe(false);
    expect(copy.topicByName('orders')!.config).toEqual({ 'retention.ms': '1' });
    expect(copy.partition('orders', 0)!.isr).toEqual(['b1', 'b2']);
    expect(image.partition('orders', 0)!.isr).toEqual(['b1', 'b2']);
  });
});

describe('compareIds', () => {
  it('orders node ids by their number: b2 < b10, and by name when the numbers match', () => {
    expect(compareIds('b2', 'b10')).toBeLessThan(0);
    expect(compareIds('b10', 'b2')).toBeGreaterThan(0);
    expect(compareIds('b3', 'b3')).toBe(0);
    expect(compareIds('b1', 'c1')).toBeLessThan(0);
    expect(['b10', 'b2', 'b1', 'b21', 'b3'].sort(compareIds)).toEqual(['b1', 'b2', 'b3', 'b10', 'b21']);
  });

  test.prop([fc.array(fc.tuple(fc.constantFrom('b', 'c', 'p'), fc.nat({ max: 200 })), { maxLength: 30 })])(
    'sorts ids of the form <letters><number> by (number, name)',
    (parts) => {
      const ids = parts.map(([prefix, n]) => `${prefix}${n}`);
      const expected = [...ids].sort((a, b) => {
        const na = Number(a.slice(1));
        const nb = Number(b.slice(1));
        return na !== nb ? na - nb : a < b ? -1 : a > b ? 1 : 0;
      });
      expect([...ids].sort(compareIds)).toEqual(expected);
      for (const a of ids) for (const b of ids) expect(Math.sign(compareIds(a, b))).toBe(-Math.sign(compareIds(b, a)) || 0);
    },
  );
});

// ---- partition changes --------------------------------------------------------------------------

describe('fencedBrokerChange', () => {
  const p = partitionState({ replicas: ['b1', 'b2', 'b3'] });

  it('produces nothing when the broker is neither in the ISR nor the leader', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1', 'b2'] });
    expect(fencedBrokerChange(q, 'b3', rules(['b3']))).toBeNull();
    expect(fencedBrokerChange(q, 'b7', rules(['b7']))).toBeNull();
  });

  it('a fenced follower leaves the ISR; the leader stays', () => {
    expect(fencedBrokerChange(p, 'b2', rules(['b2']))).toEqual({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T-orders', isr: ['b1', 'b3'] });
  });

  it('a fenced leader leaves the ISR and is replaced by the first unfenced ISR member in replica order', () => {
    // ISR order differs from replica order: replica order decides.
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b3', 'b2', 'b1'], leader: 'b1' });
    expect(fencedBrokerChange(q, 'b1', rules(['b1']))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      topicId: 'T-orders',
      isr: ['b3', 'b2'],
      leader: 'b2',
    });
    // With b2 fenced as well (but still in the ISR), b3 is next.
    expect(fencedBrokerChange(q, 'b1', rules(['b1', 'b2']))).toMatchObject({ isr: ['b3', 'b2'], leader: 'b3' });
  });

  it('the last ISR member stays in the ISR, and the partition is left without a leader', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'] });
    const record = fencedBrokerChange(q, 'b1', rules(['b1']));
    expect(record).toEqual({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T-orders', leader: null });
    const image = imageWith(q);
    image.apply(record!);
    expect(image.partition('orders', 0)).toMatchObject({ isr: ['b1'], leader: null, leaderEpoch: 1, partitionEpoch: 1 });
  });

  it('with only fenced ISR members left, the leader is dropped but the ISR keeps them', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1', 'b2'] });
    expect(fencedBrokerChange(q, 'b1', rules(['b1', 'b2']))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      topicId: 'T-orders',
      isr: ['b2'],
      leader: null,
    });
  });

  it('unclean election picks an unfenced replica outside the ISR, restarts the ISR from it, RECOVERING', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'] });
    expect(fencedBrokerChange(q, 'b1', rules(['b1', 'b2'], { unclean: true }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      topicId: 'T-orders',
      isr: ['b3'],
      leader: 'b3',
      leaderRecoveryState: 1,
    });
  });

  it('without unclean election, no replica outside the ISR is elected', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'] });
    expect(fencedBrokerChange(q, 'b1', rules(['b1'], { unclean: false }))).toMatchObject({ leader: null });
    expect(fencedBrokerChange(q, 'b1', rules(['b1'], { unclean: false }))!.isr).toBeUndefined();
  });

  it('unclean election prefers a clean leader when the ISR has one', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1', 'b3'] });
    expect(fencedBrokerChange(q, 'b1', rules(['b1'], { unclean: true }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      topicId: 'T-orders',
      isr: ['b3'],
      leader: 'b3',
    });
  });

  it('unclean election with every other replica fenced leaves the partition leaderless', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'] });
    expect(fencedBrokerChange(q, 'b1', rules(['b1', 'b2', 'b3'], { unclean: true }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      topicId: 'T-orders',
      leader: null,
    });
  });

  it('with the controller-empty-isr bug, fencing the last ISR member empties the ISR', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'] });
    const record = fencedBrokerChange(q, 'b1', rules(['b1'], { bugs: ['controller-empty-isr'] }));
    expect(record).toMatchObject({ isr: [], leader: null });
    const image = imageWith(q);
    image.apply(record!);
    expect(image.partition('orders', 0)!.isr).toEqual([]);
  });

  it('with the controller-elect-outside-isr bug, a fenced leader may be replaced by a replica outside the ISR', () => {
    const q = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1', 'b3'] });
    const record = fencedBrokerChange(q, 'b1', rules(['b1'], { bugs: ['controller-elect-outside-isr'] }));
    expect(record).toMatchObject({ isr: ['b3'], leader: 'b2' });
    expect(record!.leaderRecoveryState).toBeUndefined();
    // Without the bug the same input elects inside the ISR.
    expect(fencedBrokerChange(q, 'b1', rules(['b1']))).toMatchObject({ isr: ['b3'], leader: 'b3' });
  });

  it('keeps the partition and topic ids of the partition in the record', () => {
    const q = partitionState({ replicas: ['b1', 'b2'], topicId: 'XYZ', partition: 7 });
    expect(fencedBrokerChange(q, 'b2', rules(['b2']))).toMatchObject({ partitionId: 7, topicId: 'XYZ' });
  });
});

describe('leaderlessChange', () => {
  it('produces nothing for a partition that has a leader', () => {
    expect(leaderlessChange(partitionState({ replicas: ['b1', 'b2'] }), rules())).toBeNull();
  });

  it('elects the ISR member in replica order once it is unfenced', () => {
    const p = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b3', 'b2'], leader: null });
    expect(leaderlessChange(p, rules(['b1']))).toEqual({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T-orders', leader: 'b2' });
  });

  it('produces nothing while every ISR member is fenced and unclean election is off', () => {
    const p = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'], leader: null });
    expect(leaderlessChange(p, rules(['b1']))).toBeNull();
  });

  it('with unclean election, elects an unfenced replica outside the ISR and marks it RECOVERING', () => {
    const p = partitionState({ replicas: ['b1', 'b2', 'b3'], isr: ['b1'], leader: null });
    expect(leaderlessChange(p, rules(['b1'], { unclean: true }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      topicId: 'T-orders',
      isr: ['b2'],
      leader: 'b2',
      leaderRecoveryState: 1,
    });
  });
});

describe('isrChange', () => {
  const p = partitionState({ replicas: ['b1', 'b2', 'b3'] });

  it('produces nothing when neither the ISR nor the recovery state changes', () => {
    expect(isrChange(p, ['b1', 'b2', 'b3'], 0)).toBeNull();
  });

  it('a new ISR gives a record with only the ISR', () => {
    expect(isrChange(p, ['b1', 'b3'], 0)).toEqual({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T-orders', isr: ['b1', 'b3'] });
    expect(isrChange(partitionState({ replicas: ['b1', 'b2'], isr: ['b1'] }), ['b1', 'b2'], 0)).toMatchObject({ isr: ['b1', 'b2'] });
  });

  it('a recovered partition (RECOVERING -> RECOVERED) gives a record with only the recovery state', () => {
    const q = partitionState({ replicas: ['b1', 'b2'], isr: ['b1'], leaderRecoveryState: 1 });
    expect(isrChange(q, ['b1'], 0)).toEqual({ type: 'PartitionChangeRecord', partitionId: 0, topicId: 'T-orders', leaderRecoveryState: 0 });
  });

  it('copies the ISR it is given', () => {
    const isr = ['b1'];
    const record = isrChange(p, isr, 0)!;
    isr.push('b2');
    expect(record.isr).toEqual(['b1']);
  });
});

describe('fencedBrokerChange: properties', () => {
  const BROKERS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
  const scenario = fc
    .shuffledSubarray(BROKERS, { minLength: 1, maxLength: 5 })
    .chain((replicas) =>
      fc.record({
        replicas: fc.constant(replicas),
        isr: fc.shuffledSubarray(replicas, { minLength: 1 }),
        fenced: fc.subarray(BROKERS),
        unclean: fc.boolean(),
        leaderEpoch: fc.nat({ max: 5 }),
        partitionEpoch: fc.nat({ max: 5 }),
        recovery: fc.constantFrom<0 | 1>(0, 1),
      }),
    )
    .chain((s) =>
      fc.record({
        s: fc.constant(s),
        leader: fc.option(fc.constantFrom(...s.isr), { nil: null }),
        broker: fc.constantFrom(...s.replicas),
      }),
    );

  test.prop([scenario], { numRuns: 500 })('after the change the ISR is never empty and the leader is null or in the ISR', ({ s, leader, broker }) => {
    const p = partitionState({
      replicas: s.replicas,
      isr: s.isr,
      leader,
      leaderEpoch: s.leaderEpoch,
      partitionEpoch: s.partitionEpoch,
      leaderRecoveryState: s.recovery,
    });
    const fenced = new Set([...s.fenced, broker]);
    const record = fencedBrokerChange(p, broker, rules(fenced, { unclean: s.unclean }));
    const image = imageWith(p);
    if (record !== null) image.apply(record);
    const after = image.partition('orders', 0)!;

    expect(after.isr.length).toBeGreaterThan(0);
    if (after.leader !== null) {
      expect(after.isr).toContain(after.leader);
      expect(after.leader).not.toBe(broker);
    }
    // The fenced broker stays in the ISR only as its last member.
    if (after.isr.includes(broker)) expect(after.isr).toEqual([broker]);
    // Every ISR member and leader is a replica, and no member appears twice.
    for (const r of after.isr) expect(s.replicas).toContain(r);
    expect(new Set(after.isr).size).toBe(after.isr.length);
    // A newly chosen leader is unfenced; epochs move exactly as the record says.
    if (after.leader !== leader) {
      if (after.leader !== null) expect(fenced.has(after.leader)).toBe(false);
      expect(after.leaderEpoch).toBe(s.leaderEpoch + 1);
    } else {
      expect(after.leaderEpoch).toBe(s.leaderEpoch);
    }
    expect(after.partitionEpoch).toBe(s.partitionEpoch + (record === null ? 0 : 1));
    // No record when the broker had nothing to do with the partition, or when it is the last ISR
    // member of an already leaderless partition (it stays, and there is no one to elect).
    const unchanged = (!s.isr.includes(broker) && leader !== broker) || (s.isr.length === 1 && leader === null);
    expect(record === null).toBe(unchanged);
    // Clean election: outside unclean election the ISR only shrinks.
    if (!s.unclean) for (const r of after.isr) expect(s.isr).toContain(r);
    if (after.leaderRecoveryState === 1 && s.recovery === 0) expect(after.isr).toEqual([after.leader]);
  });

  test.prop([scenario], { numRuns: 300 })('a clean leader exists after the change whenever an unfenced ISR member remains', ({ s, leader, broker }) => {
    fc.pre(leader === broker);
    const p = partitionState({ replicas: s.replicas, isr: s.isr, leader });
    const fenced = new Set([...s.fenced, broker]);
    const record = fencedBrokerChange(p, broker, rules(fenced, { unclean: s.unclean }))!;
    const image = imageWith(p);
    image.apply(record);
    const after = image.partition('orders', 0)!;
    const candidates = s.replicas.filter((r) => s.isr.includes(r) && !fenced.has(r));
    if (candidates.length > 0) expect(after.leader).toBe(candidates[0]);
    else if (!s.unclean) expect(after.leader).toBeNull();
  });
});

// ---- placement ----------------------------------------------------------------------------------

describe('placeReplicas', () => {
  test.prop([fc.integer({ min: 1, max: 9 }), fc.nat({ max: 40 }), fc.integer({ min: 1, max: 9 }), fc.nat({ max: 100 })])(
    'every partition gets replicationFactor distinct brokers, and leaders spread evenly',
    (n, partitions, rfRaw, start) => {
      const brokers = Array.from({ length: n }, (_, i) => `b${i + 1}`);
      const rf = Math.min(rfRaw, n);
      const placement = placeReplicas(brokers, partitions, rf, start);
      expect(placement).toHaveLength(partitions);
      for (const replicas of placement) {
        expect(replicas).toHaveLength(rf);
        expect(new Set(replicas).size).toBe(rf);
        for (const r of replicas) expect(brokers).toContain(r);
      }
      const leaders = new Map(brokers.map((b) => [b, 0]));
      for (const replicas of placement) leaders.set(replicas[0]!, leaders.get(replicas[0]!)! + 1);
      const counts = [...leaders.values()];
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    },
  );

  it('stripes consecutive brokers starting at start + partition', () => {
    expect(placeReplicas(['b1', 'b2', 'b3'], 4, 2, 1)).toEqual([
      ['b2', 'b3'],
      ['b3', 'b1'],
      ['b1', 'b2'],
      ['b2', 'b3'],
    ]);
  });

  it('throws when the replication factor exceeds the brokers', () => {
    expect(() => placeReplicas(['b1', 'b2'], 1, 3, 0)).toThrow(RangeError);
    expect(() => placeReplicas([], 1, 1, 0)).toThrow(RangeError);
    expect(placeReplicas(['b1', 'b2'], 1, 2, 0)).toEqual([['b1', 'b2']]);
  });
});

// ---- the controller in a simulated cluster ------------------------------------------------------

function topic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string> = {}): CreatableTopic {
  return { name, numPartitions, replicationFactor, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) };
}

function create(tc: TestCluster, topics: CreatableTopic[], options: { to?: NodeId; validateOnly?: boolean } = {}): CreateTopicsResponse {
  return tc.request<CreateTopicsResponse>(options.to ?? tc.controller(), (correlationId) => ({
    api: 'CreateTopics',
    kind: 'request',
    correlationId,
    topics,
    timeoutMs: 2000,
    validateOnly: options.validateOnly ?? false,
  }));
}

function remove(tc: TestCluster, topicNames: string[], to?: NodeId): DeleteTopicsResponse {
  return tc.request<DeleteTopicsResponse>(to ?? tc.controller(), (correlationId) => ({
    api: 'DeleteTopics',
    kind: 'request',
    correlationId,
    topicNames,
    timeoutMs: 2000,
  }));
}

function heartbeat(
  tc: TestCluster,
  brokerId: NodeId,
  brokerEpoch: number,
  fields: { wantFence?: boolean; wantShutDown?: boolean; offset?: number; to?: NodeId } = {},
): BrokerHeartbeatResponse {
  return tc.request<BrokerHeartbeatResponse>(fields.to ?? tc.controller(), (correlationId) => ({
    api: 'BrokerHeartbeat',
    kind: 'request',
    correlationId,
    brokerId,
    brokerEpoch,
    currentMetadataOffset: fields.offset ?? 1_000_000,
    wantFence: fields.wantFence ?? false,
    wantShutDown: fields.wantShutDown ?? false,
  }));
}

type IsrChange = AlterPartitionRequest['topics'][number]['partitions'][number];

function alterPartition(tc: TestCluster, brokerId: NodeId, brokerEpoch: number, topicId: string, change: IsrChange): AlterPartitionResponse {
  return tc.request<AlterPartitionResponse>(tc.controller(), (correlationId) => ({
    api: 'AlterPartition',
    kind: 'request',
    correlationId,
    brokerId,
    brokerEpoch,
    topics: [{ topicId, partitions: [change] }],
  }));
}

function copyOf(p: PartitionState): PartitionState {
  return { ...p, replicas: [...p.replicas], isr: [...p.isr] };
}

/** The committed image of the active controller. */
function controllerImage(tc: TestCluster): MetadataImage {
  return tc.node(tc.controller()).image;
}

function epochOf(tc: TestCluster, broker: NodeId): number {
  return controllerImage(tc).brokers.get(broker)!.brokerEpoch;
}

/** Runs until every live node's image satisfies `check` (metadata reaches followers on their next fetch). */
function untilEveryImage(tc: TestCluster, check: (image: MetadataImage) => boolean, what: string, maxMs = 3_000): void {
  tc.runUntil(
    () =>
      tc.cluster.nodes.every((id) => {
        const n = kafkaNode(tc.cluster, id);
        return n === null || check(n.image);
      }),
    maxMs,
    what,
  );
}

/** Creates a topic through the controller and waits until every node has it. */
function createAndSettle(tc: TestCluster, t: CreatableTopic): string {
  const response = create(tc, [t]);
  expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  untilEveryImage(tc, (image) => image.topicByName(t.name)?.partitions.length === t.numPartitions, `topic ${t.name} everywhere`);
  return response.topics[0]!.topicId!;
}

describe('the controller in a cluster: start-up', () => {
  it('one controller becomes active, every broker registers with a distinct epoch and is unfenced', () => {
    const tc = startCluster();
    const controller = tc.controller();
    expect(tc.node(controller).raft.isLeader).toBe(true);
    const image = controllerImage(tc);
    expect([...image.brokers.keys()].sort(compareIds)).toEqual(['b1', 'b2', 'b3']);
    const epochs = [...image.brokers.values()].map((b) => b.brokerEpoch);
    expect(new Set(epochs).size).toBe(3);
    for (const b of tc.cluster.brokers) {
      const lifecycle = tc.node(b).lifecycle!;
      expect(lifecycle.brokerEpoch).toBe(image.brokers.get(b)!.brokerEpoch);
      // The broker learns it was unfenced on its next heartbeat.
      tc.runUntil(() => !tc.node(b).lifecycle!.fenced, 3_000, `${b} to learn it is unfenced`);
    }
    // The controller traced its activation.
    expect(tc.traces.some((t) => t.node === controller && t.event.kind === 'controller-active' && t.event['active'] === true)).toBe(true);
  });

  it('with the controller-never-unfences bug, brokers register but stay fenced, so no topic fits', () => {
    const tc = new TestCluster(startedCluster(combinedScenario(), 1, null, ['controller-never-unfences']));
    tc.runUntil(() => tc.activeController() !== null && controllerImage(tc).brokers.size === 3, 10_000, 'registrations');
    tc.sim.run(tc.sim.now + 8_000);
    expect([...controllerImage(tc).brokers.values()].every((b) => b.fenced)).toBe(true);
    const response = create(tc, [topic('t', 1, 1)]);
    expect(response.topics[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
  });
});

describe('the controller in a cluster: CreateTopics', () => {
  it('creates a topic with a topic id, striped over unfenced brokers, and answers only once it is committed', () => {
    const tc = startCluster();
    const controller = tc.controller();
    const committedAtAnswer: boolean[] = [];
    tc.onResponse.push(() => committedAtAnswer.push(tc.node(controller).image.topicByName('orders') !== undefined));
    const response = create(tc, [topic('orders', 3, 3)]);
    expect(committedAtAnswer).toEqual([true]);
    expect(response.topics).toHaveLength(1);
    const result = response.topics[0]!;
    expect(result).toMatchObject({ name: 'orders', errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: 3, replicationFactor: 3 });
    expect(result.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    untilEveryImage(tc, (image) => image.topicByName('orders')?.partitions.length === 3, 'the topic everywhere');
    for (const id of tc.cluster.nodes) {
      const t = tc.node(id).image.topicByName('orders')!;
      expect(t.topicId).toBe(result.topicId);
      expect(t.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      for (const p of t.partitions) {
        expect(new Set(p.replicas).size).toBe(3);
        for (const r of p.replicas) expect(['b1', 'b2', 'b3']).toContain(r);
        expect(p.isr).toEqual(p.replicas);
        expect(p.leader).toBe(p.replicas[0]);
        expect(p).toMatchObject({ leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0 });
      }
      // Three partitions over three brokers: each leads one.
      expect(new Set(t.partitions.map((p) => p.leader)).size).toBe(3);
    }
  });

  it('applies the -1 defaults (num.partitions, default.replication.factor) and stores topic configs', () => {
    const tc = startCluster({ 'num.partitions': 2, 'default.replication.factor': 2 });
    const response = create(tc, [topic('defaults', -1, -1, { 'min.insync.replicas': '2', 'flush.messages': '1' })]);
    expect(response.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 2, replicationFactor: 2 });
    const t = controllerImage(tc).topicByName('defaults')!;
    expect(t.partitions).toHaveLength(2);
    for (const p of t.partitions) expect(p.replicas).toHaveLength(2);
    expect(t.config).toEqual({ 'min.insync.replicas': '2', 'flush.messages': '1' });
  });

  it('validateOnly checks the request and creates nothing', () => {
    const tc = startCluster();
    const response = create(tc, [topic('dry', 1, 3)], { validateOnly: true });
    expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    tc.sim.run(tc.sim.now + 1_000);
    expect(controllerImage(tc).topicByName('dry')).toBeUndefined();
    expect(create(tc, [topic('dry', 1, 4)], { validateOnly: true }).topics[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
  });

  it('TOPIC_ALREADY_EXISTS for an existing name, also for a repeat within one request; the topic keeps its id', () => {
    const tc = startCluster();
    const id = createAndSettle(tc, topic('orders', 1, 1));
    const again = create(tc, [topic('orders', 2, 2)]);
    expect(again.topics[0]).toMatchObject({ name: 'orders', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, topicId: null });
    expect(controllerImage(tc).topicByName('orders')!.topicId).toBe(id);
    expect(controllerImage(tc).topicByName('orders')!.partitions).toHaveLength(1);

    const twice = create(tc, [topic('dup', 1, 1), topic('dup', 1, 1)]);
    expect(twice.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS]);
  });

  it('INVALID_REPLICATION_FACTOR when it exceeds the unfenced brokers or is below 1', () => {
    const tc = startCluster();
    const response = create(tc, [topic('too-many', 1, 4), topic('zero', 1, 0), topic('fits', 1, 3)]);
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['too-many', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['zero', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['fits', ErrorCode.NONE],
    ]);
    expect(response.topics[0]).toMatchObject({ topicId: null, numPartitions: -1, replicationFactor: -1 });
    expect(controllerImage(tc).topicByName('too-many')).toBeUndefined();
    expect(controllerImage(tc).topicByName('fits')).toBeDefined();
  });

  it('INVALID_PARTITIONS for a partition count below 1', () => {
    const tc = startCluster();
    const response = create(tc, [topic('none', 0, 1), topic('negative', -5, 1)]);
    expect(response.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_PARTITIONS]);
    expect(controllerImage(tc).topics.size).toBe(0);
  });

  it('INVALID_TOPIC_EXCEPTION for names Kafka refuses; legal names pass', () => {
    const tc = startCluster();
    const bad = ['', '.', '..', 'has space', 'a/b', 'ü', 'x'.repeat(250), 'semi;colon'];
    const good = ['a', 'A-b_c.d', '...', 'x'.repeat(249)];
    const response = create(
      tc,
      [...bad, ...good].map((name) => topic(name, 1, 1)),
    );
    expect(response.topics.map((t) => t.errorCode)).toEqual([...bad.map(() => ErrorCode.INVALID_TOPIC_EXCEPTION), ...good.map(() => ErrorCode.NONE)]);
    for (const name of bad) expect(controllerImage(tc).topicByName(name)).toBeUndefined();
    for (const name of good) expect(controllerImage(tc).topicByName(name)).toBeDefined();
  });

  it('INVALID_CONFIG for unknown topic configs and bad values (a policy Kafka lacks, a segment under 1 MiB); nothing of the topic is written', () => {
    const tc = startCluster();
    const response = create(tc, [
      topic('unknown-key', 1, 1, { 'no.such.config': '1' }),
      topic('broker-key', 1, 1, { 'broker.session.timeout.ms': '1000' }),
      topic('bad-value', 1, 1, { 'unclean.leader.election.enable': 'sometimes' }),
      topic('bad-int', 1, 1, { 'flush.messages': 'soon' }),
      topic('bad-policy', 1, 1, { 'cleanup.policy': 'compact,shred' }),
      topic('small-segment', 1, 1, { 'segment.bytes': '1024' }),
      topic('good', 1, 1, {
        'flush.ms': '1000',
        'unclean.leader.election.enable': 'true',
        'max.message.bytes': '2000',
        'message.timestamp.type': 'LogAppendTime',
      }),
    ]);
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['unknown-key', ErrorCode.INVALID_CONFIG],
      ['broker-key', ErrorCode.INVALID_CONFIG],
      ['bad-value', ErrorCode.INVALID_CONFIG],
      ['bad-int', ErrorCode.INVALID_CONFIG],
      ['bad-policy', ErrorCode.INVALID_CONFIG],
      ['small-segment', ErrorCode.INVALID_CONFIG],
      ['good', ErrorCode.NONE],
    ]);
    expect(response.topics[0]!.errorMessage).toContain('no.such.config');
    expect(response.topics[4]!.errorMessage).toBe('"cleanup.policy" must be a comma-separated list of delete, compact, got "compact,shred"');
    expect(response.topics[5]!.errorMessage).toBe('"segment.bytes" must be at least 1048576, got "1024"');
    const image = controllerImage(tc);
    expect([...image.topics.values()].map((t) => t.name)).toEqual(['good']);
    expect(image.topicByName('good')!.config).toEqual({
      'flush.ms': '1000',
      'unclean.leader.election.enable': 'true',
      'max.message.bytes': '2000',
      'message.timestamp.type': 'LogAppendTime',
    });
  });

  it('the admin client creates topics through whichever controller is active', () => {
    const tc = startCluster();
    const results: TopicResult[][] = [];
    tc.sim.act<AdminClient>(ADMIN_ID, (admin, env) => admin.createTopics(env as never, [topic('via-admin', 2, 3)], (r) => results.push(r)));
    tc.runUntil(() => results.length > 0, 5_000, 'the admin client');
    expect(results).toEqual([[{ name: 'via-admin', errorCode: ErrorCode.NONE, errorMessage: null }]]);
    expect(controllerImage(tc).topicByName('via-admin')!.partitions).toHaveLength(2);
  });
});

describe('the controller in a cluster: DeleteTopics', () => {
  it('deletes a topic everywhere, answering with its id; a new topic of that name gets a new id', () => {
    const tc = startCluster();
    const id = createAndSettle(tc, topic('orders', 2, 3));
    const response = remove(tc, ['orders']);
    expect(response.responses).toEqual([{ name: 'orders', topicId: id, errorCode: ErrorCode.NONE, errorMessage: null }]);
    expect(controllerImage(tc).topicByName('orders')).toBeUndefined();
    untilEveryImage(tc, (image) => image.topicByName('orders') === undefined && !image.topics.has(id), 'the deletion everywhere');
    const again = create(tc, [topic('orders', 1, 1)]);
    expect(again.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(again.topics[0]!.topicId).not.toBe(id);
  });

  it('UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist (or no longer does)', () => {
    const tc = startCluster();
    createAndSettle(tc, topic('keep', 1, 1));
    createAndSettle(tc, topic('gone', 1, 1));
    const response = remove(tc, ['never', 'gone']);
    expect(response.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['never', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['gone', ErrorCode.NONE],
    ]);
    expect(response.responses[0]!.topicId).toBeNull();
    expect(remove(tc, ['gone']).responses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(controllerImage(tc).topicByName('keep')).toBeDefined();
  });
});

describe('the controller in a cluster: NOT_CONTROLLER', () => {
  it('every node but the active controller answers every controller API with NOT_CONTROLLER and changes nothing', () => {
    const tc = startCluster();
    const controller = tc.controller();
    const others = tc.cluster.nodes.filter((id) => id !== controller);
    expect(others).toHaveLength(2);
    for (const other of others) {
      expect(tc.node(other).controller!.isActive).toBe(false);
      const created = create(tc, [topic('t', 1, 1), topic('u', 1, 1)], { to: other });
      expect(created.topics.map((t) => [t.name, t.errorCode, t.topicId])).toEqual([
        ['t', ErrorCode.NOT_CONTROLLER, null],
        ['u', ErrorCode.NOT_CONTROLLER, null],
      ]);
      expect(remove(tc, ['t'], other).responses[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
      const hb = heartbeat(tc, 'b1', epochOf(tc, 'b1'), { to: other, wantFence: true });
      expect(hb).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, isFenced: true });
      const reg = tc.request<BrokerRegistrationResponse>(other, (correlationId) => ({
        api: 'BrokerRegistration',
        kind: 'request',
        correlationId,
        brokerId: 'b9',
        clusterId: 'samsa-sim',
        incarnationId: 'x',
        previousBrokerEpoch: -1,
      }));
      expect(reg).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, brokerEpoch: -1 });
      const alter = tc.request<AlterPartitionResponse>(other, (correlationId) => ({
        api: 'AlterPartition',
        kind: 'request',
        correlationId,
        brokerId: 'b1',
        brokerEpoch: 1,
        topics: [],
      }));
      expect(alter.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    }
    tc.sim.run(tc.sim.now + 1_000);
    const image = controllerImage(tc);
    expect(image.topics.size).toBe(0);
    expect(image.brokers.has('b9')).toBe(false);
    expect(image.brokers.get('b1')!.fenced).toBe(false);
  });
});

describe('the controller in a cluster: controlled shutdown (wantShutDown)', () => {
  it('moves the leaderships and ISR places of a broker that wants to shut down, refuses it back, and lets it go once the others have caught up', () => {
    const tc = startCluster();
    const topicId = createAndSettle(tc, topic('orders', 3, 3));
    const leaders = () =>
      controllerImage(tc)
        .topicByName('orders')!
        .partitions.map((p) => p.leader);
    const leaving = leaders()[0]!;
    const epoch = epochOf(tc, leaving);
    const first = heartbeat(tc, leaving, epoch, { wantShutDown: true });
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: false, shouldShutDown: false });
    const image = controllerImage(tc);
    expect(image.brokers.get(leaving)).toMatchObject({ fenced: false, inControlledShutdown: true });
    expect(image.isActive(leaving)).toBe(false);
    expect(leaders()).not.toContain(leaving);
    expect(image.topicByName('orders')!.partitions.filter((p) => p.isr.includes(leaving))).toEqual([]);
    // It may not come back into an ISR while it shuts down (Kafka's INELIGIBLE_REPLICA).
    const p = image.topicByName('orders')!.partitions[0]!;
    const back = alterPartition(tc, p.leader!, epochOf(tc, p.leader!), topicId, {
      partitionIndex: 0,
      leaderEpoch: p.leaderEpoch,
      newIsrWithEpochs: [...p.isr, leaving].map((brokerId) => ({ brokerId, brokerEpoch: -1 })),
      leaderRecoveryState: 0,
      partitionEpoch: p.partitionEpoch,
    });
    expect(back.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);
    // Once the move is committed and the other brokers have heartbeated past it, it is told to go, and fenced.
    tc.sim.run(tc.sim.now + 3_000);
    // (Its own lifecycle here does not know it is leaving and would unfence it on its next heartbeat.)
    expect(heartbeat(tc, leaving, epoch, { wantShutDown: true })).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: true, shouldShutDown: true });
  });

  it('a broker that leads nothing may shut down at once, and is fenced', () => {
    const tc = startCluster();
    createAndSettle(tc, topic('solo', 1, 1));
    const idle = tc.cluster.brokers.find((b) => controllerImage(tc).topicByName('solo')!.partitions[0]!.leader !== b)!;
    expect(heartbeat(tc, idle, epochOf(tc, idle), { wantShutDown: true })).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: true, shouldShutDown: true });
    expect(controllerImage(tc).brokers.get(idle)!.fenced).toBe(true);
  });
});

describe('the controller in a cluster: BrokerHeartbeat and BrokerRegistration', () => {
  it('a heartbeat with a stale broker epoch gets STALE_BROKER_EPOCH; an unknown broker BROKER_ID_NOT_REGISTERED', () => {
    const tc = startCluster();
    const epoch = epochOf(tc, 'b2');
    expect(heartbeat(tc, 'b2', epoch - 1)).toMatchObject({ errorCode: ErrorCode.STALE_BROKER_EPOCH, isFenced: true, isCaughtUp: false });
    expect(heartbeat(tc, 'b2', epoch + 100)).toMatchObject({ errorCode: ErrorCode.STALE_BROKER_EPOCH });
    expect(heartbeat(tc, 'b9', 0)).toMatchObject({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, isFenced: true });
    // A stale heartbeat neither fences nor unfences anyone.
    expect(heartbeat(tc, 'b2', epoch - 1, { wantFence: true }).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(controllerImage(tc).brokers.get('b2')!.fenced).toBe(false);
    // The current epoch is answered normally.
    expect(heartbeat(tc, 'b2', epoch)).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: false, isCaughtUp: true });
    expect(heartbeat(tc, 'b2', epoch, { offset: epoch - 1 })).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: false, isCaughtUp: false });
  });

  it('a heartbeat asking to be fenced fences the broker; its own next caught-up heartbeat unfences it', () => {
    const tc = startCluster();
    const victim = tc.cluster.brokers.find((b) => b !== tc.controller())!;
    const epoch = epochOf(tc, victim);
    expect(heartbeat(tc, victim, epoch, { wantFence: true })).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: true });
    expect(controllerImage(tc).brokers.get(victim)!.fenced).toBe(true);
    tc.runUntil(() => controllerImage(tc).brokers.get(victim)!.fenced === false, 5_000, 'the broker to be unfenced again');
    expect(controllerImage(tc).brokers.get(victim)!.brokerEpoch).toBe(epoch);
  });

  it('a registration retried with the same incarnation gets the same epoch; a second live incarnation is refused', () => {
    const tc = startCluster();
    const broker = tc.cluster.brokers.find((b) => b !== tc.controller())!;
    const registration = controllerImage(tc).brokers.get(broker)!;
    const register = (incarnationId: string) =>
      tc.request<BrokerRegistrationResponse>(tc.controller(), (correlationId) => ({
        api: 'BrokerRegistration',
        kind: 'request',
        correlationId,
        brokerId: broker,
        clusterId: 'samsa-sim',
        incarnationId,
        previousBrokerEpoch: -1,
      }));
    expect(register(registration.incarnationId)).toMatchObject({ errorCode: ErrorCode.NONE, brokerEpoch: registration.brokerEpoch });
    expect(register('another-process')).toMatchObject({ errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, brokerEpoch: -1 });
    expect(controllerImage(tc).brokers.get(broker)).toEqual(registration);
  });
});

describe('the controller in a cluster: AllocateProducerIds (KIP-730)', () => {
  const allocate = (tc: TestCluster, brokerId: NodeId, brokerEpoch: number) =>
    tc.request<AllocateProducerIdsResponse>(tc.controller(), (correlationId) => ({
      api: 'AllocateProducerIds',
      kind: 'request',
      correlationId,
      brokerId,
      brokerEpoch,
    }));

  it('hands out consecutive blocks of 1000 ids, recorded in the metadata log, and refuses stale or unknown brokers', () => {
    const tc = startCluster();
    const b2 = epochOf(tc, 'b2');
    expect(allocate(tc, 'b2', b2)).toMatchObject({ errorCode: ErrorCode.NONE, producerIdStart: 0, producerIdLen: 1000 });
    expect(allocate(tc, 'b3', epochOf(tc, 'b3'))).toMatchObject({ errorCode: ErrorCode.NONE, producerIdStart: 1000, producerIdLen: 1000 });
    expect(allocate(tc, 'b2', b2 - 1)).toMatchObject({ errorCode: ErrorCode.STALE_BROKER_EPOCH, producerIdStart: -1 });
    expect(allocate(tc, 'b9', 0)).toMatchObject({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED });
    untilEveryImage(tc, (image) => image.nextProducerId === 2000, 'every image at next producer id 2000');
  });

  it('a new active controller goes on from the committed blocks: no id is handed out twice', () => {
    const tc = startCluster();
    expect(allocate(tc, 'b2', epochOf(tc, 'b2')).producerIdStart).toBe(0);
    const old = tc.controller();
    tc.sim.crash(old);
    tc.runUntil(() => tc.activeController() !== null && tc.activeController() !== old, 10_000, 'a new active controller');
    const broker = tc.cluster.brokers.find((b) => b !== old)!;
    expect(allocate(tc, broker, epochOf(tc, broker))).toMatchObject({ errorCode: ErrorCode.NONE, producerIdStart: 1000 });
  });
});

describe('the controller in a cluster: AlterPartition', () => {
  /** A cluster with topic "orders" of one partition on all three brokers, and who is who in it. */
  function setup() {
    const tc = startCluster();
    const topicId = createAndSettle(tc, topic('orders', 1, 3));
    // A copy: the image updates its partition states in place.
    const p = copyOf(controllerImage(tc).partition('orders', 0)!);
    const leader = p.leader!;
    // The follower is the one the tests crash: never the active controller.
    const followers = p.replicas.filter((r) => r !== leader);
    const follower = followers.find((r) => r !== tc.controller())!;
    const other = followers.find((r) => r !== follower)!;
    const member = (b: NodeId) => ({ brokerId: b, brokerEpoch: epochOf(tc, b) });
    const change = (fields: Partial<IsrChange> = {}): IsrChange => ({
      partitionIndex: 0,
      leaderEpoch: p.leaderEpoch,
      newIsrWithEpochs: [member(leader), member(other)],
      leaderRecoveryState: 0,
      partitionEpoch: p.partitionEpoch,
      ...fields,
    });
    const alter = (fields: Partial<IsrChange> = {}, by = leader, epoch = epochOf(tc, by), id = topicId) => alterPartition(tc, by, epoch, id, change(fields));
    const errorOf = (r: AlterPartitionResponse) => r.topics[0]!.partitions[0]!.errorCode;
    return { tc, topicId, p, leader, follower, other, member, alter, errorOf };
  }

  it('the leader shrinks the ISR: partitionEpoch + 1, same leader and leader epoch, on every node', () => {
    const { tc, p, leader, other, alter } = setup();
    const response = alter();
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics[0]!.partitions[0]).toEqual({
      partitionIndex: 0,
      errorCode: ErrorCode.NONE,
      leaderId: leader,
      leaderEpoch: p.leaderEpoch,
      isr: [leader, other],
      leaderRecoveryState: 0,
      partitionEpoch: p.partitionEpoch + 1,
    });
    untilEveryImage(tc, (image) => image.partition('orders', 0)!.partitionEpoch === p.partitionEpoch + 1, 'the ISR change everywhere');
    for (const id of tc.cluster.nodes)
      expect(tc.node(id).image.partition('orders', 0)).toMatchObject({ isr: [leader, other], leader, leaderEpoch: p.leaderEpoch });
  });

  it('repeating the current ISR writes nothing and answers with the current epochs', () => {
    const { tc, p, alter } = setup();
    const response = alter({ newIsrWithEpochs: p.isr.map((b) => ({ brokerId: b, brokerEpoch: -1 })) });
    expect(response.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, partitionEpoch: p.partitionEpoch, isr: p.isr });
    tc.sim.run(tc.sim.now + 500);
    expect(controllerImage(tc).partition('orders', 0)!.partitionEpoch).toBe(p.partitionEpoch);
  });

  it('STALE_BROKER_EPOCH when the requester does not give its current broker epoch', () => {
    const { tc, leader, alter } = setup();
    const response = alter({}, leader, epochOf(tc, leader) + 1);
    expect(response).toMatchObject({ errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] });
    expect(alter({}, 'b9', 1)).toMatchObject({ errorCode: ErrorCode.STALE_BROKER_EPOCH });
    expect(controllerImage(tc).partition('orders', 0)!.isr).toHaveLength(3);
  });

  it('NOT_LEADER_OR_FOLLOWER when the requester is not the leader', () => {
    const { tc, follower, alter, errorOf } = setup();
    const response = alter({}, follower);
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(errorOf(response)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(controllerImage(tc).partition('orders', 0)!.isr).toHaveLength(3);
  });

  it('FENCED_LEADER_EPOCH for an older leader epoch, UNKNOWN_LEADER_EPOCH for a newer one', () => {
    const { tc, p, alter, errorOf } = setup();
    expect(errorOf(alter({ leaderEpoch: p.leaderEpoch - 1 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(errorOf(alter({ leaderEpoch: p.leaderEpoch + 1 }))).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(controllerImage(tc).partition('orders', 0)!.partitionEpoch).toBe(p.partitionEpoch);
  });

  it('INVALID_UPDATE_VERSION for a stale partition epoch', () => {
    const { p, leader, follower, other, member, alter, errorOf } = setup();
    expect(errorOf(alter())).toBe(ErrorCode.NONE);
    // The same request again carries the old partition epoch now.
    const stale = alter({ newIsrWithEpochs: [member(leader), member(other), member(follower)] });
    expect(stale.topics[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_UPDATE_VERSION,
      partitionEpoch: p.partitionEpoch + 1,
      isr: [leader, other],
    });
    expect(errorOf(alter({ partitionEpoch: p.partitionEpoch + 5 }))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    // With the right epoch the follower comes back.
    const expand = alter({ newIsrWithEpochs: [member(leader), member(other), member(follower)], partitionEpoch: p.partitionEpoch + 1 });
    expect(expand.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, partitionEpoch: p.partitionEpoch + 2, isr: [leader, other, follower] });
  });

  it('INVALID_REQUEST for an empty ISR or one without the leader', () => {
    const { alter, errorOf, other, member } = setup();
    expect(errorOf(alter({ newIsrWithEpochs: [] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(errorOf(alter({ newIsrWithEpochs: [member(other)] }))).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('UNKNOWN_TOPIC_OR_PARTITION for an unknown topic id or partition index', () => {
    const { leader, alter, errorOf, tc } = setup();
    expect(errorOf(alter({}, leader, epochOf(tc, leader), 'no-such-topic-id'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(errorOf(alter({ partitionIndex: 3 }))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('INELIGIBLE_REPLICA for a new member that is not a replica, has a stale broker epoch, or is fenced', () => {
    const { tc, p, leader, follower, other, member, alter, errorOf } = setup();
    expect(errorOf(alter({ newIsrWithEpochs: [member(leader), member(other), { brokerId: 'b9', brokerEpoch: -1 }] }))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    // Shrink first, so that the follower is a new member when it is added back.
    expect(errorOf(alter())).toBe(ErrorCode.NONE);
    const epoch = p.partitionEpoch + 1;
    const staleFollower = { brokerId: follower, brokerEpoch: epochOf(tc, follower) - 1 };
    expect(errorOf(alter({ partitionEpoch: epoch, newIsrWithEpochs: [member(leader), member(other), staleFollower] }))).toBe(ErrorCode.INELIGIBLE_REPLICA);

    // Crash the follower and have it fenced: it may not rejoin the ISR while fenced.
    expect(follower).not.toBe(tc.controller());
    tc.sim.crash(follower);
    expect(heartbeat(tc, follower, epochOf(tc, follower), { wantFence: true })).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: true });
    expect(controllerImage(tc).brokers.get(follower)!.fenced).toBe(true);
    expect(errorOf(alter({ partitionEpoch: epoch, newIsrWithEpochs: [member(leader), member(other), member(follower)] }))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(errorOf(alter({ partitionEpoch: epoch, newIsrWithEpochs: [member(leader), member(other), { brokerId: follower, brokerEpoch: -1 }] }))).toBe(
      ErrorCode.INELIGIBLE_REPLICA,
    );
    expect(controllerImage(tc).partition('orders', 0)!.isr).toEqual([leader, other]);
  });
});

describe('the controller in a cluster: fencing and unfencing', () => {
  const SESSION_MS = 4_000;
  const HEARTBEAT_MS = 2_000; // broker.heartbeat.interval.ms default

  it('fences a crashed broker after broker.session.timeout.ms, moves its leaderships and takes it out of every ISR', () => {
    const tc = startCluster({ 'broker.session.timeout.ms': SESSION_MS });
    createAndSettle(tc, topic('orders', 3, 3));
    createAndSettle(tc, topic('solo', 3, 1));
    const controller = tc.controller();
    const victim = tc.cluster.brokers.find((b) => b !== controller)!;
    const before = controllerImage(tc).toSnapshot();
    const beforeImage = MetadataImage.fromSnapshot(before);
    const led = beforeImage.topicByName('orders')!.partitions.filter((p) => p.leader === victim);
    expect(led).toHaveLength(1);

    const crashedAt = tc.sim.now;
    tc.sim.crash(victim);
    // Its last heartbeat was at most one interval before the crash: still unfenced well within the session.
    tc.sim.run(crashedAt + SESSION_MS - HEARTBEAT_MS - 100);
    expect(controllerImage(tc).brokers.get(victim)!.fenced).toBe(false);
    tc.runUntil(() => controllerImage(tc).brokers.get(victim)!.fenced, SESSION_MS + 1_000, 'the crashed broker to be fenced');
    expect(tc.sim.now).toBeLessThanOrEqual(crashedAt + SESSION_MS + 600);
    expect(tc.controller()).toBe(controller);

    untilEveryImage(tc, (image) => image.brokers.get(victim)!.fenced && image.allPartitions().every((p) => p.leader !== victim), 'the fencing everywhere');
    for (const id of tc.cluster.nodes.filter((n) => n !== victim)) {
      const image = tc.node(id).image;
      for (const p of image.topicByName('orders')!.partitions) {
        const old = beforeImage.partition('orders', p.partition)!;
        expect(p.isr).toEqual(old.isr.filter((r) => r !== victim));
        expect(p.replicas).toEqual(old.replicas);
        expect(p.partitionEpoch).toBe(old.partitionEpoch + 1);
        if (old.leader === victim) {
          // The new leader is the first remaining ISR member in replica order.
          expect(p.leader).toBe(old.replicas.find((r) => r !== victim));
          expect(p.leaderEpoch).toBe(old.leaderEpoch + 1);
        } else {
          expect(p.leader).toBe(old.leader);
          expect(p.leaderEpoch).toBe(old.leaderEpoch);
        }
      }
      // The single-replica partition on the victim keeps it as its last ISR member, without a leader.
      for (const p of image.topicByName('solo')!.partitions) {
        if (p.replicas[0] === victim) expect(p).toMatchObject({ isr: [victim], leader: null, leaderEpoch: 1, partitionEpoch: 1 });
        else expect(p).toMatchObject({ isr: p.replicas, leader: p.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
      }
    }

    // New topics only use the unfenced brokers.
    expect(create(tc, [topic('wide', 1, 3)]).topics[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(create(tc, [topic('narrow', 4, 2)]).topics[0]!.errorCode).toBe(ErrorCode.NONE);
    for (const p of controllerImage(tc).topicByName('narrow')!.partitions) expect(p.replicas).not.toContain(victim);
  });

  it('a restarted broker registers with a new epoch, is unfenced once caught up, and leads its leaderless partitions again', () => {
    const tc = startCluster({ 'broker.session.timeout.ms': SESSION_MS });
    createAndSettle(tc, topic('solo', 3, 1));
    const controller = tc.controller();
    const victim = tc.cluster.brokers.find((b) => b !== controller)!;
    const oldEpoch = epochOf(tc, victim);
    const solo = controllerImage(tc)
      .topicByName('solo')!
      .partitions.find((p) => p.replicas[0] === victim)!.partition;

    tc.sim.crash(victim);
    tc.runUntil(() => controllerImage(tc).brokers.get(victim)!.fenced, SESSION_MS + 1_000, 'fencing');
    expect(controllerImage(tc).partition('solo', solo)).toMatchObject({ leader: null, isr: [victim] });

    tc.sim.restart(victim);
    tc.runUntil(
      () => {
        const b = controllerImage(tc).brokers.get(victim)!;
        return b.brokerEpoch > oldEpoch && !b.fenced;
      },
      8_000,
      'the restarted broker to be unfenced',
    );
    const registration = controllerImage(tc).brokers.get(victim)!;
    expect(registration.brokerEpoch).toBeGreaterThan(oldEpoch);
    // Unfenced only once its image reached its own registration.
    expect(tc.node(victim).appliedEnd - 1).toBeGreaterThanOrEqual(registration.brokerEpoch);
    tc.runUntil(() => !tc.node(victim).lifecycle!.fenced, 3_000, 'the broker to learn it is unfenced');
    expect(tc.node(victim).lifecycle!.brokerEpoch).toBe(registration.brokerEpoch);
    expect(controllerImage(tc).partition('solo', solo)).toMatchObject({ leader: victim, isr: [victim], leaderEpoch: 2, partitionEpoch: 2 });
    // The old epoch is stale now.
    expect(heartbeat(tc, victim, oldEpoch).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
  });

  it('unclean.leader.election.enable (per topic) lets an out-of-ISR replica lead when the last ISR member is fenced', () => {
    const tc = startCluster({ 'broker.session.timeout.ms': SESSION_MS });
    const controller = tc.controller();
    const victim = tc.cluster.brokers.find((b) => b !== controller)!;
    const ids = {
      clean: createAndSettle(tc, topic('clean', 3, 2)),
      unclean: createAndSettle(tc, topic('unclean', 3, 2, { 'unclean.leader.election.enable': 'true' })),
    };
    // In each topic, the partition the victim leads: shrink its ISR to the victim alone.
    const chosen = new Map<string, PartitionState>();
    for (const name of ['clean', 'unclean'] as const) {
      const p = controllerImage(tc)
        .topicByName(name)!
        .partitions.find((q) => q.leader === victim)!;
      const response = alterPartition(tc, victim, epochOf(tc, victim), ids[name], {
        partitionIndex: p.partition,
        leaderEpoch: p.leaderEpoch,
        newIsrWithEpochs: [{ brokerId: victim, brokerEpoch: epochOf(tc, victim) }],
        leaderRecoveryState: 0,
        partitionEpoch: p.partitionEpoch,
      });
      expect(response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      chosen.set(name, copyOf(controllerImage(tc).partition(name, p.partition)!));
    }
    tc.sim.crash(victim);
    tc.runUntil(() => controllerImage(tc).brokers.get(victim)!.fenced, SESSION_MS + 1_000, 'fencing');

    const clean = chosen.get('clean')!;
    expect(controllerImage(tc).partition('clean', clean.partition)).toMatchObject({ leader: null, isr: [victim], leaderRecoveryState: 0 });
    const unclean = chosen.get('unclean')!;
    const survivor = unclean.replicas.find((r) => r !== victim)!;
    expect(controllerImage(tc).partition('unclean', unclean.partition)).toMatchObject({
      leader: survivor,
      isr: [survivor],
      leaderRecoveryState: 1,
      leaderEpoch: unclean.leaderEpoch + 1,
      partitionEpoch: unclean.partitionEpoch + 1,
    });
  });

  it('a new active controller takes over after the old one crashes, and fences it after its session', () => {
    const tc = startCluster({ 'broker.session.timeout.ms': SESSION_MS });
    const id = createAndSettle(tc, topic('orders', 3, 3));
    const old = tc.controller();
    tc.sim.crash(old);
    tc.runUntil(() => tc.activeController() !== null, 10_000, 'a new active controller');
    const fresh = tc.controller();
    expect(fresh).not.toBe(old);
    expect(controllerImage(tc).topicByName('orders')!.topicId).toBe(id);
    tc.runUntil(() => controllerImage(tc).brokers.get(old)!.fenced, SESSION_MS + 2_000, 'the old controller to be fenced');
    for (const p of controllerImage(tc).topicByName('orders')!.partitions) {
      expect(p.isr).not.toContain(old);
      expect(p.leader).not.toBe(old);
      expect(p.leader).not.toBeNull();
    }
    // The old node now answers NOT_CONTROLLER once back.
    tc.sim.restart(old);
    tc.sim.run(tc.sim.now + 3_000);
    expect(tc.controller()).toBe(fresh);
    expect(create(tc, [topic('x', 1, 1)], { to: old }).topics[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
  });
});
