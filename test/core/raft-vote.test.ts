// A vote must be durable before it is answered (KIP-595). With the raft-vote-before-fsync bug a
// voter that crashes right after voting comes back without its vote and votes again in the same
// epoch: driven here message by message, so the double vote is certain, not a matter of timing.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/env.ts';
import type { VoteRequest, VoteResponse } from '../../core/protocol/quorum.ts';
import type { RaftBug } from '../../core/raft/bugs.ts';
import { RaftReplica } from '../../core/raft/raft-replica.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { SimStorage } from '../../sim/disk.ts';
import { CounterMachine } from '../../sim/raft-workload.ts';
import { ScriptedEnv, settings } from './raft-scripted.ts';

const voteRequest = (candidateId: NodeId, correlationId: number): VoteRequest => ({
  api: 'Vote',
  kind: 'request',
  correlationId,
  clusterId: 'test',
  candidateEpoch: 1,
  candidateId,
  lastEpoch: 0,
  lastEpochEndOffset: 0,
  preVote: false,
});

/** v2 votes for v1 in epoch 1, crashes, restarts over its disk, and is asked by v3 in epoch 1. */
function voteCrashVote(bugs: RaftBug[]) {
  const storage = new SimStorage();
  const first = new ScriptedEnv('v2', storage);
  const before = new RaftReplica('v2', settings(bugs), new CounterMachine());
  before.start(first);
  before.receive(first, 'v1', voteRequest('v1', 1));
  storage.crash();
  const second = new ScriptedEnv('v2', storage);
  const after = new RaftReplica('v2', settings(bugs), new CounterMachine());
  after.start(second);
  after.receive(second, 'v3', voteRequest('v3', 2));
  const granted = (env: ScriptedEnv) => (env.sent.at(-1)!.msg as VoteResponse).voteGranted;
  return { first, second, grantedFirst: granted(first), grantedSecond: granted(second) };
}

describe('votes and durability', () => {
  it('a voter remembers its vote across a crash and refuses a second candidate of the epoch', () => {
    const run = voteCrashVote([]);
    expect(run.grantedFirst).toBe(true);
    expect(run.second.traced.find((e) => e.kind === 'raft-load')).toMatchObject({ epoch: 1, votedFor: 'v1' });
    expect(run.grantedSecond).toBe(false);
  });

  it('with raft-vote-before-fsync the crash erases the vote and the voter votes twice in one epoch', () => {
    const run = voteCrashVote(['raft-vote-before-fsync']);
    expect(run.grantedFirst).toBe(true);
    expect(run.second.traced.find((e) => e.kind === 'raft-load')).toMatchObject({ epoch: 1, votedFor: null });
    expect(run.grantedSecond).toBe(true);
  });

  it('epoch-monotonic sees the non-durable vote as soon as the vote is answered', () => {
    const run = voteCrashVote(['raft-vote-before-fsync']);
    const suite = new CheckerSuite();
    run.first.traced.forEach((event, step) => suite.observe(step, 'v2', event as never));
    suite.endStep(run.first.traced.length);
    expect(suite.violations).toMatchObject([{ name: 'epoch-monotonic', nodes: ['v2'], values: { epoch: 1, votedFor: 'v1', persistedVote: null } }]);
  });
});
