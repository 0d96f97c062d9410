// The partition replication checkers on hand-made broker traces: each stays quiet on a correct history and reports the violation it exists for.
import type { ObservedEvent } from '../../core/trace/schema.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { CheckerSuite } from '../../models/checker-suite.ts';

type Ev = ObservedEvent;
/** [baseOffset, lastOffset, leaderEpoch, hash], as a broker describes a stored batch. */
type Batch = [number, number, number, number];
type Broker = 'b1' | 'b2' | 'b3';
/** A partition's state as the controller commits it (a partition-change). */
interface State {
  leader: Broker | null;
  isr: Broker[];
  leaderEpoch: number;
  partitionEpoch: number;
}

const TOPIC = 'orders';
const KEY = 'orders/0';
const BROKERS: readonly Broker[] = ['b1', 'b2', 'b3'];

let suite: CheckerSuite;
let step: number;
/** The leader and leader epoch each broker's replica last took its role under. */
const roleOf = new Map<Broker, string>();

// ---- events, shaped as core/broker, core/node and the kernel record them -------------------------

const at0 = { topic: TOPIC, partition: 0 };
/** A batch; the default hash stands for the records a leader of that epoch wrote at that offset. */
const batch = (base: number, last = base, epoch = 0, hash = 1_000 * (epoch + 1) + base): Batch => [base, last, epoch, hash];
const brokerState = (brokerEpoch: number, fenced = false): Ev => ({ kind: 'broker-state', brokerEpoch, fenced });
const change = (s: State): Ev => ({
  kind: 'partition-change',
  ...at0,
  leader: s.leader,
  isr: [...s.isr],
  leaderEpoch: s.leaderEpoch,
  partitionEpoch: s.partitionEpoch,
});
const recover = (...batches: Batch[]): Ev => ({ kind: 'partition-recover', ...at0, batches, tornBytes: 0, highWatermark: 0 });
const role = (r: 'leader' | 'follower', leader: Broker | null, leaderEpoch: number): Ev => ({ kind: 'partition-role', ...at0, role: r, leader, leaderEpoch });
const isrView = (isr: Broker[], partitionEpoch: number, pendingIsr: Broker[] | null = null): Ev => ({
  kind: 'partition-isr',
  ...at0,
  isr: [...isr],
  pendingIsr,
  partitionEpoch,
});
const append = (...batches: Batch[]): Ev => ({ kind: 'partition-append', ...at0, batches });
const truncate = (endOffset: number): Ev => ({ kind: 'partition-truncate', ...at0, endOffset });
/** A high watermark change; a leader's is exposed unless it is still below its epoch's start offset. */
const hw = (highWatermark: number, r: 'leader' | 'follower', leaderEpoch: number, exposed = r === 'leader'): Ev => ({
  kind: 'partition-hw',
  ...at0,
  highWatermark,
  role: r,
  leaderEpoch,
  exposed,
});
const crash = (): Ev => ({ kind: 'crash', reason: 'kill', disk: [] });
const restart = (incarnation: number): Ev => ({ kind: 'restart', incarnation });

// ---- steps -----------------------------------------------------------------------------------------

/** One kernel step on `node`: its events in order, then the step-end checks. Returns the step. */
function on(node: Broker, ...events: Ev[]): number {
  const s = step++;
  for (const e of events) suite.observe(s, node, e);
  suite.endStep(s);
  return s;
}

const st = (leader: Broker | null, isr: Broker[], leaderEpoch: number, partitionEpoch: number): State => ({ leader, isr, leaderEpoch, partitionEpoch });

/** What a replica emits on taking `s` from its image (Partition.applyMetadata): a new role, or a leader's new ISR. */
function take(node: Broker, s: State): Ev[] {
  const key = `${s.leader}@${s.leaderEpoch}`;
  if (roleOf.get(node) === key) return s.leader === node ? [isrView(s.isr, s.partitionEpoch)] : [];
  roleOf.set(node, key);
  if (s.leader === node) return [role('leader', node, s.leaderEpoch), isrView(s.isr, s.partitionEpoch)];
  return [role('follower', s.leader, s.leaderEpoch)];
}

