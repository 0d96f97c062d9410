// The liveness phase of a run: heal every fault (links, clocks, crashed nodes, a lossy network),
// then give the cluster a bounded time to elect a leader, unfence every broker and bring every
// metadata image to the committed end; whatever does not happen is a liveness violation.

import { BROKERS_UNFENCED, IMAGES_CONVERGED, ISR_REGROWN, LEADER_ELECTED } from '../../models/checkers/liveness.ts';
import type { CheckerInfo } from '../../models/violation.ts';
import { kafkaNode, type Cluster } from './cluster.ts';
import { quorumLeader } from './faults.ts';

/** The quorum leader's high watermark now (-1 when there is no leader or it does not know one yet). */
export function leaderHighWatermark(cluster: Cluster): number {
  const leaderId = quorumLeader(cluster);
  return leaderId === null ? -1 : (kafkaNode(cluster, leaderId)?.raft.highWatermark ?? -1);
}

export interface LivenessProblem {
  checker: CheckerInfo;
  message: string;
  nodes: string[];
}

/** Heals everything now: links, link settings, loss, disks, clocks; restarts every crashed node. */
export function healEverything(cluster: Cluster): void {
  const { sim } = cluster;
  sim.healAll();
  sim.configureNetwork({ loss: 0, duplicate: 0, reorder: 0 });
  sim.configureDisk({ tornWrites: 0, fsyncFailure: 0, readError: 0 });
  sim.resetLinks();
  for (const id of cluster.nodes) {
    if (!sim.isUp(id)) sim.restart(id);
    sim.setClockSkew(id, 0);
  }
}

/**
 * What still keeps the cluster from having converged (empty when it has). The active controller
 * keeps appending no-op records, so images are judged against `committedTarget`: the leader's high
 * watermark at the previous look, which every image should have reached by now.
 */
export function livenessProblems(cluster: Cluster, committedTarget: number): LivenessProblem[] {
  const problems: LivenessProblem[] = [];
  const leaderId = quorumLeader(cluster);
  const leader = leaderId === null ? null : kafkaNode(cluster, leaderId);
  if (leader === null) {
    problems.push({ checker: LEADER_ELECTED, message: 'no quorum leader', nodes: [] });
    return problems;
  }
  const epoch = leader.raft.currentEpoch;
  const strays = cluster.nodes.filter((id) => {
    const raft = kafkaNode(cluster, id)?.raft;
    return raft === undefined || (id !== leaderId && (raft.currentEpoch !== epoch || raft.currentLeader !== leaderId));
  });
  if (strays.length > 0) problems.push({ checker: LEADER_ELECTED, message: `${strays.join(', ')} do not follow leader ${leaderId} of epoch ${epoch}`, nodes: strays });
  const fenced = cluster.brokers.filter((id) => {
    const node = kafkaNode(cluster, id);
    const registration = leader.image.brokers.get(id);
    return node?.lifecycle === null || node?.lifecycle?.fenced !== false || registration === undefined || registration.fenced || registration.brokerEpoch !== node.lifecycle.brokerEpoch;
  });
  if (fenced.length > 0) problems.push({ checker: BROKERS_UNFENCED, message: `${fenced.join(', ')} not registered and unfenced`, nodes: fenced });
  const shortIsrs = leader.image
    .allPartitions()
    .filter((p) => p.leader === null || p.replicas.some((r) => !p.isr.includes(r)))
    .map((p) => `${p.topic}-${p.partition} (leader ${p.leader ?? 'none'}, ISR ${p.isr.join(',')} of ${p.replicas.join(',')})`);
  if (shortIsrs.length > 0) problems.push({ checker: ISR_REGROWN, message: `partitions without a full ISR: ${shortIsrs.slice(0, 5).join('; ')}${shortIsrs.length > 5 ? ` and ${shortIsrs.length - 5} more` : ''}`, nodes: [] });
  const behind = cluster.nodes.filter((id) => (kafkaNode(cluster, id)?.appliedEnd ?? -1) < committedTarget);
  if (behind.length > 0) {
    const where = behind.map((id) => `${id}@${kafkaNode(cluster, id)?.appliedEnd ?? 'down'}`).join(', ');
    problems.push({ checker: IMAGES_CONVERGED, message: `images behind the committed offset ${committedTarget}: ${where}`, nodes: behind });
  }
  return problems;
}
