// `samsa model [spec]`: explores the formal specs (models/spec/) exhaustively at their bounds
// with the explicit-state checker, prints each shortest counterexample and a summary table, says
// which rungs it cannot tell apart (the same counterexample at the same bounds), and exits 0 when
// every variant passes or fails as the ladder says it must, 1 otherwise.

import type { Command } from 'commander';
import { formatCounterexample, formatFigures } from '../models/explicit/format.ts';
import { asExpected, indistinguishableRungs, MODEL_CATALOGUE, type ModelEntry } from '../models/spec/catalogue.ts';
import { bad, dim, intOption, ok, printJson, table, UserError } from './output.ts';

const SPECS = [...new Set(MODEL_CATALOGUE.map((e) => e.spec))];

export function registerModel(program: Command): void {
  program
    .command('model')
    .description('model-check the replication and raft specs at small bounds; exit 1 unless every variant passes or fails as expected')
    .argument('[spec]', `which spec (${SPECS.join(', ')}; default: all)`)
    .option('--variant <name>', `one variant, at every bounds it runs at (${[...new Set(MODEL_CATALOGUE.map((e) => e.variant))].join(', ')})`)
    .option('--max-states <n>', 'stop a search after this many distinct states (its verdict is then "incomplete")', intOption('--max-states', 1))
    .option('--json', 'print the results as one JSON line at the end')
    .action((spec: string | undefined, opts: { variant?: string; maxStates?: number; json?: boolean }) => {
      const entries = select(spec, opts.variant);
      const human = opts.json ? process.stderr : process.stdout;
      const rows: Array<{ entry: ModelEntry; result: ReturnType<ModelEntry['run']>['result']; wallMs: number }> = [];
      for (const entry of entries) {
        const started = performance.now();
        const { result, describe } = entry.run(opts.maxStates === undefined ? {} : { maxStates: opts.maxStates });
        const wallMs = Math.round(performance.now() - started);
        rows.push({ entry, result, wallMs });
        const verdict = result.verdict === 'pass' ? ok('pass') : result.verdict === 'fail' ? bad('fail') : bad('incomplete');
        human.write(`${entry.spec} / ${label(entry)}: ${verdict}, ${formatFigures(result)} ${dim(`(${wallMs} ms; ${entry.summary})`)}\n`);
        if (result.violation !== null) human.write(formatCounterexample(result.violation.trace, describe, result.violation.invariant) + '\n\n');
      }
      human.write(
        table(
          ['spec', 'variant', 'bounds', 'expected', 'verdict', 'states', 'transitions', 'depth', 'violated', 'counterexample', 'ms'],
          rows.map(({ entry, result, wallMs }) => [
            entry.spec,
            label(entry),
            boundsText(entry),
            entry.expected,
            asExpected(entry, result) ? ok(result.verdict) : bad(result.verdict),
            result.states,
            result.transitions,
            result.depth,
            result.violation?.invariant ?? '-',
            result.violation === null ? '-' : `${result.violation.trace.length - 1} actions`,
            wallMs,
          ]),
        ) + '\n',
      );
      const twins = indistinguishableRungs(rows);
      twins.forEach((twin, i) => {
        if (twin === null) return;
        const [a, b] = [rows[twin]!, rows[i]!];
        const n = (x: number) => x.toLocaleString('en-US');
        const states = a.result.states === b.result.states ? `the same ${n(a.result.states)} states` : `${n(a.result.states)} and ${n(b.result.states)} states`;
        const { invariant, trace } = b.result.violation!;
        human.write(
          `${b.entry.variant} cannot be told apart from ${a.entry.variant} at ${boundsText(a.entry)}: the same ${trace.length - 1}-action ${invariant} counterexample, ${states}\n`,
        );
      });
      const allAsExpected = rows.every(({ entry, result }) => asExpected(entry, result));
      human.write((allAsExpected ? ok('every variant behaves as the ladder says') : bad('some variant does not behave as the ladder says')) + '\n');
      if (opts.json) {
        printJson({
          ok: allAsExpected,
          models: rows.map(({ entry, result, wallMs }, i) => ({
            spec: entry.spec,
            variant: entry.variant,
            scenario: entry.scenario ?? null,
            bounds: entry.bounds,
            expected: entry.expected,
            verdict: result.verdict,
            asExpected: asExpected(entry, result),
            states: result.states,
            transitions: result.transitions,
            depth: result.depth,
            violated: result.violation?.invariant ?? null,
            counterexampleLength: result.violation === null ? null : result.violation.trace.length - 1,
            counterexample: result.violation?.trace.map((s) => s.action ?? 'Init') ?? null,
            // The previous rung at the same bounds that fails by the very same counterexample.
            indistinguishableFrom: twins[i] === null ? null : rows[twins[i]!]!.entry.variant,
            wallMs,
          })),
        });
      }
      process.exitCode = allAsExpected ? 0 : 1;
    });
}

/** The variant, and the scenario its bounds isolate when it has one. */
function label(entry: ModelEntry): string {
  return entry.scenario === undefined ? entry.variant : `${entry.variant} (${entry.scenario})`;
}

function boundsText(entry: ModelEntry): string {
  return Object.entries(entry.bounds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function select(spec: string | undefined, variant: string | undefined): ModelEntry[] {
  if (spec !== undefined && !SPECS.includes(spec as never)) throw new UserError(`unknown spec "${spec}" (known: ${SPECS.join(', ')})`);
  const entries = MODEL_CATALOGUE.filter((e) => (spec === undefined || e.spec === spec) && (variant === undefined || e.variant === variant));
  if (entries.length === 0) {
    const known = new Set(MODEL_CATALOGUE.filter((e) => spec === undefined || e.spec === spec).map((e) => e.variant));
    throw new UserError(`unknown variant "${variant}"${spec === undefined ? '' : ` of ${spec}`} (known: ${[...known].join(', ')})`);
  }
  return entries;
}
