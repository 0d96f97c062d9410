// The quorum under faults, after Kafka's RaftEventSimulationTest: fast-check draws the number of
// voters and observers and the seed; every run has every quorum checker on and must end with
// no violation. A fixed budget here; SAMSA_DEEP=1 (npm run test:deep) runs many more.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { NodeId } from '../../core/env.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { buildRaftWorkload, counterNode, DEFAULT_RAFT_WORKLOAD, voterIds, type CounterMessage } from '../../sim/raft-workload.ts';
import type { Simulation } from '../../sim/kernel.ts';

const RUNS = process.env['SAMSA_DEEP'] ? 100 : 6;
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

interface Quorum {
  sim: Simulation<CounterMessage>;
  suite: CheckerSuite;
  voters: NodeId[];
  nodes: NodeId[];
}

function quorum(voters: number, observers: number, runSeed: number): Quorum {
  const sim = buildRaftWorkload({ ...DEFAULT_RAFT_WORKLOAD, voters, observers }, runSeed, null);
  const suite = new CheckerSuite();
  suite.attach(sim);
  return { sim, suite, voters: voterIds({ voters }), nodes: sim.nodeIds };
}

/** Runs in 50 ms slices until `done` holds; fails the test when `limitMs` of simulated time pass first. */
function runUntil(q: Quorum, done: () => boolean, limitMs: number, what: string): void {
  const deadline = q.sim.now + limitMs;
  while (!done()) {
    if (q.sim.now >= deadline) throw new Error(`not reached within ${limitMs} ms: ${what}`);
    q.sim.run(q.sim.now + 50);
  }
}

function leader(q: Quorum): NodeId | null {
  let best: { id: NodeId; epoch: number } | null = null;
  for (const id of q.voters) {
    const raft = counterNode(q.sim, id)?.raft;
    if (raft?.isLeader && (best === null || raft.currentEpoch > best.epoch)) best = { id, epoch: raft.currentEpoch };
  }
  return best?.id ?? null;
}

const hwOf = (q: Quorum, id: NodeId) => counterNode(q.sim, id)?.raft.highWatermark ?? -1;
const allReach = (q: Quorum, ids: NodeId[], target: number) => () => ids.every((id) => hwOf(q, id) >= target);
const quorumHw = (q: Quorum) => {
  const l = leader(q);
  return l === null ? -1 : hwOf(q, l);
};

function expectNoViolations(q: Quorum, except: string[] = []): void {
  expect(q.suite.violations.filter((v) => !except.includes(v.name)).map((v) => `${v.name}: ${v.message}`)).toEqual([]);
}

