// What a transactional producer sends (built from its id, epoch and the call's data) and how it
// reads the coordinators' errors, after Kafka's TransactionManager handlers: retried in place,
// retried after finding the coordinator again, abortable, or fatal.

import type { InitProducerIdRequest } from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { NO_PRODUCER_ID } from '../protocol/records.ts';
import type { AddOffsetsToTxnRequest, AddPartitionsToTxnRequest, EndTxnRequest, TxnOffsetCommitRequest } from '../protocol/txn.ts';

/** The producer's id, epoch and transactional id, as every transactional request carries them. */
export interface TxnIdentity {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

/** The consumer's group as sendOffsetsToTransaction takes it (KIP-447): generation -1 and member "" when unknown. */
export interface ConsumerGroupMetadata {
  groupId: string;
  generation: number;
  memberId: string;
  groupInstanceId?: string | null;
}

/** Errors retried in place after retry.backoff.ms. */
export const RETRY_SAME: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.REQUEST_TIMED_OUT,
]);
/** Errors after which the coordinator is looked up again. */
export const COORDINATOR_MOVED: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);
/**
 * Coordinator errors after which only an abort is possible (Kafka's abortable errors: KIP-447's
 * fencing of a consumer's generation is its CommitFailedException). Every other error that is not
 * retried is fatal, as in Kafka: PRODUCER_FENCED, INVALID_PRODUCER_EPOCH (the fencing error of
 * older versions), TRANSACTIONAL_ID_AUTHORIZATION_FAILED, INVALID_TXN_STATE, unknown codes.
 */
export const ABORTABLE: ReadonlySet<number> = new Set([
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
]);
/** Answers to EndTxn and TxnOffsetCommit that do not say whether the coordinator wrote it (it may have appended before it lost its partition). */
export const UNSURE: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.REQUEST_TIMED_OUT]);
/** The producer id is unknown to the coordinator: abort, bumping the epoch (KIP-360's abortableErrorIfPossible). */
export const ID_LOST: ReadonlySet<number> = new Set([ErrorCode.UNKNOWN_PRODUCER_ID, ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
/** Produce errors that fence the producer for good (Kafka's handleFailedBatch). */
export const FATAL_PRODUCE: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
]);

/** InitProducerId for the transactional id: as a new producer, or (KIP-360) bumping the epoch of the id it has. */
export function initProducerIdRequest(correlationId: number, id: TxnIdentity, transactionTimeoutMs: number, resume: boolean): InitProducerIdRequest {
  return {
    api: 'InitProducerId',
    kind: 'request',
    correlationId,
    transactionalId: id.transactionalId,
    transactionTimeoutMs,
    producerId: resume ? id.producerId : NO_PRODUCER_ID,
    producerEpoch: resume ? id.producerEpoch : -1,
  };
}

/** AddPartitionsToTxn for partitions named `topic/partition`, in one transaction's entry. */
export function addPartitionsRequest(correlationId: number, id: TxnIdentity, partitions: readonly string[]): AddPartitionsToTxnRequest {
  const byTopic = new Map<string, number[]>();
  for (const key of partitions) {
    const at = key.lastIndexOf('/');
    const topic = key.slice(0, at);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(key.slice(at + 1))]);
  }
  const topics = [...byTopic].map(([name, ps]) => ({ name, partitions: ps }));
  return { api: 'AddPartitionsToTxn', kind: 'request', correlationId, transactions: [{ ...id, verifyOnly: false, topics }] };
}

export function addOffsetsRequest(correlationId: number, id: TxnIdentity, groupId: string): AddOffsetsToTxnRequest {
  return { api: 'AddOffsetsToTxn', kind: 'request', correlationId, ...id, groupId };
}

export function endTxnRequest(correlationId: number, id: TxnIdentity, committed: boolean, bumpEpoch: boolean): EndTxnRequest {
  return { api: 'EndTxn', kind: 'request', correlationId, ...id, committed, bumpEpoch };
}

/** TxnOffsetCommit v3-shaped: the offsets ([topic, partition, next offset]) with the consumer's generation and member. */
export function txnOffsetCommitRequest(
  correlationId: number,
  id: TxnIdentity,
  group: ConsumerGroupMetadata,
  offsets: ReadonlyArray<[string, number, number]>,
): TxnOffsetCommitRequest {
  const byTopic = new Map<string, TxnOffsetCommitRequest['topics'][number]['partitions']>();
  for (const [topic, partition, offset] of offsets)
    byTopic.set(topic, [
      ...(byTopic.get(topic) ?? []),
      { partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' },
    ]);
  return {
    api: 'TxnOffsetCommit',
    kind: 'request',
    correlationId,
    ...id,
    groupId: group.groupId,
    generationId: group.generation,
    memberId: group.memberId,
    groupInstanceId: group.groupInstanceId ?? null,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
}
