// Merges the trace files of one real run (each node incarnation's `samsa broker --trace` file, the
// client history of `samsa check --history`, the faults of `samsa cluster --faults`) into ONE trace of the same schema: every line moved to
// the run's time (each file's wall-clock start, `config.startedAtMs`, aligns it), in time order, the
// steps renumbered and the violations' `atStep` pointed at their new steps, so that the visualizer,
// the checkers and the trace tools read a real run as they read a simulated one. A node incarnation
// whose file ends without its summary while a later incarnation follows (a SIGKILLed broker, restarted)
// gets a `crash` line at its last event; the last incarnation's may still be running, so it gets none.

import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EventLine, TraceHeader, TraceSummary } from '../core/trace/schema.ts';
import { parseTraceHeader, parseTraceLine, TraceFormatError, TraceLineReader } from '../trace/reader.ts';
import { FileSink } from '../trace/sink.ts';

/** The traces given cannot be merged into one run (not real runs' traces, or of more than one run). */
export class TraceMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceMergeError';
  }
}

/** The `crash` reason of a node incarnation whose trace ends without a clean stop, and a later incarnation follows. */
export const UNCLEAN_END = 'killed (its trace ends without a clean stop)';

/** What the merge took from one file. */
export interface MergedSource {
  file: string;
  scenario: string;
  /** The node of a node trace (`samsa broker --trace`); absent for a client history. */
  node?: string;
  incarnation?: number;
  startedAtMs: number;
  events: number;
  /** The file ends with its summary line (a node stopped cleanly, a check that finished). */
  complete: boolean;
}

export interface MergeResult {
  sources: MergedSource[];
  /** Event lines written (synthesized crash lines included). */
  events: number;
  /** The run's length: the last line's time (ms after the earliest start). */
  simMs: number;
  violations: Array<{ name: string; step: number }>;
  traceHash: string;
}

/** The header of a real run's trace that a merge takes: wall-clock start, not itself a merge. */
interface RealHeader {
  header: TraceHeader;
  startedAtMs: number;
  node: string | null;
  incarnation: number | null;
  merged: boolean;
}

/** The file's header when it is a real run's trace (`config.runtime: "real"`), else null. */
export function realRunHeader(path: string): RealHeader | null {
  const reader = new TraceLineReader(path);
  let header: TraceHeader;
  try {
    header = parseTraceHeader(reader.read(), path, reader.lastLineCut);
  } catch (err) {
    if (err instanceof TraceFormatError) return null;
    throw err;
  } finally {
    reader.close();
  }
  const c = header.config;
  if (c.runtime !== 'real') return null;
  const startedAtMs = typeof c.startedAtMs === 'number' ? c.startedAtMs : typeof c.startedAt === 'string' ? Date.parse(c.startedAt) : NaN;
  if (!Number.isFinite(startedAtMs)) throw new TraceMergeError(`${path}: a real run's trace without its wall-clock start (config.startedAtMs)`);
  return {
    header,
    startedAtMs,
    node: typeof c.node === 'string' ? c.node : null,
    incarnation: typeof c.incarnation === 'number' ? c.incarnation : null,
    merged: c.merged === true,
  };
}

/**
 * Splits paths given to the visualizer into the traces of a real run (unmerged real-run traces, given
 * or at the top of a given folder) and the rest (other files, and folders without such traces).
 */
export function splitRealRun(paths: readonly string[]): { real: string[]; rest: string[] } {
  const real: string[] = [];
  const rest: string[] = [];
  const isRealPiece = (file: string) => {
    const h = realRunHeader(file);
    return h !== null && !h.merged;
  };
  for (const path of paths) {
    if (!statSync(path).isDirectory()) {
      (isRealPiece(path) ? real : rest).push(path);
      continue;
    }
    const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const files = entries.filter((e) => e.isFile() && e.name.endsWith('.jsonl')).map((e) => join(path, e.name));
    const pieces = files.filter(isRealPiece);
    if (pieces.length === 0) {
      rest.push(path);
      continue;
    }
    real.push(...pieces);
    rest.push(...files.filter((f) => !pieces.includes(f)));
    rest.push(...entries.filter((e) => e.isDirectory()).map((e) => join(path, e.name)));
  }
  return { real, rest };
}

