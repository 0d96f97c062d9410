// The visualizer's server over real sockets: the catalog (given files, folders, failures/,
// uploads; nothing outside it readable), the index (columns, metadata and checkpoints agree with
// the trace file read here line by line), and clear 4xx answers to bad requests.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import type { EventLine, TraceHeader } from '../../core/trace/schema.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { FileSink } from '../../trace/sink.ts';
import { CatalogError } from '../../viz/server/catalog.ts';
import { startVizServer, type VizServer } from '../../viz/server/start.ts';
import { decodeColumns } from '../../viz/shared/columns.ts';
import {
  FLAG_DROPPED,
  FLAG_INVOKE,
  FLAG_OK,
  MAX_EVENTS_PER_REQUEST,
  NO_LANE,
  type DerivedState,
  type TraceListing,
  type TraceMeta,
} from '../../viz/shared/contract.ts';
import { applyEvent, initialState } from '../../viz/shared/state.ts';

const root = join(import.meta.dirname, '..', '..');

function writeTrace(path: string, scenarioPath: string): void {
  runScenario(loadScenario(join(root, scenarioPath), { knownBugs: KNOWN_BUGS }), { trace: new FileSink(path) });
}

describe('the visualizer server', () => {
  let dir: string;
  let tracePath: string;
  let bugPath: string;
  let lines: string[];
  let server: VizServer;
  let id: string;

  const get = async (path: string) => fetch(new URL(path, server.url), { redirect: 'manual' });
  const json = async <T>(path: string): Promise<T> => {
    const res = await get(path);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-viz-server-'));
    tracePath = join(dir, 'quickstart.jsonl');
    writeTrace(tracePath, 'scenarios/quickstart.yaml');
    mkdirSync(join(dir, 'failures', 'one'), { recursive: true });
    bugPath = join(dir, 'failures', 'one', 'truncate-to-hw.jsonl');
    writeTrace(bugPath, 'scenarios/bugs/truncate-to-hw.yaml');
    lines = readFileSync(tracePath, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    server = await startVizServer({ traces: ['quickstart.jsonl'], cwd: dir, host: '127.0.0.1', port: 0 });
    id = (await json<TraceListing[]>('/api/traces')).find((t) => t.name === 'quickstart.jsonl')!.id;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the given trace and those under failures/, and opens a sole given trace at /', async () => {
    const list = await json<TraceListing[]>('/api/traces');
    expect(list.map((t) => [t.name, t.source, t.path])).toEqual([
      ['quickstart.jsonl', 'given', 'quickstart.jsonl'],
      ['truncate-to-hw.jsonl', 'failures', join('failures', 'one', 'truncate-to-hw.jsonl')],
    ]);
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe(`/?trace=${id}`);
    expect((await get('/?home')).status).toBe(200);
    const page = await get(`/?trace=${id}`);
    expect(await page.text()).toContain('/app.js');

    // failures/ is rescanned: a new failure shows up without a restart.
    copyFileSync(bugPath, join(dir, 'failures', 'one', 'again.jsonl'));
    expect((await json<TraceListing[]>('/api/traces')).map((t) => t.name)).toContain('again.jsonl');
  });

  it('indexes every line: columns, lanes, client pairs and message fates agree with the file', async () => {
    const meta = await json<TraceMeta>(`/api/traces/${id}/meta`);
    const events = lines.slice(1, -1).map((l) => JSON.parse(l) as EventLine);
    expect(meta.rows).toBe(events.length);
    expect(meta.steps).toBe((JSON.parse(lines.at(-1)!) as { steps: number }).steps);
    expect(meta.header.scenario).toBe('quickstart');
    expect(meta.lanes.filter((l) => l.kind === 'node').map((l) => l.id)).toEqual(['b1', 'b2', 'b3']);
    expect(
      meta.lanes
        .filter((l) => l.kind === 'client')
        .map((l) => l.id)
        .sort(),
    ).toEqual(['admin', 'c1', 'c2', 'g1a', 'g1b', 'p1', 'p2']);
    // The group's coordinator partitions (__consumer_offsets) come after the scenario's topic.
    expect(meta.partitions.filter((p) => p.startsWith('orders/'))).toEqual(['orders/0', 'orders/1', 'orders/2']);
    expect(meta.partitions).toHaveLength(3 + 5);
    expect(meta.faults.map((f) => [f.kind, f.startT, f.endT, f.label])).toEqual([
      ['partition', 8000, 18000, 'b1 | b2,b3'],
      ['crash', 22000, 27000, 'b2 down (kill)'],
    ]);
    // The partition keeps its sides and cut links, so that the page can show who is cut from whom.
    expect(meta.faults[0]).toMatchObject({
      sides: [['b1'], ['b2', 'b3']],
      links: [
        ['b1', 'b2'],
        ['b1', 'b3'],
        ['b2', 'b1'],
        ['b3', 'b1'],
      ],
    });
    expect(meta.faults[1]).toMatchObject({ sides: null, links: null });

    const res = await get(`/api/traces/${id}/columns`);
    expect(res.headers.get('content-type')).toContain('application/octet-stream');
    const c = decodeColumns(await res.arrayBuffer());
    expect(c.count).toBe(events.length);
    const laneOf = (name: unknown) => meta.lanes.findIndex((l) => l.id === name);
    let sends = 0;
    let pairs = 0;
    events.forEach((ev, row) => {
      expect(c.step[row]).toBe(ev.i);
      expect(c.t[row]).toBe(ev.t);
      expect(meta.kinds[c.kind[row]!]).toBe(ev.kind);
      expect(c.lane[row]).toBe(ev.node === undefined ? NO_LANE : laneOf(ev.node));
      if (ev.kind === 'send') {
        sends++;
        expect(c.peer[row]).toBe(laneOf(ev.to));
        expect(meta.apis[c.label[row]!]).toBe((ev.msg as { api: string }).api);
        if (ev.drop !== undefined) expect(c.flags[row]! & FLAG_DROPPED).toBe(FLAG_DROPPED);
      }
      if (ev.kind === 'client' && ev.type === 'invoke' && c.link[row]! >= 0) {
        const done = events[c.link[row]!]!;
        if (done.kind !== 'client') throw new Error(`row ${row}'s invoke links to a ${done.kind} line`);
        expect([done.node, done.op, done.id]).toEqual([ev.node, ev.op, ev.id]);
        expect(c.end[row]).toBe(done.t);
        expect(c.flags[row]! & FLAG_INVOKE).toBe(FLAG_INVOKE);
        if (done.type === 'ok') expect(c.flags[row]! & FLAG_OK).toBe(FLAG_OK);
        pairs++;
      }
    });
    expect(sends).toBeGreaterThan(1000);
    expect(pairs).toBeGreaterThan(1000);
  });

  it('answers raw events by row and checkpoints from which the state at any row is derived', async () => {
    const meta = await json<TraceMeta>(`/api/traces/${id}/meta`);
    const raw = await json<EventLine[]>(`/api/traces/${id}/events?from=10&to=19`);
    expect(raw).toEqual(lines.slice(11, 21).map((l) => JSON.parse(l)));

    const target = 31_337;
    const checkpoint = await json<DerivedState>(`/api/traces/${id}/checkpoint?row=${target}`);
    expect(checkpoint.row).toBeLessThanOrEqual(target);
    expect(target - checkpoint.row).toBeLessThanOrEqual(meta.checkpointEvery);
    const base = checkpoint.row;
    const rest = await json<EventLine[]>(`/api/traces/${id}/events?from=${base + 1}&to=${target}`);
    for (const [k, ev] of rest.entries()) applyEvent(checkpoint, ev, base + 1 + k);

    const expected = initialState(JSON.parse(lines[0]!) as TraceHeader);
    for (let row = 0; row <= target; row++) applyEvent(expected, JSON.parse(lines[row + 1]!) as EventLine, row);
    expect(checkpoint).toEqual(expected);
    expect(Object.keys(expected.partitions).filter((p) => p.startsWith('orders/')).length).toBe(3);
  });

  it('lists a bug trace’s violations with the row that exposed each', async () => {
    const bugId = (await json<TraceListing[]>('/api/traces')).find((t) => t.name === 'truncate-to-hw.jsonl')!.id;
    const meta = await json<TraceMeta>(`/api/traces/${bugId}/meta`);
    expect(meta.violations.length).toBeGreaterThan(0);
    const bugLines = readFileSync(bugPath, 'utf8').split('\n');
    for (const v of meta.violations) {
      expect(JSON.parse(bugLines[v.row + 1]!)).toMatchObject({ kind: 'violation', name: v.name, i: v.step });
      expect((JSON.parse(bugLines[v.atRow + 1]!) as EventLine).i).toBe(v.atStep);
      expect(v.atT).toBe((JSON.parse(bugLines[v.atRow + 1]!) as EventLine).t);
      // Partitions are named topic/partition, whatever the checker wrote.
      expect(v.message).not.toMatch(/\borders-\d/);
    }
    // trace-validation judges at the end of the run: recorded at 90 s, it names a step long before.
    const late = meta.violations.find((v) => v.name === 'trace-validation')!;
    expect(late.atT).toBeLessThan(late.t - 1000);
    const strongIsr = meta.violations.find((v) => v.name === 'strong-isr')!;
    expect(strongIsr.values.partition).toMatch(/^orders\/\d$/);
    expect(strongIsr.partition).toBe(strongIsr.values.partition);
    expect(meta.violations.find((v) => v.name === 'lost-write')!.partition).toMatch(/^orders\/\d$/);
  });

  it('exports ShiViz and the raw file', async () => {
    const shiviz = await (await get(`/api/traces/${id}/shiviz`)).text();
    expect(shiviz.split('\n')[1]).toBe('');
    expect(shiviz).toMatch(/\nb1 \{"b1":1\}\n/);
    expect(await (await get(`/api/traces/${id}/raw`)).text()).toBe(readFileSync(tracePath, 'utf8'));
  });

  it('reads nothing outside its catalog and answers bad requests with what was wrong', async () => {
    for (const path of [`/api/traces/..%2F..%2Fetc%2Fpasswd/raw`, `/api/traces/${encodeURIComponent(tracePath)}/meta`, '/api/traces/nope/columns']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/no trace with id/);
    }
    const cases: Array<[string, RegExp]> = [
      [`/api/traces/${id}/events?from=5`, /\?to= must be a row/],
      [`/api/traces/${id}/events?from=x&to=3`, /\?from= must be a row from 0/],
      [`/api/traces/${id}/events?from=9&to=3`, /before from/],
      [`/api/traces/${id}/events?from=0&to=${MAX_EVENTS_PER_REQUEST}`, /at most 20000 rows/],
      [`/api/traces/${id}/checkpoint?row=99999999`, /\?row= must be a row/],
      ['/api/nothing', /no such API/],
    ];
    for (const [path, message] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(path === '/api/nothing' ? 404 : 400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
  });

  it('takes a dropped trace and refuses what is not one', async () => {
    const up = await fetch(new URL('/api/traces?name=mine.jsonl', server.url), {
      method: 'POST',
      body: readFileSync(bugPath),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(up.status).toBe(201);
    const { id: upId } = (await up.json()) as { id: string };
    expect((await json<TraceListing[]>('/api/traces')).find((t) => t.id === upId)).toMatchObject({ name: '1-mine.jsonl'.slice(2), source: 'uploaded' });
    expect((await json<TraceMeta>(`/api/traces/${upId}/meta`)).header.scenario).toBe('truncate-to-hw');

    const bad = await fetch(new URL('/api/traces?name=../../x.txt', server.url), { method: 'POST', body: 'hello\n' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: string }).error).toMatch(/x\.txt is not a Samsa trace/);
  });

  it('refuses to start on paths that are not traces', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not a trace\n');
    await expect(startVizServer({ traces: ['missing.jsonl'], cwd: dir, host: '127.0.0.1', port: 0 })).rejects.toThrow(CatalogError);
    await expect(startVizServer({ traces: ['missing.jsonl'], cwd: dir, host: '127.0.0.1', port: 0 })).rejects.toThrow(/missing\.jsonl: no such file or folder/);
    await expect(startVizServer({ traces: ['notes.txt'], cwd: dir, host: '127.0.0.1', port: 0 })).rejects.toThrow(/notes\.txt: not a Samsa trace/);
    const port = Number(new URL(server.url).port);
    await expect(startVizServer({ traces: [], cwd: dir, host: '127.0.0.1', port })).rejects.toThrow(/already in use/);
  });
});
