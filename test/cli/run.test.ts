import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, samsa as run } from './samsa.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-run-'));
const samsa = (...args: string[]) => run(root, ...args);

describe('samsa run', () => {
  it('runs the quickstart clean and ends --json output with the documented fields', () => {
    const trace = join(dir, 'quickstart.jsonl');
    const run = samsa('run', 'scenarios/quickstart.yaml', '--seed', '1', '--trace', trace, '--json');
    expect(run.code).toBe(0);
    const out = run.json();
    expect(out).toMatchObject({ scenario: 'quickstart', seed: 1, violations: [], expectationMet: true, trace });
    for (const key of ['traceHash', 'steps', 'simMs', 'wallMs']) expect(out).toHaveProperty(key);
    expect(existsSync(trace)).toBe(true);
    const replay = samsa('replay', trace, '--json');
    expect(replay.code).toBe(0);
    expect(replay.json()).toMatchObject({ identical: true, replayedHash: out['traceHash'] });
  });

  it('exits 1 with the violations of a safety bug, and prints a table for people', () => {
    const run = samsa('run', 'scenarios/bugs/raft-commit-old-epoch.yaml', '--trace', join(dir, 'old-epoch.jsonl'));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('hw-monotonic');
    expect(run.stdout).toMatch(/expectation\s+│ met/);
    expect(run.stdout).toContain('replay: npx samsa replay');
  });

  it('exits 2 when only liveness fails', () => {
    const run = samsa('run', 'scenarios/bugs/raft-candidate-gives-up.yaml', '--trace', join(dir, 'gives-up.jsonl'), '--json');
    expect(run.code).toBe(2);
    expect(run.json()['violations']).toMatchObject([{ name: 'leader-elected', class: 'liveness' }]);
  });

  it('switches on a seeded bug from the command line', () => {
    const run = samsa('run', 'scenarios/quickstart.yaml', '--bug', 'controller-empty-isr', '--trace', join(dir, 'q-bug.jsonl'), '--json');
    const out = run.json();
    expect(out['bugs']).toEqual(['controller-empty-isr']);
    expect(out['expectationMet']).toBe(run.code === 0);
  });

  it('names the file, line and field of a bad scenario, and an unknown bug, without a stack trace (exit 64)', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'samsa: 1\nname: bad\nduration: soon\ncluster: { nodes: 3 }\n');
    const run = samsa('run', bad);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`${bad}:3:`);
    expect(run.stderr).toContain('duration');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const unknownBug = samsa('run', 'scenarios/quickstart.yaml', '--bug', 'no-such-bug');
    expect(unknownBug.code).toBe(64);
    expect(unknownBug.stderr).toMatch(/unknown bug "no-such-bug" \(known: .*raft-vote-before-fsync/);
  });

  it('refuses a topic config that is not built yet (cleanup.policy: compact) with exit 64, naming file, line and field', () => {
    const compact = join(dir, 'compact.yaml');
    writeFileSync(
      compact,
      'samsa: 1\nname: compact\nduration: 1s\ncluster: { nodes: 1 }\ntopics:\n  - { name: t, partitions: 1, replicationFactor: 1, config: { cleanup.policy: compact } }\n',
    );
    const run = samsa('run', compact);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`${compact}:6:`);
    expect(run.stderr).toContain('topics[0].config["cleanup.policy"]: topic config "cleanup.policy" is not built yet');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
