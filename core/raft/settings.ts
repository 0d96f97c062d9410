// The quorum's settings (RaftSettings) from Kafka's config names (QuorumConfig, KIP-595), for any
// runtime that builds quorum replicas: the simulator's clusters and raft workloads, the real runtime.

import type { NodeId } from '../env.ts';
import type { Config } from '../protocol/configs.ts';
import type { RaftBug } from './bugs.ts';
import type { RaftSettings } from './raft-replica.ts';

/** The cluster id every Samsa quorum uses (Kafka's meta.properties cluster.id). */
export const CLUSTER_ID = 'samsa-sim';

export function raftSettings(config: Config, voters: readonly NodeId[], bugs: ReadonlySet<RaftBug>): RaftSettings {
  return {
    clusterId: CLUSTER_ID,
    voters,
    electionTimeoutMs: config.int('controller.quorum.election.timeout.ms'),
    fetchTimeoutMs: config.int('controller.quorum.fetch.timeout.ms'),
    electionBackoffMaxMs: config.int('controller.quorum.election.backoff.max.ms'),
    requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'),
    retryBackoffMs: config.int('controller.quorum.retry.backoff.ms'),
    // A parked fetch must return well before the follower's fetch timeout gives up on the leader.
    fetchMaxWaitMs: Math.min(config.int('samsa.raft.fetch.max.wait.ms'), Math.floor(config.int('controller.quorum.fetch.timeout.ms') / 2)),
    flushDelayMs: config.int('samsa.raft.flush.delay.ms'),
    snapshotBytes: config.int('metadata.log.max.record.bytes.between.snapshots'),
    maxFetchEntries: 500,
    bugs,
  };
}
