// The consumer protocol's payloads in JoinGroup and SyncGroup (protocol type "consumer"):
// ConsumerProtocolSubscription (the topics, the partitions the member owns and its generation,
// KIP-429 / KIP-792) and ConsumerProtocolAssignment, each an int16 version and then the body, as
// Kafka's ConsumerProtocol writes them. Decoding is tolerant as Kafka's is: a newer version is read
// with the newest format known, and kafkajs's "version 1 over a version-0 body" is read as version 0.

import type { Bytes } from '../protocol/records.ts';
import { ConsumerProtocolAssignmentSpec, ConsumerProtocolSubscriptionSpec } from '../wire/apis/consumer-protocol.ts';
import { bytesOfLatin1, latin1Of } from '../wire/latin1.ts';
import { readMessage, writeMessage } from '../wire/message-codec.ts';
import type { MessageSpec } from '../wire/spec.ts';
import { WireReader } from '../wire/wire-reader.ts';
import { WireWriter } from '../wire/wire-writer.ts';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface Subscription {
  topics: string[];
  userData: Bytes | null;
  ownedPartitions: TopicPartitions[];
  /** The generation the owned partitions are from (-1: unknown). */
  generationId: number;
  rackId: string | null;
}

export interface Assignment {
  assignedPartitions: TopicPartitions[];
  userData: Bytes | null;
}

/** The newest version of both payloads that Samsa writes and reads. */
const VERSION = 3;

function encode(spec: MessageSpec, value: Record<string, unknown>): Bytes {
  const writer = new WireWriter();
  writer.int16(VERSION);
  writeMessage(spec, VERSION, value, writer);
  return latin1Of(writer.finish());
}

function decode(spec: MessageSpec, bytes: Bytes): Record<string, unknown> {
  const raw = bytesOfLatin1(bytes);
  const version = new WireReader(raw).int16();
  for (let v = Math.min(Math.max(version, 0), VERSION); v >= 0; v--) {
    try {
      const reader = new WireReader(raw);
      reader.int16();
      return readMessage(spec, v, reader);
    } catch {
      // A body shorter than its version says (kafkajs writes version 1 over a version-0 body): try the older layout.
    }
  }
  throw new Error(`unreadable ${spec.name} (version ${version}, ${raw.length} bytes)`);
}

export function encodeSubscription(s: Subscription): Bytes {
  return encode(ConsumerProtocolSubscriptionSpec, {
    topics: s.topics,
    userData: s.userData === null ? null : bytesOfLatin1(s.userData),
    ownedPartitions: s.ownedPartitions,
    generationId: s.generationId,
    rackId: s.rackId,
  });
}

export function decodeSubscription(bytes: Bytes): Subscription {
  const v = decode(ConsumerProtocolSubscriptionSpec, bytes) as {
    topics: string[];
    userData: Uint8Array | null;
    ownedPartitions: TopicPartitions[];
    generationId: number;
    rackId: string | null;
  };
  return {
    topics: v.topics,
    userData: v.userData === null ? null : latin1Of(v.userData),
    ownedPartitions: v.ownedPartitions,
    generationId: v.generationId,
    rackId: v.rackId,
  };
}

export function encodeAssignment(a: Assignment): Bytes {
  return encode(ConsumerProtocolAssignmentSpec, { assignedPartitions: a.assignedPartitions, userData: a.userData === null ? null : bytesOfLatin1(a.userData) });
}

/** An empty buffer is "no assignment" (what kafkajs and Kafka send a member that gets nothing). */
export function decodeAssignment(bytes: Bytes): Assignment {
  if (bytes.length === 0) return { assignedPartitions: [], userData: null };
  const v = decode(ConsumerProtocolAssignmentSpec, bytes) as { assignedPartitions: TopicPartitions[]; userData: Uint8Array | null };
  return { assignedPartitions: v.assignedPartitions, userData: v.userData === null ? null : latin1Of(v.userData) };
}
