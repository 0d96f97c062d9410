// image-agreement on hand-made event streams, and the image digest it compares: equal images give
// equal digests however they were built (records applied, a snapshot loaded, topics in another
// order), and any difference in what the image holds changes the digest.
import { beforeEach, describe, expect, it } from 'vitest';
import { MetadataImage } from '../../core/controller/image.ts';
import type { MetadataRecord } from '../../core/controller/records.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';

let suite: CheckerSuite;
let step: number;

function ev(node: string, event: ObservedEvent): void {
  suite.observe(step++, node, event);
}

const apply = (node: string, endOffset: number, digest?: string) =>
  ev(node, digest === undefined ? { kind: 'metadata-apply', endOffset } : { kind: 'metadata-apply', endOffset, digest });
const boot = (node: string) => ev(node, { kind: 'raft-load', epoch: 1, votedFor: null, leader: null });
const found = () => suite.violations.filter((v) => v.name === 'image-agreement');

beforeEach(() => {
  suite = new CheckerSuite();
  step = 0;
  for (const node of ['b1', 'b2', 'b3']) boot(node);
});

describe('image-agreement', () => {
  it('accepts nodes that report the same image at each offset, at different batch boundaries', () => {
    apply('b1', 3, 'a');
    apply('b1', 5, 'b');
    apply('b2', 5, 'b');
    apply('b3', 3, 'a');
    apply('b3', 4); // a no-op record: the image is still a
    apply('b3', 5, 'b');
    expect(found()).toEqual([]);
  });

  it('reports a node whose image differs at an offset another node reported, naming both', () => {
    apply('b1', 7, 'x');
    apply('b2', 7, 'y');
    expect(found()).toMatchObject([{ step: 4, nodes: ['b2', 'b1'], values: { endOffset: 7, digest: 'y', firstDigest: 'x', firstNode: 'b1', firstStep: 3 } }]);
    expect(found()[0]!.message).toMatch(/b2's metadata image at offset 7 \(digest y\) differs from b1's/);
  });

  it('carries a digest over reports that leave it out (the image did not change)', () => {
    apply('b1', 2, 'a');
    apply('b1', 3); // still a at 3
    apply('b2', 3, 'b'); // b at 3: disagrees with b1's carried digest
    expect(found()).toMatchObject([{ nodes: ['b2', 'b1'], values: { endOffset: 3, digest: 'b', firstDigest: 'a' } }]);
  });

  it('judges a snapshot load like any other report, and a node against its own earlier incarnation', () => {
    apply('b1', 10, 'a');
    boot('b1'); // restart: the image is rebuilt from the snapshot at 10
    apply('b1', 10, 'z');
    expect(found()).toMatchObject([{ nodes: ['b1'], values: { endOffset: 10, digest: 'z', firstDigest: 'a', firstNode: 'b1' } }]);
    expect(found()[0]!.message).toMatch(/differs from its own earlier image/);
  });

  it('forgets a node digest at a restart: a report without one before a new digest judges nothing', () => {
    apply('b1', 4, 'a');
    apply('b2', 4, 'a');
    boot('b2');
    apply('b2', 5); // not possible from the core (each incarnation reports first), and not judged
    apply('b1', 5, 'b');
    expect(found()).toEqual([]);
  });

  it('reports a disagreement once, until one of its two nodes restarts', () => {
    apply('b1', 1, 'a');
    apply('b1', 2, 'b');
    apply('b2', 1, 'q');
    apply('b2', 2, 'r');
    // b1 diverged first and is ahead: b3 then finds b1's image at every offset; that is the same disagreement.
    apply('b1', 3, 'c');
    apply('b3', 3, 's');
    expect(found()).toHaveLength(1);
    boot('b2');
    apply('b2', 2, 'r'); // b1 has not restarted: still the same disagreement
    expect(found()).toHaveLength(1);
    boot('b1');
    apply('b1', 2, 'b');
    boot('b2');
    apply('b2', 2, 'r');
    expect(found()).toMatchObject([
      { nodes: ['b2', 'b1'], values: { endOffset: 1 } },
      { nodes: ['b2', 'b1'], values: { endOffset: 2 } },
    ]);
  });
});

