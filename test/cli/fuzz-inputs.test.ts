// Fuzzing what users hand to `samsa run` and `samsa replay` (issue 18): random bytes, mutations of
// valid scenario files and of a valid trace. Whatever the input, the command answers with a
// verdict (exit 0, 1 or 2) or a user error (exit 64, exactly one line on stderr), never a crash of
// samsa (exit 3, a stack). The command runs in this process (test/cli/in-process.ts), so hundreds
// of inputs take seconds. The fast-check seed is fixed and printed; SAMSA_FUZZ_SEED replays
// another, SAMSA_FUZZ_RUNS scales the runs, SAMSA_FUZZ_SHRINK=1 shrinks a failure.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { parseScenario, ScenarioError } from '../../sim/scenario/parse.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { samsaInProcess as samsa, stderrLines, type InProcessRun } from './in-process.ts';
import { root } from './samsa.ts';
import { SHORT_SCENARIO } from './short-scenario.ts';

const SEED = Number(process.env['SAMSA_FUZZ_SEED'] || 182);
const SCALE = Number(process.env['SAMSA_FUZZ_RUNS'] || 1);
const SHRINK = process.env['SAMSA_FUZZ_SHRINK'] === '1';
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const dir = mkdtempSync(join(tmpdir(), 'samsa-fuzz-'));
const artifacts = join(root, 'test-artifacts', 'fuzz-inputs');

/** Short runs with more going on than SHORT_SCENARIO: three nodes, a group, faults; dedicated controllers, a nemesis, torn writes. */
const FAULTED = `samsa: 1
name: fuzz-faulted
duration: 4s
cluster: { nodes: 3, config: { replica.lag.time.max.ms: 1000, offsets.topic.num.partitions: 3 } }
network: { latency: { min: 1ms, max: 5ms } }
topics:
  - { name: orders, partitions: 2, replicationFactor: 3, config: { min.insync.replicas: 2 } }
clients:
  - { producer: p1, topic: orders, rate: 50/s, keys: 4, config: { acks: all, enable.idempotence: true } }
  - { consumer: c1, topic: orders, mode: assign }
  - { consumer: g1a, topic: orders, group: g1 }
faults:
  - { at: 2500ms, partition: [[leader-of: orders/0], rest], for: 500ms }
  - { at: 3s, crash: b2 }
  - { at: 3500ms, restart: b2 }
expect: { violations: none }
`;
const NEMESIS = `samsa: 1
name: fuzz-nemesis
seed: 3
duration: 2s
cluster: { nodes: 2, controllers: 3 }
disk: { tornWrites: 0.2 }
topics:
  - { name: t, partitions: 1, replicationFactor: 2, config: { flush.messages: 1 } }
clients:
  - { producer: p1, topic: t, rate: 30/s }
  - { consumer: c1, topic: t }
nemesis: { faults: [partition, crash, slow-link], interval: 700ms }
bugs: []
expect: { violations: none, liveness: true }
`;

/** The scenario files shipped in scenarios/ (mostly long: their mutants are parsed, and run only when short). */
const SHIPPED = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(join(root, 'scenarios', f), 'utf8'));
const SCENARIO_BASES = [SHORT_SCENARIO, FAULTED, NEMESIS, ...SHIPPED];

/** Bits of YAML, JSON and of the scenario and trace vocabulary that a mutation may insert. */
const TOKENS = [
  '',
  ':',
  ': ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '- ',
  '#',
  "'",
  '"',
  '\t',
  '\n',
  '  ',
  '0',
  '-1',
  '1.5',
  '1e309',
  '99999999999',
  'null',
  '~',
  'true',
  '&a ',
  '*a',
  '!!binary ',
  '<<: *a',
  '? ',
  '|',
  '5s',
  '0s',
  '-5s',
  '1h',
  '100/ms',
  'all',
  'rest',
  'b9',
  'leader-of: x/9',
  'acks',
  'min.insync.replicas',
  'group: g9',
  '\u0000',
  'é',
  '\uFEFF',
  '"kind":"summary"',
  '"i":',
  '"t":-1,',
  '{}',
];

