// One partition replica (Kafka's Partition): the leader's high watermark over the maximal ISR and min.insync.replicas, ISR joining and lagging, fetch validation, and the follower's truncation and high watermark.
import type { PartitionCheckpoints } from '../../core/broker/offset-checkpoints.ts';
import { DEFAULT_LOG_CONFIG } from '../../core/log/log-config.ts';
import { recordBatch } from './batches.ts';
import { describe, expect, it } from 'vitest';
import type { BrokerBug } from '../../core/broker/bugs.ts';
import { Partition } from '../../core/broker/partition.ts';
import type { PartitionState } from '../../core/controller/image.ts';
import type { Env, NodeId } from '../../core/env.ts';
import { UNDEFINED_EPOCH } from '../../core/log/epoch-cache.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { lastOffsetOf, type RecordBatch } from '../../core/protocol/records.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import { SimStorage } from '../../sim/disk.ts';
import { partitionState } from './controller-helpers.ts';

/** The environment a Partition sees: a settable clock, a storage and a trace; it sends nothing. */
class FakeEnv implements Env<never> {
  readonly self: NodeId = 'b1';
  readonly storage = new SimStorage();
  readonly traces: NodeEvent[] = [];
  time = 0;
  now(): number {
    return this.time;
  }
  random(): number {
    return 0.5;
  }
  send(): void {
    throw new Error('a partition sends nothing');
  }
  setTimer(): void {}
  cancelTimer(): void {}
  trace(event: NodeEvent): void {
    this.traces.push(event);
  }
  /** The high watermarks traced so far, in order. */
  hws(): number[] {
    return this.traces.flatMap((e) => (e.kind === 'partition-hw' ? [e.highWatermark] : []));
  }
}

interface Setup {
  replicas?: NodeId[];
  isr?: NodeId[];
  leader?: NodeId | null;
  leaderEpoch?: number;
  minIsr?: number;
  lagMs?: number;
  bugs?: BrokerBug[];
  /** Followers the leader's metadata shows fenced or shutting down. */
  ineligible?: NodeId[];
}

/** The state the controller would publish for orders-0 (replicas b1, b2, b3 unless told). */
function stateOf(s: Setup): PartitionState {
  const replicas = s.replicas ?? ['b1', 'b2', 'b3'];
  const isr = s.isr ?? replicas;
  return partitionState({ replicas, isr, leader: s.leader === undefined ? isr[0]! : s.leader, leaderEpoch: s.leaderEpoch ?? 0 });
}

/** Checkpoints holding only a high watermark. */
function atHw(hw: number): PartitionCheckpoints {
  return { hw, recoveryPoint: 0, logStartOffset: 0 };
}

/** Broker b1's replica of orders-0, opened from its storage and given the state from the metadata. */
function replica(s: Setup = {}, env = new FakeEnv()): { p: Partition; env: FakeEnv } {
  const settings = {
    minIsr: s.minIsr ?? 1,
    replicaLagTimeMaxMs: s.lagMs ?? 10_000,
    flushMessages: Number.MAX_SAFE_INTEGER,
    log: DEFAULT_LOG_CONFIG,
    bugs: new Set(s.bugs ?? []),
    isrEligible: (follower: NodeId) => !(s.ineligible ?? []).includes(follower),
  };
  const p = Partition.open(env, 'b1', stateOf(s), atHw(0), settings);
  p.applyMetadata(env, stateOf(s));
  return { p, env };
}

/** A producer's batch of `count` records (offsets and epoch still unassigned). */
function produced(count: number, ts = 1_000): RecordBatch {
  return recordBatch({ count, ts });
}

/** A batch as some leader wrote it: offsets from `baseOffset`, in `epoch`. */
function written(baseOffset: number, count: number, epoch: number, producer?: { id: number; seq: number }): RecordBatch {
  return recordBatch({ count, baseOffset, epoch, producer });
}

/** Appends batches of the given sizes as leader; returns the offsets each got. */
function appendAll(p: Partition, env: FakeEnv, sizes: number[]): Array<[number, number]> {
  return sizes.map((n) => {
    const r = p.appendAsLeader(env, produced(n), env.now());
    if (r.errorCode !== 0 || !('baseOffset' in r)) throw new Error(`append failed: ${r.errorCode}`);
    return [r.baseOffset, r.lastOffset];
  });
}

/** Every batch held, as [baseOffset, lastOffset, epoch]. */
function layout(p: Partition): Array<[number, number, number]> {
  return p.log.storedBatches().map((b) => [b.batch.baseOffset, lastOffsetOf(b.batch), b.batch.partitionLeaderEpoch]);
}

/**
 * Broker b1 holding batches of [count, epoch] runs written by an earlier leader (b2), with the
 * given high watermark: the state it is in when the controller makes it leader.
 */
