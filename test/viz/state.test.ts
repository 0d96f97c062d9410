// The visualizer's derived state: hand-made event sequences give exactly the expected state, and
// real quickstart and consumer-group runs fold into a sane cluster and group that cloneState copies
// faithfully.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import type { EventLine, TraceHeader, TraceSummary } from '../../core/trace/schema.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { FileSink } from '../../trace/sink.ts';
import type { DerivedState, GroupState, ReplicaState } from '../../viz/shared/contract.ts';
import { CLIENT_OPS_WITH_STATE, partitionOwners } from '../../viz/shared/groups.ts';
import { applyEvent, cloneState, initialState, KINDS_WITHOUT_STATE } from '../../viz/shared/state.ts';

const root = join(import.meta.dirname, '..', '..');

const header = (cluster: Record<string, unknown> | null): TraceHeader => ({
  samsa: 1,
  scenario: 'test',
  seed: 1,
  config: cluster === null ? { setup: 'raft' } : { setup: 'scenario', scenario: { cluster } },
});

/** An event line without its step and time. */
type Untimed<E extends EventLine = EventLine> = E extends unknown ? Omit<E, 't' | 'i'> : never;

/** Applies events given without steps and times: step k at k ms. */
function run(events: Untimed[], state = initialState(header({ nodes: 3, controllers: 'combined' }))): DerivedState {
  for (const ev of events) applyEvent(state, { t: state.step + 1, i: state.step + 1, ...ev } as EventLine);
  return state;
}

const at = { topic: 'orders', partition: 0 };

describe('initialState', () => {
  it('names the combined cluster b1..bN', () => {
    expect(Object.keys(initialState(header({ nodes: 3, controllers: 'combined' })).nodes)).toEqual(['b1', 'b2', 'b3']);
  });

  it('adds dedicated controllers c1..cM', () => {
    expect(Object.keys(initialState(header({ nodes: 2, controllers: 3 })).nodes)).toEqual(['b1', 'b2', 'c1', 'c2', 'c3']);
  });

  it('starts empty without a scenario, and nodes appear when first seen', () => {
    const state = initialState(header(null));
    expect(state).toEqual({ row: -1, step: -1, t: 0, nodes: {}, partitions: {}, cutLinks: [], groups: {} });
    run([{ kind: 'start', node: 'x1', incarnation: 1 }], state);
    expect(state.nodes.x1).toEqual({
      id: 'x1',
      up: true,
      incarnation: 1,
      raft: null,
      metadataOffset: 0,
      controllerActive: false,
      broker: null,
      clockSkewMs: 0,
      paused: false,
    });
  });
});

