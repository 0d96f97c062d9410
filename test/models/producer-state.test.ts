// producer-state-consistent on hand-made broker traces: quiet while each reported producer state is
// what the replica's log rebuilds to, and reporting a state that its log does not rebuild.
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeEvents, ObservedEvent, ProducerBatchSummary, ProducerEntrySummary } from '../../core/trace/schema.ts';
import { CheckerSuite, SAFETY_CHECKERS } from '../../models/checker-suite.ts';

type Ev = ObservedEvent;
type Cause = NodeEvents['producer-state']['cause'];

const at0 = { topic: 'orders', partition: 0 };
const PID = 65536;
const OTHER = 131072;

let suite: CheckerSuite;
let step: number;

beforeEach(() => {
  suite = new CheckerSuite();
  step = 0;
});

/** One kernel step on `node`: its events in order, then the step-end checks. */
function on(node: string, ...events: Ev[]): number {
  const s = step++;
  for (const e of events) suite.observe(s, node, e);
  suite.endStep(s);
  return s;
}

/** An idempotent batch of `pid` at offsets base..last with sequences from `seq`, as the log holds it. */
const pb = (base: number, last: number, pid = PID, seq = base, epoch = 0): ProducerBatchSummary => [base, last, pid, epoch, seq];
/** The same batch as partition events show it: [baseOffset, lastOffset, leaderEpoch, hash]. */
const summary = ([base, last, pid, , seq]: ProducerBatchSummary): [number, number, number, number] => [base, last, 0, pid + seq];
/** A producer's entry as the state keeps it, from its batches. */
const entry = (pid: number, epoch: number, ...batches: ProducerBatchSummary[]): ProducerEntrySummary => [
  pid,
  epoch,
  batches.map(([base, last, , , seq]): [number, number, number, number] => [seq, seq + last - base, base, last]),
];
const append = (...batches: ProducerBatchSummary[]): Ev => ({ kind: 'partition-append', ...at0, batches: batches.map(summary) });
const truncate = (endOffset: number): Ev => ({ kind: 'partition-truncate', ...at0, endOffset });
const recover = (...batches: ProducerBatchSummary[]): Ev => ({
  kind: 'partition-recover',
  ...at0,
  batches: batches.map(summary),
  tornBytes: 0,
  highWatermark: 0,
});
const producers = (cause: Cause, state: ProducerEntrySummary[], log: ProducerBatchSummary[]): Ev => ({
  kind: 'producer-state',
  ...at0,
  cause,
  producers: state,
  log,
});

const tripped = () => suite.violations.filter((v) => v.name === 'producer-state-consistent');

