// The client's metadata cache on its own, driven through a stub Env: which broker it asks, when it
// asks again (on demand with retry.backoff.ms, after metadata.max.age.ms, after a timeout), and
// that it never takes back a newer leader epoch (KIP-320).

import { describe, expect, it } from 'vitest';
import { MetadataCache } from '../../core/client/metadata-cache.ts';
import type { Env, NodeId } from '../../core/env.ts';
import type { DataMessage, MetadataRequest, MetadataResponse } from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';

function stubEnv(draws: number[] = [0]) {
  const sent: Array<{ to: NodeId; msg: MetadataRequest; at: number }> = [];
  let now = 0;
  let i = 0;
  const env = {
    self: 'c1',
    now: () => now,
    random: () => draws[i++ % draws.length]!,
    send: (to: NodeId, msg: DataMessage) => sent.push({ to, msg: msg as MetadataRequest, at: now }),
    setTimer: () => {},
    cancelTimer: () => {},
    trace: () => {},
  } as unknown as Env<DataMessage>;
  return { env, sent, advance: (ms: number) => (now += ms) };
}

function answer(correlationId: number, leaders: Array<[NodeId | null, number]>, topic = 'orders'): MetadataResponse {
  return {
    api: 'Metadata',
    kind: 'response',
    correlationId,
    brokers: [
      { nodeId: 'b1', host: 'b1', port: 9092, rack: null },
      { nodeId: 'b2', host: 'b2', port: 9093, rack: null },
    ],
    clusterId: 'c',
    controllerId: null,
    topics: [
      {
        errorCode: ErrorCode.NONE,
        name: topic,
        topicId: null,
        isInternal: false,
        partitions: leaders.map(([leaderId, leaderEpoch], i) => ({
          errorCode: ErrorCode.NONE,
          partitionIndex: i,
          leaderId,
          leaderEpoch,
          replicaNodes: [],
          isrNodes: [],
          offlineReplicas: [],
        })),
      },
    ],
  };
}

const settings = { requestTimeoutMs: 300, retryBackoffMs: 100, metadataMaxAgeMs: 5000 };

describe('metadata cache', () => {
  it('asks a random bootstrap broker for the topics it follows, and learns leaders and epochs', () => {
    const { env, sent } = stubEnv([0.7]);
    let corr = 1;
    const cache = new MetadataCache(['b1', 'b2'], settings, () => corr++);
    cache.poll(env);
    expect(sent).toHaveLength(0); // nothing to ask about yet
    cache.addTopic('orders');
    cache.poll(env);
    cache.poll(env); // one request at a time
    expect(sent.map((s) => [s.to, s.msg.topics])).toEqual([['b2', ['orders']]]);
    expect(
      cache.handleResponse(
        env,
        answer(sent[0]!.msg.correlationId, [
          ['b1', 3],
          ['b2', 1],
        ]),
      ),
    ).toBe(true);
    expect(cache.partitionCount('orders')).toBe(2);
    expect(cache.leader('orders', 1)).toEqual({ leaderId: 'b2', leaderEpoch: 1 });
    expect(cache.handleResponse(env, answer(999, []))).toBe(false); // not the awaited answer
  });

  it('after a timeout, asks another bootstrap broker at once', () => {
    const { env, sent, advance } = stubEnv([0.0]);
    const cache = new MetadataCache(['b1', 'b2', 'b3'], settings, () => 1);
    cache.addTopic('orders');
    cache.poll(env);
    advance(299);
    cache.poll(env);
    expect(sent).toHaveLength(1);
    expect(cache.nextWakeMs()).toBe(300);
    advance(1);
    cache.poll(env);
    expect(sent.map((s) => s.to)).toEqual(['b1', 'b2']);
  });

  it('refreshes on demand after retry.backoff.ms, and on its own after metadata.max.age.ms', () => {
    const { env, sent, advance } = stubEnv();
    let corr = 1;
    const cache = new MetadataCache(['b1'], settings, () => corr++);
    cache.addTopic('orders');
    cache.poll(env);
    advance(5);
    cache.handleResponse(env, answer(1, [['b1', 0]]));
    cache.requestUpdate();
    advance(50);
    cache.poll(env);
    expect(sent).toHaveLength(1);
    advance(50);
    cache.poll(env);
    expect(sent).toHaveLength(2);
    advance(5);
    cache.handleResponse(env, answer(2, [['b1', 0]]));
    expect(cache.nextWakeMs()).toBe(110 + 5000);
    advance(4999);
    cache.poll(env);
    expect(sent).toHaveLength(2);
    advance(1);
    cache.poll(env);
    expect(sent).toHaveLength(3);
  });

  it('keeps asking while a partition has no leader or the topic is unknown', () => {
    const { env, sent, advance } = stubEnv();
    let corr = 1;
    const cache = new MetadataCache(['b1'], settings, () => corr++);
    cache.addTopic('orders');
    cache.poll(env);
    cache.handleResponse(env, answer(1, [[null, 0]]));
    expect(cache.leader('orders', 0)).toBeNull();
    expect(cache.updatePending).toBe(true);
    advance(100);
    cache.poll(env);
    expect(sent).toHaveLength(2);
  });

  it('never goes back to an older leader epoch that a stale broker reports', () => {
    const { env, advance } = stubEnv();
    let corr = 1;
    const cache = new MetadataCache(['b1'], settings, () => corr++);
    cache.addTopic('orders');
    cache.poll(env);
    cache.handleResponse(env, answer(1, [['b2', 5]]));
    cache.requestUpdate();
    advance(100);
    cache.poll(env);
    cache.handleResponse(env, answer(2, [['b1', 4]]));
    expect(cache.leader('orders', 0)).toEqual({ leaderId: 'b2', leaderEpoch: 5 });
  });

  it('an update asked for while a request is out is not satisfied by that request', () => {
    const { env, sent, advance } = stubEnv();
    let corr = 1;
    const cache = new MetadataCache(['b1'], settings, () => corr++);
    cache.addTopic('orders');
    cache.poll(env);
    cache.requestUpdate(); // e.g. NOT_LEADER_OR_FOLLOWER arrived meanwhile
    cache.handleResponse(env, answer(1, [['b1', 0]]));
    expect(cache.updatePending).toBe(true);
    advance(100);
    cache.poll(env);
    expect(sent).toHaveLength(2);
  });
});

describe('brokers to contact', () => {
  it('are those the last Metadata named, or the bootstrap brokers when it named none (KIP-899 rebootstrap)', () => {
    const { env, sent, advance } = stubEnv();
    let corr = 1;
    const cache = new MetadataCache(['b1', 'b2', 'b3'], settings, () => corr++);
    expect(cache.contactableBrokers()).toEqual(['b1', 'b2', 'b3']);
    cache.addTopic('orders');
    cache.poll(env);
    cache.handleResponse(env, answer(sent[0]!.msg.correlationId, [['b1', 0]]));
    expect(cache.contactableBrokers()).toEqual(['b1', 'b2']);
    // A broker cut off from the cluster may list no live broker: a group consumer must still find its coordinator.
    cache.requestUpdate();
    advance(settings.retryBackoffMs);
    cache.poll(env);
    cache.handleResponse(env, { ...answer(sent.at(-1)!.msg.correlationId, [['b1', 0]]), brokers: [] });
    expect(cache.knownBrokers()).toEqual([]);
    expect(cache.contactableBrokers()).toEqual(['b1', 'b2', 'b3']);
  });
});