/**
 * The controller committed `s`: each of `nodes` applies it to its image and its replica reacts in
 * the same step; `extra` adds events to a node's step (a new leader's high watermark, a follower's
 * truncation). Returns each node's step.
 */
function apply(s: State, nodes: readonly Broker[] = BROKERS, extra: Partial<Record<Broker, Ev[]>> = {}): Partial<Record<Broker, number>> {
  const steps: Partial<Record<Broker, number>> = {};
  for (const n of nodes) steps[n] = on(n, change(s), ...take(n, s), ...(extra[n] ?? []));
  return steps;
}

/** A restarted broker registers (fenced until caught up), then opens its log as recovered from disk and takes its role. */
function rejoin(node: Broker, brokerEpoch: number, s: State, disk: Batch[]): number {
  on(node, brokerState(brokerEpoch, true));
  roleOf.delete(node);
  return on(node, recover(...disk), ...take(node, s));
}

const produce = (leader: Broker, b: Batch): number => on(leader, append(b));
/** A follower's fetch answered: it appends what came and takes the leader's high watermark when it moved. */
const fetched = (follower: Broker, leaderEpoch: number, highWatermark: number | null, ...batches: Batch[]): number =>
  on(follower, ...(batches.length > 0 ? [append(...batches)] : []), ...(highWatermark === null ? [] : [hw(highWatermark, 'follower', leaderEpoch)]));
/** The leader's high watermark moved on a follower's fetch. */
const leaderHw = (leader: Broker, highWatermark: number, leaderEpoch: number, exposed = true): number =>
  on(leader, hw(highWatermark, 'leader', leaderEpoch, exposed));

/** `leader` appends `batches`, `followers` fetch them, the leader's high watermark moves to their end and the followers hear of it. */
function commit(leader: Broker, leaderEpoch: number, followers: Broker[], ...batches: Batch[]): void {
  for (const b of batches) produce(leader, b);
  for (const f of followers) fetched(f, leaderEpoch, null, ...batches);
  const end = batches.at(-1)![1] + 1;
  leaderHw(leader, end, leaderEpoch);
  for (const f of followers) fetched(f, leaderEpoch, end);
}

/** The leader asks the controller for a new ISR (AlterPartition), which commits it as `to`. */
function alterIsr(from: State, to: State, nodes: readonly Broker[] = BROKERS, extra: Partial<Record<Broker, Ev[]>> = {}): Partial<Record<Broker, number>> {
  on(from.leader!, isrView(from.isr, from.partitionEpoch, to.isr));
  return apply(to, nodes, extra);
}