function formerFollower(runs: Array<[count: number, epoch: number]>, hw: number, s: Setup = {}): { p: Partition; env: FakeEnv } {
  const { p, env } = replica({ ...s, leader: 'b2', leaderEpoch: Math.max(0, ...runs.map(([, e]) => e)) });
  for (const [count, epoch] of runs) p.appendAsFollower(env, [written(p.logEndOffset, count, epoch)], hw);
  expect(p.hw).toBe(hw);
  return { p, env };
}

describe("Partition: the leader's high watermark", () => {
  it('a leader alone in the ISR moves the high watermark with every append', () => {
    const { p, env } = replica({ replicas: ['b1'] });
    expect(p.role).toBe('leader');
    expect(appendAll(p, env, [3, 2])).toEqual([
      [0, 2],
      [3, 4],
    ]);
    expect(p.hw).toBe(5);
    expect(env.hws()).toEqual([3, 5]);
    expect(layout(p)).toEqual([
      [0, 2, 0],
      [3, 4, 0],
    ]);
  });

  it('is the smallest log end offset over the ISR', () => {
    const { p, env } = replica();
    appendAll(p, env, [3, 2]);
    expect(p.hw).toBe(0);
    expect(p.followerFetched(env, 'b2', 5, 1)).toEqual({ hwChanged: false, expandIsr: false });
    expect(p.hw).toBe(0); // b3 has not fetched in this epoch
    expect(p.followerFetched(env, 'b3', 3, 1).hwChanged).toBe(true);
    expect(p.hw).toBe(3);
    expect(p.followerFetched(env, 'b3', 5, 1).hwChanged).toBe(true);
    expect(p.hw).toBe(5);
  });

  it('never goes back, even when a follower reports a smaller fetch offset', () => {
    const { p, env } = replica();
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b2', 4, 1);
    p.followerFetched(env, 'b3', 4, 1);
    expect(p.hw).toBe(4);
    expect(p.followerFetched(env, 'b3', 1, 1).hwChanged).toBe(false);
    expect(p.hw).toBe(4);
    expect(env.hws()).toEqual([4]);
  });

  it('replicas outside the ISR do not hold it back', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(4);
  });

  it('counts a follower being added to the ISR before the controller commits it (the maximal ISR)', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    appendAll(p, env, [4]);
    expect(p.followerFetched(env, 'b3', 0, 1).expandIsr).toBe(true);
    p.proposeIsr(env, ['b1', 'b2', 'b3']);
    expect(p.maximalIsr).toEqual(['b1', 'b2', 'b3']);
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(0); // b3 may already count as in sync for the controller
    p.followerFetched(env, 'b3', 2, 1);
    expect(p.hw).toBe(2);
    p.isrResult(env, 0, ['b1', 'b2', 'b3'], 1);
    expect(p.isr).toEqual(['b1', 'b2', 'b3']);
    expect(p.pendingIsr).toBeNull();
    expect(p.hw).toBe(2);
  });

  it('without the maximal ISR (seeded bug no-maximal-isr) the pending member is ignored', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'], bugs: ['no-maximal-isr'] });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b3', 0, 1);
    p.proposeIsr(env, ['b1', 'b2', 'b3']);
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(4);
  });

  it('keeps counting a member being shrunk out until the controller commits the shrink', () => {
    const { p, env } = replica();
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b2', 4, 1);
    p.followerFetched(env, 'b3', 1, 1);
    expect(p.hw).toBe(1);
    env.time = 11_000; // b3 has not caught up for longer than the lag time
    p.proposeIsr(env, ['b1', 'b2']);
    expect(p.maximalIsr).toEqual(['b1', 'b2', 'b3']);
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(1);
    p.isrResult(env, 0, ['b1', 'b2'], 1);
    expect(p.hw).toBe(4);
  });

  it('an ISR change the controller certainly did not apply (INELIGIBLE_REPLICA) leaves the committed ISR and clears the pending one', () => {
    const { p, env } = replica();
    p.proposeIsr(env, ['b1', 'b2']);
    expect(p.isrResult(env, 107 /* INELIGIBLE_REPLICA */, ['b1', 'b2', 'b3'], 0)).toBe(true);
    expect(p.isr).toEqual(['b1', 'b2', 'b3']);
    expect(p.pendingIsr).toBeNull();
  });

  it('after INVALID_UPDATE_VERSION the expansion stays pending: a duplicate or retry may have been refused after the first copy was applied', () => {
    // Found by the explorer (nemesis seed 165, a network duplicating messages): the leader took the
    // refusal of the second copy as final, advanced its high watermark over the old ISR, and then
    // the first copy's change was committed with a member lacking a committed record (strong-isr).
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b3', 2, 1);
    p.proposeIsr(env, ['b1', 'b2', 'b3']);
    expect(p.isrResult(env, 95 /* INVALID_UPDATE_VERSION */, ['b1', 'b2', 'b3'], 1)).toBe(false);
    expect(p.pendingIsr).toEqual(['b1', 'b2', 'b3']);
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(2); // still over the maximal ISR: b3 may be in the ISR already
    // The metadata brings the committed change, which settles the proposal.
    expect(p.applyMetadata(env, { ...stateOf({ isr: ['b1', 'b2', 'b3'] }), partitionEpoch: 1 })).toBe('isr-updated');
    expect(p.pendingIsr).toBeNull();
    expect(p.hw).toBe(2);
  });

  it('does not advance while the ISR is below min.insync.replicas (KIP-966)', () => {
    const { p, env } = replica({ isr: ['b1'], minIsr: 2 });
    appendAll(p, env, [3]);
    expect(p.hw).toBe(0); // the leader alone has it all, but one replica is not enough
    // b2 catches up and joins; only then does the high watermark move.
    expect(p.followerFetched(env, 'b2', 3, 1)).toEqual({ hwChanged: false, expandIsr: true });
    p.proposeIsr(env, ['b1', 'b2']);
    expect(p.hw).toBe(0); // the pending ISR does not count towards min.insync.replicas
    p.isrResult(env, 0, ['b1', 'b2'], 1);
    expect(p.hw).toBe(3);
  });

  it('stops advancing when the committed ISR shrinks below min.insync.replicas', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'], minIsr: 2 });
    appendAll(p, env, [3]);
    p.followerFetched(env, 'b2', 3, 1);
    expect(p.hw).toBe(3);
    expect(p.applyMetadata(env, { ...stateOf({ isr: ['b1'] }), partitionEpoch: 1 })).toBe('isr-updated');
    appendAll(p, env, [2]);
    expect(p.hw).toBe(3);
  });

  it("moves as soon as the controller commits a smaller ISR through the metadata (Kafka's makeLeader recomputes it)", () => {
    const ineligible: NodeId[] = [];
    const { p, env } = replica({ ineligible });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b2', 4, 1);
    p.followerFetched(env, 'b3', 1, 1);
    expect(p.hw).toBe(1);
    // The controller fences b3 and drops it from the ISR; no fetch or append follows.
    ineligible.push('b3');
    expect(p.applyMetadata(env, { ...stateOf({ isr: ['b1', 'b2'] }), partitionEpoch: 1 })).toBe('isr-updated');
    expect(p.hw).toBe(4);
  });

  it('moves as soon as the metadata brings the ISR back up to min.insync.replicas', () => {
    const { p, env } = replica({ isr: ['b1'], minIsr: 2 });
    appendAll(p, env, [3]);
    p.followerFetched(env, 'b2', 3, 1);
    p.proposeIsr(env, ['b1', 'b2']);
    // The AlterPartition answer is lost, but the committed change arrives in the metadata.
    expect(p.applyMetadata(env, { ...stateOf({ isr: ['b1', 'b2'] }), partitionEpoch: 1 })).toBe('isr-updated');
    expect(p.pendingIsr).toBeNull();
    expect(p.hw).toBe(3);
  });

  it('min.insync.replicas above the replica count is capped at the replica count (effectiveMinIsr)', () => {
    const { p, env } = replica({ replicas: ['b1'], minIsr: 2 });
    expect(p.effectiveMinIsr).toBe(1);
    expect(p.underMinIsr).toBe(false);
    appendAll(p, env, [3]);
    expect(p.hw).toBe(3);
  });

  it('waits for a follower that is caught up and eligible to join the ISR while it is not yet in it (shouldWaitForReplicaToJoinIsr)', () => {
    const ineligible: NodeId[] = [];
    const { p, env } = replica({ isr: ['b1', 'b2'], lagMs: 1_000, ineligible });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b3', 4, 1); // caught up; its ISR change is not in flight yet
    appendAll(p, env, [2]);
    p.followerFetched(env, 'b2', 6, 1);
    expect(p.hw).toBe(4);
    // Fenced, it is no longer eligible and no longer waited for.
    ineligible.push('b3');
    p.followerFetched(env, 'b2', 6, 1);
    expect(p.hw).toBe(6);
  });

  it('stops waiting for a follower outside the ISR once it has not caught up for the lag time', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'], lagMs: 1_000 });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b3', 4, 1);
    appendAll(p, env, [2]);
    env.time = 1_001;
    p.followerFetched(env, 'b2', 6, 1);
    expect(p.hw).toBe(6);
  });

  it('a new leader does not wait for a replica outside the ISR until it catches up in its epoch', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b3', 0, 1); // far behind, never caught up
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(4);
  });

  it('an acks=all write is judged on the maximal ISR once the high watermark passes it (checkEnoughReplicasReachOffset)', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'], minIsr: 2 });
    appendAll(p, env, [3]);
    expect(p.enoughReplicasReached(3)).toBeNull();
    p.followerFetched(env, 'b2', 3, 1);
    expect(p.enoughReplicasReached(3)).toBe(ErrorCode.NONE);
    // The controller drops b2 (committed ISR b1 alone), and b2's return is on its way (maximal ISR b1, b2).
    p.applyMetadata(env, { ...stateOf({ isr: ['b1'] }), partitionEpoch: 1 });
    expect(p.enoughReplicasReached(3)).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    p.proposeIsr(env, ['b1', 'b2']);
    expect(p.enoughReplicasReached(3)).toBe(ErrorCode.NONE);
  });

  it('with the seeded bug hw-below-min-isr, a lone leader advances it', () => {
    const { p, env } = replica({ isr: ['b1'], minIsr: 2, bugs: ['hw-below-min-isr'] });
    appendAll(p, env, [3]);
    expect(p.hw).toBe(3);
  });

  it('a new leader waits for its ISR followers to fetch in its epoch before moving the high watermark', () => {
    const { p, env } = formerFollower([[10, 0]], 4, { isr: ['b1', 'b2'] });
    expect(p.applyMetadata(env, stateOf({ isr: ['b1', 'b2'], leaderEpoch: 1 }))).toBe('became-leader');
    expect(p.leaderEpochStartOffset).toBe(10);
    expect(p.hw).toBe(4);
    p.followerFetched(env, 'b2', 10, 1);
    expect(p.hw).toBe(10);
    // Only a high watermark at or past the epoch's start is exposed to consumers.
    const exposed = env.traces.flatMap((e) => (e.kind === 'partition-hw' && e.role === 'leader' ? [[e.highWatermark, e.exposed]] : []));
    expect(exposed).toEqual([[10, true]]);
  });
});

