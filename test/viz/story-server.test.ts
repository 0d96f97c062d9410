// Violation stories from the server, on the seeded bugs' own traces (written by `samsa run`): every
// step of a story is the trace line it claims to be. ack-before-hw's lost write is acknowledged
// before it was committed and removed by an election and a truncation of its partition;
// truncate-to-hw's committed record is truncated away by the replica that strong-isr, leader-completeness
// and replica-log-matching name. A checker without a story gets null.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLine } from '../../core/trace/schema.ts';
import { startVizServer, type VizServer } from '../../viz/server/start.ts';
import type { TraceListing, TraceMeta, ViolationEntry, ViolationStory } from '../../viz/shared/contract.ts';

const root = join(import.meta.dirname, '..', '..');

/** `samsa run <scenario> --trace <path>`, as a user would; a bug's run exits 1 (violations found). */
function samsaRun(scenario: string, path: string): void {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'samsa.js'), 'run', join(root, scenario), '--trace', path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`samsa run ${scenario} exited ${run.status}: ${run.stderr}`);
}

describe('violation stories', () => {
  let dir: string;
  let server: VizServer;
  const traces: Record<string, { id: string; lines: string[]; meta: TraceMeta }> = {};

  const get = (path: string) => fetch(new URL(path, server.url));
  async function story(trace: string, v: ViolationEntry): Promise<ViolationStory> {
    const { id, meta } = traces[trace]!;
    const res = await get(`/api/traces/${id}/story?n=${meta.violations.indexOf(v)}`);
    expect(res.status).toBe(200);
    return (await res.json()) as ViolationStory;
  }
  const line = (trace: string, row: number) => JSON.parse(traces[trace]!.lines[row + 1]!) as EventLine;
  const first = (trace: string, name: string) => traces[trace]!.meta.violations.find((v) => v.name === name)!;

  /** Each step is in trace order, at the row it names, on that row's lane; the last is the event that exposed the violation. */
  function checkSteps(trace: string, v: ViolationEntry, s: ViolationStory): void {
    expect(s.steps.length).toBeGreaterThan(2);
    for (const [k, step] of s.steps.entries()) {
      const ev = line(trace, step.row);
      expect([ev.i, ev.t, ev.node ?? '']).toEqual([step.step, step.t, step.node]);
      if (k > 0) expect(step.row).toBeGreaterThan(s.steps[k - 1]!.row);
    }
    expect(s.steps.at(-1)!.row).toBe(v.atRow);
    expect(s.steps.at(-1)!.text).toMatch(new RegExp(`^${v.name} exposed: `));
    for (const step of s.steps.filter((x) => x.role === 'election' || x.role === 'isr')) {
      expect(line(trace, step.row)).toMatchObject({ kind: 'partition-change', topic: 'orders', partition: Number(s.partition.split('/')[1]) });
    }
    for (const step of s.steps.filter((x) => x.role === 'truncation')) {
      const ev = line(trace, step.row);
      if (ev.kind !== 'partition-truncate') throw new Error(`a truncation step at a ${ev.kind} line`);
      expect(ev.endOffset).toBeLessThanOrEqual(s.offset!);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-viz-story-'));
    for (const name of ['ack-before-hw', 'truncate-to-hw']) samsaRun(`scenarios/bugs/${name}.yaml`, join(dir, `${name}.jsonl`));
    server = await startVizServer({ traces: ['ack-before-hw.jsonl', 'truncate-to-hw.jsonl'], cwd: dir, host: '127.0.0.1', port: 0 });
    const listing = (await (await get('/api/traces')).json()) as TraceListing[];
    for (const t of listing) {
      const name = t.name.replace(/\.jsonl$/, '');
      const meta = (await (await get(`/api/traces/${t.id}/meta`)).json()) as TraceMeta;
      traces[name] = { id: t.id, meta, lines: readFileSync(join(dir, t.name), 'utf8').trimEnd().split('\n') };
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("explains ack-before-hw's lost write: acknowledged before it was committed, then an election and a truncation removed it", async () => {
    const v = first('ack-before-hw', 'lost-write');
    const s = await story('ack-before-hw', v);
    checkSteps('ack-before-hw', v, s);
    expect(s).toMatchObject({ partition: v.partition, offset: v.values.offset });
    // The first step is the producer's acknowledgement, the client ok line (per request) at the step the checker names.
    expect(s.steps[0]!.role).toBe('origin');
    expect(line('ack-before-hw', s.steps[0]!.row)).toMatchObject({ kind: 'client', op: 'produce', type: 'ok', node: v.values.producer, i: v.values.ackStep });
    expect(s.steps[0]!.text).toMatch(/not committed yet/);
    expect(s.headline).toMatch(
      new RegExp(`^p1's write '${v.values.value}' at orders/\\d offset ${v.values.offset}, acknowledged to p1 at step \\d+ before it was committed: `),
    );
    const causes = s.steps.filter((x) => x.cause);
    expect(causes.map((x) => x.role)).toContain('election');
    expect(causes.map((x) => x.role)).toContain('truncation');
    // The leader that acknowledged it crashed before the election that removed it.
    const election = causes.find((x) => x.role === 'election')!;
    expect(s.steps.some((x) => x.role === 'crash' && x.row < election.row && /the leader, holding the record/.test(x.text))).toBe(true);
  });

  it('explains inconsistent offsets on the same chain, up to the second value', async () => {
    const v = first('ack-before-hw', 'inconsistent-offset');
    const s = await story('ack-before-hw', v);
    checkSteps('ack-before-hw', v, s);
    expect(s.steps.filter((x) => x.cause).map((x) => x.role)).toEqual(expect.arrayContaining(['election', 'truncation']));
    expect(s.steps.some((x) => x.role === 'overwrite')).toBe(true);
  });

  it("explains truncate-to-hw's ISR violations: the committed record, and the truncation on the replica they name", async () => {
    for (const name of ['strong-isr', 'leader-completeness', 'replica-log-matching', 'lost-write', 'inconsistent-offset']) {
      const v = first('truncate-to-hw', name);
      const s = await story('truncate-to-hw', v);
      checkSteps('truncate-to-hw', v, s);
      const origin = line('truncate-to-hw', s.steps[0]!.row);
      if (name === 'lost-write' || name === 'inconsistent-offset') expect(origin).toMatchObject({ kind: 'client', type: 'ok' });
      else {
        // The record came in when a leader's high watermark first passed its offset.
        if (origin.kind !== 'partition-hw') throw new Error(`${name}: origin at a ${origin.kind} line`);
        expect([origin.role, origin.highWatermark > s.offset!]).toEqual(['leader', true]);
      }
      const truncations = s.steps.filter((x) => x.role === 'truncation');
      expect(truncations.length, name).toBeGreaterThan(0);
      // truncate-to-hw: the replica truncated to its own high watermark, throwing the committed record away.
      expect(truncations[0]!.text).toMatch(/(b\d) truncated its log to offset (\d+) \(its high watermark was \2\)/);
      if (name !== 'lost-write' && name !== 'inconsistent-offset') expect(truncations.map((x) => x.node)).toContain(v.nodes[0]);
    }
    const completeness = await story('truncate-to-hw', first('truncate-to-hw', 'leader-completeness'));
    expect(completeness.steps.filter((x) => x.cause && x.role === 'election').map((x) => x.text)).toEqual([
      expect.stringMatching(/^b\d elected leader .* without offset \d+'s record$/),
    ]);
  });

  it('answers null for a checker without a story and 400 for a violation that is not there', async () => {
    const { id, meta } = traces['ack-before-hw']!;
    const none = await get(`/api/traces/${id}/story?n=${meta.violations.findIndex((v) => v.name === 'producer-order')}`);
    expect(none.status).toBe(200);
    expect(await none.json()).toBeNull();
    const bad = await get(`/api/traces/${id}/story?n=${meta.violations.length}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/\?n= must be a violation from 0 to/);
  });
});
