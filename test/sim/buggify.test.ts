// BUGGIFY (core/buggify.ts): off, a run draws nothing and its trace is what it always was; on, the
// same seed gives the same trace, every site fires in some seed and is counted, the detours stay
// legal (no checker trips on correct code), and the switch is a scenario field and a flag of run
// and explore. The real runtime has no buggify at all.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGGIFY_SITE_NAMES } from '../../core/buggify.ts';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario, parseScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { HashOnlySink } from '../../trace/sink.ts';
import { root, samsa } from '../cli/samsa.ts';

const nemesis = loadScenario(join(root, 'scenarios/nemesis.yaml'), { knownBugs: KNOWN_BUGS });
const hashOf = (scenario: Scenario, seed: number, buggify?: boolean) =>
  runScenario(scenario, { seed, trace: new HashOnlySink(), ...(buggify === undefined ? {} : { buggify }) });

describe('BUGGIFY', () => {
  it('off draws nothing: the trace is the one a run without the option gives', () => {
    for (const seed of [1, 2]) expect(hashOf(nemesis, seed, false).traceHash).toBe(hashOf(nemesis, seed).traceHash);
    expect(hashOf(nemesis, 1).buggify).toBeNull();
  });

  it('on: the same seed gives the same trace and the same sites; every site fires in some seed; no checker trips', () => {
    const fired = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const first = hashOf(nemesis, seed, true);
      const second = hashOf(nemesis, seed, true);
      expect(second.traceHash).toBe(first.traceHash);
      expect(second.buggify).toEqual(first.buggify);
      expect(first.violations.map((v) => v.message)).toEqual([]);
      for (const [site, n] of Object.entries(first.buggify!)) {
        expect(BUGGIFY_SITE_NAMES).toContain(site);
        expect(n).toBeGreaterThan(0);
        fired.add(site);
      }
    }
    expect([...fired].sort()).toEqual([...BUGGIFY_SITE_NAMES].sort());
  }, 120_000);

  it('changes the run when a site fires', () => {
    const seed = 3;
    const on = hashOf(nemesis, seed, true);
    expect(Object.keys(on.buggify!).length).toBeGreaterThan(0);
    expect(on.traceHash).not.toBe(hashOf(nemesis, seed).traceHash);
  });

  it('is a scenario field (`buggify: true`), kept by the YAML writer', () => {
    const base = 'samsa: 1\nname: b\nduration: 10s\ncluster: { nodes: 1 }\n';
    const parse = (text: string) => parseScenario(text, 'x.yaml', { knownBugs: KNOWN_BUGS });
    expect(parse(`${base}buggify: true\n`).buggify).toBe(true);
    expect('buggify' in parse(base)).toBe(false);
    expect(() => parse(`${base}buggify: often\n`)).toThrow('x.yaml:5:10: buggify: expected true or false, got "often"');
    const on = parse(`${base}buggify: true\n`);
    expect(parse(scenarioToYaml(on))).toEqual(on);
  });

  it('is `samsa run --buggify` (recorded in the header, so replay reproduces it) and `samsa explore --buggify`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-buggify-'));
    const trace = join(dir, 'nemesis.jsonl');
    const run = samsa(root, 'run', 'scenarios/nemesis.yaml', '--seed', '3', '--buggify', '--trace', trace, '--json');
    expect(run.code).toBe(0);
    expect(Object.keys(run.json()['buggify'] as object).length).toBeGreaterThan(0);
    expect(run.stderr).toContain('BUGGIFY sites fired');
    const header = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!) as { config: { scenario: Scenario } };
    expect(header.config.scenario.buggify).toBe(true);
    expect(samsa(root, 'replay', trace, '--json').json()).toMatchObject({ identical: true });
    const explored = samsa(
      dir,
      'explore',
      join(root, 'scenarios/nemesis.yaml'),
      // Seeds 3 and 4 of the nemesis: seed 4 trips the bug.
      '--from',
      '3',
      '--seeds',
      '2',
      '--buggify',
      '--bug',
      'ack-before-hw',
      '--shrink',
      '0',
      '--workers',
      '1',
    );
    expect(explored.code).toBe(1);
    expect(explored.stdout).toMatch(/BUGGIFY\s+│ on/);
    expect(explored.stdout).toContain('BUGGIFY sites fired');
  }, 120_000);
});