describe('Partition: joining the ISR', () => {
  it('a follower joins once its fetch offset reaches the high watermark', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    appendAll(p, env, [4]);
    p.followerFetched(env, 'b2', 4, 1);
    expect(p.hw).toBe(4);
    expect(p.followerFetched(env, 'b3', 3, 1).expandIsr).toBe(false);
    expect(p.followerFetched(env, 'b3', 4, 1).expandIsr).toBe(true);
  });

  it("must also reach the start offset of the leader's epoch (KAFKA-7128)", () => {
    const { p, env } = formerFollower([[10, 0]], 4, { isr: ['b1', 'b2'] });
    p.applyMetadata(env, stateOf({ isr: ['b1', 'b2'], leaderEpoch: 1 }));
    expect(p.hw).toBe(4);
    // b3 is past the (lagging) high watermark but lacks offsets the new leader may have exposed already.
    expect(p.followerFetched(env, 'b3', 6, 1).expandIsr).toBe(false);
    expect(p.followerFetched(env, 'b3', 10, 1).expandIsr).toBe(true);
  });

  it('with the seeded bug isr-join-before-epoch-start, the high watermark alone admits it', () => {
    const { p, env } = formerFollower([[10, 0]], 4, { isr: ['b1', 'b2'], bugs: ['isr-join-before-epoch-start'] });
    p.applyMetadata(env, stateOf({ isr: ['b1', 'b2'], leaderEpoch: 1 }));
    expect(p.followerFetched(env, 'b3', 6, 1).expandIsr).toBe(true);
  });

  it('is not proposed for a member of the ISR, nor while another ISR change is in flight', () => {
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    expect(p.followerFetched(env, 'b2', 0, 1).expandIsr).toBe(false);
    p.proposeIsr(env, ['b1']);
    expect(p.followerFetched(env, 'b3', 0, 1).expandIsr).toBe(false);
  });

  it("the ISR proposal carries each follower's broker epoch from its fetches (KIP-903)", () => {
    const { p, env } = replica({ isr: ['b1', 'b2'] });
    p.followerFetched(env, 'b2', 0, 17);
    p.followerFetched(env, 'b3', 0, 23);
    expect(p.isrWithEpochs(['b1', 'b2', 'b3'])).toEqual([
      { brokerId: 'b1', brokerEpoch: -1 },
      { brokerId: 'b2', brokerEpoch: 17 },
      { brokerId: 'b3', brokerEpoch: 23 },
    ]);
  });
});

