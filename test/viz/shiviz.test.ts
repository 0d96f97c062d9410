// The ShiViz export of a real quickstart trace: the parser regex heads the log, every event parses
// with it, each host's own clock counts its events one by one, and every receive follows its send.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { FileSink } from '../../trace/sink.ts';
import { SHIVIZ_REGEX, writeShiviz } from '../../viz/server/shiviz.ts';

const root = join(import.meta.dirname, '..', '..');

interface Parsed {
  host: string;
  clock: Record<string, number>;
  event: string;
  time: number;
}

describe('the ShiViz export of a quickstart run', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'samsa-viz-shiviz-')), 'quickstart.jsonl');
  runScenario(loadScenario(join(root, 'scenarios/quickstart.yaml'), { knownBugs: KNOWN_BUGS }), { trace: new FileSink(path) });
  const chunks: string[] = [];
  const { events } = writeShiviz(path, (chunk) => chunks.push(chunk));
  const text = chunks.join('');
  const [regexLine, delimiterLine] = text.split('\n', 2);
  const body = text.slice(regexLine!.length + delimiterLine!.length + 2);

  const parsed: Parsed[] = [];
  const parser = new RegExp(regexLine!, 'g');
  let expectedAt = 0;
  let contiguous = true;
  for (const match of body.matchAll(parser)) {
    contiguous &&= match.index === expectedAt;
    expectedAt = match.index + match[0].length + 1;
    const g = match.groups!;
    parsed.push({ host: g.host!, clock: JSON.parse(g.clock!) as Record<string, number>, event: g.event!, time: Number(g.time) });
  }

  it('starts with the parser regex and an empty delimiter line', () => {
    expect(regexLine).toBe(SHIVIZ_REGEX);
    expect(delimiterLine).toBe('');
  });

  it('writes events that all parse with that regex, back to back', () => {
    expect(events).toBeGreaterThan(1_000);
    expect(parsed.length).toBe(events);
    expect(contiguous).toBe(true);
    expect(expectedAt).toBe(body.length);
    const kinds = new Set(parsed.map((p) => p.event.split(' ')[0]));
    for (const kind of ['start', 'send', 'recv', 'append', 'hw', 'raft', 'crash', 'restart', 'drop', 'client']) expect(kinds).toContain(kind);
  });

  it("counts each host's own events one by one, in time order", () => {
    const last = new Map<string, Parsed>();
    for (const p of parsed) {
      const previous = last.get(p.host);
      expect(p.clock[p.host]).toBe((previous?.clock[p.host] ?? 0) + 1);
      if (previous !== undefined) expect(p.time).toBeGreaterThanOrEqual(previous.time);
      last.set(p.host, p);
    }
  });

  it("gives every receive a clock that dominates its send's", () => {
    const sends = new Map<string, Parsed>();
    const messageOf = (p: Parsed) => /\bm=(\d+)/.exec(p.event)![1]!;
    let receives = 0;
    for (const p of parsed) {
      if (p.event.startsWith('send ')) sends.set(messageOf(p), p);
      if (!p.event.startsWith('recv ')) continue;
      receives++;
      const send = sends.get(messageOf(p))!;
      expect(send).toBeDefined();
      expect(p.time).toBeGreaterThanOrEqual(send.time);
      for (const [host, count] of Object.entries(send.clock)) expect(p.clock[host] ?? 0).toBeGreaterThanOrEqual(count);
      expect(p.clock[p.host]).toBeGreaterThan(send.clock[p.host] ?? 0);
    }
    expect(receives).toBeGreaterThan(1_000);
  });
});
