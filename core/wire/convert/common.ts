// What the data-plane converters share: node id lists and leader hints (KIP-951) between int32 ids and
// NodeIds, isolation levels (KIP-98), and topic ids against names for the versions that name topics by id (KIP-516).

import type { NodeId } from '../../env.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { LeaderHint } from '../../protocol/quorum.ts';
import { ZERO_UUID } from '../message-codec.ts';
import { WireRequestError, type TopicIds, type WireIds } from './converter.ts';

/** Kafka's LeaderIdAndEpoch struct as the codec holds it; -1/-1 (the defaults) is "no hint". */
export type WireLeader = { leaderId: number; leaderEpoch: number };

export function leaderToWire(ids: WireIds, hint: LeaderHint): WireLeader {
  return { leaderId: ids.toWire(hint.leaderId), leaderEpoch: hint.leaderEpoch };
}

export function leaderFromWire(ids: WireIds, leader: WireLeader): LeaderHint {
  return { leaderId: ids.fromWire(leader.leaderId), leaderEpoch: leader.leaderEpoch };
}

/** Whether a tagged LeaderIdAndEpoch holds only its defaults, which is how Kafka says "no hint" (the tag is not even written). */
export function isNoLeaderHint(leader: WireLeader): boolean {
  return leader.leaderId === -1 && leader.leaderEpoch === -1;
}

export function nodesToWire(ids: WireIds, nodes: readonly NodeId[]): number[] {
  return nodes.map((n) => ids.toWire(n));
}

/** Replica lists from the wire; an id that names no node (a negative one) cannot be addressed and is left out. */
export function nodesFromWire(ids: WireIds, nodes: readonly number[]): NodeId[] {
  const out: NodeId[] = [];
  for (const n of nodes) {
    const id = ids.fromWire(n);
    if (id !== null) out.push(id);
  }
  return out;
}

/** Kafka's IsolationLevel.forId refuses anything but 0 (READ_UNCOMMITTED) and 1 (READ_COMMITTED). */
export function isolationLevelFromWire(level: number): 0 | 1 {
  if (level === 0 || level === 1) return level;
  throw new WireRequestError(ErrorCode.INVALID_REQUEST, `unknown isolation level ${level}`);
}

/**
 * The core names topics, so a topic id that the metadata image does not know becomes a name no topic
 * can have (Kafka's legal names are [a-zA-Z0-9._-]: never a colon). The core answers it
 * UNKNOWN_TOPIC_OR_PARTITION, which the response turns back into the id and UNKNOWN_TOPIC_ID; a real
 * topic whose name looks like an id can never be mistaken for it.
 */
const UNKNOWN_TOPIC_ID_PREFIX = 'topic-id:';

/** The core's name for a topic the wire names by id. */
export function topicNameOfId(topics: TopicIds, id: string): string {
  return topics.nameOf(id) ?? UNKNOWN_TOPIC_ID_PREFIX + id;
}

/** The id of a stand-in name made by topicNameOfId for an unknown id, else null. */
export function unknownTopicIdOf(name: string): string | null {
  return name.startsWith(UNKNOWN_TOPIC_ID_PREFIX) ? name.slice(UNKNOWN_TOPIC_ID_PREFIX.length) : null;
}

/** The wire id of a core topic name: the image's id, the id behind a stand-in name, else null. */
export function topicIdOfName(topics: TopicIds, name: string): string | null {
  return unknownTopicIdOf(name) ?? topics.idOf(name);
}

/**
 * The id a response gives a topic. A topic without one (deleted between request and response, so the
 * image no longer has it) gets the zero id: a response cannot leave a topic unnamed.
 */
export function responseTopicId(topics: TopicIds, name: string): string {
  return topicIdOfName(topics, name) ?? ZERO_UUID;
}

/** The partition error for a topic named by id: UNKNOWN_TOPIC_ID (100) replaces UNKNOWN_TOPIC_OR_PARTITION for an id the image does not know. */
export function topicIdErrorCode(name: string, errorCode: number): number {
  return errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && unknownTopicIdOf(name) !== null ? ErrorCode.UNKNOWN_TOPIC_ID : errorCode;
}

/** The id a request must name a topic by (a Samsa node sending Fetch v13+): without one the request cannot be written. */
export function requestTopicId(topics: TopicIds, name: string): string {
  const id = topicIdOfName(topics, name);
  if (id === null) throw new WireRequestError(ErrorCode.UNKNOWN_TOPIC_ID, `no topic id known for topic ${name}`);
  return id;
}

/** A uuid field's value as the core holds it: the zero UUID is Kafka's "none". */
export function uuidOrNull(id: string): string | null {
  return id === ZERO_UUID ? null : id;
}