describe('Partition: lagging ISR members (replica.lag.time.max.ms)', () => {
  it('a member that has not caught up for longer than the lag time is lagging', () => {
    const { p, env } = replica({ lagMs: 1_000 });
    env.time = 500;
    appendAll(p, env, [2]);
    p.followerFetched(env, 'b2', 2, 1); // caught up at 500
    env.time = 600;
    appendAll(p, env, [1]); // b2 does not fetch again
    expect(p.laggingIsrMembers(1_000)).toEqual([]);
    expect(p.laggingIsrMembers(1_001)).toEqual(['b3']); // b3 never fetched since the leader started at 0
    expect(p.laggingIsrMembers(1_500)).toEqual(['b3']);
    expect(p.laggingIsrMembers(1_501)).toEqual(['b2', 'b3']);
  });

  it("a follower at the leader's log end is in sync however long ago it last caught up (Kafka's isCaughtUp)", () => {
    const { p, env } = replica({ lagMs: 1_000 });
    env.time = 500;
    appendAll(p, env, [2]);
    p.followerFetched(env, 'b2', 2, 1);
    p.followerFetched(env, 'b3', 1, 1);
    // Nothing is written for a long time: b2 holds all the leader has, b3 does not.
    expect(p.laggingIsrMembers(100_000)).toEqual(['b3']);
  });

  it('a follower behind a busy leader stays in sync if it reaches, each time, where the leader was at its last fetch', () => {
    const { p, env } = replica({ lagMs: 1_000 });
    let leo = 0;
    for (let t = 100; t <= 3_000; t += 100) {
      env.time = t;
      appendAll(p, env, [1]);
      // b2 always fetches what the leader had at its previous fetch: never at the log end, never far behind.
      p.followerFetched(env, 'b2', leo, 1);
      p.followerFetched(env, 'b3', 0, 1); // b3 is stuck at 0
      leo = p.logEndOffset;
    }
    expect(p.laggingIsrMembers(3_000)).toEqual(['b3']);
  });

  it('only a leader without an ISR change in flight reports lagging members', () => {
    const { p, env } = replica({ lagMs: 1_000 });
    p.proposeIsr(env, ['b1', 'b2']);
    expect(p.laggingIsrMembers(5_000)).toEqual([]);
    const follower = replica({ leader: 'b2', lagMs: 1_000 }).p;
    expect(follower.laggingIsrMembers(5_000)).toEqual([]);
  });
});