describe('producer-state-consistent', () => {
  const b = [pb(0, 1), pb(2, 3), pb(4, 4), pb(5, 6), pb(7, 8), pb(9, 9)];

  it('accepts a state that its log rebuilds to: after recovery, on becoming leader and after a truncation', () => {
    on('b1', recover(b[0]!, b[1]!), producers('recover', [entry(PID, 0, b[0]!, b[1]!)], [b[0]!, b[1]!]));
    on('b1', append(...b.slice(2)));
    // Only the last five batches are kept, and the log view lists only those.
    on('b1', producers('leader', [entry(PID, 0, ...b.slice(1))], b.slice(1)));
    on('b1', truncate(5), producers('truncate', [entry(PID, 0, ...b.slice(0, 3))], b.slice(0, 3)));
    expect(tripped()).toEqual([]);
  });

  it('rebuilds a new producer epoch afresh and keeps several producers apart', () => {
    const bumped = pb(5, 6, PID, 0, 1);
    const other = pb(7, 7, OTHER, 3);
    on('b2', append(b[0]!, b[1]!, b[2]!, bumped, other));
    on('b2', producers('leader', [entry(PID, 1, bumped), entry(OTHER, 0, other)], [b[0]!, b[1]!, b[2]!, bumped, other]));
    expect(tripped()).toEqual([]);
  });

  it('takes a transaction marker as an epoch and no batch: a fencing marker with a newer epoch empties the entry', () => {
    const marker: ProducerBatchSummary = [5, 5, PID, 1, -1, 'marker'];
    on('b2', append(b[0]!, b[1]!, marker));
    on('b2', producers('leader', [[PID, 1, []]], [b[0]!, b[1]!, marker]));
    expect(tripped()).toEqual([]);
    // Read as a batch the marker would have been kept: a state holding it is not what the log rebuilds.
    on('b2', producers('leader', [entry(PID, 1, pb(5, 5, PID, -1, 1))], [b[0]!, b[1]!, marker]));
    expect(tripped()).toHaveLength(1);
  });

  it('reports a state that forgot the producers its log still holds after a truncation, naming the replica', () => {
    on('b2', append(...b.slice(0, 4)));
    const s = on('b2', truncate(5), producers('truncate', [], b.slice(0, 3)));
    const [v] = tripped();
    expect(tripped()).toHaveLength(1);
    expect(v!.step).toBe(s);
    expect(v!.nodes).toEqual(['b2']);
    expect(v!.message).toContain('after truncating its log');
    expect(v!.message).toContain(`producer ${PID}: nothing, its log rebuilds epoch 0, sequences 0-1 at 0..1, 2-3 at 2..3, 4-4 at 4..4`);
    expect(v!.values).toMatchObject({ partition: 'orders/0', cause: 'truncate', producerIds: [PID] });
  });

  it('accepts a state that still knows batches below the log start (deleted on purpose), and nothing more', () => {
    on('b1', append(...b.slice(0, 4)));
    on('b1', { kind: 'partition-log-start', ...at0, logStartOffset: 4, cause: 'retention' });
    on('b1', producers('leader', [entry(PID, 0, ...b.slice(0, 4))], b.slice(2, 4)));
    expect(tripped()).toEqual([]);
    // A producer whose every batch went may be forgotten too; but a batch at or past the log start must be in the log.
    on('b1', producers('leader', [entry(PID, 0, ...b.slice(0, 4)), entry(OTHER, 0, pb(1, 1, OTHER))], b.slice(2, 4)));
    expect(tripped()).toEqual([]);
    on('b1', producers('leader', [entry(PID, 0, ...b.slice(0, 4))], b.slice(2, 3)));
    expect(tripped()).toHaveLength(1);
  });

  it('reports a state that still holds batches the truncation removed', () => {
    on('b3', append(...b.slice(0, 4)));
    on('b3', truncate(5), producers('truncate', [entry(PID, 0, ...b.slice(0, 4))], b.slice(0, 3)));
    expect(tripped()).toHaveLength(1);
    expect(tripped()[0]!.message).toContain('5-6 at 5..6');
  });

  it("reports a new leader whose state lags its log, and a producer's epoch that differs", () => {
    on('b1', append(...b.slice(0, 3)));
    on('b1', producers('leader', [entry(PID, 0, b[0]!, b[1]!)], b.slice(0, 3)));
    on('b2', append(b[0]!));
    on('b2', producers('leader', [entry(PID, 1, b[0]!)], [b[0]!]));
    expect(tripped().map((v) => v.nodes)).toEqual([['b1'], ['b2']]);
    expect(tripped()[0]!.message).toContain('on becoming leader');
  });

  it("reports a rebuild from a batch that the replica's log, as its events show it, does not hold", () => {
    on('b1', append(b[0]!));
    on('b1', producers('recover', [entry(PID, 0, b[0]!, b[1]!)], [b[0]!, b[1]!]));
    const [v] = tripped();
    expect(v!.message).toBe('b1 rebuilds its producer state of orders/0 after recovering its log from a batch at 2..3 that its log does not hold');
  });

  it('is one of the safety checkers', () => {
    expect(SAFETY_CHECKERS.map((c) => c.name)).toContain('producer-state-consistent');
  });

  it("on a compacted log, counts a batch of the state that a clean dropped as the log's, and no other missing batch", () => {
    // A clean of [0, 5) keeps the batch at 2..3 only (4..4 was rewritten: a new hash, same offsets).
    const cleaned = [summary(b[1]!), [4, 4, 0, 999] as [number, number, number, number]];
    on('b1', append(...b.slice(0, 4)));
    on('b1', { kind: 'partition-clean', ...at0, baseOffset: 0, endOffset: 5, batches: cleaned });
    on('b1', producers('leader', [entry(PID, 0, ...b.slice(0, 4))], b.slice(1, 4)));
    expect(tripped()).toEqual([]);
    // A state batch at offsets no clean dropped (0..0 is not the dropped 0..1) is still the log's to show.
    on('b1', producers('leader', [entry(PID, 0, pb(0, 0), ...b.slice(1, 4))], b.slice(1, 4)));
    expect(tripped()).toHaveLength(1);
  });
});
