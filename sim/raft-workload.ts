// A quorum-only workload after Kafka's RaftEventSimulationTest: voters and observers run the
// metadata quorum with a replicated counter as the state machine, and the leader appends the next
// value at a steady rate. Used by the quorum's property tests and by `samsa bench raft`.

import type { Env, Node, NodeId, TimerTag } from '../core/env.ts';
import { Config, type ConfigValue } from '../core/protocol/configs.ts';
import type { LeaderHint, OffsetAndEpoch, QuorumMessage, RaftEntry } from '../core/protocol/quorum.ts';
import { RaftReplica, type RaftSettings, type StateMachine } from '../core/raft/raft-replica.ts';
import type { RaftBug } from '../core/raft/bugs.ts';
import { raftSettings } from '../core/raft/settings.ts';
import { describeMessage } from './describe.ts';
import type { DiskFaults } from './disk.ts';
import { Simulation } from './kernel.ts';
import type { LinkConfig } from './network.ts';
import type { TraceSink } from '../trace/sink.ts';

export type CounterMessage = QuorumMessage<string>;

/** Counts committed values; its snapshot is the count and the last value. */
export class CounterMachine implements StateMachine<string> {
  committed = 0;
  lastValue: string | null = null;
  lastOffset = -1;
  leader: LeaderHint = { leaderId: null, leaderEpoch: 0 };

  commit(entries: RaftEntry<string>[]): void {
    for (const entry of entries) {
      if (entry.record.type === 'data') {
        this.committed++;
        this.lastValue = entry.record.value;
      }
      this.lastOffset = entry.offset;
    }
  }

  loadSnapshot(state: unknown, id: OffsetAndEpoch): void {
    const s = state as { committed: number; lastValue: string | null };
    this.committed = s.committed;
    this.lastValue = s.lastValue;
    this.lastOffset = id.endOffset - 1;
  }

  snapshot(): unknown {
    return { committed: this.committed, lastValue: this.lastValue };
  }

  leaderChanged(leader: LeaderHint): void {
    this.leader = leader;
  }
}

/** A quorum replica with a counter; the leader appends `batch` values every `appendEveryMs`. */
export class CounterNode implements Node<CounterMessage> {
  readonly machine = new CounterMachine();
  readonly raft: RaftReplica<string>;
  private sequence = 0;

  constructor(
    readonly id: NodeId,
    settings: RaftSettings,
    private readonly appendEveryMs: number,
    private readonly batch: number,
  ) {
    this.raft = new RaftReplica(id, settings, this.machine);
  }

  start(env: Env<CounterMessage>): void {
    this.raft.start(env);
    if (this.appendEveryMs > 0) env.setTimer(this.appendEveryMs, 'append');
  }

  receive(env: Env<CounterMessage>, from: NodeId, msg: CounterMessage): void {
    this.raft.receive(env, from, msg);
  }

  fire(env: Env<CounterMessage>, tag: TimerTag): void {
    if (this.raft.fire(env, tag)) return;
    if (tag === 'append') {
      if (this.raft.isLeader) {
        const values = Array.from({ length: this.batch }, () => `${this.id}:${this.raft.currentEpoch}:${this.sequence++}`);
        this.raft.append(env, values);
      }
      env.setTimer(this.appendEveryMs, 'append');
    }
  }
}

export type RaftWorkload = {
  setup: 'raft-workload';
  voters: number;
  observers: number;
  /** The leader appends `batch` values every this many ms (0: no writes). */
  appendEveryMs: number;
  batch: number;
  /** How long `samsa replay` and the setup catalogue run it. */
  durationMs: number;
  config: Record<string, ConfigValue>;
  network: Partial<LinkConfig>;
  disk: Partial<DiskFaults>;
  bugs: RaftBug[];
};

export const DEFAULT_RAFT_WORKLOAD: RaftWorkload = {
  setup: 'raft-workload',
  voters: 3,
  observers: 0,
  appendEveryMs: 10,
  batch: 1,
  durationMs: 30_000,
  config: {},
  network: { latency: { min: 1, max: 5 } },
  disk: {},
  bugs: [],
};

export function voterIds(workload: Pick<RaftWorkload, 'voters'>): NodeId[] {
  return Array.from({ length: workload.voters }, (_, i) => `v${i + 1}`);
}

export function observerIds(workload: Pick<RaftWorkload, 'observers'>): NodeId[] {
  return Array.from({ length: workload.observers }, (_, i) => `o${i + 1}`);
}

/** A started simulation of the workload's quorum. */
export function buildRaftWorkload(workload: RaftWorkload, seed: number, trace: TraceSink | null): Simulation<CounterMessage> {
  const sim = new Simulation<CounterMessage>({
    seed,
    network: workload.network,
    disk: workload.disk,
    trace,
    header: { scenario: `raft-workload/${workload.voters}v${workload.observers}o`, config: workload },
    describe: describeMessage,
  });
  const voters = voterIds(workload);
  const settings = raftSettings(new Config(workload.config), voters, new Set(workload.bugs));
  for (const id of [...voters, ...observerIds(workload)]) {
    sim.addNode(id, () => new CounterNode(id, settings, workload.appendEveryMs, workload.batch));
  }
  for (const id of sim.nodeIds) sim.start(id);
  return sim;
}

/** The counter node of `id`, or null while it is down. */
export function counterNode(sim: Simulation<CounterMessage>, id: NodeId): CounterNode | null {
  return sim.nodeObject(id) as CounterNode | null;
}