describe('Partition: validateFetch (KIP-595)', () => {
  // The leader's log: epoch 0 at [0, 5), epoch 2 at [5, 8).
  function leaderLog(): Partition {
    const { p, env } = formerFollower(
      [
        [5, 0],
        [3, 2],
      ],
      0,
    );
    p.applyMetadata(env, stateOf({ leaderEpoch: 3 }));
    return p;
  }

  it('accepts a fetch consistent with the log', () => {
    const p = leaderLog();
    expect(p.validateFetch(8, 2)).toBeNull();
    expect(p.validateFetch(6, 2)).toBeNull();
    expect(p.validateFetch(5, 0)).toBeNull(); // at the end of epoch 0: fine
    expect(p.validateFetch(3, 0)).toBeNull();
  });

  it('a fetch without a last fetched epoch is not checked', () => {
    expect(leaderLog().validateFetch(100, -1)).toBeNull();
  });

  it("a follower past the end of its last epoch diverges at that epoch's end", () => {
    const p = leaderLog();
    expect(p.validateFetch(7, 0)).toEqual({ epoch: 0, endOffset: 5 });
    expect(p.validateFetch(9, 2)).toEqual({ epoch: 2, endOffset: 8 });
  });

  it("a follower whose last epoch the leader does not hold diverges at the leader's largest epoch below it", () => {
    const p = leaderLog();
    expect(p.validateFetch(6, 1)).toEqual({ epoch: 0, endOffset: 5 });
    expect(p.validateFetch(5, 1)).toEqual({ epoch: 0, endOffset: 5 });
  });

  it("a follower with an epoch older than every epoch of the leader diverges in its own epoch where the leader's first epoch starts (Kafka's leader-epoch cache)", () => {
    const { p, env } = formerFollower([[4, 3]], 0);
    p.applyMetadata(env, stateOf({ leaderEpoch: 4 }));
    expect(p.validateFetch(2, 1)).toEqual({ epoch: 1, endOffset: 0 });
    // At or before that start it does not diverge: the log start moved past its epoch, and it fetches on (no endless divergence).
    p.advanceLogStart(env, 4, 'delete-records');
    expect(p.validateFetch(4, 1)).toBeNull();
    expect(p.validateFetch(5, 1)).toEqual({ epoch: 1, endOffset: 4 });
  });
});

