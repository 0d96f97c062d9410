// Replica placement for new topics, striped like Kafka's StripedReplicaPlacer without racks:
// partition p's replicas are consecutive brokers starting at (start + p), so leaders (the first
// replica) spread evenly and every replica of a partition is on a different broker.

import type { NodeId } from '../env.ts';

export function placeReplicas(brokers: readonly NodeId[], partitions: number, replicationFactor: number, start: number): NodeId[][] {
  if (replicationFactor > brokers.length) throw new RangeError(`replication factor ${replicationFactor} > ${brokers.length} brokers`);
  const n = brokers.length;
  return Array.from({ length: partitions }, (_, p) => Array.from({ length: replicationFactor }, (_, i) => brokers[(start + p + i) % n]!));
}