describe('the quorum, after RaftEventSimulationTest', () => {
  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 }), seed], { numRuns: RUNS })(
    'elects an initial leader and every node reaches high watermark 10',
    (voters, observers, s) => {
      const q = quorum(voters, observers, s);
      runUntil(q, allReach(q, q.nodes, 10), 30_000, 'every node at high watermark 10');
      expectNoViolations(q);
    },
  );

  test.prop([fc.integer({ min: 3, max: 5 }), fc.integer({ min: 0, max: 5 }), seed], { numRuns: RUNS })(
    'elects a new leader after the leader fails, and the old one catches up on its return',
    (voters, observers, s) => {
      const q = quorum(voters, observers, s);
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const old = leader(q)!;
      q.sim.crash(old);
      const rest = q.nodes.filter((id) => id !== old);
      runUntil(q, allReach(q, rest, 20), 30_000, 'the others at high watermark 20');
      q.sim.restart(old);
      const target = quorumHw(q) + 10;
      runUntil(q, allReach(q, q.nodes, target), 30_000, `everyone at ${target}`);
      expectNoViolations(q);
    },
  );

  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 }), seed], { numRuns: RUNS })(
    'recovers after every node is killed at once',
    (voters, observers, s) => {
      const q = quorum(voters, observers, s);
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const before = quorumHw(q);
      for (const id of q.nodes) q.sim.crash(id);
      q.sim.run(q.sim.now + 100);
      for (const id of q.nodes) q.sim.restart(id);
      runUntil(q, allReach(q, q.nodes, before + 10), 30_000, 'progress after the restart');
      expectNoViolations(q);
    },
  );

  test.prop([fc.integer({ min: 3, max: 5 }), fc.integer({ min: 0, max: 5 }), seed], { numRuns: RUNS })(
    'elects a new leader when the leader is partitioned away, and the rest make progress',
    (voters, observers, s) => {
      const q = quorum(voters, observers, s);
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const old = leader(q)!;
      const before = quorumHw(q);
      q.sim.partition([[old], q.nodes.filter((id) => id !== old)]);
      runUntil(q, () => leader(q) !== null && leader(q) !== old && quorumHw(q) >= before + 10, 30_000, 'a new leader and progress');
      expectNoViolations(q);
    },
  );

  test.prop([fc.integer({ min: 0, max: 3 }), seed], { numRuns: RUNS })(
    'makes progress on the majority side of a split and not on the minority side',
    (observers, s) => {
      const q = quorum(5, observers, s);
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const minority = ['v1', 'v2'];
      const majority = q.nodes.filter((id) => !minority.includes(id));
      q.sim.partition([minority, majority]);
      const atSplit = Math.max(...q.nodes.map((id) => counterNode(q.sim, id)!.raft.logEndOffset));
      runUntil(q, () => majority.some((id) => hwOf(q, id) >= 2 * atSplit), 60_000, 'the majority at twice the log end at the split');
      const minorityHw = Math.max(...minority.map((id) => hwOf(q, id)));
      expect(minorityHw).toBeLessThan(2 * atSplit);
      expect(minorityHw).toBeLessThanOrEqual(atSplit);
      q.sim.healAll();
      const target = quorumHw(q);
      runUntil(q, allReach(q, q.nodes, target), 30_000, 'everyone caught up after the heal');
      expectNoViolations(q);
    },
  );

  test.prop([fc.integer({ min: 3, max: 5 }), fc.integer({ min: 0, max: 5 }), seed], { numRuns: RUNS })(
    'makes progress after back-to-back leader failures',
    (voters, observers, s) => {
      const q = quorum(voters, observers, s);
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const first = leader(q)!;
      let cut = q.sim.partition([[first], q.nodes.filter((id) => id !== first)]);
      runUntil(q, () => leader(q) !== null && leader(q) !== first, 30_000, 'a second leader');
      const second = leader(q)!;
      q.sim.healLinks(cut);
      cut = q.sim.partition([[second], q.nodes.filter((id) => id !== second)]);
      const before = quorumHw(q);
      runUntil(q, () => leader(q) !== null && leader(q) !== second && quorumHw(q) >= before + 10, 30_000, 'a third leader and progress');
      q.sim.healLinks(cut);
      expectNoViolations(q);
    },
  );

  test.prop([fc.integer({ min: 3, max: 5 }), fc.integer({ min: 0, max: 2 }), seed, fc.nat()], { numRuns: RUNS })(
    "recovers from one node's loss of its whole disk",
    (voters, observers, s, pick) => {
      const q = quorum(voters, observers, s);
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const victim = q.nodes[pick % q.nodes.length]!;
      q.sim.crash(victim);
      runUntil(q, () => leader(q) !== null, 30_000, 'a leader while the victim is down');
      q.sim.restart(victim, { wipe: true });
      const target = quorumHw(q) + 10;
      runUntil(q, allReach(q, q.nodes, target), 30_000, 'everyone, the wiped node too, past the old high watermark');
      // As in Kafka's test, a lost disk may leave committed entries on fewer than a majority for a
      // while (KRaft cannot guarantee more), so majority-reached-hw is not expected to hold here.
      expectNoViolations(q, ['majority-reached-hw']);
    },
  );
});

describe('snapshots', () => {
  test.prop([fc.integer({ min: 1, max: 3 }), seed], { numRuns: RUNS })(
    'a replica that missed the snapshotted prefix catches up by fetching the snapshot',
    (observers, s) => {
      const sim = buildRaftWorkload(
        { ...DEFAULT_RAFT_WORKLOAD, voters: 3, observers, config: { 'metadata.log.max.record.bytes.between.snapshots': 2000 } },
        s,
        null,
      );
      const suite = new CheckerSuite();
      suite.attach(sim);
      const fetched: string[] = [];
      sim.observe((_step, node, event) => {
        if (event.kind === 'raft-snapshot' && event['fetched'] === true && node !== null) fetched.push(node);
      });
      const q: Quorum = { sim, suite, voters: voterIds({ voters: 3 }), nodes: sim.nodeIds };
      runUntil(q, () => quorumHw(q) >= 10, 30_000, 'high watermark 10');
      const late = 'o1';
      sim.crash(late);
      runUntil(q, () => (counterNode(sim, leader(q)!)?.raft.raftLog.startOffset ?? 0) > 100, 60_000, 'the leader snapshots past offset 100');
      sim.restart(late, { wipe: true });
      const target = quorumHw(q);
      runUntil(q, allReach(q, [late], target), 30_000, 'the wiped observer past the snapshot');
      expect(fetched).toContain(late);
      expect(counterNode(sim, late)!.machine.committed).toBeGreaterThan(0);
      expectNoViolations(q);
    },
  );
});