type Mutation =
  | { op: 'insert'; at: number; token: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'byte'; at: number; char: string }
  | { op: 'truncate'; at: number }
  | { op: 'dup-line' | 'drop-line'; line: number }
  | { op: 'swap-lines'; line: number; other: number }
  | { op: 'number'; which: number; value: string };

const position = fc.nat({ max: 1_000_000 });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: position, token: fc.constantFrom(...TOKENS) }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('byte' as const), at: position, char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constantFrom('dup-line' as const, 'drop-line' as const), line: position }),
  fc.record({ op: fc.constant('swap-lines' as const), line: position, other: position }),
  fc.record({
    op: fc.constant('number' as const),
    which: position,
    value: fc.constantFrom('0', '-1', '1.5', '3', '64', '65', '1e6', '99999999999', '"7"', 'null'),
  }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = 'at' in m ? m.at % (out.length + 1) : 0;
    const lines = out.split('\n');
    switch (m.op) {
      case 'insert':
        out = out.slice(0, at) + m.token + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'byte':
        out = out.slice(0, at) + m.char + out.slice(at + 1);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'dup-line':
      case 'drop-line': {
        const i = m.line % lines.length;
        lines.splice(i, m.op === 'drop-line' ? 1 : 0, ...(m.op === 'dup-line' ? [lines[i]!] : []));
        out = lines.join('\n');
        break;
      }
      case 'swap-lines': {
        const i = m.line % lines.length;
        const j = m.other % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        out = lines.join('\n');
        break;
      }
      case 'number': {
        const numbers = [...out.matchAll(/-?\d+(\.\d+)?/g)];
        if (numbers.length === 0) break;
        const n = numbers[m.which % numbers.length]!;
        out = out.slice(0, n.index) + m.value + out.slice(n.index + n[0].length);
        break;
      }
    }
  }
  return out;
}

/** Whether a valid scenario runs in well under a second here; longer ones are only parsed. */
function cheap(s: Scenario): boolean {
  const partitions = s.topics.reduce((sum, t) => sum + t.partitions * t.replicationFactor, 0);
  const rate = s.clients.reduce((sum, c) => sum + (c.kind === 'producer' ? c.ratePerSec : 0), 0);
  const controllers = s.cluster.controllers === 'combined' ? 0 : s.cluster.controllers;
  const offsets = Number(s.cluster.config['offsets.topic.num.partitions'] ?? 50);
  const groups = s.clients.some((c) => c.kind === 'consumer' && c.mode === 'group');
  return (
    s.durationMs <= 4_000 &&
    s.cluster.nodes + controllers <= 6 &&
    partitions <= 24 &&
    (!groups || offsets <= 5) &&
    rate <= 300 &&
    s.clients.length <= 6 &&
    s.faults.length <= 12 &&
    (s.nemesis === null || s.nemesis.intervalMs >= 300)
  );
}

