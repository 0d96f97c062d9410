// The scenario generator itself (no simulation): what it draws parses as a scenario file, stays
// inside what Kafka promises to survive, and over a sample covers every shape and fault kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxVotersDown } from '../../sim/scenario/nemesis.ts';
import { parseGenerated, scenarioDocArb, scenarioYaml } from './generate.ts';
import type { Fault, Scenario, Selector } from '../../sim/scenario/types.ts';
import { propertySeed } from './harness.ts';

const SAMPLE = 250;

function voters(s: Scenario): string[] {
  const brokers = Array.from({ length: s.cluster.nodes }, (_, i) => `b${i + 1}`);
  return s.cluster.controllers === 'combined' ? brokers : Array.from({ length: s.cluster.controllers }, (_, i) => `c${i + 1}`);
}

/** Voters a crash or power loss of these selectors may stop (dynamic selectors count as one). */
function mayStop(s: Scenario, selectors: readonly Selector[]): number {
  const v = voters(s);
  return selectors.reduce((n, sel) => {
    if (sel.kind === 'node') return n + (v.includes(sel.id) ? 1 : 0);
    if (sel.kind === 'leader-of') return n + (s.cluster.controllers === 'combined' ? 1 : 0);
    return n + 1;
  }, 0);
}

/** [from, to) for each stopping fault: `for`, or until a later restart of the same selectors, or the end. */
function downIntervals(s: Scenario): Array<{ from: number; to: number; voters: number }> {
  const out: Array<{ from: number; to: number; voters: number }> = [];
  s.faults.forEach((f, i) => {
    if (f.kind !== 'crash' && f.kind !== 'power-loss') return;
    let to = f.forMs !== undefined ? f.atMs + f.forMs : Infinity;
    if (f.forMs === undefined) {
      const same = (g: Fault) => g.kind === 'restart' && JSON.stringify(g.nodes) === JSON.stringify(f.nodes) && g.atMs >= f.atMs;
      to = s.faults.slice(i + 1).find(same)?.atMs ?? Infinity;
    }
    out.push({ from: f.atMs, to, voters: mayStop(s, f.nodes) });
  });
  return out;
}

describe('the scenario generator', () => {
  const { seed } = propertySeed('generator');
  const docs = fc.sample(scenarioDocArb(), { numRuns: SAMPLE, seed });
  const scenarios = docs.map((d) => parseGenerated(scenarioYaml(d)));

  it('draws documents that parse as scenario files and print back to the same scenario', () => {
    // Parsing twice (the first time above) proves the YAML is a faithful and stable rendering.
    for (const [i, s] of scenarios.slice(0, 50).entries()) expect(parseGenerated(scenarioYaml(docs[i]!))).toEqual(s);
  });

  it('draws only configurations Kafka promises to survive without losing an acknowledged write', () => {
    const problems: string[] = [];
    scenarios.forEach((s, i) => {
      const bad: string[] = [];
      const check = (ok: boolean, what: string) => {
        if (!ok) bad.push(what);
      };
      for (const t of s.topics) {
        const minIsr = Number(t.config['min.insync.replicas']);
        check(t.replicationFactor <= s.cluster.nodes, `${t.name}: replication factor above the brokers`);
        check(minIsr <= t.replicationFactor, `${t.name}: min.insync.replicas above the replication factor`);
        check(t.replicationFactor < 3 || minIsr >= 2, `${t.name}: min.insync.replicas below 2 with ${t.replicationFactor} replicas`);
        check((t.config['unclean.leader.election.enable'] ?? false) === false, `${t.name}: unclean leader election`);
      }
      for (const c of s.clients) {
        if (c.kind === 'producer') check(c.config['acks'] === 'all', `${c.id}: acks not all`);
        else check(c.kind === 'consumer' && c.mode === 'assign', `${c.id}: not an assign-mode consumer`);
      }
      const read = new Set(s.clients.filter((c) => c.kind === 'consumer').map((c) => c.topic));
      for (const c of s.clients) if (c.kind === 'producer') check(read.has(c.topic), `${c.id}: writes a topic nobody reads`);
      const fsyncsAll = s.topics.every((t) => t.config['flush.messages'] === 1);
      check(fsyncsAll || !s.faults.some((f) => f.kind === 'power-loss'), 'power loss without flush.messages 1');
      check(fsyncsAll || s.disk.tornWrites === 0, 'torn writes without flush.messages 1');
      check(!s.faults.some((f) => f.kind === 'restart-wiped'), 'a lost disk');
      check(s.nemesis === null, 'a random nemesis');
      const budget = maxVotersDown(voters(s).length);
      const intervals = downIntervals(s);
      for (const at of intervals.map((d) => d.from)) {
        const down = intervals.filter((d) => d.from <= at && at < d.to).reduce((n, d) => n + d.voters, 0);
        check(down <= budget, `${down} voters may be down at ${at}ms, more than ${budget}`);
      }
      if (bad.length > 0) problems.push(`${bad.join('; ')} (fast-check seed ${seed}, sample ${i}):\n${scenarioYaml(docs[i]!)}`);
    });
    expect(problems).toEqual([]);
  });

  it('covers every cluster shape, config and fault kind over a sample', () => {
    const shapes = new Set(scenarios.map((s) => `${s.cluster.nodes}/${s.cluster.controllers}`));
    for (const n of [1, 2, 3, 4, 5]) for (const c of ['combined', 1, 3]) expect(shapes, `${n}/${c}`).toContain(`${n}/${c}`);
    const kinds = new Set(scenarios.flatMap((s) => s.faults.map((f) => f.kind)));
    for (const k of ['partition', 'partition-oneway', 'heal', 'crash', 'restart', 'power-loss', 'slow-link', 'network', 'clock-skew'])
      expect(kinds).toContain(k);
    const selectors = new Set(
      scenarios.flatMap((s) =>
        s.faults.flatMap((f) =>
          ('nodes' in f ? f.nodes : f.kind === 'partition' ? f.groups.flat() : f.kind === 'partition-oneway' ? [...f.from, ...f.to] : []).map(
            (sel) => sel.kind,
          ),
        ),
      ),
    );
    for (const k of ['node', 'all', 'rest', 'random', 'controller-leader', 'leader-of']) expect(selectors).toContain(k);
    // Bridges: a split that leaves a node in no group.
    const bridged = scenarios.some((s) =>
      s.faults.some(
        (f) =>
          f.kind === 'partition' &&
          f.groups.every((g) => g.every((sel) => sel.kind === 'node')) &&
          f.groups.flat().length < s.cluster.nodes + (s.cluster.controllers === 'combined' ? 0 : s.cluster.controllers),
      ),
    );
    expect(bridged).toBe(true);
    const producers = scenarios.flatMap((s) => s.clients.filter((c) => c.kind === 'producer'));
    expect(new Set(producers.map((p) => p.config['enable.idempotence']))).toEqual(new Set([true, false]));
    const minIsrs = new Set(scenarios.flatMap((s) => s.topics.map((t) => `${t.replicationFactor}:${String(t.config['min.insync.replicas'])}`)));
    for (const k of ['1:1', '2:1', '2:2', '3:2', '3:3', '4:4']) expect(minIsrs).toContain(k);
    expect(new Set(scenarios.map((s) => s.clients.filter((c) => c.kind === 'producer').length))).toEqual(new Set([1, 2, 3]));
    expect(scenarios.some((s) => s.disk.tornWrites > 0)).toBe(true);
  });
});