describe('replica logs', () => {
  const replica = (state: DerivedState, node = 'b1'): ReplicaState => state.partitions['orders/0']!.replicas[node]!;

  it('appends batches into epoch runs, merging runs of the same epoch', () => {
    const state = run([
      {
        kind: 'partition-append',
        node: 'b1',
        ...at,
        batches: [
          [0, 2, 0, 11],
          [3, 3, 0, 12],
        ],
      },
      { kind: 'partition-append', node: 'b1', ...at, batches: [[4, 6, 1, 13]] },
      {
        kind: 'partition-append',
        node: 'b1',
        ...at,
        batches: [
          [7, 9, 1, 14],
          [10, 10, 3, 15],
        ],
      },
    ]);
    expect(replica(state)).toEqual({
      node: 'b1',
      role: 'none',
      leader: null,
      leaderEpoch: -1,
      logStartOffset: 0,
      leo: 11,
      highWatermark: 0,
      epochRuns: [
        [0, 0],
        [4, 1],
        [10, 3],
      ],
      isr: null,
      pendingIsr: null,
      partitionEpoch: null,
      exposed: false,
    });
    expect(state.step).toBe(2);
    expect(state.t).toBe(2);
  });

  it('truncates runs and the log end; a truncation inside a run keeps the run', () => {
    const state = run([
      {
        kind: 'partition-append',
        node: 'b1',
        ...at,
        batches: [
          [0, 4, 0, 1],
          [5, 9, 1, 2],
          [10, 14, 2, 3],
        ],
      },
      { kind: 'partition-truncate', node: 'b1', ...at, endOffset: 7 },
    ]);
    expect(replica(state)).toMatchObject({
      leo: 7,
      epochRuns: [
        [0, 0],
        [5, 1],
      ],
    });
    run([{ kind: 'partition-truncate', node: 'b1', ...at, endOffset: 5 }], state);
    expect(replica(state)).toMatchObject({ leo: 5, epochRuns: [[0, 0]] });
    run([{ kind: 'partition-append', node: 'b1', ...at, batches: [[5, 5, 3, 4]] }], state);
    expect(replica(state)).toMatchObject({
      leo: 6,
      epochRuns: [
        [0, 0],
        [5, 3],
      ],
    });
  });

  it('recovery replaces the log and sets the high watermark', () => {
    const state = run([
      {
        kind: 'partition-append',
        node: 'b1',
        ...at,
        batches: [
          [0, 4, 0, 1],
          [5, 9, 1, 2],
        ],
      },
      { kind: 'partition-hw', node: 'b1', ...at, highWatermark: 9, role: 'leader', leaderEpoch: 1, exposed: true },
      { kind: 'crash', node: 'b1', reason: 'kill', disk: [] },
      {
        kind: 'partition-recover',
        node: 'b1',
        ...at,
        batches: [
          [0, 2, 0, 1],
          [3, 3, 2, 7],
        ],
        tornBytes: 0,
        highWatermark: 3,
      },
    ]);
    expect(replica(state)).toMatchObject({
      leo: 4,
      highWatermark: 3,
      epochRuns: [
        [0, 0],
        [3, 2],
      ],
      role: 'leader',
      exposed: true,
    });
    run([{ kind: 'partition-recover', node: 'b1', ...at, batches: [], tornBytes: 12, highWatermark: 0 }], state);
    expect(replica(state)).toMatchObject({ leo: 0, highWatermark: 0, epochRuns: [] });
  });

  it('takes the log start offset from the first batch of a log that held nothing, or of a recovered one', () => {
    const state = run([
      { kind: 'partition-append', node: 'b1', ...at, batches: [[40, 44, 3, 1]] },
      { kind: 'partition-append', node: 'b1', ...at, batches: [[45, 49, 3, 2]] },
    ]);
    expect(replica(state)).toMatchObject({ logStartOffset: 40, leo: 50 });
    run([{ kind: 'partition-truncate', node: 'b1', ...at, endOffset: 45 }], state);
    run([{ kind: 'partition-append', node: 'b1', ...at, batches: [[45, 46, 4, 3]] }], state);
    expect(replica(state)).toMatchObject({ logStartOffset: 40, leo: 47 });
    run([{ kind: 'partition-recover', node: 'b1', ...at, batches: [[20, 29, 2, 4]], tornBytes: 0, highWatermark: 25 }], state);
    expect(replica(state)).toMatchObject({ logStartOffset: 20, leo: 30 });
    run([{ kind: 'partition-recover', node: 'b1', ...at, batches: [], tornBytes: 0, highWatermark: 0 }], state);
    expect(replica(state)).toMatchObject({ logStartOffset: 0, leo: 0 });
  });

  it('moves the log start: runs wholly below it go; past the log end the log starts again there, empty; a recovery brings it back', () => {
    const state = run([
      {
        kind: 'partition-append',
        node: 'b1',
        ...at,
        batches: [
          [0, 4, 0, 1],
          [5, 9, 1, 2],
          [10, 14, 2, 3],
        ],
      },
      { kind: 'partition-log-start', node: 'b1', ...at, logStartOffset: 7, cause: 'delete-records' },
    ]);
    expect(replica(state)).toMatchObject({
      logStartOffset: 7,
      leo: 15,
      epochRuns: [
        [5, 1],
        [10, 2],
      ],
    });
    run([{ kind: 'partition-log-start', node: 'b1', ...at, logStartOffset: 20, cause: 'leader' }], state);
    expect(replica(state)).toMatchObject({ logStartOffset: 20, leo: 20, epochRuns: [] });
    run([{ kind: 'partition-recover', node: 'b1', ...at, batches: [[20, 29, 3, 4]], tornBytes: 0, highWatermark: 25, logStartOffset: 22 }], state);
    expect(replica(state)).toMatchObject({ logStartOffset: 22, leo: 30 });
  });

  it("takes roles, high watermarks and the leader's ISR view; a demoted leader drops its ISR view", () => {
    const state = run([
      { kind: 'partition-role', node: 'b1', ...at, role: 'leader', leader: 'b1', leaderEpoch: 2 },
      { kind: 'partition-isr', node: 'b1', ...at, isr: ['b1', 'b2', 'b3'], pendingIsr: null, partitionEpoch: 4 },
      { kind: 'partition-isr', node: 'b1', ...at, isr: ['b1', 'b2', 'b3'], pendingIsr: ['b1', 'b2'], partitionEpoch: 4 },
      { kind: 'partition-hw', node: 'b1', ...at, highWatermark: 0, role: 'leader', leaderEpoch: 2, exposed: true },
    ]);
    expect(replica(state)).toMatchObject({
      role: 'leader',
      leader: 'b1',
      leaderEpoch: 2,
      isr: ['b1', 'b2', 'b3'],
      pendingIsr: ['b1', 'b2'],
      partitionEpoch: 4,
      exposed: true,
    });
    run([{ kind: 'partition-isr', node: 'b1', ...at, isr: ['b1', 'b2'], pendingIsr: null, partitionEpoch: 5 }], state);
    expect(replica(state)).toMatchObject({ isr: ['b1', 'b2'], pendingIsr: null, partitionEpoch: 5 });
    run([{ kind: 'partition-role', node: 'b1', ...at, role: 'follower', leader: 'b2', leaderEpoch: 3 }], state);
    expect(replica(state)).toMatchObject({ role: 'follower', leader: 'b2', leaderEpoch: 3, isr: null, pendingIsr: null, partitionEpoch: null, exposed: false });
    run([{ kind: 'partition-role', node: 'b1', ...at, role: 'none', leader: 'b2', leaderEpoch: 4 }], state);
    expect(replica(state)).toMatchObject({ role: 'none', leader: 'b2', leaderEpoch: 4 });
  });
});

