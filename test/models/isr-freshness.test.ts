// isr-freshness on hand-made broker traces with a hand-turned clock: a follower left behind in the
// ISR is reported (as liveness) once lag plus check interval plus slack has passed with no ISR
// change in flight; a change in flight, a caught-up follower, a clock set back and a follower whose
// log lately went down are not.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ObservedEvent, TraceObserver } from '../../core/trace/schema.ts';
import type { CheckerHost } from '../../models/checker-host.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { LIVENESS_CHECKERS } from '../../models/checkers/liveness.ts';

const LAG_MS = 2_000;
/** Lag, plus the check interval (lag / 2), plus the checker's slack of 1 s. */
const WINDOW_MS = 4_000;
const at0 = { topic: 'orders', partition: 0 };

class Clock implements CheckerHost {
  now = 0;
  step = 0;
  private readonly observers: TraceObserver[] = [];
  private readonly listeners: Array<() => void> = [];
  observe(observer: TraceObserver): void {
    this.observers.push(observer);
  }
  onStep(listener: () => void): void {
    this.listeners.push(listener);
  }
  record(): void {}
  /** At `now`, events on `node`, then the step-end checks. */
  at(now: number, node: string, ...events: ObservedEvent[]): void {
    this.now = now;
    for (const e of events) for (const o of this.observers) o(this.step, node, e);
    for (const l of this.listeners) l();
    this.step++;
  }
  /** Time passes with nothing happening but a step on some other node. */
  tick(until: number): void {
    for (let t = this.now + 100; t <= until; t += 100) this.at(t, 'c1');
  }
}

const append = (last: number): ObservedEvent => ({ kind: 'partition-append', ...at0, batches: [[last, last, 0, last]] });
const leader = (): ObservedEvent => ({ kind: 'partition-role', ...at0, role: 'leader', leader: 'b1', leaderEpoch: 0 });
const isr = (members: string[], pending: string[] | null = null): ObservedEvent => ({
  kind: 'partition-isr',
  ...at0,
  isr: members,
  pendingIsr: pending,
  partitionEpoch: 0,
});

let suite: CheckerSuite;
let clock: Clock;

beforeEach(() => {
  suite = new CheckerSuite({ replicaLagTimeMaxMs: LAG_MS });
  clock = new Clock();
  suite.attach(clock);
  // b1 leads with b2 and b3 in its ISR; all three hold offsets 0..9.
  clock.at(0, 'b1', leader(), isr(['b1', 'b2', 'b3']), append(9));
  clock.at(1, 'b2', append(9));
  clock.at(2, 'b3', append(9));
});

const reports = () => suite.violations.filter((v) => v.name === 'isr-freshness');

describe('isr-freshness', () => {
  it('is a liveness check', () => {
    expect(LIVENESS_CHECKERS.map((c) => c.name)).toContain('isr-freshness');
  });

  it('reports a follower left in the ISR behind what the leader had a window ago, as liveness, once', () => {
    clock.at(500, 'b1', append(20));
    clock.at(510, 'b3', append(20));
    clock.tick(500 + WINDOW_MS - 100);
    expect(reports()).toEqual([]);
    clock.tick(500 + WINDOW_MS + 1_000);
    expect(reports()).toHaveLength(1);
    expect(reports()[0]).toMatchObject({ class: 'liveness', nodes: ['b2', 'b1'], values: { followerLogEnd: 10, leaderLogEnd: 21 } });
    clock.tick(20_000);
    expect(reports()).toHaveLength(1);
  });

  it('is quiet while the follower keeps up, and once the leader asked it out', () => {
    clock.at(500, 'b1', append(20));
    clock.at(600, 'b2', append(20));
    clock.at(610, 'b3', append(20));
    clock.tick(10_000);
    clock.at(10_100, 'b1', append(30));
    clock.at(10_200, 'b3', append(30));
    clock.at(12_300, 'b1', isr(['b1', 'b2', 'b3'], ['b1', 'b3']));
    clock.tick(20_000);
    expect(reports()).toEqual([]);
  });

  it('waits a whole window after a refused change before judging again', () => {
    clock.at(500, 'b1', append(20));
    clock.at(510, 'b3', append(20));
    clock.at(2_600, 'b1', isr(['b1', 'b2', 'b3'], ['b1', 'b3']));
    clock.at(3_000, 'b1', isr(['b1', 'b2', 'b3']));
    clock.tick(3_000 + WINDOW_MS - 100);
    expect(reports()).toEqual([]);
    clock.tick(3_000 + WINDOW_MS + 200);
    expect(reports()).toHaveLength(1);
  });

  it("waits out a leader's clock set back, and a follower's log that went down", () => {
    clock.at(500, 'b1', append(20));
    clock.at(510, 'b3', append(20));
    clock.at(520, 'b2', { kind: 'partition-truncate', ...at0, endOffset: 5 });
    clock.at(3_000, 'b1', { kind: 'clock-skew', offsetMs: -5_000 });
    // Settled at 8 s; judged from 8 s + window on (and the follower's drop is long past by then).
    clock.tick(8_000 + WINDOW_MS - 100);
    expect(reports()).toEqual([]);
    clock.tick(8_000 + WINDOW_MS + 200);
    expect(reports()).toHaveLength(1);
    expect(reports()[0]?.values).toMatchObject({ followerLogEnd: 5 });
  });

  it('forgets a leadership when its leader crashes', () => {
    clock.at(500, 'b1', append(20));
    clock.at(600, 'b1', { kind: 'crash', reason: 'kill', disk: [] });
    clock.tick(20_000);
    expect(reports()).toEqual([]);
  });
});