describe('Partition: follower truncation to the divergence point', () => {
  /** A follower of b2 whose log holds [count, epoch] runs in batches of 4. */
  function follower(runs: Array<[count: number, epoch: number]>, hw = 0): { p: Partition; env: FakeEnv } {
    const { p, env } = replica({ leader: 'b2', leaderEpoch: 9 });
    for (const [count, epoch] of runs) {
      for (let n = 0; n < count; n += 4) p.appendAsFollower(env, [written(p.logEndOffset, Math.min(4, count - n), epoch)], hw);
    }
    return { p, env };
  }

  it('regression: epoch 0 is a real epoch; told epoch 0 ends at 57, a follower with epoch 0 up to 20 then epoch 4 truncates to 20', () => {
    const { p, env } = follower([
      [20, 0],
      [12, 4],
    ]);
    expect(p.logEndOffset).toBe(32);
    p.truncateToDivergence(env, { epoch: 0, endOffset: 57 });
    expect(p.logEndOffset).toBe(20);
    expect(p.log.lastEpoch).toBe(0);
    expect(p.lastFetchedEpoch).toBe(0);
    // The next fetch (offset 20, last epoch 0) is consistent with the leader: no loop.
    expect(p.log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 20 });
  });

  it("truncates to the leader's end of the common epoch when that comes first", () => {
    const { p, env } = follower([
      [20, 0],
      [12, 4],
    ]);
    p.truncateToDivergence(env, { epoch: 0, endOffset: 12 });
    expect(p.logEndOffset).toBe(12);
    expect(layout(p).at(-1)).toEqual([8, 11, 0]);
  });

  it("without the leader's epoch, truncates to the end of its own largest epoch below it", () => {
    const { p, env } = follower([
      [8, 0],
      [8, 3],
    ]);
    p.truncateToDivergence(env, { epoch: 2, endOffset: 13 });
    expect(p.logEndOffset).toBe(8);
    expect(p.log.lastEpoch).toBe(0);
  });

  it("UNDEFINED_EPOCH from the leader truncates to the offset it gives (where the leader's log starts)", () => {
    const { p, env } = follower([[8, 1]]);
    p.truncateToDivergence(env, { epoch: UNDEFINED_EPOCH, endOffset: 0 });
    expect(p.logEndOffset).toBe(0);
    expect(p.log.lastEpoch).toBe(UNDEFINED_EPOCH);
  });

  it('never truncates past its own log end', () => {
    const { p, env } = follower([[8, 2]]);
    const before = env.traces.length;
    p.truncateToDivergence(env, { epoch: 2, endOffset: 30 });
    expect(p.logEndOffset).toBe(8);
    expect(env.traces.slice(before).filter((e) => e.kind === 'partition-truncate')).toEqual([]);
  });

  it('truncation clamps the high watermark and rebuilds the producer state', () => {
    const { p, env } = replica({ leader: 'b2', leaderEpoch: 5 });
    p.appendAsFollower(env, [written(0, 2, 1, { id: 42, seq: 0 }), written(2, 2, 1, { id: 42, seq: 2 }), written(4, 2, 3, { id: 42, seq: 4 })], 6);
    expect(p.hw).toBe(6);
    expect(p.producers.check({ ...produced(2), producerId: 42, producerEpoch: 0, baseSequence: 4 }).kind).toBe('duplicate');
    p.truncateToDivergence(env, { epoch: 1, endOffset: 4 });
    expect(p.logEndOffset).toBe(4);
    expect(p.hw).toBe(4);
    // The truncated batch's retry is no longer a duplicate; the one kept still is.
    expect(p.producers.check({ ...produced(2), producerId: 42, producerEpoch: 0, baseSequence: 4 }).kind).toBe('append');
    expect(p.producers.check({ ...produced(2), producerId: 42, producerEpoch: 0, baseSequence: 2 })).toEqual({
      kind: 'duplicate',
      baseOffset: 2,
      lastOffset: 3,
    });
  });
});

describe("Partition: the follower's log and high watermark", () => {
  it("appends the leader's batches as they are, skipping what it already holds", () => {
    const { p, env } = replica({ leader: 'b2', leaderEpoch: 3 });
    const a = written(0, 3, 1);
    const b = written(3, 2, 3);
    p.appendAsFollower(env, [a], 0);
    p.appendAsFollower(env, [a, b], 0); // a resent with b
    expect(layout(p)).toEqual([
      [0, 2, 1],
      [3, 4, 3],
    ]);
    expect(p.log.storedBatches()[1]!.batch).toBe(b);
  });

  it("takes the leader's high watermark clamped to its own log end", () => {
    const { p, env } = replica({ leader: 'b2' });
    p.appendAsFollower(env, [written(0, 3, 0)], 10);
    expect(p.hw).toBe(3);
    p.appendAsFollower(env, [written(3, 3, 0)], 5);
    expect(p.hw).toBe(5);
    p.appendAsFollower(env, [], 6);
    expect(p.hw).toBe(6);
    expect(env.hws()).toEqual([3, 5, 6]);
  });

  it('with the seeded bug follower-hw-unclamped, it takes a high watermark beyond its log', () => {
    const { p, env } = replica({ leader: 'b2', bugs: ['follower-hw-unclamped'] });
    p.appendAsFollower(env, [written(0, 3, 0)], 10);
    expect(p.hw).toBe(10);
  });

  it('reopening from storage clamps the checkpointed high watermark to the recovered log', () => {
    const env = new FakeEnv();
    const { p } = replica({ leader: 'b2' }, env);
    p.appendAsFollower(env, [written(0, 3, 0)], 3);
    const settings = p.settings;
    const reopened = Partition.open(env, 'b1', stateOf({ leader: 'b2' }), atHw(50), settings);
    expect(reopened.logEndOffset).toBe(3);
    expect(reopened.hw).toBe(3);
  });
});