describe('the controller-committed partition view', () => {
  it('follows partition-change and never goes back to an older partition epoch', () => {
    const change = (node: string, leader: string, isr: string[], leaderEpoch: number, partitionEpoch: number) => ({
      kind: 'partition-change' as const,
      node,
      ...at,
      leader,
      isr,
      leaderEpoch,
      partitionEpoch,
    });
    const state = run([
      change('b1', 'b1', ['b1', 'b2', 'b3'], 0, 0),
      change('b1', 'b1', ['b1', 'b2'], 0, 1),
      change('b2', 'b2', ['b2'], 1, 2),
      change('b3', 'b1', ['b1', 'b2', 'b3'], 0, 0), // a lagging image
      change('b3', 'b1', ['b1', 'b2'], 0, 1),
    ]);
    expect(state.partitions['orders/0']).toEqual({
      key: 'orders/0',
      topic: 'orders',
      partition: 0,
      leader: 'b2',
      isr: ['b2'],
      leaderEpoch: 1,
      partitionEpoch: 2,
      replicas: {},
    });
  });
});

describe('nodes', () => {
  it('tracks raft, metadata, controller and broker state', () => {
    const state = run([
      {
        kind: 'raft-recover',
        node: 'b1',
        startOffset: 0,
        endOffset: 3,
        snapshotEpoch: null,
        tornBytes: 0,
        entries: [
          [1, 5],
          [1, 6],
          [1, 7],
        ],
      },
      { kind: 'raft-state', node: 'b1', epoch: 2, role: 'leader', leader: 'b1', votedFor: 'b1', voter: true },
      {
        kind: 'raft-append',
        node: 'b1',
        offset: 3,
        entries: [
          [2, 8],
          [2, 9],
        ],
      },
      { kind: 'raft-hw', node: 'b1', highWatermark: 5, epoch: 2, role: 'leader' },
      { kind: 'raft-truncate', node: 'b1', endOffset: 4, highWatermark: 4 },
      { kind: 'metadata-apply', node: 'b1', endOffset: 4 },
      { kind: 'controller-active', node: 'b1', active: true, epoch: 2 },
      { kind: 'broker-state', node: 'b1', brokerEpoch: 7, fenced: false },
      { kind: 'clock-skew', node: 'b1', offsetMs: 250 },
    ]);
    expect(state.nodes.b1).toEqual({
      id: 'b1',
      up: false,
      incarnation: 0,
      raft: { epoch: 2, role: 'leader', leader: 'b1', votedFor: 'b1', voter: true, endOffset: 4, highWatermark: 4 },
      metadataOffset: 4,
      controllerActive: true,
      broker: { brokerEpoch: 7, fenced: false },
      clockSkewMs: 250,
      paused: false,
    });
  });

  it('goes down on a crash keeping its logs, and up again on a restart', () => {
    const state = run([
      { kind: 'start', node: 'b2', incarnation: 1 },
      { kind: 'controller-active', node: 'b2', active: true, epoch: 1 },
      { kind: 'partition-append', node: 'b2', ...at, batches: [[0, 1, 0, 1]] },
      { kind: 'crash', node: 'b2', reason: 'kill', disk: [] },
    ]);
    expect(state.nodes.b2).toMatchObject({ up: false, incarnation: 1, controllerActive: false });
    expect(state.partitions['orders/0']!.replicas.b2).toMatchObject({ leo: 2, epochRuns: [[0, 0]] });
    run([{ kind: 'restart', node: 'b2', incarnation: 2 }], state);
    expect(state.nodes.b2).toMatchObject({ up: true, incarnation: 2 });
  });

  it('changes nothing but the position for every kind it declares stateless', () => {
    for (const kind of KINDS_WITHOUT_STATE) {
      const before = run([
        { kind: 'start', node: 'b1', incarnation: 1 },
        { kind: 'partition-change', node: 'b1', topic: 'orders', partition: 0, leader: 'b1', isr: ['b1'], leaderEpoch: 0, partitionEpoch: 0 },
      ]);
      const after = cloneState(before);
      // One object with the fields of every stateless kind, typed as any of them.
      applyEvent(after, { t: 9, i: 9, kind, node: 'b1', from: 'b2', to: 'b2', m: 0, links: 'all', config: {}, fault: 'torn-write' } as unknown as EventLine);
      expect({ ...after, row: before.row, step: before.step, t: before.t }, kind).toEqual(before);
    }
  });

  it('ignores kinds that change nothing here, but still moves to their step', () => {
    const state = run([
      { kind: 'send', node: 'b1', to: 'b2', m: 0, msg: { api: 'Fetch', kind: 'request' }, at: 5 },
      { kind: 'timer', node: 'b1', tag: 'x' },
      { kind: 'client', node: 'p1', op: 'send', type: 'invoke', id: 1 },
      { kind: 'mystery' } as unknown as Untimed, // a kind the schema does not know
    ]);
    expect(state).toEqual({ ...initialState(header({ nodes: 3, controllers: 'combined' })), row: 3, step: 3, t: 3 });
  });
});