const records: MetadataRecord[] = [
  { type: 'RegisterBrokerRecord', brokerId: 'b1', brokerEpoch: 0, incarnationId: 'i1', fenced: true },
  { type: 'RegisterBrokerRecord', brokerId: 'b2', brokerEpoch: 1, incarnationId: 'i2', fenced: true },
  { type: 'UnfenceBrokerRecord', id: 'b1', epoch: 0 },
  { type: 'TopicRecord', name: 'orders', topicId: 't-orders' },
  {
    type: 'PartitionRecord',
    partitionId: 0,
    topicId: 't-orders',
    replicas: ['b1', 'b2'],
    isr: ['b1', 'b2'],
    leader: 'b1',
    leaderRecoveryState: 0,
    leaderEpoch: 0,
    partitionEpoch: 0,
  },
  { type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'min.insync.replicas', value: '2' },
  { type: 'TopicRecord', name: 'audit', topicId: 't-audit' },
  {
    type: 'PartitionRecord',
    partitionId: 0,
    topicId: 't-audit',
    replicas: ['b2'],
    isr: ['b2'],
    leader: 'b2',
    leaderRecoveryState: 0,
    leaderEpoch: 0,
    partitionEpoch: 0,
  },
  { type: 'PartitionChangeRecord', partitionId: 0, topicId: 't-orders', isr: ['b1'] },
];

const imageOf = (list: MetadataRecord[]) => {
  const image = new MetadataImage();
  for (const r of list) image.apply(r);
  return image;
};

describe('MetadataImage.digest', () => {
  it('is the same for equal images: after a snapshot round trip, a clone, and topics created in another order', () => {
    const image = imageOf(records);
    const digest = image.digest();
    expect(digest).toMatch(/^[0-9a-z]{1,11}$/);
    expect(MetadataImage.fromSnapshot(JSON.parse(JSON.stringify(image.toSnapshot()))).digest()).toBe(digest);
    expect(image.clone().digest()).toBe(digest);
    const reordered = [...records.slice(0, 3), ...records.slice(6, 8), ...records.slice(3, 6), records[8]!];
    expect(imageOf(reordered).digest()).toBe(digest);
    expect(new MetadataImage().digest()).toBe(new MetadataImage().digest());
  });

  it('changes with anything the image holds', () => {
    const digest = imageOf(records).digest();
    const changed: MetadataRecord[] = [
      { type: 'FenceBrokerRecord', id: 'b1', epoch: 0 },
      { type: 'RegisterBrokerRecord', brokerId: 'b3', brokerEpoch: 9, incarnationId: 'i3', fenced: true },
      { type: 'ConfigRecord', resourceType: 2, resourceName: 'audit', name: 'flush.messages', value: '1' },
      { type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'min.insync.replicas', value: null },
      { type: 'PartitionChangeRecord', partitionId: 0, topicId: 't-orders', isr: ['b1', 'b2'] },
      { type: 'PartitionChangeRecord', partitionId: 0, topicId: 't-orders', leader: 'b2' },
      { type: 'PartitionChangeRecord', partitionId: 0, topicId: 't-audit', leaderRecoveryState: 1 },
      { type: 'RemoveTopicRecord', topicId: 't-audit' },
    ];
    const digests = changed.map((r) => imageOf([...records, r]).digest());
    for (const d of digests) expect(d).not.toBe(digest);
    expect(new Set(digests).size).toBe(digests.length);
    // A record applied twice shows (KAFKA-14618's double application): the partition epoch moves again.
    expect(imageOf([...records, records[8]!]).digest()).not.toBe(digest);
    // A no-op and a stale fence change nothing.
    expect(imageOf([...records, { type: 'NoOpRecord' }, { type: 'FenceBrokerRecord', id: 'b2', epoch: 0 }]).digest()).toBe(digest);
  });
});
