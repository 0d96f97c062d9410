// KIP-996 pre-vote, driven message by message: a voter that stops hearing from its leader first asks,
// at its own epoch and without persisting anything, whether the others would vote for it; a voter
// still fetching from a live leader says no, so a voter cut off and back cannot depose a healthy
// leader. The raft-no-prevote bug skips the question and bumps the epoch at once.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/env.ts';
import type { QuorumFetchRequest, VoteRequest, VoteResponse } from '../../core/protocol/quorum.ts';
import type { RaftBug } from '../../core/raft/bugs.ts';
import { RaftReplica } from '../../core/raft/raft-replica.ts';
import { SimStorage } from '../../sim/disk.ts';
import { CounterMachine } from '../../sim/raft-workload.ts';
import { ScriptedEnv, settings } from './raft-scripted.ts';

let correlation = 1000;

/** A voter that follows v1 in epoch 1, told so by BeginQuorumEpoch. */
function follower(id: NodeId, bugs: RaftBug[] = []) {
  const env = new ScriptedEnv(id, new SimStorage());
  const replica = new RaftReplica(id, settings(bugs), new CounterMachine());
  replica.start(env);
  replica.receive(env, 'v1', { api: 'BeginQuorumEpoch', kind: 'request', correlationId: correlation++, clusterId: 'test', leaderId: 'v1', leaderEpoch: 1 });
  expect([replica.currentRole, replica.currentEpoch, replica.currentLeader]).toEqual(['follower', 1, 'v1']);
  return { env, replica };
}

/** Answers the follower's outstanding fetch from v1 successfully (an empty response of epoch 1). */
function answerFetch(env: ScriptedEnv, replica: RaftReplica<string>): void {
  const fetch = env.sent.filter((s) => s.msg.api === 'Fetch' && s.msg.kind === 'request').at(-1)!.msg as QuorumFetchRequest;
  replica.receive(env, 'v1', {
    api: 'Fetch',
    kind: 'response',
    topic: '__cluster_metadata',
    correlationId: fetch.correlationId,
    errorCode: 0,
    highWatermark: 0,
    logStartOffset: 0,
    records: [],
    divergingEpoch: null,
    currentLeader: { leaderId: 'v1', leaderEpoch: 1 },
    snapshotId: null,
  });
}

const voteRequestsOf = (env: ScriptedEnv) =>
  env.sent.filter((s) => s.msg.api === 'Vote' && s.msg.kind === 'request').map((s) => ({ to: s.to, ...(s.msg as VoteRequest) }));
const lastVoteAnswer = (env: ScriptedEnv) => env.sent.filter((s) => s.msg.api === 'Vote' && s.msg.kind === 'response').at(-1)!.msg as VoteResponse;
const persistedEpochs = (env: ScriptedEnv) => env.traced.flatMap((e) => (e.kind === 'raft-persist' ? [e.epoch] : []));

function voteRequest(candidateId: NodeId, candidateEpoch: number, preVote: boolean): VoteRequest {
  return {
    api: 'Vote',
    kind: 'request',
    correlationId: correlation++,
    clusterId: 'test',
    candidateEpoch,
    candidateId,
    lastEpoch: 0,
    lastEpochEndOffset: 0,
    preVote,
  };
}

function voteAnswer(to: ScriptedEnv, request: { correlationId: number }, granted: boolean, leaderId: NodeId | null = null): VoteResponse {
  return { api: 'Vote', kind: 'response', correlationId: request.correlationId, errorCode: 0, leaderId, leaderEpoch: 1, voteGranted: granted };
}