describe('consumer groups', () => {
  const g1 = (state: DerivedState): GroupState => state.groups.g1!;
  const groupState = (node: string, state: string, generation: number, members: string[]) => ({
    kind: 'group-state' as const,
    node,
    group: 'g1',
    state,
    generation,
    protocol: generation > 0 ? 'range' : null,
    leader: members[0] ?? null,
    members,
  });
  /** A consumer's history entry done at once (invoke then ok), as the consumer records subscribe, assignment and revoke. */
  const done = (client: string, op: string, value: Record<string, unknown>): Untimed[] => [
    { kind: 'client', node: client, op, type: 'invoke', id: 1, value },
    { kind: 'client', node: client, op, type: 'ok', id: 1, value },
  ];
  const assignment = (client: string, generation: number, partitions: Array<[string, number]>) =>
    done(client, 'assignment', { group: 'g1', generation, member: `${client}-m${generation}`, partitions });
  const revoke = (client: string, generation: number, partitions: Array<[string, number]>, lost: boolean) =>
    done(client, 'revoke', { group: 'g1', generation, partitions, lost });

  it("takes the coordinator's state, generation, protocol, leader and members, and follows the coordinator when it moves", () => {
    const state = run([groupState('b1', 'PreparingRebalance', 0, ['c1-m']), groupState('b1', 'Stable', 1, ['c1-m', 'c2-m'])]);
    expect(g1(state)).toEqual({
      group: 'g1',
      coordinator: 'b1',
      state: 'Stable',
      generation: 1,
      protocol: 'range',
      leader: 'c1-m',
      members: ['c1-m', 'c2-m'],
      consumers: {},
      offsets: {},
      changedStep: 1,
    });
    run([{ kind: 'group-load', node: 'b2', partition: 2, leaderEpoch: 1, groups: ['g1'], offsets: 4 }], state);
    expect(g1(state)).toMatchObject({ coordinator: 'b2', state: 'Stable', generation: 1, changedStep: 2 });
    run([{ kind: 'group-load', node: 'b3', partition: 4, leaderEpoch: 1, groups: [], offsets: 0 }], state);
    expect(g1(state)).toMatchObject({ coordinator: 'b2', changedStep: 2 });
  });

  it("an assignment is the client's whole assignment, a revocation removes partitions, a loss resets the generation", () => {
    const state = run([
      ...done('c1', 'subscribe', { group: 'g1', topics: ['orders'] }),
      ...assignment('c1', 1, [
        ['orders', 0],
        ['orders', 1],
        ['orders', 2],
      ]),
    ]);
    expect(g1(state).consumers.c1).toEqual({
      client: 'c1',
      memberId: 'c1-m1',
      generation: 1,
      partitions: [
        ['orders', 0],
        ['orders', 1],
        ['orders', 2],
      ],
      lastCommit: null,
    });
    expect(g1(state).changedStep).toBe(3);
    run(revoke('c1', 1, [['orders', 2]], false), state);
    expect(g1(state).consumers.c1).toMatchObject({
      generation: 1,
      partitions: [
        ['orders', 0],
        ['orders', 1],
      ],
    });
    run(assignment('c1', 2, [['orders', 5]]), state);
    expect(g1(state).consumers.c1).toMatchObject({ memberId: 'c1-m2', generation: 2, partitions: [['orders', 5]] });
    run(revoke('c1', -1, [['orders', 5]], true), state);
    expect(g1(state).consumers.c1).toMatchObject({ memberId: 'c1-m2', generation: -1, partitions: [] });
  });

  it('an invocation alone assigns nothing, and operations outside the group ones change nothing', () => {
    const state = run([
      { kind: 'client', node: 'c1', op: 'assignment', type: 'invoke', id: 1, value: { group: 'g1', generation: 1, member: 'm', partitions: [['orders', 0]] } },
    ]);
    expect(g1(state).consumers).toEqual({});
    const before = cloneState(state);
    run(
      [
        { kind: 'client', node: 'c1', op: 'poll', type: 'ok', id: 2, value: { group: 'g1', records: [] } },
        { kind: 'client', node: 'c1', op: 'seek', type: 'ok', id: 3, value: { topic: 'orders', partition: 0, offset: 0 } },
      ],
      state,
    );
    expect({ ...state, row: before.row, step: before.step, t: before.t }).toEqual(before);
    expect([...CLIENT_OPS_WITH_STATE].sort()).toEqual(['assignment', 'commit', 'revoke', 'subscribe']);
  });

  it('a crashed or restarted client owns nothing and has no member id; its group keeps the others', () => {
    const state = run([
      ...assignment('c1', 1, [['orders', 0]]),
      ...assignment('c2', 1, [['orders', 1]]),
      { kind: 'crash', node: 'c1', reason: 'kill', disk: [] },
    ]);
    expect(g1(state).consumers.c1).toMatchObject({ memberId: null, generation: -1, partitions: [] });
    expect(g1(state).consumers.c2).toMatchObject({ memberId: 'c2-m1', generation: 1, partitions: [['orders', 1]] });
    expect(g1(state).changedStep).toBe(4);
    run([...assignment('c2', 2, [['orders', 1]]), { kind: 'restart', node: 'c2', incarnation: 2 }], state);
    expect(g1(state).consumers.c2).toMatchObject({ memberId: null, generation: -1, partitions: [] });
  });

  it("keeps the offsets the coordinator committed per topic/partition with their generation, and each client's last commit", () => {
    const commit = (generation: number, member: string, offsets: Array<[string, number, number]>) => ({
      kind: 'group-commit' as const,
      node: 'b1',
      group: 'g1',
      generation,
      member,
      offsets,
    });
    const value = { group: 'g1', generation: 1, member: 'c1-m1', offsets: [['orders', 0, 7]] };
    const state = run([
      { kind: 'client', node: 'c1', op: 'commit', type: 'invoke', id: 4, value },
      commit(1, 'c1-m1', [
        ['orders', 0, 7],
        ['orders', 1, 3],
      ]),
      { kind: 'client', node: 'c1', op: 'commit', type: 'ok', id: 4, value },
      commit(2, 'c2-m2', [['orders', 1, 9]]),
      { kind: 'client', node: 'c1', op: 'commit', type: 'info', id: 5, value, error: 'NOT_COORDINATOR' },
    ]);
    expect(g1(state).offsets).toEqual({
      'orders/0': { topic: 'orders', partition: 0, offset: 7, generation: 1, member: 'c1-m1', step: 1 },
      'orders/1': { topic: 'orders', partition: 1, offset: 9, generation: 2, member: 'c2-m2', step: 3 },
    });
    expect(g1(state).coordinator).toBe('b1');
    expect(g1(state).consumers.c1!.lastCommit).toEqual({ type: 'info', error: 'NOT_COORDINATOR', step: 4 });
  });

  it('finds a partition owned by two clients at once', () => {
    const state = run([
      ...assignment('c1', 1, [
        ['orders', 0],
        ['orders', 1],
      ]),
      ...assignment('c2', 2, [
        ['orders', 1],
        ['orders', 2],
      ]),
    ]);
    expect(partitionOwners(g1(state))).toEqual(
      new Map([
        ['orders/0', ['c1']],
        ['orders/1', ['c1', 'c2']],
        ['orders/2', ['c2']],
      ]),
    );
    run(revoke('c1', 1, [['orders', 1]], false), state);
    expect(partitionOwners(g1(state)).get('orders/1')).toEqual(['c2']);
  });
});

