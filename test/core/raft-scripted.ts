// A scripted environment for driving one RaftReplica message by message and timer by timer in unit tests.
import type { Env, NodeId } from '../../core/env.ts';
import type { QuorumMessage } from '../../core/protocol/quorum.ts';
import type { RaftBug } from '../../core/raft/bugs.ts';
import type { RaftSettings } from '../../core/raft/raft-replica.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import type { SimStorage } from '../../sim/disk.ts';

export type Msg = QuorumMessage<string>;

/** Records what the replica sends, traces and arms; time stands still and random() is 0.5. */
export class ScriptedEnv implements Env<Msg> {
  readonly sent: Array<{ to: NodeId; msg: Msg }> = [];
  readonly traced: NodeEvent[] = [];
  readonly timers = new Set<string>();
  constructor(
    readonly self: NodeId,
    readonly storage: SimStorage,
  ) {}
  now(): number {
    return 0;
  }
  random(): number {
    return 0.5;
  }
  send(to: NodeId, msg: Msg): void {
    this.sent.push({ to, msg });
  }
  setTimer(_delayMs: number, tag: string): void {
    this.timers.add(tag);
  }
  cancelTimer(tag: string): void {
    this.timers.delete(tag);
  }
  trace(event: NodeEvent): void {
    this.traced.push(event);
  }
}

/** Three voters v1..v3 with short, fixed timeouts. */
export function settings(bugs: RaftBug[]): RaftSettings {
  return {
    clusterId: 'test',
    voters: ['v1', 'v2', 'v3'],
    electionTimeoutMs: 1000,
    fetchTimeoutMs: 2000,
    electionBackoffMaxMs: 1000,
    requestTimeoutMs: 2000,
    retryBackoffMs: 20,
    fetchMaxWaitMs: 500,
    flushDelayMs: 0,
    snapshotBytes: 1 << 30,
    maxFetchEntries: 100,
    bugs: new Set(bugs),
  };
}
