// What the KRaft quorum converters share (KIP-595): Kafka nests every quorum RPC under topics and
// partitions although the quorum has one partition, __cluster_metadata-0, which the core leaves implicit.
// The sender ids every inter-node request needs are checked here too (the broker-to-controller APIs use it).

import type { NodeId } from '../../env.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { WireRequestError, type WireIds, type WireStruct } from './converter.ts';

export const METADATA_TOPIC = '__cluster_metadata';
/** Kafka's Topic.METADATA_TOPIC_ID: the UUID with only its last bit set. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
export const METADATA_PARTITION = 0;

/** The core always has a cluster id; a null one on the wire is Kafka's "not checked", which the core spells ''. */
export function clusterIdFromWire(clusterId: string | null): string {
  return clusterId ?? '';
}

/** A node id a request cannot do without (the sender's, a leader's): -1 there makes the request invalid. */
export function requiredNode(ids: WireIds, id: number, what: string): NodeId {
  const node = ids.fromWire(id);
  if (node === null) throw new WireRequestError(ErrorCode.INVALID_REQUEST, `${what} ${id} names no node`);
  return node;
}

/**
 * Errors about the request as a whole, which KafkaRaftClient answers at the top level of a quorum
 * response (before it looks at the partition); every other error goes on the partition.
 */
const TOP_LEVEL_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.INCONSISTENT_CLUSTER_ID,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.BROKER_NOT_AVAILABLE,
]);

/** Where the core's single error code goes in a quorum response: the top level or the partition. */
export function splitError(errorCode: number): { top: number; partition: number } {
  return TOP_LEVEL_ERRORS.has(errorCode) ? { top: errorCode, partition: ErrorCode.NONE } : { top: ErrorCode.NONE, partition: errorCode };
}

/** The core's error code from a quorum response: the top-level one wins, as in KafkaRaftClient. */
export function joinError(top: number, partition: WireStruct | undefined): number {
  if (top !== ErrorCode.NONE) return top;
  return (partition?.errorCode as number | undefined) ?? ErrorCode.NONE;
}

/** How a quorum message names its topic and partition: the field names differ from one API to the next. */
export interface QuorumKeys {
  /** The topic array's field (`topics`, or `responses` in a Fetch response). */
  topics: string;
  /** The topic's name field; null when the version names topics by id only. */
  name: string | null;
  /** The topic's id field, when the version has one. */
  id?: string;
  /** The partition index field. */
  index: string;
}

function isMetadataTopic(topic: WireStruct, keys: QuorumKeys): boolean {
  return keys.name !== null ? topic[keys.name] === METADATA_TOPIC : keys.id !== undefined && topic[keys.id] === METADATA_TOPIC_ID;
}

/** The one topic of a quorum message, naming __cluster_metadata as the version does. */
export function metadataTopic(keys: QuorumKeys, partitions: WireStruct[]): WireStruct {
  const topic: WireStruct = {};
  if (keys.name !== null) topic[keys.name] = METADATA_TOPIC;
  if (keys.id !== undefined) topic[keys.id] = METADATA_TOPIC_ID;
  topic.partitions = partitions;
  return topic;
}

/**
 * The __cluster_metadata-0 partition of a quorum request, which must name it alone: a request for any
 * other partition is one KafkaRaftClient refuses as a whole.
 */
export function requestPartition(body: WireStruct, keys: QuorumKeys): WireStruct {
  const topics = (body[keys.topics] ?? []) as WireStruct[];
  const partitions = topics.length === 1 ? ((topics[0]!.partitions ?? []) as WireStruct[]) : [];
  if (partitions.length !== 1) throw new WireRequestError(ErrorCode.INVALID_REQUEST, `a quorum request names exactly one partition, ${METADATA_TOPIC}-0`);
  if (!isMetadataTopic(topics[0]!, keys) || partitions[0]![keys.index] !== METADATA_PARTITION) {
    throw new WireRequestError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `the quorum has only ${METADATA_TOPIC}-0`);
  }
  return partitions[0]!;
}

/** The partition of a quorum response, or undefined when it has none (an error answered at the top level only). */
export function responsePartition(body: WireStruct, keys: QuorumKeys): WireStruct | undefined {
  for (const topic of (body[keys.topics] ?? []) as WireStruct[]) {
    if (!isMetadataTopic(topic, keys)) continue;
    for (const p of (topic.partitions ?? []) as WireStruct[]) if (p[keys.index] === METADATA_PARTITION) return p;
  }
  return undefined;
}

/**
 * Every topic and partition a request named, each answered by `partition(index)`: an error response
 * names what the request named, whatever that was, as Kafka's getErrorResponse does. The quorum APIs
 * name a topic by the same fields in request and response (`topicFields`).
 */
export function echoTopics(body: WireStruct, topicFields: readonly string[], indexKey: string, partition: (index: number) => WireStruct): WireStruct[] {
  return ((body.topics ?? []) as WireStruct[]).map((t) => {
    const topic: WireStruct = {};
    for (const f of topicFields) topic[f] = t[f];
    topic.partitions = ((t.partitions ?? []) as WireStruct[]).map((p) => partition(p[indexKey] as number));
    return topic;
  });
}

const encoder = new TextEncoder();
// fatal: bytes that are not UTF-8 are a corrupt message, not text to repair.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A JSON value as UTF-8 bytes. */
export function jsonToBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** A JSON value from UTF-8 bytes; throws on bytes that are not UTF-8 JSON. */
export function jsonFromBytes(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}

// ---- the response BeginQuorumEpoch and EndQuorumEpoch share ----

const EPOCH_KEYS: QuorumKeys = { topics: 'topics', name: 'topicName', index: 'partitionIndex' };

type WireEpochResult = { partitionIndex: number; errorCode: number; leaderId: number; leaderEpoch: number };

/** The fields the core's BeginQuorumEpoch and EndQuorumEpoch responses have in common. */
export interface EpochResult {
  errorCode: number;
  leaderId: NodeId | null;
  leaderEpoch: number;
}

export function epochResponseToWire(res: EpochResult, ids: WireIds): WireStruct {
  const error = splitError(res.errorCode);
  const partition: WireEpochResult = {
    partitionIndex: METADATA_PARTITION,
    errorCode: error.partition,
    leaderId: ids.toWire(res.leaderId),
    leaderEpoch: res.leaderEpoch,
  };
  return { errorCode: error.top, topics: [metadataTopic(EPOCH_KEYS, [partition])], nodeEndpoints: [] };
}

export function epochResponseFromWire(body: WireStruct, ids: WireIds): EpochResult {
  const p = responsePartition(body, EPOCH_KEYS) as WireEpochResult | undefined;
  return { errorCode: joinError(body.errorCode as number, p), leaderId: ids.fromWire(p?.leaderId ?? -1), leaderEpoch: p?.leaderEpoch ?? -1 };
}

export function epochErrorResponse(body: WireStruct, errorCode: number): WireStruct {
  const partition = (partitionIndex: number): WireEpochResult => ({ partitionIndex, errorCode, leaderId: -1, leaderEpoch: -1 });
  return { errorCode, topics: echoTopics(body, ['topicName'], 'partitionIndex', partition), nodeEndpoints: [] };
}
