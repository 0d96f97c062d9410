// Runs the `samsa` command inside the test's own process: main() with stdout, stderr and the exit
// code captured. Starting a process costs seconds on a busy machine; this costs nothing, so the
// user-error and fuzz tests can make hundreds of calls. Colours are stripped (CI may turn them on).
import { main } from '../../cli/main.ts';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** One `samsa` command line, as `samsa ...args` would run it; calls must not overlap. */
export async function samsaInProcess(...args: string[]): Promise<InProcessRun> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    };
  const previousCode = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  let code: number;
  try {
    await main(args);
    code = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = previousCode;
  }
  return { code, stdout: out.join('').replace(ANSI, ''), stderr: err.join('').replace(ANSI, '') };
}

/** The lines of stderr, without the empty one after the last newline. */
export function stderrLines(run: InProcessRun): string[] {
  return run.stderr.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}
