// Replay: re-runs the setup recorded in a trace's header with the recorded seed and compares
// the new trace with the recording line by line, reporting "identical" or the first step that
// differs. The runner comes from the setup catalogue, by the header's `config.setup`. A recording
// that is damaged (cut short, a line that is not JSON) is a TraceFormatError, not a difference.

import { NodeFailure } from './kernel.ts';
import { setupProblem } from './setup-checks.ts';
import { knownSetups, setupRunner } from './setups.ts';
import type { EventLine, TraceSummary } from '../core/trace/schema.ts';
import { parseHeader, parseTraceLine, TraceFormatError, TraceLineReader, truncatedAt } from '../trace/reader.ts';
import { HashingSink, HashOnlySink, type TraceSink } from '../trace/sink.ts';

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
      // A recording that ends early or holds a damaged line is not a run that went differently.
      if (expected === null) throw truncatedAt(this.recorded.path, this.lineNumber - 1);
      const parsed = recordedLine(this.recorded, expected);
      this.difference = { step: parsed !== null && parsed.kind !== 'summary' ? parsed.i : -1, line: this.lineNumber, expected, actual: line };
      throw new Divergence();
    }
    super.write(line);
  }

  protected emitChunk(): void {}
}

export function replayTrace(path: string): ReplayResult {
  const reader = new TraceLineReader(path);
  try {
    const header = parseHeader(reader.read(), path, reader.lastLineCut);
    const runner = setupRunner(header.config.setup);
    if (runner === undefined) {
      throw new TraceFormatError(path, `unknown setup "${header.config.setup}" (known: ${knownSetups().join(', ')})`);
    }
    checkSetup(path, header.config.setup, header.config);
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
      recorded.close();
      const cause = err instanceof NodeFailure ? err.cause : err;
      if (cause instanceof TraceFormatError) throw cause;
      if (!(cause instanceof Divergence)) throw whyRunFailed(path, err);
      const steps = Math.max(0, sink.lineNumber - 2);
      return { ...base, identical: false, steps, recordedHash: null, replayedHash: null, difference: sink.difference };
    }
    // The re-run has ended: the recording must end with its summary now, with the same hash.
    const next = recorded.read();
    const last = next === null ? null : recordedLine(recorded, next);
    recorded.close();
    if (next === null) throw truncatedAt(path, sink.lineNumber);
    const steps = sink.lineNumber - 1;
    if (last === null || last.kind !== 'summary') {
      const difference = { step: last === null ? -1 : last.i, line: sink.lineNumber + 1, expected: next, actual: '(end of re-run)' };
      return { ...base, identical: false, steps, recordedHash: null, replayedHash, difference };
    }
    const recordedHash = typeof last.traceHash === 'string' ? last.traceHash : null;
    return { ...base, identical: recordedHash === replayedHash, steps, recordedHash, replayedHash, difference: null };
  } finally {
    reader.close();
  }
}

/**
 * A recorded line as the schema types it. A line that is not one is damage, a TraceFormatError
 * ("line N is not JSON", "trace truncated at line N"), except a valid JSON object that only
 * breaks the schema: that is an edited line, reported as a difference (null).
 */
function recordedLine(reader: TraceLineReader, line: string): EventLine | TraceSummary | null {
  try {
    return parseTraceLine(line, reader.lineNumber, reader.path, reader.lastLineCut);
  } catch (err) {
    if (!(err instanceof TraceFormatError)) throw err;
    if (isJsonObject(line)) return null;
    throw err;
  }
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Refuses a header whose config its setup cannot run, unless the recording is intact (then samsa
 * wrote it, and re-running it is the point): an edit is named as one, damage as damage.
 */
function checkSetup(path: string, setup: string, config: Record<string, unknown>): void {
  const problem = setupProblem(setup, config);
  if (problem === null) return;
  const integrity = recordingIntegrity(path);
  if (integrity === null) return;
  throw new TraceFormatError(
    path,
    integrity.startsWith('the trace was edited') ? `the header (line 1) was edited and cannot be re-run: ${problem}` : integrity,
  );
}

/**
 * The re-run threw. From an intact recording (its lines hash to its summary's traceHash) that is
 * a bug in samsa, thrown on; from an edited or damaged one, the edit is the likely cause (a header
 * whose config the setup cannot run), which is the user's to fix: a TraceFormatError.
 */
function whyRunFailed(path: string, err: unknown): unknown {
  const integrity = recordingIntegrity(path);
  if (integrity === null) return err;
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new TraceFormatError(path, `${integrity}, and its header cannot be re-run: ${reason}`);
}

/** Null when the recording's lines hash to its summary's traceHash; else what is wrong with it. */
function recordingIntegrity(path: string): string | null {
  const reader = new TraceLineReader(path);
  const hash = new HashOnlySink();
  try {
    for (let line = reader.read(); line !== null; line = reader.read()) {
      let parsed: unknown = null;
      try {
        parsed = reader.lineNumber > 1 ? JSON.parse(line) : null;
      } catch {
        return reader.lastLineCut ? `trace truncated at line ${reader.lineNumber}` : `line ${reader.lineNumber} is not JSON`;
      }
      const summary = parsed as Partial<TraceSummary> | null;
      if (summary !== null && typeof summary === 'object' && summary.kind === 'summary') {
        const { traceHash, ...rest } = summary;
        return hash.close(rest as Omit<TraceSummary, 'traceHash'>) === traceHash
          ? null
          : "the trace was edited (its lines do not hash to its summary's traceHash)";
      }
      hash.write(line);
    }
    return `trace truncated at line ${reader.lineNumber} (it ends without its summary line)`;
  } finally {
    reader.close();
  }
}
