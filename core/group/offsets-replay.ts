// Replays a __consumer_offsets partition as a new coordinator loads it (Kafka's
// GroupMetadataManager.doLoadGroupsAndOffsets): group metadata and committed offsets, last record
// wins, a null value deletes; offsets written in a transaction stay pending per producer until that
// producer's marker (a control batch) commits them or aborts them; those left open at the log end
// are the groups' pending transactional offsets.

import { ControlType, controlTypeOf, isControl, isTransactional, type RecordBatch } from '../protocol/records.ts';
import type { GroupOffset } from './group.ts';
import { readOffsetsTopicRecord, type StoredGroup } from './offsets-topic.ts';

export interface ReplayedOffsets {
  /** Each group's last metadata record (null: deleted). */
  stored: Map<string, StoredGroup | null>;
  /** Committed offsets by group, then "topic/partition". */
  offsets: Map<string, Map<string, GroupOffset>>;
  /** Offsets of transactions still open at the log end, by group, then producer id, then "topic/partition". */
  pending: Map<string, Map<number, Map<string, GroupOffset>>>;
}

export function replayOffsetsPartition(batches: readonly RecordBatch[]): ReplayedOffsets {
  const stored = new Map<string, StoredGroup | null>();
  const offsets = new Map<string, Map<string, GroupOffset>>();
  /** By producer id, then group: the open transactions' offsets. */
  const open = new Map<number, Map<string, Map<string, GroupOffset>>>();
  for (const batch of batches) {
    if (isControl(batch)) {
      const txn = open.get(batch.producerId);
      open.delete(batch.producerId);
      if (txn === undefined || controlTypeOf(batch.records[0]?.key ?? null) !== ControlType.COMMIT) continue;
      for (const [group, byPartition] of txn) for (const [key, o] of byPartition) inner(offsets, group).set(key, o);
      continue;
    }
    const transactional = isTransactional(batch);
    for (const record of batch.records) {
      const read = readOffsetsTopicRecord(record.key, record.value);
      if (read === null) continue;
      if (read.type === 'group') {
        stored.set(read.group, read.value);
        continue;
      }
      const target = transactional ? inner(inner(open, batch.producerId), read.group) : inner(offsets, read.group);
      const key = `${read.topic}/${read.partition}`;
      if (read.value === null) target.delete(key);
      else target.set(key, { topic: read.topic, partition: read.partition, ...read.value });
    }
  }
  const pending = new Map<string, Map<number, Map<string, GroupOffset>>>();
  for (const [producerId, groups] of open) for (const [group, byPartition] of groups) inner(pending, group).set(producerId, byPartition);
  return { stored, offsets, pending };
}

function inner<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let m = outer.get(key);
  if (m === undefined) outer.set(key, (m = new Map()));
  return m;
}
