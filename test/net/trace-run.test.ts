// A real run traced end to end: the three broker processes of a `samsa cluster --trace DIR`, each
// writing its trace, `samsa check --history DIR/history.jsonl`, broker 2 SIGKILLed and restarted (one
// file per incarnation), a clean stop; `samsa trace merge DIR` makes one trace of it all in wall-clock
// order, and `samsa viz DIR` serves that merged run with node and client lanes.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLine, TraceHeader } from '../../core/trace/schema.ts';
import { LocalCluster } from '../../net/local-cluster.ts';
import { UNCLEAN_END } from '../../net/trace-merge.ts';
import { readEventLines } from '../../trace/reader.ts';
import { MAX_EVENTS_PER_REQUEST, type DerivedState } from '../../viz/shared/contract.ts';
import { applyEvent } from '../../viz/shared/state.ts';
import { SAMSA, samsa, type Run } from './real-helpers.ts';

/** Starts a long-running samsa command and resolves once its output matches `ready` (with the match). */
function startUntil(args: string[], ready: RegExp, running: ChildProcess[]): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  // In a folder of its own: `samsa viz` also lists the failures/ of its working folder.
  const child = spawn(process.execPath, [SAMSA, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`samsa ${args[0]} exited with ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

const header = (path: string) => JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as TraceHeader;
const lastLine = (path: string) => JSON.parse(readFileSync(path, 'utf8').trim().split('\n').pop()!) as Record<string, unknown>;

describe('a traced real run, merged and opened in the visualizer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-trace-run-'));
  const traces = join(dir, 'traces');
  const data = join(dir, 'data');
  const merged = join(dir, 'run.jsonl');
  const running: ChildProcess[] = [];
  let cluster: LocalCluster | null = null;
  let check: Run;
  let merge: Run;
  let lines: EventLine[];

  beforeAll(async () => {
    // What `samsa cluster --trace DIR` runs (cluster-command.test.ts runs the command itself).
    const c = (cluster = await LocalCluster.prepare({ brokers: 3, dataDir: data, basePort: 0, traceDir: traces }));
    c.startAll();
    await cluster.waitReady(60_000);
    const runCheck = () =>
      samsa([
        'check',
        '--bootstrap',
        c.bootstrapServers,
        '--partitions',
        '3',
        '--replication-factor',
        '3',
        '--duration',
        '3s',
        '--rate',
        '30',
        '--history',
        join(traces, 'history.jsonl'),
        '--json',
      ]);
    check = await runCheck();
    await cluster.signal(2, 'SIGKILL');
    cluster.startBroker(2);
    await cluster.waitReady(60_000);
    await cluster.stopAll();
    merge = await samsa(['trace', 'merge', traces, '-o', merged, '--json']);
    lines = [...readEventLines(merged)];
  }, 150_000);

  afterAll(async () => {
    await cluster?.stopAll();
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('each broker incarnation wrote its own trace, with wall-clock start; clean stops end in a summary, the killed one does not', () => {
    expect(check.code, check.stderr).toBe(0);
    for (const file of ['b1.jsonl', 'b2.jsonl', 'b3.jsonl', 'b2.2.jsonl']) {
      const path = join(traces, file);
      expect(header(path).config, file).toMatchObject({ runtime: 'real', node: file[1], incarnation: file === 'b2.2.jsonl' ? 2 : 1 });
      expect(typeof header(path).config.startedAtMs).toBe('number');
      if (file === 'b2.jsonl') expect(lastLine(path).kind, file).not.toBe('summary');
      else expect(lastLine(path).kind, file).toBe('summary');
    }
    expect(existsSync(join(traces, 'b1.2.jsonl'))).toBe(false);
    expect(header(join(traces, 'history.jsonl')).config).toMatchObject({ runtime: 'real' });
  });

  it('merges every node and every client into one trace in time order, steps renumbered', () => {
    expect(merge.code, merge.stderr).toBe(0);
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.map((l) => l.i)).toEqual(lines.map((_, i) => i));
    const unordered = lines.findIndex((l, i) => i > 0 && l.t < lines[i - 1]!.t);
    expect(unordered).toBe(-1);
    expect(new Set(lines.map((l) => l.node))).toEqual(new Set(['1', '2', '3', 'p1', 'c1']));
    expect(header(merged)).toMatchObject({ scenario: 'real-run', config: { runtime: 'real', merged: true } });
  });

  it("aligns the files by wall clock: every broker appends the check's writes while its clients run", () => {
    const clientTimes = lines.filter((l) => l.kind === 'client').map((l) => l.t);
    const [from, to] = [Math.min(...clientTimes), Math.max(...clientTimes)];
    for (const id of ['1', '2', '3']) {
      const appends = lines.filter((l) => l.node === id && l.kind === 'partition-append' && l.topic === 'samsa-check' && l.t >= from && l.t <= to);
      expect(appends.length, `node ${id}'s appends within the check`).toBeGreaterThan(0);
    }
  });

  it("shows broker 2's life: a kill (a crash line), a restart as incarnation 2, a clean stop", () => {
    const life = lines
      .filter((l) => l.node === '2' && ['start', 'restart', 'stop', 'crash'].includes(l.kind))
      .map((l) => (l.kind === 'crash' ? `crash:${l.reason}` : l.kind === 'start' || l.kind === 'restart' ? `${l.kind}:${l.incarnation}` : l.kind));
    expect(life).toEqual(['start:1', `crash:${UNCLEAN_END}`, 'restart:2', 'stop', 'crash:shutdown']);
  });

  it('`samsa viz DIR` serves the merged run: node and client lanes, the crashes marked, state at the last row', async () => {
    const viz = await startUntil(['viz', traces, '--port', '0', '--json'], /\{"url":.*\}\n/, running);
    try {
      const { url, traces: listed } = JSON.parse(viz.match[0]) as { url: string; traces: Array<{ id: string; name: string }> };
      expect(listed.map((t) => t.name)).toEqual(['traces-run.jsonl']);
      const meta = (await (await fetch(new URL(`api/traces/${listed[0]!.id}/meta`, url))).json()) as {
        rows: number;
        lanes: Array<{ id: string; kind: string }>;
        marks: Array<{ label: string }>;
        header: TraceHeader;
      };
      expect(meta.rows).toBe(lines.length);
      expect(meta.lanes).toEqual([
        { id: '1', kind: 'node' },
        { id: '2', kind: 'node' },
        { id: '3', kind: 'node' },
        { id: 'p1', kind: 'client' },
        { id: 'c1', kind: 'client' },
      ]);
      expect(meta.marks.map((m) => m.label)).toContain(`2 crashed (${UNCLEAN_END})`);
      // The state at the last row as the page derives it: the server's checkpoint, then the rows after it folded.
      const id = listed[0]!.id;
      const last = meta.rows - 1;
      const state = (await (await fetch(new URL(`api/traces/${id}/checkpoint?row=${last}`, url))).json()) as DerivedState;
      for (let from = state.row + 1; from <= last; from += MAX_EVENTS_PER_REQUEST) {
        const to = Math.min(last, from + MAX_EVENTS_PER_REQUEST - 1);
        const events = (await (await fetch(new URL(`api/traces/${id}/events?from=${from}&to=${to}`, url))).json()) as EventLine[];
        events.forEach((ev, k) => applyEvent(state, ev, from + k));
      }
      // Every broker stopped at the end; broker 2 in its second incarnation.
      for (const id of ['1', '2', '3']) expect(state.nodes[id], id).toMatchObject({ up: false, incarnation: id === '2' ? 2 : 1 });
    } finally {
      expect(await stop(viz.child, 'SIGTERM')).toBe(0);
    }
  });
});
