// The __consumer_offsets topic: which partition holds a group (Java's String.hashCode, as Kafka's
// GroupMetadataManager.partitionFor), and its records in Kafka's own formats: OffsetCommitKey v1 /
// OffsetCommitValue v3 for committed offsets, GroupMetadataKey v2 / GroupMetadataValue v3 for a
// group's generation and members, each key and value prefixed by its int16 version; a null value is a
// tombstone. Kafka's tools (kcat -C -t __consumer_offsets, the formatter) read them as they are.

import type { Bytes, KafkaRecord } from '../protocol/records.ts';
import { decodeMessage, encodeMessage } from '../wire/message-codec.ts';
import { bytesOfLatin1 as toBytes, latin1Of as fromBytes } from '../wire/latin1.ts';
import type { MessageSpec } from '../wire/spec.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** Java's String.hashCode over UTF-16 code units, with int32 overflow. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The __consumer_offsets partition of a group: Utils.abs(groupId.hashCode) % partitions (Utils.abs maps MIN_VALUE to 0). */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  const h = javaStringHash(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

function dataSpec(name: string, validVersions: string, fields: MessageSpec['fields']): MessageSpec {
  return { apiKey: -1, name, type: 'data', validVersions, flexibleVersions: '4+', fields };
}

const OffsetCommitKeySpec = dataSpec('OffsetCommitKey', '0-1', [
  { name: 'group', type: 'string', versions: '0+' },
  { name: 'topic', type: 'string', versions: '0+' },
  { name: 'partition', type: 'int32', versions: '0+' },
]);

const GroupMetadataKeySpec = dataSpec('GroupMetadataKey', '2', [{ name: 'group', type: 'string', versions: '2' }]);

const OffsetCommitValueSpec = dataSpec('OffsetCommitValue', '0-4', [
  { name: 'offset', type: 'int64', versions: '0+' },
  { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
  { name: 'metadata', type: 'string', versions: '0+' },
  { name: 'commitTimestamp', type: 'int64', versions: '0+' },
  { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1 },
]);

const GroupMetadataValueSpec = dataSpec('GroupMetadataValue', '0-4', [
  { name: 'protocolType', type: 'string', versions: '0+' },
  { name: 'generation', type: 'int32', versions: '0+' },
  { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1 },
  {
    name: 'members',
    versions: '0+',
    type: {
      array: {
        fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
          { name: 'clientId', type: 'string', versions: '0+' },
          { name: 'clientHost', type: 'string', versions: '0+' },
          { name: 'rebalanceTimeout', type: 'int32', versions: '1+' },
          { name: 'sessionTimeout', type: 'int32', versions: '0+' },
          { name: 'subscription', type: 'bytes', versions: '0+' },
          { name: 'assignment', type: 'bytes', versions: '0+' },
        ],
      },
    },
  },
]);

const OFFSET_COMMIT_KEY_VERSION = 1;
const GROUP_METADATA_KEY_VERSION = 2;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const GROUP_METADATA_VALUE_VERSION = 3;

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Bytes;
  assignment: Bytes;
}

export interface StoredGroup {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

/** One record of __consumer_offsets, decoded; `value` null is a tombstone. */
export type OffsetsTopicRecord =
  | { type: 'offset'; group: string; topic: string; partition: number; value: CommittedOffset | null }
  | { type: 'group'; group: string; value: StoredGroup | null };

export function offsetCommitRecord(group: string, topic: string, partition: number, value: CommittedOffset | null): KafkaRecord {
  return record(
    versioned(OffsetCommitKeySpec, OFFSET_COMMIT_KEY_VERSION, { group, topic, partition }),
    value === null ? null : versioned(OffsetCommitValueSpec, OFFSET_COMMIT_VALUE_VERSION, { ...value }),
  );
}

export function groupMetadataRecord(group: string, value: StoredGroup | null): KafkaRecord {
  const wireValue =
    value === null
      ? null
      : {
          ...value,
          members: value.members.map((m) => ({ ...m, subscription: toBytes(m.subscription), assignment: toBytes(m.assignment) })),
        };
  return record(
    versioned(GroupMetadataKeySpec, GROUP_METADATA_KEY_VERSION, { group }),
    wireValue === null ? null : versioned(GroupMetadataValueSpec, GROUP_METADATA_VALUE_VERSION, wireValue),
  );
}

/** Reads one record of the topic; null for a key version this coordinator does not know (Kafka skips those too). */
export function readOffsetsTopicRecord(key: Bytes | null, value: Bytes | null): OffsetsTopicRecord | null {
  if (key === null || key.length < 2) return null;
  const keyBytes = toBytes(key);
  const keyVersion = readVersion(keyBytes);
  if (keyVersion === 0 || keyVersion === 1) {
    const k = decodeMessage(OffsetCommitKeySpec, keyVersion, keyBytes.subarray(2)) as { group: string; topic: string; partition: number };
    if (value === null) return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: null };
    const valueBytes = toBytes(value);
    const v = decodeMessage(OffsetCommitValueSpec, Math.min(readVersion(valueBytes), 4), valueBytes.subarray(2)) as unknown as CommittedOffset;
    return {
      type: 'offset',
      group: k.group,
      topic: k.topic,
      partition: k.partition,
      value: { offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestamp: v.commitTimestamp },
    };
  }
  if (keyVersion === GROUP_METADATA_KEY_VERSION) {
    const k = decodeMessage(GroupMetadataKeySpec, keyVersion, keyBytes.subarray(2)) as { group: string };
    if (value === null) return { type: 'group', group: k.group, value: null };
    const valueBytes = toBytes(value);
    const v = decodeMessage(GroupMetadataValueSpec, Math.min(readVersion(valueBytes), 4), valueBytes.subarray(2)) as unknown as Omit<StoredGroup, 'members'> & {
      members: Array<Omit<StoredMember, 'subscription' | 'assignment'> & { subscription: Uint8Array; assignment: Uint8Array }>;
    };
    return {
      type: 'group',
      group: k.group,
      value: {
        protocolType: v.protocolType,
        generation: v.generation,
        protocol: v.protocol,
        leader: v.leader,
        currentStateTimestamp: v.currentStateTimestamp,
        members: v.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeout: m.rebalanceTimeout,
          sessionTimeout: m.sessionTimeout,
          subscription: fromBytes(m.subscription),
          assignment: fromBytes(m.assignment),
        })),
      },
    };
  }
  return null;
}

function record(key: Bytes, value: Bytes | null): KafkaRecord {
  return { offsetDelta: 0, timestampDelta: 0, key, value, headers: [] };
}

/** A versioned record key or value: the int16 version, then the message at that version. */
export function versioned(spec: MessageSpec, version: number, value: Record<string, unknown>): Bytes {
  const body = encodeMessage(spec, version, value);
  const out = new Uint8Array(body.length + 2);
  out[0] = (version >> 8) & 0xff;
  out[1] = version & 0xff;
  out.set(body, 2);
  return fromBytes(out);
}

/** The int16 version that prefixes a record key or value. */
export function readVersion(bytes: Uint8Array): number {
  return (bytes[0]! << 8) | bytes[1]!;
}