let inputs = 0;
function inputFile(name: string, content: string | Uint8Array): string {
  const path = join(dir, `${inputs++}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** The contract: a verdict, or a user error on exactly one line; on a breach, the input is kept under test-artifacts/. */
function expectContract(run: InProcessRun, args: string[], input: string): void {
  const ok = [0, 1, 2].includes(run.code) || (run.code === 64 && stderrLines(run).length === 1 && run.stderr.startsWith('error: '));
  if (ok && !run.stderr.includes('internal error')) return;
  mkdirSync(artifacts, { recursive: true });
  const kept = join(artifacts, `seed-${SEED}-${inputs}`);
  writeFileSync(kept, readFileSync(input));
  expect.fail(
    `samsa ${args.join(' ')} exited ${run.code} (fast-check seed ${SEED}, input kept at ${kept}; replay: SAMSA_FUZZ_SEED=${SEED} npx vitest run test/cli/fuzz-inputs.test.ts)\n${run.stderr}`,
  );
}

async function check(command: 'run' | 'replay', input: string): Promise<InProcessRun> {
  const args = command === 'run' ? ['run', input, '--trace', join(dir, 'fuzz-run.jsonl')] : ['replay', input];
  const run = await samsa(...args);
  expectContract(run, args, input);
  return run;
}

function property<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (value: T) => Promise<void>): Promise<void> {
  return fc.assert(fc.asyncProperty(arb, body), { seed: SEED, numRuns, endOnFailure: !SHRINK });
}

describe(`fuzzing run and replay (fast-check seed ${SEED})`, () => {
  console.log(`[fuzz-inputs] fast-check seed ${SEED} (replay: SAMSA_FUZZ_SEED=${SEED} npx vitest run test/cli/fuzz-inputs.test.ts)`);

  it('random bytes and random text, to run and to replay', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3_000 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 400, unit: fc.constantFrom(...TOKENS) }).map((s) => Buffer.from(s, 'utf8')),
    );
    await property(bytes, runs(40), async (content) => {
      const file = inputFile('random', content);
      await check('run', file);
      await check('replay', file);
    });
  });

  it('mutations of valid scenario files, to run (the short ones run, the long ones are parsed)', async () => {
    let ran = 0;
    // Half the mutants start from the three short bases, so some always run whatever the shipped files are.
    const base = fc.oneof(fc.nat({ max: 2 }), fc.nat({ max: SCENARIO_BASES.length - 1 }));
    const mutant = fc.record({ base, mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) });
    await property(mutant, runs(150), async ({ base, mutations }) => {
      const text = mutate(SCENARIO_BASES[base]!, mutations);
      let scenario: Scenario | null = null;
      try {
        scenario = parseScenario(text, 'mutant.yaml', { knownBugs: KNOWN_BUGS });
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw err;
      }
      // An invalid file costs nothing to run; a valid one only when it is short.
      if (scenario !== null && !cheap(scenario)) return;
      if (scenario !== null) ran++;
      await check('run', inputFile('mutant.yaml', text));
    });
    expect(ran).toBeGreaterThan(0);
  });

  it('mutations of a valid trace, and of its header as JSON, to replay', async () => {
    const scenarios = [SHORT_SCENARIO, FAULTED].map((text, i) => inputFile(`base-${i}.yaml`, text));
    const traces = scenarios.map((s, i) => join(dir, `base-${i}.jsonl`));
    for (let i = 0; i < scenarios.length; i++) {
      const made = await samsa('run', scenarios[i]!, '--trace', traces[i]!);
      expect(made.code, made.stderr).toBe(0);
    }
    const texts = traces.map((t) => readFileSync(t, 'utf8'));
    const headerEdit = fc.record({
      path: fc.nat({ max: 1_000_000 }),
      value: fc.constantFrom<unknown>(undefined, null, -1, 0, 1.5, 1e12, 'x', [], {}, true, [1, 2], { kind: 'summary' }),
    });
    const mutant = fc.record({
      base: fc.nat({ max: texts.length - 1 }),
      mutations: fc.array(mutationArb, { minLength: 0, maxLength: 3 }),
      header: fc.option(headerEdit, { freq: 3 }),
    });
    await property(mutant, runs(120), async ({ base, mutations, header }) => {
      let text = texts[base]!;
      if (header !== null) text = editHeader(text, header.path, header.value);
      await check('replay', inputFile('mutant.jsonl', mutate(text, mutations)));
    });
  });
});

/** Sets (or with undefined, deletes) one field anywhere in the header's JSON, chosen by `pick`. */
function editHeader(text: string, pick: number, value: unknown): string {
  const newline = text.indexOf('\n');
  const header = JSON.parse(text.slice(0, newline)) as Record<string, unknown>;
  const fields: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      fields.push([node as Record<string, unknown>, Array.isArray(node) ? Number(key) : key]);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(header);
  const [parent, key] = fields[pick % fields.length]!;
  if (value === undefined && !Array.isArray(parent)) delete parent[key as string];
  else (parent as Record<string | number, unknown>)[key] = value;
  return JSON.stringify(header) + text.slice(newline);
}
