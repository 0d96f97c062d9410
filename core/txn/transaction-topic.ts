// The __transaction_state topic: which partition (and so which coordinator) holds a transactional
// id, as Kafka's TransactionStateManager.partitionFor: Utils.abs(transactionalId.hashCode) % partitions.

import { offsetsPartitionFor } from '../group/offsets-topic.ts';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** The __transaction_state partition of a transactional id (the same hash as a group's __consumer_offsets partition). */
export function transactionPartitionFor(transactionalId: string, partitions: number): number {
  return offsetsPartitionFor(transactionalId, partitions);
}