const part = () => suite.partitionGhost.partition(TOPIC, 0);
const names = () => suite.violations.map((v) => v.name);
/** The one violation `name` reported. */
function one(name: string) {
  const found = suite.violations.filter((v) => v.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const S0 = st('b1', ['b1', 'b2', 'b3'], 0, 0);
const A = batch(0, 1); // offsets 0-1 of epoch 0
const B = batch(2);
const C = batch(3, 4);
/** Other records at offset 2 under the same epoch. */
const B_OTHER = batch(2, 2, 0, 666);

beforeEach(() => setUp(new CheckerSuite()));

/** Starts `checkers` on three registered brokers with a fresh topic orders (one partition, RF 3, leader b1). */
function setUp(checkers: CheckerSuite): void {
  suite = checkers;
  step = 0;
  roleOf.clear();
  BROKERS.forEach((b, i) => on(b, brokerState(i + 1, true)));
  BROKERS.forEach((b, i) => on(b, brokerState(i + 1, false)));
  // The topic is created: each broker applies its first state, opens an empty log and takes its role.
  for (const b of BROKERS) on(b, change(S0), recover(), ...take(b, S0));
}

// ---- shared histories ----------------------------------------------------------------------------

/** b3 stops fetching after A and b1 drops it from the ISR, which commits B and C (high watermark 5). */
function b3FallsBehind(): State {
  commit('b1', 0, ['b2', 'b3'], A);
  produce('b1', B);
  produce('b1', C);
  fetched('b2', 0, null, B, C);
  const s1 = st('b1', ['b1', 'b2'], 0, 1);
  alterIsr(S0, s1, BROKERS, { b1: [hw(5, 'leader', 0)] });
  fetched('b2', 0, 5);
  return s1;
}

/** b1 commits A then B (high watermark 3); b2 holds B but has not heard that the high watermark moved past 2. */
function b2LagsOnHw(): void {
  commit('b1', 0, ['b2', 'b3'], A);
  produce('b1', B);
  fetched('b2', 0, null, B);
  fetched('b3', 0, null, B);
  leaderHw('b1', 3, 0);
  fetched('b3', 0, 3);
}

/** What an unclean election of a replica lacking committed records trips: it enters the ISR, then leads. */
const UNCLEAN_ELECTION = ['strong-isr', 'leader-completeness'];

/**
 * b3 falls behind (A only); b1 and b2 commit B and C; b1 crashes and b2 is cut off, and once both
 * are fenced the controller elects b3 uncleanly (unclean.leader.election.enable) in epoch 3.
 * Returns the step of b3's election, which trips UNCLEAN_ELECTION.
 */
function uncleanElectionOfB3(): number {
  b3FallsBehind();
  on('b1', crash());
  apply(st('b2', ['b2'], 1, 2), ['b3']);
  apply(st(null, ['b2'], 2, 3), ['b3']);
  return apply(st('b3', ['b3'], 3, 4), ['b3']).b3!;
}

// ---- the checkers --------------------------------------------------------------------------------

describe('leader-epoch-unique', () => {
  it('reports two replicas leading one leader epoch, naming both (a controller that reuses the epoch)', () => {
    commit('b1', 0, ['b2', 'b3'], A);
    // b1 is cut off; the controller fences it and moves leadership to b2 without bumping the epoch.
    const steps = apply(st('b2', ['b2', 'b3'], 0, 1), ['b2', 'b3']);
    expect(suite.violations).toMatchObject([{ name: 'leader-epoch-unique', step: steps.b2, nodes: ['b1', 'b2'], values: { partition: KEY, leaderEpoch: 0 } }]);
    expect(suite.violations[0]!.message).toContain('b1 and b2 both lead orders/0 in leader epoch 0');
  });

  it('accepts leaders in successive epochs, the first leading again later', () => {
    commit('b1', 0, ['b2', 'b3'], A);
    const s1 = st('b2', ['b2', 'b3'], 1, 1);
    apply(s1, ['b2', 'b3']); // b1 is cut off and fenced
    commit('b2', 1, ['b3'], batch(2, 2, 1));
    apply(s1, ['b1']); // b1 heals and follows b2
    fetched('b1', 1, 3, batch(2, 2, 1));
    const s2 = st('b2', ['b2', 'b3', 'b1'], 1, 2);
    alterIsr(s1, s2);
    apply(st('b1', s2.isr, 2, 3)); // the preferred leader takes over again
    expect(names()).toEqual([]);
    expect(part().replica('b1')).toMatchObject({ role: 'leader', leaderEpoch: 2 });
  });
});

describe('replica-log-matching', () => {
  it('reports a follower whose log below its high watermark differs from the committed log', () => {
    produce('b1', A);
    produce('b1', B);
    fetched('b3', 0, null, A, B);
    fetched('b2', 0, null, A, B_OTHER);
    leaderHw('b1', 3, 0);
    fetched('b3', 0, 3);
    const s = fetched('b2', 0, 3);
    expect(suite.violations).toMatchObject([{ name: 'replica-log-matching', step: s, nodes: ['b2'], values: { partition: KEY, hw: 3, firstDifference: 2 } }]);
    expect(suite.violations[0]!.message).toContain("b2's log of orders/0 below its high watermark 3 differs from the committed log from offset 2");
  });

  it('reports a replica that rewrites its log below its high watermark after it had matched', () => {
    commit('b1', 0, ['b2', 'b3'], A, B); // every replica matched the committed log up to 3
    alterIsr(S0, st('b1', ['b1', 'b2'], 0, 1));
    on('b3', truncate(2), hw(2, 'follower', 0));
    const s = on('b3', append(B_OTHER), hw(3, 'follower', 0));
    expect(suite.violations).toMatchObject([{ name: 'replica-log-matching', step: s, nodes: ['b3'], values: { hw: 3, firstDifference: 2 } }]);
  });

  it('reports a replica that comes back from a crash with other records below the high watermark it then takes', () => {
    commit('b1', 0, ['b2', 'b3'], A, B);
    on('b3', crash());
    on('b3', restart(2));
    const s1 = st('b1', ['b1', 'b2'], 0, 1);
    apply(s1, ['b1', 'b2']); // registering b3 again takes its old incarnation out of the ISR
    // Its disk brings back what an unsynced truncation had removed: other records at offset 2.
    rejoin('b3', 4, s1, [A, B_OTHER]);
    const s = fetched('b3', 0, 3);
    expect(suite.violations).toMatchObject([{ name: 'replica-log-matching', step: s, nodes: ['b3'], values: { hw: 3, firstDifference: 2 } }]);
  });

  it('accepts a divergent uncommitted tail above the high watermark, truncated before the follower moves past it', () => {
    produce('b1', A);
    fetched('b2', 0, null, A);
    fetched('b3', 0, null, A);
    produce('b1', B); // b1's alone: it is cut off before any follower fetches it
    leaderHw('b1', 2, 0); // B sits above the high watermark the followers' fetches made
    const s1 = st('b2', ['b2', 'b3'], 1, 1);
    apply(s1, ['b2', 'b3']);
    const B1 = batch(2, 3, 1);
    commit('b2', 1, ['b3'], B1);
    // b1 heals: it follows b2, truncates where the epochs diverge, then catches up.
    apply(s1, ['b1']);
    on('b1', truncate(2));
    fetched('b1', 1, 4, B1);
    alterIsr(s1, st('b2', ['b2', 'b3', 'b1'], 1, 2));
    expect(names()).toEqual([]);
    expect(part().committedEnd).toBe(4);
    expect(part().replica('b1').batches).toEqual([A, B1]);
  });
});

describe('strong-isr', () => {
  it('reports a follower admitted to the ISR without every committed record', () => {
    const s1 = b3FallsBehind();
    const steps = alterIsr(s1, st('b1', ['b1', 'b2', 'b3'], 0, 2));
    expect(suite.violations).toMatchObject([
      { name: 'strong-isr', step: steps.b1, nodes: ['b3'], values: { partition: KEY, isr: ['b1', 'b2', 'b3'], firstMissing: 2, committed: 5 } },
    ]);
    expect(suite.violations[0]!.message).toContain(
      'b3 is in the ISR of orders/0 (partition epoch 2) but lacks committed records from offset 2 (committed up to 5)',
    );
  });

  it('accepts a lagging follower out of the ISR, even as it restarts, and admits it once caught up', () => {
    const s1 = b3FallsBehind();
    on('b3', crash());
    on('b3', restart(2));
    rejoin('b3', 7, s1, [A]); // lagging and out of the ISR: not judged
    expect(part().replica('b3').leo).toBeLessThan(part().committedEnd);
    fetched('b3', 0, 5, B, C);
    alterIsr(s1, st('b1', ['b1', 'b2', 'b3'], 0, 2));
    expect(names()).toEqual([]);
    expect(part().isr).toEqual(['b1', 'b2', 'b3']);
  });

  it('reports an ISR member that truncates committed records away (truncate-to-hw, before KIP-101)', () => {
    b2LagsOnHw();
    // b1 is cut off; b3 leads epoch 1, and b2, following it, cuts its log back to its own high watermark.
    const steps = apply(st('b3', ['b2', 'b3'], 1, 1), ['b3', 'b2'], { b2: [truncate(2)] });
    expect(suite.violations).toMatchObject([
      { name: 'strong-isr', step: steps.b2, nodes: ['b2'], values: { isr: ['b2', 'b3'], firstMissing: 2, committed: 3 } },
    ]);
  });

  it('reports the last ISR member coming back from a power loss without a committed record', () => {
    commit('b1', 0, ['b2', 'b3'], A);
    alterIsr(S0, st('b1', ['b1'], 0, 1)); // b2 and b3 are cut off (min.insync.replicas 1)
    on('b1', append(B), hw(3, 'leader', 0));
    on('b1', crash()); // B was not yet synced
    // Fenced, b1 stays in the ISR as its last member; the partition has no leader.
    const s2 = st(null, ['b1'], 1, 2);
    apply(s2, ['b2', 'b3']);
    on('b1', restart(2));
    const s = rejoin('b1', 9, s2, [A]);
    expect(suite.violations).toMatchObject([{ name: 'strong-isr', step: s, nodes: ['b1'], values: { isr: ['b1'], firstMissing: 2, committed: 3 } }]);
  });

  it('judges a restarted broker only once registered, by then out of the ISR', () => {
    commit('b1', 0, ['b2', 'b3'], A, B);
    on('b3', crash()); // B was not yet synced on b3
    on('b3', restart(2));
    expect(suite.partitionGhost.registered.has('b3')).toBe(false);
    const s1 = st('b1', ['b1', 'b2'], 0, 1);
    apply(s1, ['b1', 'b2']);
    rejoin('b3', 4, s1, [A]);
    expect(suite.partitionGhost.registered.has('b3')).toBe(true);
    fetched('b3', 0, 3, B);
    alterIsr(s1, st('b1', ['b1', 'b2', 'b3'], 0, 2));
    expect(names()).toEqual([]);
  });
});

describe('hw-le-leo', () => {
  it('accepts replicas whose high watermarks stay within their logs, a recovered one included', () => {
    commit('b1', 0, ['b2', 'b3'], A, B);
    on('b2', crash());
    on('b2', restart(2));
    const s1 = st('b1', ['b1', 'b3'], 0, 1);
    apply(s1, ['b1', 'b3']);
    rejoin('b2', 5, s1, [A]);
    fetched('b2', 0, 3, B);
    expect(names()).toEqual([]);
    expect(part().replica('b2')).toMatchObject({ hw: 3, leo: 3 });
  });

  it('accepts a replica cut back below its high watermark that lowers it within the step', () => {
    uncleanElectionOfB3();
    // b2 heals and follows b3: it truncates where the logs diverge and clamps its high watermark.
    const s4 = st('b3', ['b3'], 3, 4);
    apply(s4, ['b2'], { b2: [truncate(2), hw(2, 'follower', 3)] });
    expect(names()).toEqual(UNCLEAN_ELECTION);
    expect(part().replica('b2')).toMatchObject({ hw: 2, leo: 2 });
  });

  it('reports a replica cut back below its high watermark that leaves it there', () => {
    uncleanElectionOfB3();
    const steps = apply(st('b3', ['b3'], 3, 4), ['b2'], { b2: [truncate(2)] });
    expect(names()).toEqual([...UNCLEAN_ELECTION, 'hw-le-leo']);
    expect(one('hw-le-leo')).toMatchObject({ step: steps.b2, nodes: ['b2'], values: { partition: KEY, hw: 5, leo: 2 } });
    expect(one('hw-le-leo').message).toContain("b2's high watermark 5 of orders/0 is past its log end 2");
  });

  it("reports a follower taking the leader's high watermark past its log end (follower-hw-unclamped)", () => {
    const s1 = b3FallsBehind();
    on('b3', crash());
    on('b3', restart(2));
    rejoin('b3', 7, s1, [A]);
    const s = fetched('b3', 0, 5, B); // one batch per fetch, the leader's high watermark unclamped
    // Its log below that high watermark lacks committed records too (as scenarios/bugs/follower-hw-unclamped.yaml expects).
    expect(names()).toEqual(['replica-log-matching', 'hw-le-leo']);
    expect(one('hw-le-leo')).toMatchObject({ step: s, nodes: ['b3'], values: { hw: 5, leo: 3 } });
  });

  it('reports a leader whose high watermark runs past its own log end', () => {
    produce('b1', A);
    fetched('b2', 0, null, A);
    const s = leaderHw('b1', 3, 0);
    expect(suite.violations).toMatchObject([{ name: 'hw-le-leo', step: s, nodes: ['b1'], values: { hw: 3, leo: 2 } }]);
  });
});

describe('leader-completeness (partitions)', () => {
  it('reports a replica elected leader without every committed record (unclean election)', () => {
    const s = uncleanElectionOfB3();
    // The leader must come from the ISR, so the change that made it one already broke strong-isr.
    expect(names()).toEqual(['strong-isr', 'leader-completeness']);
    expect(one('strong-isr')).toMatchObject({ step: s, nodes: ['b3'], values: { isr: ['b3'], firstMissing: 2, committed: 5 } });
    expect(one('leader-completeness')).toMatchObject({ step: s, nodes: ['b3'], values: { partition: KEY, leaderEpoch: 3, firstMissing: 2, committed: 5 } });
    expect(one('leader-completeness').message).toContain(
      'b3 became leader of orders/0 (epoch 3) without the records committed in earlier epochs, from offset 2 (committed up to 5)',
    );
  });

  it('accepts a broker replaying old metadata that leads an epoch the controller has replaced, lacking what later epochs committed', () => {
    commit('b1', 0, ['b2', 'b3'], A);
    on('b1', crash());
    apply(st('b2', ['b2', 'b3'], 1, 1), ['b2', 'b3']);
    commit('b2', 1, ['b3'], batch(2, 2, 1)); // committed in epoch 1
    // b1 comes back and replays the metadata log from the start: for a moment it leads epoch 0,
    // which holds everything committed before epoch 0 (nothing), and epoch 1 fences it.
    on('b1', restart(2));
    rejoin('b1', 4, S0, [A]);
    expect(part().replica('b1')).toMatchObject({ role: 'leader', leaderEpoch: 0 });
    expect(names()).toEqual([]);
  });

  it("accepts a new leader holding every committed record but not the old leader's uncommitted tail", () => {
    commit('b1', 0, ['b2', 'b3'], A);
    produce('b1', B);
    fetched('b3', 0, null, B); // b2 lacks B, which is not committed
    on('b1', crash());
    apply(st('b2', ['b2', 'b3'], 1, 1), ['b2', 'b3']);
    expect(names()).toEqual([]);
    expect(part().replica('b2')).toMatchObject({ role: 'leader', leaderEpoch: 1, leo: 2 });
    expect(part().committedEnd).toBe(2);
  });
});

describe('hw-monotonic (partitions)', () => {
  /** b1 is cut off after b2LagsOnHw and b2 takes over in epoch 1, announcing its follower's high watermark 2. */
  const b2TakesOverLagging = (exposed: boolean) => {
    b2LagsOnHw();
    return apply(st('b2', ['b2', 'b3'], 1, 1), ['b2', 'b3'], { b2: [hw(2, 'leader', 1, exposed)] }).b2!;
  };

  it('reports a new leader exposing its lagging high watermark (KAFKA-7128)', () => {
    const s = b2TakesOverLagging(true);
    expect(suite.violations).toMatchObject([
      { name: 'hw-monotonic', step: s, nodes: ['b2', 'b1'], values: { partition: KEY, hw: 2, previous: 3, leaderEpoch: 1 } },
    ]);
    expect(suite.violations[0]!.message).toContain('leader b2 of orders/0 (epoch 1) exposes high watermark 2, below 3 exposed by b1');
  });

  it("accepts the same high watermark held back below the epoch's start offset", () => {
    b2TakesOverLagging(false);
    leaderHw('b2', 3, 1); // b3's first fetch of epoch 1, at offset 3, brings it to the start offset
    expect(names()).toEqual([]);
  });

  it("reports a lossy leader's high watermark going back (unclean election)", () => {
    uncleanElectionOfB3();
    const s = on('b3', append(batch(2, 2, 3)), hw(3, 'leader', 3)); // min.insync.replicas 1: alone, it commits at once
    // Its log below that high watermark is not the committed one either.
    expect(names()).toEqual([...UNCLEAN_ELECTION, 'replica-log-matching', 'hw-monotonic']);
    expect(one('hw-monotonic')).toMatchObject({ step: s, nodes: ['b3', 'b1'], values: { hw: 3, previous: 5, leaderEpoch: 3 } });
  });

  it("ignores followers' high watermarks, however far behind", () => {
    const s1 = b3FallsBehind();
    on('b3', crash());
    on('b3', restart(2));
    rejoin('b3', 7, s1, [A]);
    fetched('b3', 0, 3, B); // one batch per fetch: its high watermark is clamped to its log end
    fetched('b3', 0, 5, C);
    expect(names()).toEqual([]);
    expect(part().replica('b3').hw).toBe(5);
  });

  it("ignores a deposed leader's late report in its old epoch", () => {
    commit('b1', 0, ['b2', 'b3'], A);
    produce('b1', B);
    fetched('b2', 0, null, B);
    fetched('b3', 0, null, B); // their fetches at offset 3 are delayed on the way to b1
    const s1 = st('b2', ['b2', 'b3'], 1, 1);
    apply(s1, ['b2', 'b3']); // b1 is cut off from the controller
    leaderHw('b2', 3, 1);
    commit('b2', 1, ['b3'], batch(3, 3, 1));
    leaderHw('b1', 3, 0); // the delayed fetches reach b1, still leading epoch 0
    expect(names()).toEqual([]);
    expect(part().committedEnd).toBe(4);
  });
});

describe('hw-min-isr', () => {
  beforeEach(() => setUp(new CheckerSuite({ minInsyncReplicas: () => 2 })));

  it('accepts a high watermark over records that two replicas hold, the ISR shrinking to two on the way', () => {
    b3FallsBehind(); // b1 commits B and C with b2 only: two holders, min.insync.replicas 2
    commit('b1', 0, ['b2'], batch(5));
    expect(names()).toEqual([]);
  });

  it('reports a leader that moves its high watermark over a record only it holds (the ISR shrank to the leader)', () => {
    commit('b1', 0, ['b2', 'b3'], A);
    produce('b1', B);
    const alone = st('b1', ['b1'], 0, 1);
    const steps = alterIsr(S0, alone, BROKERS, { b1: [hw(3, 'leader', 0)] });
    expect(one('hw-min-isr')).toMatchObject({ step: steps.b1, nodes: ['b1'], values: { partition: KEY, hw: 3, holders: ['b1'], minInsyncReplicas: 2 } });
  });

  it('does not count a follower that holds other records at that offset', () => {
    commit('b1', 0, ['b2', 'b3'], A);
    produce('b1', B);
    fetched('b2', 0, null, B_OTHER);
    leaderHw('b1', 3, 0);
    expect(one('hw-min-isr').values).toMatchObject({ holders: ['b1'] });
  });

  it('has nothing to check when min.insync.replicas is 1', () => {
    setUp(new CheckerSuite());
    commit('b1', 0, ['b2', 'b3'], A);
    produce('b1', B);
    leaderHw('b1', 3, 0);
    expect(names()).toEqual([]);
  });
});

describe('a compacted partition (log cleaner)', () => {
  const clean = (baseOffset: number, endOffset: number, ...batches: Batch[]): Ev => ({ kind: 'partition-clean', ...at0, baseOffset, endOffset, batches });
  /** A after a clean took records out of it: same offsets and epoch, other content. */
  const A_CLEANED = batch(0, 1, 0, 777);

  it('takes a follower copying a cleaned log past its gaps, and a replica recovering one, as holding the batches the clean dropped', () => {
    const s1 = st('b1', ['b1', 'b3'], 0, 1);
    alterIsr(S0, s1);
    commit('b1', 0, ['b3'], A, B, C);
    on('b1', clean(0, 5, A_CLEANED, C)); // B superseded: gone; A rebuilt
    fetched('b2', 0, 5, A_CLEANED, C);
    expect(part().replica('b2').batches).toEqual([A, B, C]);
    on('b3', clean(0, 5, A_CLEANED, C));
    on('b3', crash());
    on('b3', restart(2));
    const s2 = st('b1', ['b1'], 0, 2);
    apply(s2, ['b1', 'b2']);
    rejoin('b3', 4, s2, [A_CLEANED, C]);
    fetched('b3', 0, 5);
    alterIsr(s2, st('b1', ['b1', 'b2', 'b3'], 0, 3));
    expect(names()).toEqual([]);
    expect(part().replica('b3').batches).toEqual([A, B, C]);
  });

  it('still reports a follower missing committed records that no clean dropped', () => {
    const s1 = st('b1', ['b1', 'b3'], 0, 1);
    alterIsr(S0, s1);
    commit('b1', 0, ['b3'], A, B, C);
    on('b1', clean(0, 5, A_CLEANED, C));
    const s = fetched('b2', 0, 5, C); // A was kept by the clean: the gap at 0..2 is no clean's doing
    expect(suite.violations).toMatchObject([{ name: 'replica-log-matching', step: s, nodes: ['b2'], values: { hw: 5, firstDifference: 0 } }]);
  });
});