describe('cut links', () => {
  it("adds a partition's directed cuts and removes healed ones, or all", () => {
    const state = run([
      {
        kind: 'partition',
        groups: [['b1'], ['b2', 'b3']],
        oneWay: false,
        cut: [
          ['b1', 'b2'],
          ['b1', 'b3'],
          ['b2', 'b1'],
          ['b3', 'b1'],
        ],
      },
      {
        kind: 'partition',
        groups: [['b2'], ['b3']],
        oneWay: true,
        cut: [
          ['b2', 'b3'],
          ['b1', 'b2'],
        ],
      },
      {
        kind: 'heal',
        links: [
          ['b1', 'b2'],
          ['b3', 'b1'],
        ],
      },
    ]);
    expect(state.cutLinks).toEqual([
      ['b1', 'b3'],
      ['b2', 'b1'],
      ['b2', 'b3'],
    ]);
    run([{ kind: 'heal', links: 'all' }], state);
    expect(state.cutLinks).toEqual([]);
  });
});

describe('a real quickstart run', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'samsa-viz-state-')), 'quickstart.jsonl');
  runScenario(loadScenario(join(root, 'scenarios/quickstart.yaml'), { knownBugs: KNOWN_BUGS }), { trace: new FileSink(path) });
  const [first, ...rest] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const events = rest.map((l) => JSON.parse(l) as EventLine | TraceSummary).filter((ev): ev is EventLine => ev.kind !== 'summary');
  const state = initialState(JSON.parse(first!) as TraceHeader);
  let checkpoint: DerivedState | null = null;
  for (const ev of events) {
    applyEvent(state, ev);
    if (ev.i === 2_000) checkpoint = cloneState(state);
  }

  it('ends with every node up, every partition led, and sane replica logs', () => {
    expect(state.step).toBe(events[events.length - 1]!.i);
    expect(Object.values(state.nodes).every((n) => n.up)).toBe(true);
    expect(
      Object.keys(state.partitions)
        .filter((p) => p.startsWith('orders/'))
        .sort(),
    ).toEqual(['orders/0', 'orders/1', 'orders/2']);
    expect(Object.keys(state.partitions).filter((p) => p.startsWith('__consumer_offsets/'))).toHaveLength(5);
    expect(state.cutLinks).toEqual([]);
    for (const p of Object.values(state.partitions)) {
      expect(p.leader).not.toBeNull();
      expect(p.replicas[p.leader!]!.role).toBe('leader');
      for (const r of Object.values(p.replicas)) {
        expect(r.highWatermark).toBeLessThanOrEqual(r.leo);
        const starts = r.epochRuns.map(([start]) => start);
        const epochs = r.epochRuns.map(([, epoch]) => epoch);
        expect(starts).toEqual([...starts].sort((a, b) => a - b));
        expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
        expect(new Set(starts).size).toBe(starts.length);
        if (starts.length > 0) expect(starts[starts.length - 1]!).toBeLessThan(r.leo);
      }
    }
  });

  it('cloneState copies equal and shares nothing', () => {
    expect(checkpoint).not.toBeNull();
    const copy = cloneState(state);
    expect(copy).toEqual(state);
    const snapshot = JSON.stringify(state);
    for (const n of Object.values(copy.nodes)) {
      n.up = false;
      if (n.raft !== null) n.raft.epoch = -5;
      if (n.broker !== null) n.broker.fenced = true;
    }
    for (const p of Object.values(copy.partitions)) {
      p.isr.push('zz');
      for (const r of Object.values(p.replicas)) {
        r.epochRuns.push([999, 999]);
        if (r.epochRuns[0] !== undefined) r.epochRuns[0][1] = -1;
        r.isr?.push('zz');
      }
    }
    copy.cutLinks.push(['a', 'b']);
    expect(JSON.stringify(state)).toBe(snapshot);
  });

  it('replays from a checkpoint to the same end state', () => {
    const resumed = cloneState(checkpoint!);
    for (const ev of events) if (ev.i > checkpoint!.step) applyEvent(resumed, ev);
    expect(resumed).toEqual(state);
  });
});

