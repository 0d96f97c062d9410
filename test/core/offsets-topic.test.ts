// __consumer_offsets: the group-to-partition hash (Java's String.hashCode, Utils.abs) and the record formats, byte for byte.

import { describe, expect, it } from 'vitest';
import {
  groupMetadataRecord,
  javaStringHash,
  offsetCommitRecord,
  offsetsPartitionFor,
  readOffsetsTopicRecord,
  type StoredGroup,
} from '../../core/group/offsets-topic.ts';

const bytes = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('__consumer_offsets', () => {
  it('hashes group ids as Java does, Integer.MIN_VALUE included', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    // A well-known string whose hashCode is Integer.MIN_VALUE: Utils.abs maps it to 0, not to a negative partition.
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    // Negative hashes count by their absolute value.
    expect(javaStringHash('my-group')).toBeLessThan(0);
    expect(offsetsPartitionFor('my-group', 50)).toBe(Math.abs(javaStringHash('my-group')) % 50);
  });

  it('writes OffsetCommitKey v1 and OffsetCommitValue v3 and reads them back; a null value is a tombstone', () => {
    const record = offsetCommitRecord('g', 'orders', 2, { offset: 17, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1000 });
    // version 1, "g", "orders", partition 2
    expect(bytes(record.key!)).toEqual([0, 1, 0, 1, 103, 0, 6, ...bytes('orders'), 0, 0, 0, 2]);
    // version 3, offset int64, leader epoch int32, metadata string, commit timestamp int64
    expect(bytes(record.value!)).toEqual([0, 3, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 3, 0, 1, 109, 0, 0, 0, 0, 0, 0, 3, 232]);
    expect(readOffsetsTopicRecord(record.key, record.value)).toEqual({
      type: 'offset',
      group: 'g',
      topic: 'orders',
      partition: 2,
      value: { offset: 17, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1000 },
    });
    const tombstone = offsetCommitRecord('g', 'orders', 2, null);
    expect(tombstone.value).toBeNull();
    expect(readOffsetsTopicRecord(tombstone.key, null)).toMatchObject({ type: 'offset', value: null });
  });

  it('writes GroupMetadataKey v2 and GroupMetadataValue v3 with members and assignments as bytes', () => {
    const group: StoredGroup = {
      protocolType: 'consumer',
      generation: 4,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 99,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: '/127.0.0.1',
          rebalanceTimeout: 300000,
          sessionTimeout: 45000,
          subscription: '\x00\x01\xff',
          assignment: '\x00\x00',
        },
      ],
    };
    const record = groupMetadataRecord('g', group);
    expect(bytes(record.key!)).toEqual([0, 2, 0, 1, 103]);
    expect(bytes(record.value!).slice(0, 2)).toEqual([0, 3]);
    expect(readOffsetsTopicRecord(record.key, record.value)).toEqual({ type: 'group', group: 'g', value: group });
    expect(readOffsetsTopicRecord(record.key, null)).toEqual({ type: 'group', group: 'g', value: null });
    // An unknown key version is skipped, as Kafka's loader does.
    expect(readOffsetsTopicRecord('\x00\x09\x00\x00', null)).toBeNull();
  });
});