describe('Partition: the producer state in the trace (producer-state-consistent)', () => {
  const producerStates = (env: FakeEnv) => env.traces.flatMap((e) => (e.kind === 'producer-state' ? [e] : []));
  /** b1 following b2, holding producer 42's batches at 0..1, 2..3 (epoch 1) and 4..5 (epoch 3). */
  function follower(bugs: BrokerBug[] = []): { p: Partition; env: FakeEnv } {
    const { p, env } = replica({ leader: 'b2', leaderEpoch: 5, bugs });
    p.appendAsFollower(env, [written(0, 2, 1, { id: 42, seq: 0 }), written(2, 2, 1, { id: 42, seq: 2 }), written(4, 2, 3, { id: 42, seq: 4 })], 0);
    return { p, env };
  }

  it('is traced after a truncation, on becoming leader and after recovery, with the batches its log holds for it', () => {
    const { p, env } = follower();
    expect(producerStates(env)).toEqual([]); // a new, empty replica traces nothing
    p.truncateToDivergence(env, { epoch: 1, endOffset: 4 });
    p.applyMetadata(env, stateOf({ leader: 'b1', leaderEpoch: 6 }));
    Partition.open(env, 'b1', stateOf({ leader: 'b1', leaderEpoch: 6 }), atHw(0), p.settings);
    const kept: Array<[number, number, number, number]> = [
      [0, 1, 0, 1],
      [2, 3, 2, 3],
    ];
    const log: Array<[number, number, number, number, number]> = [
      [0, 1, 42, 0, 0],
      [2, 3, 42, 0, 2],
    ];
    expect(producerStates(env).map(({ cause, producers, log }) => ({ cause, producers, log }))).toEqual(
      (['truncate', 'leader', 'recover'] as const).map((cause) => ({ cause, producers: [[42, 0, kept]], log })),
    );
  });

  it('is not traced for a truncation that removes nothing', () => {
    const { p, env } = follower();
    p.truncateToDivergence(env, { epoch: 3, endOffset: 30 });
    expect(producerStates(env)).toEqual([]);
  });

  it('with the seeded bug producer-state-lost-on-truncate, a truncation forgets the producers the log still holds', () => {
    const { p, env } = follower(['producer-state-lost-on-truncate']);
    p.truncateToDivergence(env, { epoch: 1, endOffset: 4 });
    expect(producerStates(env).map(({ producers, log }) => [producers, log.length])).toEqual([[[], 2]]);
    // A retry of the kept batch 2..3 is no longer recognised as a duplicate.
    expect(p.producers.check({ ...produced(2), producerId: 42, producerEpoch: 0, baseSequence: 2 }).kind).toBe('append');
  });
});

