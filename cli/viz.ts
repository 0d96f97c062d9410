// `samsa viz`: serves the replay visualizer over the traces given (files or folders) and those
// under failures/, on 127.0.0.1 unless --host says otherwise, until interrupted. The pieces of a real
// run given (node traces, the check's history; or a folder of them) are shown merged as one run.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { splitRealRun, TraceMergeError } from '../net/trace-merge.ts';
import { TraceFormatError } from '../trace/reader.ts';
import { describeMerge, mergeRun } from './trace.ts';
import { CatalogError } from '../viz/server/catalog.ts';
import { startVizServer } from '../viz/server/start.ts';
import { bad, dim, intOption, ok, printJson, UserError } from './output.ts';

export const DEFAULT_VIZ_PORT = 7070;

export function registerViz(program: Command): void {
  program
    .command('viz')
    .description('open traces in the replay visualizer (a web page: space-time diagram, state at the cursor, violations)')
    .argument('[traces...]', 'trace files (.jsonl) or folders of them; failures/ is always listed')
    .option('--port <n>', `the port to listen on (0: any free port)`, intOption('--port'), DEFAULT_VIZ_PORT)
    .option('--host <address>', 'the address to bind (other than 127.0.0.1 exposes your traces to the network)', '127.0.0.1')
    .option('--json', 'print { url, traces } as one JSON line once listening')
    .action(async (traces: string[], opts: { port: number; host: string; json?: boolean }) => {
      if (opts.port > 65535) throw new UserError(`--port must be at most 65535 (got ${opts.port})`);
      const merged = mergeRealRunPieces(traces, opts.json === true);
      let server;
      try {
        server = await startVizServer({ traces: merged.traces, cwd: process.cwd(), host: opts.host, port: opts.port });
      } catch (err) {
        merged.cleanUp();
        if (err instanceof CatalogError || err instanceof Error) throw new UserError(err.message);
        throw err;
      }
      const listed = server.catalog.list();
      // Index the given traces now, so that the first page load does not wait for it.
      for (const t of listed.filter((l) => l.source === 'given')) {
        const started = performance.now();
        try {
          const index = server.catalog.index(t.id)!;
          if (!opts.json)
            process.stderr.write(
              dim(`indexed ${t.path}: ${index.meta.rows.toLocaleString('en-US')} events in ${Math.round(performance.now() - started)} ms\n`),
            );
        } catch (err) {
          process.stderr.write(`${bad('cannot index')} ${t.path}: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      if (opts.json) printJson({ url: server.url, traces: listed });
      else {
        process.stdout.write(`${ok('samsa viz')} listening on ${server.url}\n`);
        for (const t of listed) process.stdout.write(`  ${t.path} ${dim(`(${t.source}, ${(t.bytes / 1e6).toFixed(1)} MB)`)}\n`);
        if (listed.length === 0) process.stdout.write(dim('  no traces yet: give some, or drop one onto the page\n'));
        process.stdout.write(dim('press Ctrl-C to stop\n'));
      }
      await new Promise<void>((resolve) => {
        const stop = () =>
          void server.close().then(() => {
            merged.cleanUp();
            resolve();
          });
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/**
 * The traces to serve: the pieces of a real run among `traces` (two or more node traces and histories,
 * given or in a given folder) become one merged trace in a temporary folder, removed by `cleanUp`.
 */
function mergeRealRunPieces(traces: readonly string[], quiet: boolean): { traces: string[]; cleanUp: () => void } {
  const existing = traces.map((t) => resolve(t)).filter((t) => existsSync(t));
  if (existing.length !== traces.length) return { traces: [...traces], cleanUp: () => {} };
  let split;
  try {
    split = splitRealRun(existing);
  } catch (err) {
    if (err instanceof TraceMergeError || err instanceof TraceFormatError) throw new UserError(err.message);
    throw err;
  }
  if (split.real.length < 2) return { traces: [...traces], cleanUp: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'samsa-viz-run-'));
  const folder = traces.length === 1 ? basename(resolve(traces[0]!)) : 'real';
  const out = join(dir, `${folder}-run.jsonl`);
  try {
    const result = mergeRun(split.real, out);
    if (!quiet) process.stderr.write(dim(`merged ${split.real.length} traces of a real run: ${describeMerge(result)}\n`));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { traces: [out, ...split.rest], cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}