describe('pre-vote (KIP-996)', () => {
  it('a follower whose fetches time out asks for pre-votes at its own epoch and persists nothing', () => {
    const { env, replica } = follower('v2');
    const persistedBefore = persistedEpochs(env);
    replica.fire(env, 'raft:fetch-timeout');
    expect([replica.currentRole, replica.currentEpoch]).toEqual(['prospective', 1]);
    expect(voteRequestsOf(env).map((r) => [r.to, r.candidateEpoch, r.preVote])).toEqual([
      ['v1', 1, true],
      ['v3', 1, true],
    ]);
    expect(persistedEpochs(env)).toEqual(persistedBefore);
  });

  it('with raft-no-prevote it bumps the epoch and stands at once', () => {
    const { env, replica } = follower('v2', ['raft-no-prevote']);
    replica.fire(env, 'raft:fetch-timeout');
    expect([replica.currentRole, replica.currentEpoch]).toEqual(['candidate', 2]);
    expect(voteRequestsOf(env).map((r) => [r.candidateEpoch, r.preVote])).toEqual([
      [2, false],
      [2, false],
    ]);
    expect(persistedEpochs(env).at(-1)).toBe(2);
  });

  it('a majority of pre-votes makes it a candidate in the next epoch, asking for real votes', () => {
    const { env, replica } = follower('v2');
    replica.fire(env, 'raft:fetch-timeout');
    const toV3 = voteRequestsOf(env).find((r) => r.to === 'v3')!;
    replica.receive(env, 'v3', voteAnswer(env, toV3, true));
    expect([replica.currentRole, replica.currentEpoch]).toEqual(['candidate', 2]);
    expect(
      voteRequestsOf(env)
        .slice(2)
        .map((r) => [r.candidateEpoch, r.preVote]),
    ).toEqual([
      [2, false],
      [2, false],
    ]);
  });

  it('a pre-vote round refused by all goes back to following the leader it knew, in the same epoch', () => {
    const { env, replica } = follower('v2');
    replica.fire(env, 'raft:fetch-timeout');
    for (const request of voteRequestsOf(env)) replica.receive(env, request.to, voteAnswer(env, request, false));
    expect([replica.currentRole, replica.currentEpoch, replica.currentLeader]).toEqual(['follower', 1, 'v1']);
  });

  it('a pre-vote round that times out also goes back to the leader it knew', () => {
    const { env, replica } = follower('v2');
    replica.fire(env, 'raft:fetch-timeout');
    replica.fire(env, 'raft:election');
    expect([replica.currentRole, replica.currentEpoch, replica.currentLeader]).toEqual(['follower', 1, 'v1']);
  });

  it('a voter still fetching from its leader refuses a pre-vote and keeps its epoch; one that has not fetched yet grants it', () => {
    const fetching = follower('v3');
    answerFetch(fetching.env, fetching.replica);
    fetching.replica.receive(fetching.env, 'v2', voteRequest('v2', 1, true));
    expect(lastVoteAnswer(fetching.env).voteGranted).toBe(false);
    expect([fetching.replica.currentRole, fetching.replica.currentEpoch]).toEqual(['follower', 1]);

    const fresh = follower('v3');
    fresh.replica.receive(fresh.env, 'v2', voteRequest('v2', 1, true));
    expect(lastVoteAnswer(fresh.env).voteGranted).toBe(true);
    expect([fresh.replica.currentRole, fresh.replica.currentEpoch, fresh.replica.currentLeader]).toEqual(['follower', 1, 'v1']);
  });

  it('a pre-vote at a higher epoch is refused by no rule of its own: the voter adopts the epoch, records no vote, and answers as an unattached voter', () => {
    const { env, replica } = follower('v3');
    answerFetch(env, replica);
    replica.receive(env, 'v2', voteRequest('v2', 5, true));
    expect([replica.currentRole, replica.currentEpoch, replica.currentLeader]).toEqual(['unattached', 5, null]);
    expect(persistedEpochs(env).at(-1)).toBe(5);
    expect(env.traced.filter((e) => e.kind === 'raft-persist').at(-1)).toMatchObject({ epoch: 5, votedFor: null });
    expect(lastVoteAnswer(env).voteGranted).toBe(true);
  });

  it('a standard vote of a higher epoch, as raft-no-prevote sends, deposes the follower from its live leader', () => {
    const { env, replica } = follower('v3');
    answerFetch(env, replica);
    replica.receive(env, 'v2', voteRequest('v2', 2, false));
    expect([replica.currentRole, replica.currentEpoch, replica.currentLeader]).toEqual(['voted', 2, null]);
    expect(lastVoteAnswer(env).voteGranted).toBe(true);
  });

  it('BeginQuorumEpoch from the leader ends a pre-vote round', () => {
    const { env, replica } = follower('v2');
    replica.fire(env, 'raft:fetch-timeout');
    replica.receive(env, 'v1', { api: 'BeginQuorumEpoch', kind: 'request', correlationId: correlation++, clusterId: 'test', leaderId: 'v1', leaderEpoch: 1 });
    expect([replica.currentRole, replica.currentEpoch, replica.currentLeader]).toEqual(['follower', 1, 'v1']);
  });
});
