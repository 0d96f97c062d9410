// The trace index's fast readers against plain JSON: the columns' binary form round-trips, and
// the head-only reading of sends, client operations and timers gives the same fields as parsing
// the whole line, on a trace with drops, duplicates, reordering, slow links and one-way cuts;
// checkpoints folded from the stateful rows alone equal a fold of every row.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import type { EventLine, TraceHeader, TraceSummary } from '../../core/trace/schema.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { FileSink } from '../../trace/sink.ts';
import { readEvent } from '../../viz/server/event-head.ts';
import { scanLines } from '../../viz/server/line-scanner.ts';
import { indexTrace, readRows } from '../../viz/server/trace-index.ts';
import { allocateColumns, copyColumns, decodeColumns, encodeColumns } from '../../viz/shared/columns.ts';
import { FLAG_DROPPED, FLAG_DUPLICATED, FLAG_REORDERED } from '../../viz/shared/contract.ts';
import { applyEvent, initialState } from '../../viz/shared/state.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'samsa-viz-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('binary columns', () => {
  it('round-trip through bytes, aligned, and refuse what is not a columns body', () => {
    const c = allocateColumns(3);
    c.t.set([0, 1.5, 2.25]);
    c.step.set([0, 7, 9]);
    c.lane.set([1, 2, 255]);
    c.link.set([2, -1, 0]);
    const grown = copyColumns(c, 3, 5);
    expect([grown.count, grown.t[2], grown.step[1], grown.link[0], grown.link[4]]).toEqual([5, 2.25, 7, 2, -1]);
    const bytes = encodeColumns(c);
    expect(bytes.byteLength % 8).toBe(0);
    const copy = new Uint8Array(bytes).buffer;
    const back = decodeColumns(copy);
    expect(back.count).toBe(3);
    expect([...back.t]).toEqual([0, 1.5, 2.25]);
    expect([...back.step]).toEqual([0, 7, 9]);
    expect([...back.lane]).toEqual([1, 2, 255]);
    expect([...back.link]).toEqual([2, -1, 0]);
    expect(() => decodeColumns(new ArrayBuffer(4))).toThrow(/too short/);
    expect(() => decodeColumns(new ArrayBuffer(64))).toThrow(/bad magic/);
    expect(() => decodeColumns(copy.slice(0, 40))).toThrow(/truncated/);
  });
});

describe('reading trace lines by their head', () => {
  const trace = join(dir, 'network-chaos.jsonl');
  runScenario(loadScenario(join(root, 'scenarios/network-chaos.yaml'), { knownBugs: KNOWN_BUGS }), { trace: new FileSink(trace) });

  it("gives the fields of a full JSON parse for every line, but a send's message body and a client operation's value", () => {
    const seen = { send: 0, client: 0, timer: 0, drop: 0, dup: 0, reorder: 0, other: 0 };
    let lineNumber = 0;
    scanLines(trace, (buffer, start, end) => {
      if (++lineNumber === 1) return;
      const full = JSON.parse(buffer.toString('utf8', start, end)) as EventLine | TraceSummary;
      const fast = readEvent(buffer, start, end, lineNumber, trace);
      if (full.kind === 'send') {
        seen.send++;
        const { msg, ...rest } = full;
        const { api, kind } = msg as { api: string; kind: string };
        expect(fast).toEqual({ ...rest, msg: { api, kind } });
        if (full.drop !== undefined) seen.drop++;
        if (full.dup !== undefined) seen.dup++;
        if (full.reorder !== undefined) seen.reorder++;
      } else if (full.kind === 'client') {
        seen.client++;
        const { value: _value, error: _error, ...rest } = full;
        expect(fast).toEqual(rest);
      } else if (full.kind === 'timer') {
        seen.timer++;
        expect(fast).toEqual(full);
      } else {
        seen.other++;
        expect(fast).toEqual(full);
      }
    });
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  });

  it('flags the columns with each message’s fate and reads rows back by byte range', () => {
    const index = indexTrace(trace, 'chaos', 'network-chaos.jsonl');
    const lines = readFileSync(trace, 'utf8')
      .split('\n')
      .slice(1, index.meta.rows + 1);
    let flagged = 0;
    lines.forEach((line, row) => {
      const ev = JSON.parse(line) as EventLine;
      if (ev.kind !== 'send') return;
      const flags = index.columns.flags[row]!;
      expect(Boolean(flags & FLAG_DUPLICATED), line).toBe(ev.dup !== undefined);
      expect(Boolean(flags & FLAG_REORDERED), line).toBe(ev.reorder === true);
      if (ev.drop !== undefined) expect(flags & FLAG_DROPPED).toBe(FLAG_DROPPED);
      if (flags & (FLAG_DROPPED | FLAG_DUPLICATED | FLAG_REORDERED)) flagged++;
    });
    expect(flagged).toBeGreaterThan(0);
    expect(index.meta.faults.map((f) => f.kind)).toEqual(expect.arrayContaining(['slow-link', 'network']));
    const last = index.meta.rows - 1;
    expect(readRows(index, last - 2, last)).toEqual(lines.slice(last - 2, last + 1));
  });

  it('folds checkpoints from the rows that change state only, equal to folding every row', () => {
    const index = indexTrace(trace, 'chaos', 'network-chaos.jsonl');
    const lines = readFileSync(trace, 'utf8').split('\n');
    const full = initialState(JSON.parse(lines[0]!) as TraceHeader);
    const wanted = new Set([0, 1998, 1999, 2000, 4321, index.meta.rows - 1]);
    for (let row = 0; row < index.meta.rows; row++) {
      applyEvent(full, JSON.parse(lines[row + 1]!) as EventLine, row);
      if (!wanted.has(row)) continue;
      const state = structuredClone(index.checkpoints.atOrBefore(row));
      for (let r = state.row + 1; r <= row; r++) applyEvent(state, JSON.parse(lines[r + 1]!) as EventLine, r);
      expect(state, `row ${row}`).toEqual(full);
    }
  });
});
