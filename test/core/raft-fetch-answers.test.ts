// Every quorum fetch gets its answer. A real connection answers its requests in order, so a fetch
// the leader never answers holds back every later answer on that connection: a follower then never
// hears its leader again (it happened after a full restart of a real cluster). A leader answers a
// parked fetch when the same replica sends another, and answers what it parked when it resigns.
import { describe, expect, it } from 'vitest';
import type { QuorumFetchRequest, QuorumFetchResponse, VoteRequest, VoteResponse } from '../../core/protocol/quorum.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { RaftReplica } from '../../core/raft/raft-replica.ts';
import { SimStorage } from '../../sim/disk.ts';
import { CounterMachine } from '../../sim/raft-workload.ts';
import { ScriptedEnv, settings } from './raft-scripted.ts';

let correlation = 1000;

/** v2, made leader of epoch 2 with v3's votes. */
function leader() {
  const env = new ScriptedEnv('v2', new SimStorage());
  const replica = new RaftReplica('v2', settings([]), new CounterMachine());
  replica.start(env);
  replica.receive(env, 'v1', { api: 'BeginQuorumEpoch', kind: 'request', correlationId: correlation++, clusterId: 'test', leaderId: 'v1', leaderEpoch: 1 });
  replica.fire(env, 'raft:fetch-timeout');
  const answerVote = (preVote: boolean) => {
    const request = env.sent.find((s) => s.to === 'v3' && s.msg.api === 'Vote' && s.msg.kind === 'request' && (s.msg as VoteRequest).preVote === preVote)!;
    const answer: VoteResponse = {
      api: 'Vote',
      kind: 'response',
      correlationId: request.msg.correlationId,
      errorCode: 0,
      leaderId: null,
      leaderEpoch: preVote ? 1 : 2,
      voteGranted: true,
    };
    replica.receive(env, 'v3', answer);
  };
  answerVote(true);
  answerVote(false);
  expect([replica.currentRole, replica.currentEpoch]).toEqual(['leader', 2]);
  return { env, replica };
}

const fetchFrom = (replica: RaftReplica<string>): QuorumFetchRequest => ({
  api: 'Fetch',
  kind: 'request',
  topic: '__cluster_metadata',
  correlationId: correlation++,
  clusterId: 'test',
  replicaId: 'v1',
  maxWaitMs: 500,
  currentLeaderEpoch: 2,
  fetchOffset: replica.logEndOffset,
  lastFetchedEpoch: 2,
  logStartOffset: 0,
});

const fetchAnswers = (env: ScriptedEnv) =>
  env.sent.filter((s) => s.to === 'v1' && s.msg.api === 'Fetch' && s.msg.kind === 'response').map((s) => s.msg as QuorumFetchResponse<string>);

describe('quorum fetch answers', () => {
  it('a parked fetch is answered when the same replica sends another, which is parked in its place', () => {
    const { env, replica } = leader();
    const first = fetchFrom(replica);
    replica.receive(env, 'v1', first);
    expect(fetchAnswers(env)).toEqual([]);
    const second = fetchFrom(replica);
    replica.receive(env, 'v1', second);
    expect(fetchAnswers(env).map((r) => [r.correlationId, r.errorCode])).toEqual([[first.correlationId, ErrorCode.NONE]]);
    replica.fire(env, 'raft:parked:v1');
    expect(fetchAnswers(env).map((r) => r.correlationId)).toEqual([first.correlationId, second.correlationId]);
  });

  it('a leader that resigns answers its parked fetches NOT_LEADER_OR_FOLLOWER', () => {
    const { env, replica } = leader();
    const parked = fetchFrom(replica);
    replica.receive(env, 'v1', parked);
    replica.receive(env, 'v3', {
      api: 'BeginQuorumEpoch',
      kind: 'request',
      correlationId: correlation++,
      clusterId: 'test',
      leaderId: 'v3',
      leaderEpoch: 3,
    });
    expect(replica.currentRole).toBe('follower');
    expect(fetchAnswers(env).map((r) => [r.correlationId, r.errorCode])).toEqual([[parked.correlationId, ErrorCode.NOT_LEADER_OR_FOLLOWER]]);
  });
});