describe('a real consumer-group run', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'samsa-viz-state-')), 'consumer-group.jsonl');
  runScenario(loadScenario(join(root, 'scenarios/consumer-group.yaml'), { knownBugs: KNOWN_BUGS }), { trace: new FileSink(path) });
  const [first, ...rest] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const events = rest.map((l) => JSON.parse(l) as EventLine | TraceSummary).filter((ev): ev is EventLine => ev.kind !== 'summary');
  const state = initialState(JSON.parse(first!) as TraceHeader);
  const middle = events[Math.floor(events.length / 2)]!.i;
  let checkpoint: DerivedState | null = null;
  for (const ev of events) {
    applyEvent(state, ev);
    if (ev.i === middle) checkpoint = cloneState(state);
  }
  const group = state.groups.g1!;

  it('ends Stable in one generation at the new coordinator, each member owning two partitions, none twice', () => {
    expect(group).toMatchObject({ state: 'Stable', generation: 1, protocol: 'range' });
    // The coordinator crashed at 15 s; the new one is another broker, up at the end.
    expect(group.coordinator).not.toBeNull();
    expect(state.nodes[group.coordinator!]!.up).toBe(true);
    expect(Object.keys(group.consumers).sort()).toEqual(['c1', 'c2', 'c3']);
    for (const consumer of Object.values(group.consumers)) {
      expect(consumer.generation).toBe(1);
      expect(group.members).toContain(consumer.memberId);
      expect(consumer.partitions).toHaveLength(2);
    }
    expect([...partitionOwners(group).values()].every((owners) => owners.length === 1)).toBe(true);
    expect(Object.keys(group.offsets).sort()).toEqual(['orders/0', 'orders/1', 'orders/2', 'orders/3', 'orders/4', 'orders/5']);
    for (const committed of Object.values(group.offsets)) {
      expect(committed.generation).toBe(1);
      expect(committed.offset).toBeGreaterThan(0);
      expect(committed.offset).toBeLessThanOrEqual(state.partitions[`orders/${committed.partition}`]!.replicas[group.coordinator!]!.leo);
    }
  });

  it('cloneState copies the groups equal and shares nothing', () => {
    const copy = cloneState(state);
    expect(copy).toEqual(state);
    const snapshot = JSON.stringify(state.groups);
    const copied = copy.groups.g1!;
    copied.members.push('zz');
    for (const consumer of Object.values(copied.consumers)) {
      consumer.partitions[0]![1] = 99;
      consumer.partitions.push(['zz', 0]);
      if (consumer.lastCommit !== null) consumer.lastCommit.step = -5;
    }
    for (const committed of Object.values(copied.offsets)) committed.offset = -1;
    expect(JSON.stringify(state.groups)).toBe(snapshot);
  });

  it('replays from a checkpoint to the same end state', () => {
    const resumed = cloneState(checkpoint!);
    for (const ev of events) if (ev.i > checkpoint!.step) applyEvent(resumed, ev);
    expect(resumed).toEqual(state);
  });
});