/** The real-run traces of the inputs: files as given, and the unmerged real-run traces at the top of each folder. */
export function runTraces(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let folder: boolean;
    try {
      folder = statSync(input).isDirectory();
    } catch {
      throw new TraceMergeError(`${input}: no such file or folder`);
    }
    if (!folder) files.push(input);
    else {
      const found = splitRealRun([input]).real;
      if (found.length === 0) throw new TraceMergeError(`${input}: no real run's traces in this folder (samsa cluster --trace, samsa check --history)`);
      files.push(...found);
    }
  }
  return files;
}

/** One file being merged: its next line at the run's time, and its old steps' new numbers. */
class Source {
  readonly info: MergedSource;
  next: EventLine | null = null;
  summary: TraceSummary | null = null;
  /** The new step of each of the file's steps (by old step). */
  readonly steps: number[] = [];
  readonly violations: Array<{ name: string; step: number }> = [];
  private lastT = 0;
  private ended = false;
  private readonly reader: TraceLineReader;

  constructor(
    readonly path: string,
    readonly real: RealHeader,
    /** Added to each line's time: this file's start after the run's. */
    readonly offsetMs: number,
    /** A later incarnation of the same node follows, so this one ended (cleanly or not). */
    private readonly followed: boolean,
    /** Lines left out (a check's notes of faults the cluster's own traces hold). */
    private readonly skip: ((line: EventLine) => boolean) | null = null,
  ) {
    this.info = {
      file: basename(path),
      scenario: real.header.scenario,
      ...(real.node !== null ? { node: real.node } : {}),
      ...(real.incarnation !== null ? { incarnation: real.incarnation } : {}),
      startedAtMs: real.startedAtMs,
      events: 0,
      complete: false,
    };
    this.reader = new TraceLineReader(path);
    this.reader.read();
    this.advance();
  }

  /** Moves to the file's next event line (or the synthesized crash of a node that died). */
  advance(): void {
    this.next = null;
    while (!this.ended) {
      const text = this.reader.read();
      if (text === null) {
        this.end();
        if (this.real.node !== null && !this.info.complete && this.followed) {
          // The node died without a clean stop: it was down from (at the latest) its last line on.
          this.next = { t: this.lastT, i: -1, node: this.real.node, kind: 'crash', reason: UNCLEAN_END, disk: [] };
        }
        return;
      }
      if (text.length === 0) continue;
      let line: EventLine | TraceSummary;
      try {
        line = parseTraceLine(text, this.reader.lineNumber, this.path, this.reader.lastLineCut);
      } catch (err) {
        // A line cut short by a kill mid-write is the end of what the node wrote.
        if (this.reader.lastLineCut) continue;
        throw err;
      }
      if (line.kind === 'summary') {
        this.summary = line;
        this.info.complete = true;
        continue;
      }
      if (this.skip?.(line) === true) continue;
      this.lastT = round(line.t + this.offsetMs);
      this.next = { ...line, t: this.lastT };
      this.info.events++;
      return;
    }
  }

  private end(): void {
    this.ended = true;
    this.reader.close();
  }

