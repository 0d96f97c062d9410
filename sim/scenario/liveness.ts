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
/** Past the liveness bound, the phase goes on while replication or reading moved within this window. */
const PROGRESS_WINDOW_MS = 10_000;
/** The phase never runs longer than this many liveness bounds. */
const MAX_EXTENSION = 5;

/** Heals everything now: links, link settings, loss, disks, clocks, stalled consumers; resumes every paused node; restarts every crashed node and group consumer. */
export function healEverything(cluster: Cluster): void {
  const { sim } = cluster;
  sim.healAll();
  sim.configureNetwork({ loss: 0, duplicate: 0, reorder: 0 });
  sim.configureDisk({ tornWrites: 0, fsyncFailure: 0, readError: 0 });
  sim.resetLinks();
  for (const id of [...cluster.nodes, ...cluster.groupMembers]) {
    if (sim.isPaused(id)) sim.resume(id);
    if (!sim.isUp(id)) sim.restart(id);
    sim.setClockSkew(id, 0);
  }
  cluster.stalled.clear();
}

/**
 * Heals everything and runs until the cluster has converged, or until `livenessMs` is up and the
 * cluster has made no progress (see ClusterView.progress) for PROGRESS_WINDOW_MS, or at the latest
 * after MAX_EXTENSION times `livenessMs`: a follower that lost a fetch waits out its socket timeout
 * and then catches up at its fetch size, which no fixed bound covers for every backlog. Returns when
 * it converged (and records it in the trace), or null after reporting each problem left with the
 * time it waited.
 */
export function livenessPhase(
  cluster: Cluster,
  view: ClusterView,
  livenessMs: number,
  report: (problem: LivenessProblem, step: number, waitedMs: number) => void,
): number | null {
  const { sim } = cluster;
  healEverything(cluster);
  const start = sim.now;
  const deadline = start + livenessMs;
  const cap = start + livenessMs * MAX_EXTENSION;
  // The leader's high watermark and the cluster's progress at each look; images are judged
  // against the high watermark of one IMAGE_LAG_MS ago.
  const seen: Array<{ at: number; hw: number; progress: number }> = [];
  const target = () => [...seen].reverse().find((s) => s.at <= sim.now - IMAGE_LAG_MS)?.hw ?? -1;
  const progressing = () => {
    const before = [...seen].reverse().find((s) => s.at <= sim.now - PROGRESS_WINDOW_MS);
    return before !== undefined && view.progress() > before.progress;
  };
  while (sim.now < deadline || (sim.now < cap && progressing())) {
    sim.run(Math.min(cap, sim.now + LIVENESS_POLL_MS));
    seen.push({ at: sim.now, hw: view.leaderHighWatermark(), progress: view.progress() });
    // Converged: the cluster has healed and the consumers have read everything (the final read).
    if (target() >= 0 && view.problems(target()).length === 0 && view.consumersCaughtUp() && view.unsettledGroups().length === 0) {
      sim.record({ kind: 'converged', afterMs: sim.now - start });
      return sim.now;
    }
  }
  const problems = view.problems(Math.max(0, target()));
  const finalRead = view.finalReadProblem();
  if (finalRead !== null) problems.push(finalRead);
  const groups = view.groupProblem();
  if (groups !== null) problems.push(groups);
  for (const problem of problems) report(problem, sim.step, sim.now - start);
  return null;
}
