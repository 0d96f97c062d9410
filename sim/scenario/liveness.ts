// The liveness phase of a run: heal every fault (links, clocks, crashed nodes, a lossy network),
// then give the cluster a bounded time to converge: a quorum leader every node follows, every
// broker unfenced, every metadata image at the committed end, every ISR whole, every consumer
// done reading. Whether it has is judged from the run's events (models/liveness); whatever has
// not happened by the deadline is reported as a liveness violation.

import type { ClusterView, LivenessProblem } from '../../models/liveness/cluster-view.ts';
import type { Cluster } from './cluster.ts';

/** How often the phase looks at the cluster. */
const LIVENESS_POLL_MS = 250;
/** How far images may trail the leader: followers learn a new high watermark on their next fetch. */
const IMAGE_LAG_MS = 1_500;

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
 * Heals everything and runs until the cluster has converged or `livenessMs` is up. Returns when it
 * converged (and records it in the trace), or null after reporting each problem left.
 */
export function livenessPhase(
  cluster: Cluster,
  view: ClusterView,
  livenessMs: number,
  report: (problem: LivenessProblem, step: number) => void,
): number | null {
  const { sim } = cluster;
  healEverything(cluster);
  const start = sim.now;
  const deadline = start + livenessMs;
  // The leader's high watermark at each look; images are judged against one IMAGE_LAG_MS old.
  const seen: Array<{ at: number; hw: number }> = [];
  const target = () => [...seen].reverse().find((s) => s.at <= sim.now - IMAGE_LAG_MS)?.hw ?? -1;
  while (sim.now < deadline) {
    sim.run(Math.min(deadline, sim.now + LIVENESS_POLL_MS));
    seen.push({ at: sim.now, hw: view.leaderHighWatermark() });
    // Converged: the cluster has healed and the consumers have read everything (the final read).
    if (target() >= 0 && view.problems(target()).length === 0 && view.consumersCaughtUp()) {
      sim.record({ kind: 'converged', afterMs: sim.now - start });
      return sim.now;
    }
  }
  const problems = view.problems(Math.max(0, target()));
  const finalRead = view.finalReadProblem();
  if (finalRead !== null) problems.push(finalRead);
  for (const problem of problems) report(problem, sim.step);
  return null;
}