  close(): void {
    if (!this.ended) this.end();
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

const FAULT_KINDS: ReadonlySet<string> = new Set(['partition', 'heal', 'link']);

/** A check history's note of a fault: a run line of a network fault, or a line about a node (Kafka's node ids are numbers; clients are not). */
function isFaultNote(line: EventLine): boolean {
  return line.node === undefined ? FAULT_KINDS.has(line.kind) : /^\d+$/.test(line.node);
}

/** Merges the traces at `files` (one real run's) into a new trace at `out`. */
export function mergeRealRun(files: readonly string[], out: string): MergeResult {
  if (files.length === 0) throw new TraceMergeError('no traces to merge');
  const headers = files.map((path) => {
    const real = realRunHeader(path);
    if (real === null) throw new TraceMergeError(`${path}: not a real run's trace (its header has no config.runtime "real"); simulated runs need no merge`);
    if (real.merged) throw new TraceMergeError(`${path}: already a merged run`);
    return { path, real };
  });
  const seen = new Map<string, string>();
  const histories: string[] = [];
  for (const { path, real } of headers) {
    if (real.node === null) {
      if (real.header.scenario === 'check') histories.push(path);
      continue;
    }
    const key = `${real.node}#${real.incarnation ?? 1}`;
    const other = seen.get(key);
    if (other !== undefined) throw new TraceMergeError(`${other} and ${path} are both node ${real.node}'s incarnation ${real.incarnation ?? 1}: not one run`);
    seen.set(key, path);
  }
  if (histories.length > 1) throw new TraceMergeError(`more than one client history (${histories.join(', ')}): merge one run's traces`);
  // Node traces first (by node and incarnation), then the history: the order of lines of equal time.
  const order = (r: RealHeader) => [r.node === null ? 1 : 0, r.node ?? '', r.incarnation ?? 0] as const;
  headers.sort((a, b) => {
    const [x, y] = [order(a.real), order(b.real)];
    return x[0] - y[0] || x[1].localeCompare(y[1], 'en', { numeric: true }) || x[2] - y[2];
  });
  const originMs = Math.min(...headers.map((h) => h.real.startedAtMs));
  const followed = (r: RealHeader) => headers.some((h) => h.real.node === r.node && (h.real.incarnation ?? 1) > (r.incarnation ?? 1));
  // A check's history notes the faults its nemesis applied; the cluster's traces hold them too (faults.jsonl, and each node's
  // own crashes and restarts), so with those merged the history's notes would be every fault twice.
  const fromCluster = headers.some((h) => h.real.node !== null || h.real.header.scenario === 'faults');
  const skip = fromCluster ? isFaultNote : null;
  const sources = headers.map(
    ({ path, real }) =>
      new Source(path, real, real.startedAtMs - originMs, real.node !== null && followed(real), real.header.scenario === 'check' ? skip : null),
  );
  const history = headers.find((h) => h.real.node === null && h.real.header.scenario === 'check');
  const header: TraceHeader = {
    samsa: 1,
    scenario: 'real-run',
    seed: 0,
    config: {
      runtime: 'real',
      merged: true,
      startedAt: new Date(originMs).toISOString(),
      startedAtMs: originMs,
      sources: sources.map((s) => ({
        file: s.info.file,
        scenario: s.info.scenario,
        node: s.info.node,
        incarnation: s.info.incarnation,
        startedAtMs: s.info.startedAtMs,
      })),
      ...(history !== undefined ? { check: history.real.header.config } : {}),
    },
  };
  const sink = new FileSink(out);
  let step = 0;
  let lastT = 0;
  try {
    sink.write(JSON.stringify(header));
    for (;;) {
      let pick: Source | null = null;
      for (const s of sources) if (s.next !== null && (pick === null || s.next.t < pick.next!.t)) pick = s;
      if (pick === null) break;
      const { t, i, ...rest } = pick.next!;
      if (i >= 0) pick.steps[i] = step;
      if (rest.kind === 'violation') {
        const atStep = pick.steps[rest.atStep] ?? step;
        pick.violations.push({ name: rest.name, step: atStep });
        sink.write(JSON.stringify({ t, i: step, ...rest, atStep }));
      } else sink.write(JSON.stringify({ t, i: step, ...rest }));
      step++;
      lastT = t;
      pick.advance();
    }
  } finally {
    for (const s of sources) s.close();
  }
  const violations: Array<{ name: string; step: number }> = [];
  const violationCounts: Record<string, number> = {};
  for (const s of sources) {
    const listed = s.summary?.violations;
    // The summary's list is the checkers' own (their steps as the file numbered them); without one, the violation lines'.
    if (listed !== undefined) violations.push(...listed.map((v) => ({ name: v.name, step: s.steps[v.step] ?? v.step })));
    else violations.push(...s.violations);
    const counts = s.summary?.violationCounts ?? Object.fromEntries(countBy(s.violations.map((v) => v.name)));
    for (const [name, n] of Object.entries(counts)) violationCounts[name] = (violationCounts[name] ?? 0) + n;
  }
  violations.sort((a, b) => a.step - b.step);
  const simMs = Math.round(lastT);
  const traceHash = sink.close({ kind: 'summary', steps: step, simMs, events: step, scenario: 'real-run', seed: 0, violations, violationCounts });
  return { sources: sources.map((s) => s.info), events: step, simMs, violations, traceHash };
}

function countBy(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}
