// Merging a real run's traces (trace/merge.ts), on small hand-written files: lines moved to the run's
// time by each file's wall-clock start and put in time order, steps renumbered, a violation's atStep
// pointed at its new step (and the visualizer draws it there), a killed incarnation followed by a restart
// gets a crash line, a line cut by a kill is dropped, and what is not one real run is refused.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { faultLines } from '../../net/fault-trace.ts';
import type { FaultCommand } from '../../net/fault-network.ts';
import { mergeRealRun, runTraces, splitRealRun, TraceMergeError, UNCLEAN_END } from '../../net/trace-merge.ts';
import { readEventLines } from '../../trace/reader.ts';
import { indexTrace } from '../../viz/server/trace-index.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-trace-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_800_000_000_000;

/** Writes a trace: a header with `config`, event lines (t, kind, fields; steps numbered), and a summary unless `summary` is false. */
function trace(name: string, config: Record<string, unknown>, events: Array<Record<string, unknown>>, summary = true): string {
  const path = join(dir, name);
  const lines = [JSON.stringify({ samsa: 1, scenario: config.node !== undefined ? 'broker' : 'check', seed: 0, config })];
  events.forEach((e, i) => lines.push(JSON.stringify({ t: e.t, i, ...e })));
  if (summary) lines.push(JSON.stringify({ kind: 'summary', steps: events.length, simMs: 0, events: events.length, traceHash: null }));
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const node = (id: string, incarnation: number, startedAtMs: number) => ({ runtime: 'real', node: id, incarnation, startedAtMs });
const role = (t: number, node: string) => ({ t, node, kind: 'raft-state', epoch: 1, role: 'follower', leader: '1', votedFor: '1', voter: true });

describe('mergeRealRun', () => {
  const b1 = trace('b1.jsonl', node('1', 1, T0), [{ t: 0, node: '1', kind: 'start', incarnation: 1 }, role(50, '1'), role(300, '1')]);
  // b2 started 100 ms after b1: its t=10 is the run's 110.
  const b2 = trace('b2.jsonl', node('2', 1, T0 + 100), [{ t: 0, node: '2', kind: 'start', incarnation: 1 }, role(10, '2')], false);
  // b2 killed, then restarted 400 ms after b1 started.
  const b2again = trace('b2.2.jsonl', node('2', 2, T0 + 400), [{ t: 0, node: '2', kind: 'restart', incarnation: 2 }, role(5, '2')], false);
  // The history began 200 ms after b1: a write at 20 and its lost-write verdict at 150, naming step 1 (the ok).
  const history = trace('history.jsonl', { runtime: 'real', startedAt: new Date(T0 + 200).toISOString(), topic: 't' }, [
    { t: 10, node: 'p1', kind: 'client', op: 'send', type: 'invoke', id: 0, value: { values: [['t', 0, 'p1-0', null]] } },
    { t: 20, node: 'p1', kind: 'client', op: 'send', type: 'ok', id: 0, value: { values: [['t', 0, 'p1-0', null]], offsets: [['t', 0, 0]] } },
    { t: 150, kind: 'violation', name: 'lost-write', class: 'safety', atStep: 1, message: 'p1-0 at t/0 offset 0 was lost', nodes: ['p1'], values: {} },
  ]);
  const out = join(dir, 'run.jsonl');
  const result = mergeRealRun([history, b2again, b1, b2], out);
  const lines = [...readEventLines(out)];

  it('puts every line at the run time of its file in time order, steps renumbered from 0', () => {
    expect(lines.map((l) => [l.t, l.node ?? null, l.kind])).toEqual([
      [0, '1', 'start'],
      [50, '1', 'raft-state'],
      [100, '2', 'start'],
      [110, '2', 'raft-state'],
      [110, '2', 'crash'],
      [210, 'p1', 'client'],
      [220, 'p1', 'client'],
      [300, '1', 'raft-state'],
      [350, null, 'violation'],
      [400, '2', 'restart'],
      [405, '2', 'raft-state'],
    ]);
    expect(lines.map((l) => l.i)).toEqual(lines.map((_, i) => i));
    expect(result.events).toBe(lines.length);
  });

  it('gives a killed incarnation that a restart follows a crash at its last line, and the last incarnation none (it may still run)', () => {
    const crashes = lines.filter((l) => l.kind === 'crash');
    expect(crashes).toEqual([{ t: 110, i: 4, node: '2', kind: 'crash', reason: UNCLEAN_END, disk: [] }]);
    expect(result.sources.map((s) => [s.file, s.complete])).toEqual([
      ['b1.jsonl', true],
      ['b2.jsonl', false],
      ['b2.2.jsonl', false],
      ['history.jsonl', true],
    ]);
  });

  it("points a violation's atStep at the new step of the line it names, in the line and in the summary", () => {
    const violation = lines.find((l) => l.kind === 'violation')!;
    expect(violation).toMatchObject({ kind: 'violation', name: 'lost-write', atStep: 6 });
    expect(lines[6]).toMatchObject({ node: 'p1', kind: 'client', type: 'ok' });
    const summary = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({ kind: 'summary', steps: lines.length, scenario: 'real-run', violations: [{ name: 'lost-write', step: 6 }] });
    expect(result.violations).toEqual([{ name: 'lost-write', step: 6 }]);
  });

  it('writes a header that says it is a merged real run, starting at the earliest file', () => {
    const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { scenario: string; config: Record<string, unknown> };
    expect(header.scenario).toBe('real-run');
    expect(header.config).toMatchObject({ runtime: 'real', merged: true, startedAtMs: T0, check: { topic: 't' } });
  });

  it('opens in the visualizer with node and client lanes, the crash and restart marked, and the violation drawn at its step', () => {
    const index = indexTrace(out, 'x', 'run.jsonl');
    expect(index.meta.lanes).toEqual([
      { id: '1', kind: 'node' },
      { id: '2', kind: 'node' },
      { id: 'p1', kind: 'client' },
    ]);
    expect(index.meta.marks.map((m) => m.label)).toEqual([`2 crashed (${UNCLEAN_END})`, '2 restarted (incarnation 2)']);
    expect(index.meta.violations).toHaveLength(1);
    expect(index.meta.violations[0]).toMatchObject({ name: 'lost-write', atStep: 6, atRow: 6, atT: 220 });
    index.checkpoints.stop();
  });
});

describe('what a merge takes and refuses', () => {
  const sub = mkdtempSync(join(dir, 'run-'));
  const inSub = (name: string, config: Record<string, unknown>, events: Array<Record<string, unknown>>, summary = true) => {
    const path = join(sub, name);
    writeFileSync(path, readFileSync(trace(name, config, events, summary)));
    return path;
  };
  const a = inSub('b1.jsonl', node('1', 1, T0), [role(0, '1')]);
  // b2's trace ends in a line cut short (the broker was killed while writing it).
  const b = inSub('b2.jsonl', node('2', 1, T0), [role(1, '2')], false);
  appendFileSync(b, '{"t":2,"i":1,"node":"2","kind":"raft-st');
  const simulated = inSub('sim.jsonl', { setup: 'scenario' }, [role(0, 'b1')]);

  it('finds the real-run traces of a folder, leaving simulated traces out', () => {
    expect(runTraces([sub])).toEqual([a, b]);
    expect(splitRealRun([sub])).toEqual({ real: [a, b], rest: [simulated] });
  });

  it('drops a last line cut by a kill', () => {
    const out = join(dir, 'cut.jsonl');
    expect(mergeRealRun([a, b], out).events).toBe(2);
  });

  it('refuses a simulated trace, two histories, and one incarnation twice', () => {
    expect(() => mergeRealRun([a, simulated], join(dir, 'x.jsonl'))).toThrow(/not a real run's trace/);
    const h1 = trace('h1.jsonl', { runtime: 'real', startedAtMs: T0 }, []);
    const h2 = trace('h2.jsonl', { runtime: 'real', startedAtMs: T0 }, []);
    expect(() => mergeRealRun([a, h1, h2], join(dir, 'x.jsonl'))).toThrow(/more than one client history/);
    const again = trace('b1-copy.jsonl', node('1', 1, T0 + 5), []);
    expect(() => mergeRealRun([a, again], join(dir, 'x.jsonl'))).toThrow(TraceMergeError);
    expect(() => mergeRealRun([a, again], join(dir, 'x.jsonl'))).toThrow(/both node 1's incarnation 1/);
  });
});

/** The run lines of a link fault as the fault control applies it. */
const faultEvents = (fault: FaultCommand) =>
  faultLines({ id: 1, fault, nodes: [], forMs: null, unmatched: [] }, null, ['clients'], () => 0).map((l) => l.event);

describe("a cluster's faults in a merged run", () => {
  it("are the run lines of the faults applied, in the nodes' names", () => {
    expect(faultEvents({ kind: 'partition', groups: [[1], [2, 'clients']] })).toEqual([
      {
        kind: 'partition',
        groups: [['1'], ['2', 'clients']],
        oneWay: false,
        cut: [
          ['1', '2'],
          ['1', 'clients'],
          ['2', '1'],
          ['clients', '1'],
        ],
      },
    ]);
    expect(faultEvents({ kind: 'partition-oneway', from: [1], to: [2, 3] })).toEqual([
      {
        kind: 'partition',
        groups: [['1'], ['2', '3']],
        oneWay: true,
        cut: [
          ['1', '2'],
          ['1', '3'],
        ],
      },
    ]);
    expect(faultEvents({ kind: 'slow-link', between: [1, 3], latencyMs: 500 })).toEqual([
      { kind: 'link', between: ['1', '3'], config: { latency: { constant: 500 } } },
    ]);
    expect(faultEvents({ kind: 'heal' }).map((e) => e.kind)).toEqual(['heal', 'link']);
  });

  it('merge beside the nodes and the history, and the visualizer draws the partition from cut to heal', () => {
    const b1 = trace('f-b1.jsonl', node('1', 1, T0), [role(0, '1'), role(500, '1')]);
    const history = trace('f-history.jsonl', { runtime: 'real', startedAtMs: T0 }, [
      { t: 10, node: 'p1', kind: 'client', op: 'send', type: 'invoke', id: 0, value: { values: [['t', 0, 'p1-0', null]] } },
    ]);
    const events = faultEvents({ kind: 'partition', groups: [[1], [2, 3]] })
      .map((e, k) => ({ t: 100 + k, ...e }))
      .concat(faultEvents({ kind: 'heal' }).map((e, k) => ({ t: 300 + k, ...e })));
    const faults = trace('f-faults.jsonl', { runtime: 'real', startedAtMs: T0 }, events);
    // The fault file is no second history.
    writeFileSync(faults, readFileSync(faults, 'utf8').replace('"scenario":"check"', '"scenario":"faults"'));
    const out = join(dir, 'f-run.jsonl');
    mergeRealRun([b1, history, faults], out);
    const index = indexTrace(out, 'f', 'f-run.jsonl');
    expect(index.meta.faults.map((f) => [f.kind, f.startT, f.endT, f.nodes])).toEqual([['partition', 100, 300, ['1', '2', '3']]]);
    index.checkpoints.stop();
  });
});
