// CreatePartitions (KIP-195) decided as KRaft's ReplicationControlManager decides it: a topic grows to
// `count` partitions, the new ones placed like a new topic's (or where the request assigns them).

import type { NodeId } from '../env.ts';
import type { CreatePartitionsRequest, CreatePartitionsResponse, CreatePartitionsTopic } from '../protocol/controller.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { compareIds, type MetadataImage, type TopicState } from './image.ts';
import { placeReplicas } from './placement.ts';
import type { PartitionRecord } from './records.ts';

/** Kafka's QuorumController.MAX_RECORDS_PER_USER_OP: one request may not write more partitions than this. */
export const MAX_RECORDS_PER_USER_OP = 10_000;

type Result = CreatePartitionsResponse['results'][number];

class Refusal {
  constructor(
    readonly errorCode: number,
    readonly errorMessage: string,
  ) {}
}

/**
 * Each topic's result and the PartitionRecords of those that may grow (none when validateOnly), decided
 * against `image`; the caller writes the records. `random` picks where placement starts, as for CreateTopics.
 */
export function createPartitions(image: MetadataImage, req: CreatePartitionsRequest, random: () => number): { results: Result[]; records: PartitionRecord[] } {
  const growth = req.topics.reduce((sum, t) => sum + Math.max(0, t.count - (image.topicByName(t.name)?.partitions.length ?? t.count)), 0);
  // Refused as a whole, as Kafka's bounded record list refuses it, before anything is placed.
  if (growth > MAX_RECORDS_PER_USER_OP) {
    const errorMessage = 'Unable to perform excessively large batch operation.';
    return { results: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage })), records: [] };
  }
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const results: Result[] = [];
  const records: PartitionRecord[] = [];
  const answered = new Set<string>();
  for (const topic of req.topics) {
    if (answered.has(topic.name)) continue;
    answered.add(topic.name);
    if (seen.get(topic.name)! > 1) {
      results.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
      continue;
    }
    const planned = plan(image, topic, random);
    if (planned instanceof Refusal) {
      results.push({ name: topic.name, errorCode: planned.errorCode, errorMessage: planned.errorMessage });
      continue;
    }
    results.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
    if (!req.validateOnly) records.push(...planned);
  }
  return { results, records };
}

function plan(image: MetadataImage, topic: CreatePartitionsTopic, random: () => number): PartitionRecord[] | Refusal {
  const state = image.topicByName(topic.name);
  if (state === undefined) return new Refusal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic "${topic.name}"`);
  const current = state.partitions.length;
  if (topic.count === current) return new Refusal(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  if (topic.count < current) {
    return new Refusal(ErrorCode.INVALID_PARTITIONS, `The topic ${topic.name} currently has ${current} partition(s); ${topic.count} would not be an increase.`);
  }
  const additional = topic.count - current;
  if (topic.assignments !== null && topic.assignments.length !== additional) {
    return new Refusal(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Attempted to add ${additional} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`,
    );
  }
  // The new partitions get the replication factor the topic has (Kafka reads it off its first partition).
  const replicationFactor = state.partitions[0]?.replicas.length ?? 0;
  if (replicationFactor < 1) return new Refusal(ErrorCode.UNKNOWN_SERVER_ERROR, `Invalid state: topic ${topic.name} appears to have no partitions.`);
  const replicaSets =
    topic.assignments === null ? placed(image, additional, replicationFactor, random) : assigned(image, topic.assignments, replicationFactor, current);
  if (replicaSets instanceof Refusal) return replicaSets;
  return replicaSets.map(({ replicas, isr }, i) => partitionRecord(state, current + i, replicas, isr));
}

function placed(
  image: MetadataImage,
  additional: number,
  replicationFactor: number,
  random: () => number,
): Array<{ replicas: NodeId[]; isr: NodeId[] }> | Refusal {
  const brokers = image.unfencedBrokers();
  if (replicationFactor > brokers.length) {
    return new Refusal(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are unfenced.`,
    );
  }
  return placeReplicas(brokers, additional, replicationFactor, Math.floor(random() * brokers.length)).map((replicas) => ({ replicas, isr: [...replicas] }));
}

/** Kafka's validateManualPartitionAssignment, and an ISR of the assigned brokers that are unfenced. */
function assigned(
  image: MetadataImage,
  assignments: ReadonlyArray<{ brokerIds: NodeId[] }>,
  replicationFactor: number,
  firstPartition: number,
): Array<{ replicas: NodeId[]; isr: NodeId[] }> | Refusal {
  const sets: Array<{ replicas: NodeId[]; isr: NodeId[] }> = [];
  for (const [i, { brokerIds }] of assignments.entries()) {
    const refuse = (why: string) => new Refusal(ErrorCode.INVALID_REPLICA_ASSIGNMENT, why);
    if (brokerIds.length === 0) return refuse('The manual partition assignment includes an empty replica list.');
    const sorted = [...brokerIds].sort(compareIds);
    for (const [j, broker] of sorted.entries()) {
      if (!image.brokers.has(broker)) return refuse(`The manual partition assignment includes broker ${broker}, but no such broker is registered.`);
      if (j > 0 && sorted[j - 1] === broker) return refuse(`The manual partition assignment includes the broker ${broker} more than once.`);
    }
    if (brokerIds.length !== replicationFactor) {
      return refuse(
        `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`,
      );
    }
    const isr = brokerIds.filter((b) => image.brokers.get(b)?.fenced === false);
    if (isr.length === 0) return refuse(`All brokers specified in the manual partition assignment for partition ${firstPartition + i} are fenced.`);
    sets.push({ replicas: [...brokerIds], isr });
  }
  return sets;
}

function partitionRecord(topic: TopicState, partitionId: number, replicas: NodeId[], isr: NodeId[]): PartitionRecord {
  return {
    type: 'PartitionRecord',
    partitionId,
    topicId: topic.topicId,
    replicas,
    isr,
    leader: isr[0]!,
    leaderRecoveryState: 0,
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}