describe('Partition: producer-state snapshots at segment rolls', () => {
  /** A single-replica leader of orders-0 whose segments roll every few batches. */
  function rolling(env = new FakeEnv()): { p: Partition; env: FakeEnv } {
    const settings = {
      minIsr: 1,
      replicaLagTimeMaxMs: 10_000,
      flushMessages: Number.MAX_SAFE_INTEGER,
      log: { ...DEFAULT_LOG_CONFIG, segmentBytes: 700 },
      bugs: new Set<BrokerBug>(),
      isrEligible: () => true,
    };
    const state = stateOf({ replicas: ['b1'], isr: ['b1'], leader: 'b1' });
    const p = Partition.open(env, 'b1', state, atHw(0), settings);
    p.applyMetadata(env, state);
    return { p, env };
  }
  const idempotent = (id: number, seq: number, count = 2) => recordBatch({ count, producer: { id, seq } });
  const snapshots = (env: FakeEnv) => env.storage.list().filter((f) => f.endsWith('.snapshot'));

  it('a roll writes the state as of the new base; a reopen replays only what follows it and still knows every retry', () => {
    const { p, env } = rolling();
    const offsets: Array<[number, number]> = [];
    for (let seq = 0; seq < 60; seq += 2) {
      const r = p.appendAsLeader(env, idempotent(7, seq), 0);
      if (!('baseOffset' in r)) throw new Error('append failed');
      offsets.push([r.baseOffset, r.lastOffset]);
    }
    const segments = p.log.segmentInfos();
    expect(segments.length).toBeGreaterThan(3);
    // The newest two are kept, named by the base offsets of the newest segments.
    expect(snapshots(env)).toEqual(segments.slice(-2).map((s) => `orders-0/${String(s.baseOffset).padStart(20, '0')}.snapshot`));
    const reads: string[] = [];
    const storage = env.storage;
    const watched = Object.create(storage) as SimStorage;
    watched.read = (file: string, at: number, length: number) => (reads.push(file), storage.read(file, at, length));
    const reopenedEnv = Object.assign(new FakeEnv(), { storage: watched });
    const reopened = Partition.open(reopenedEnv, 'b1', stateOf({ replicas: ['b1'], isr: ['b1'], leader: 'b1' }), atHw(0), p.settings);
    expect(reopened.producers.describe()).toEqual(p.producers.describe());
    // Below the recovery point, the closed segments' logs are not read for the producer state (the
    // trace's recover event lists every batch; a node nobody traces skips it).
    const untracedReads: string[] = [];
    watched.read = (file: string, at: number, length: number) => (untracedReads.push(file), storage.read(file, at, length));
    const checkpoints = { hw: 0, recoveryPoint: p.log.recoveryPoint, logStartOffset: 0 };
    Partition.open(Object.assign(new FakeEnv(), { storage: watched, untraced: true }), 'b1', stateOf({ leader: 'b1' }), checkpoints, p.settings);
    const closed = segments.slice(0, -1).map((s) => `orders-0/${String(s.baseOffset).padStart(20, '0')}.log`);
    expect(untracedReads.filter((f) => closed.includes(f))).toEqual([]);
    // A retry of the last batch is still a duplicate, answered with its offsets.
    reopened.applyMetadata(reopenedEnv, stateOf({ replicas: ['b1'], isr: ['b1'], leader: 'b1', leaderEpoch: 1 }));
    const retry = reopened.appendAsLeader(reopenedEnv, idempotent(7, 58), 0);
    expect(retry).toMatchObject({ errorCode: 0, baseOffset: offsets.at(-1)![0], lastOffset: offsets.at(-1)![1], duplicate: true });
  });

  it('an unreadable snapshot is passed over, and one past a truncation is deleted', () => {
    const { p, env } = rolling();
    for (let seq = 0; seq < 60; seq += 2) p.appendAsLeader(env, idempotent(9, seq), 0);
    const [older, newer] = snapshots(env);
    env.storage.replace(newer!, new TextEncoder().encode('{"version":1,'));
    const reopened = Partition.open(env, 'b1', stateOf({ replicas: ['b1'], isr: ['b1'], leader: 'b1' }), atHw(0), p.settings);
    expect(reopened.producers.describe()).toEqual(p.producers.describe());
    const olderBase = Number(older!.slice('orders-0/'.length, -'.snapshot'.length));
    reopened.truncateTo(env, olderBase - 1);
    expect(snapshots(env)).toEqual([]);
    expect(reopened.producers.describe()[0]![2].at(-1)![3]).toBeLessThan(olderBase - 1);
  });
});

describe("Partition: the leader's validation of a producer's batch (max.message.bytes, message.timestamp.type, compression.type)", () => {
  const validation = { maxMessageBytes: 150, timestampType: 'LogAppendTime', compressionType: 'snappy', compressors: null } as const;

  it('refuses a batch over max.message.bytes with MESSAGE_TOO_LARGE and writes nothing', () => {
    const { p, env } = replica({ replicas: ['b1'] });
    p.settings = { ...p.settings, validation };
    const result = p.appendAsLeader(env, produced(10), 0);
    expect(result).toMatchObject({ errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: expect.stringContaining('max.message.bytes (150)') });
    expect(p.logEndOffset).toBe(0);
  });

  it('stamps LogAppendTime with the leader clock and names the topic codec in the stored batch; settings changed at run time apply to the next batch', () => {
    const { p, env } = replica({ replicas: ['b1'] });
    p.settings = { ...p.settings, validation };
    env.time = 4_242;
    expect(p.appendAsLeader(env, produced(1, 10), env.time)).toMatchObject({ errorCode: 0, baseOffset: 0, logAppendTime: 4_242 });
    expect(p.log.storedBatches()[0]!.batch).toMatchObject({ attributes: 2 | 8, maxTimestamp: 4_242, baseTimestamp: 10 });
    // The trace shows the attributes the leader gave the batch (a plain batch's summary has none).
    const appends = env.traces.flatMap((e) => (e.kind === 'partition-append' ? e.batches : []));
    p.settings = { ...p.settings, validation: { ...validation, timestampType: 'CreateTime', compressionType: 'producer' } };
    expect(p.appendAsLeader(env, produced(1, 10), env.time)).toMatchObject({ errorCode: 0, baseOffset: 1, logAppendTime: -1 });
    expect(p.log.storedBatches()[1]!.batch).toMatchObject({ attributes: 0, maxTimestamp: 10 });
    const after = env.traces.flatMap((e) => (e.kind === 'partition-append' ? e.batches : []));
    expect(appends.map((b) => b.length)).toEqual([5]);
    // ListOffsets by timestamp reads the leader's time of a LogAppendTime batch, not the producer's.
    expect(p.log.offsetForTimestamp(4_000)).toMatchObject({ offset: 0, timestamp: 4_242 });
    expect(p.log.offsetForTimestamp(5)).toMatchObject({ offset: 0, timestamp: 4_242 });
    expect(appends[0]![4]).toBe(2 | 8);
    expect(after[1]!.length).toBe(4);
  });
});
