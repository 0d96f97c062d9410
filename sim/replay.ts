// Replay: re-runs the setup recorded in a trace's header with the recorded seed and compares
// the new trace with the recording line by line, reporting "identical" or the first step that
// differs. The runner comes from the setup catalogue, by the header's `config.setup`.

import { NodeFailure } from './kernel.ts';
import { knownSetups, setupRunner } from './setups.ts';
import type { EventLine, TraceSummary } from '../core/trace/schema.ts';
import { parseHeader, parseTraceLine, TraceFormatError, TraceLineReader } from '../trace/reader.ts';
import { HashingSink, type TraceSink } from '../trace/sink.ts';

export interface TraceDifference {
  /** The step (the `i` of the recorded line), or -1 for the header. */
  step: number;
  /** 1-based line number in the trace file. */
  line: number;
  expected: string | null;
  actual: string | null;
}

export interface ReplayResult {
  identical: boolean;
  scenario: string;
  seed: number;
  /** Event lines compared. */
  steps: number;
  recordedHash: string | null;
  replayedHash: string | null;
  difference: TraceDifference | null;
}

class Divergence extends Error {}

/** Compares each line the re-run writes with the next recorded line; stops at the first difference. */
class ComparingSink extends HashingSink {
  lineNumber = 0;
  difference: TraceDifference | null = null;

  constructor(private readonly recorded: TraceLineReader) {
    super();
  }

  override write(line: string): void {
    const expected = this.recorded.read();
    this.lineNumber++;
    if (expected !== line) {
      this.difference = { step: stepOf(expected ?? line), line: this.lineNumber, expected, actual: line };
      throw new Divergence();
    }
    super.write(line);
  }

  protected emitChunk(): void {}
}

export function replayTrace(path: string): ReplayResult {
  const reader = new TraceLineReader(path);
  try {
    const header = parseHeader(reader.read(), path);
    const runner = setupRunner(header.config.setup);
    if (runner === undefined) {
      throw new TraceFormatError(path, `unknown setup "${header.config.setup}" (known: ${knownSetups().join(', ')})`);
    }
    // The re-run writes its own header first; compare it with the recorded one again.
    const recorded = new TraceLineReader(path);
    const sink = new ComparingSink(recorded);
    let replayedHash: string | null = null;
    const base = { scenario: header.scenario, seed: header.seed };
    try {
      const capture: TraceSink = {
        write: (line) => sink.write(line),
        close: (summary) => (replayedHash = sink.close(summary)),
      };
      runner(header, capture);
    } catch (err) {
      const diverged = err instanceof Divergence || (err instanceof NodeFailure && err.cause instanceof Divergence);
      if (!diverged) throw err;
      recorded.close();
      const steps = Math.max(0, sink.lineNumber - 2);
      return { ...base, identical: false, steps, recordedHash: null, replayedHash: null, difference: sink.difference };
    }
    // The re-run has ended: the recording must end with its summary now, with the same hash.
    const next = recorded.read();
    recorded.close();
    const last = next === null ? null : lineOf(next, sink.lineNumber + 1, path);
    const steps = sink.lineNumber - 1;
    if (last === null || last.kind !== 'summary') {
      const difference = { step: next === null ? -1 : stepOf(next), line: sink.lineNumber + 1, expected: next, actual: '(end of re-run)' };
      return { ...base, identical: false, steps, recordedHash: null, replayedHash, difference };
    }
    const recordedHash = typeof last.traceHash === 'string' ? last.traceHash : null;
    return { ...base, identical: recordedHash === replayedHash, steps, recordedHash, replayedHash, difference: null };
  } finally {
    reader.close();
  }
}

/** The step of a recorded line, or -1 when it has none (the header, the summary, a damaged line). */
function stepOf(line: string): number {
  const parsed = lineOf(line, 0, '');
  return parsed !== null && parsed.kind !== 'summary' ? parsed.i : -1;
}

/** A recorded line as the schema types it, or null when it is not one (replay reports it as a difference, not an error). */
function lineOf(line: string, lineNumber: number, path: string): EventLine | TraceSummary | null {
  try {
    return parseTraceLine(line, lineNumber, path);
  } catch (err) {
    if (err instanceof TraceFormatError) return null;
    throw err;
  }
}
