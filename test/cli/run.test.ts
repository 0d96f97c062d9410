import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('exits 0 when a bug scenario trips what it expects, and 1 with --ignore-expect; prints a table for people', () => {
    const trace = join(dir, 'old-epoch.jsonl');
    const run = samsa('run', 'scenarios/bugs/raft-commit-old-epoch.yaml', '--trace', trace);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('hw-monotonic');
    expect(run.stdout).toMatch(/expectation\s+│ met/);
    expect(run.stdout).toContain('replay: npx samsa replay');
    expect(samsa('run', 'scenarios/bugs/raft-commit-old-epoch.yaml', '--trace', trace, '--ignore-expect').code).toBe(1);
  });

  it('exits 0 on an expected liveness failure, 2 with --ignore-expect', () => {
    const trace = join(dir, 'gives-up.jsonl');
    const run = samsa('run', 'scenarios/bugs/raft-candidate-gives-up.yaml', '--trace', trace, '--json');
    expect(run.code).toBe(0);
    expect(run.json()['violations']).toMatchObject([{ name: 'leader-elected', class: 'liveness' }]);
    expect(samsa('run', 'scenarios/bugs/raft-candidate-gives-up.yaml', '--trace', trace, '--ignore-expect').code).toBe(2);
  });

  it('exits 1 when a clean scenario trips a safety checker, and when a bug scenario does not trip what it expects', () => {
    // The bug scenario without its bug and its expectation is a clean scenario; the bug comes from the command line.
    const clean = join(dir, 'old-epoch-clean.yaml');
    const lines = readFileSync(join(root, 'scenarios/bugs/raft-commit-old-epoch.yaml'), 'utf8').split('\n');
    writeFileSync(clean, lines.filter((l) => !l.startsWith('bugs:') && !l.startsWith('expect:')).join('\n'));
    const tripped = samsa('run', clean, '--bug', 'raft-commit-old-epoch', '--trace', join(dir, 'cf-bug.jsonl'), '--json');
    expect(tripped.json()).toMatchObject({ expectationMet: false, valid: false });
    expect(tripped.code).toBe(1);
    const quiet = join(dir, 'quiet-bug.yaml');
    writeFileSync(quiet, 'samsa: 1\nname: quiet-bug\nduration: 3s\ncluster: { nodes: 3 }\nexpect: { violations: [lost-write] }\n');
    const missed = samsa('run', quiet, '--trace', join(dir, 'quiet.jsonl'), '--json');
    expect(missed.json()).toMatchObject({ expectationMet: false, valid: true, violations: [] });
    expect(missed.code).toBe(1);
  });

  it('says "unknown" (exit 2), not "no violations", when writes were sent and none was acknowledged', () => {
    const starved = join(dir, 'starved.yaml');
    writeFileSync(
      starved,
      [
        'samsa: 1',
        'name: starved',
        'duration: 6s',
        'cluster: { nodes: 3 }',
        'topics:',
        '  - { name: orders, partitions: 1, replicationFactor: 3, config: { min.insync.replicas: 3 } }',
        'clients:',
        '  - { producer: p1, topic: orders, rate: 20/s, config: { acks: all } }',
        'faults:',
        '  - { at: 0s, crash: b3 }',
        'expect: { violations: none, liveness: false }',
        '',
      ].join('\n'),
    );
    const run = samsa('run', starved, '--trace', join(dir, 'starved.jsonl'), '--json');
    expect(run.json()).toMatchObject({ valid: 'unknown', expectationMet: false, violations: [] });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/verdict\s+│ unknown: [\d,]+ write\(s\) sent and none acknowledged/);
  });

  it('warns in the summary about a fault whose selector matched no node', () => {
    const lonely = join(dir, 'lonely.yaml');
    writeFileSync(
      lonely,
      // At 0 s the topic is not created yet, so orders/0 has no leader to crash.
      'samsa: 1\nname: lonely\nduration: 3s\ncluster: { nodes: 3 }\ntopics:\n  - { name: orders, partitions: 1, replicationFactor: 3 }\nfaults:\n  - { at: 0s, crash: { leader-of: orders/0 } }\nexpect: { violations: none, liveness: false }\n',
    );
    const run = samsa('run', lonely, '--trace', join(dir, 'lonely.jsonl'), '--json');
    expect(run.json()['warnings']).toEqual(['the crash at 0 s: its selector "leader-of: orders/0" matched no node, so it struck nothing']);
    expect(run.stderr).toMatch(/warnings\s+│ the crash at 0 s/);
  });

  it('refuses an expectation that names no checker, with a did-you-mean (exit 64)', () => {
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'samsa: 1\nname: typo\nduration: 3s\ncluster: { nodes: 3 }\nexpect: { violations: [lost-writes] }\n');
    const run = samsa('run', typo);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`${typo}:5:24: expect.violations[0]: expected the name of a checker, got "lost-writes" (did you mean "lost-write"?)`);
  });

  it('ends with the final state of every partition, kafka-topics style, and lists it in --json', () => {
    const run = samsa('run', 'scenarios/consumer-group.yaml', '--trace', join(dir, 'cg.jsonl'), '--json');
    const partitions = run.json()['partitions'] as Array<Record<string, unknown>>;
    expect(partitions.filter((p) => p['topic'] === 'orders').map((p) => p['partition'])).toEqual([0, 1, 2, 3, 4, 5]);
    const orders0 = partitions.find((p) => p['topic'] === 'orders' && p['partition'] === 0)!;
    expect(orders0['isr']).toHaveLength(3);
    for (const log of orders0['logs'] as Array<Record<string, unknown>>) expect(log['logEndOffset']).toBe(log['highWatermark']);
    expect(partitions.filter((p) => p['topic'] === '__consumer_offsets')).toHaveLength(5);
    expect(run.stderr).toMatch(/│ orders\/0 +│ b\d +│ \d+ +│ b\d,b\d,b\d │/);
    expect(run.stderr).toMatch(/__consumer_offsets \(5 partitions\)/);
  });

  it('fits its tables to the terminal: long messages wrap, and violations past the first ten are counted, listed with --verbose', () => {
    const trace = join(dir, 'gen.jsonl');
    const run = samsa('run', 'scenarios/bugs/commit-no-generation-check.yaml', '--trace', trace);
    const widest = Math.max(...run.stdout.split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').length));
    expect(widest).toBeLessThanOrEqual(120);
    expect(run.stdout).toMatch(/│ \d+ more +│ +│ +│ not listed; --verbose or --json lists the \d+ recorded/);
    expect(run.stdout).not.toContain('...');
    const verbose = samsa('run', 'scenarios/bugs/commit-no-generation-check.yaml', '--trace', trace, '--verbose');
    expect(verbose.stdout.match(/│ stale-generation-commit/g)!.length).toBeGreaterThan(10);
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

  it('refuses a bad topic config value (cleanup.policy: shred) with exit 64, naming file, line and field', () => {
    const compact = join(dir, 'compact.yaml');
    writeFileSync(
      compact,
      'samsa: 1\nname: compact\nduration: 1s\ncluster: { nodes: 1 }\ntopics:\n  - { name: t, partitions: 1, replicationFactor: 1, config: { cleanup.policy: shred } }\n',
    );
    const run = samsa('run', compact);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`${compact}:6:`);
    expect(run.stderr).toContain('topics[0].config["cleanup.policy"]: "cleanup.policy" must be a comma-separated list of delete, compact, got "shred"');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
