// The swarm nemesis: a seed's draw is deterministic, seeds differ in the kinds they switch on,
// and the schedule keeps its promises (a minority of voters down at once, every fault in time).

import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { drawClients, drawNemesis, withNemesisDrawn } from '../../sim/scenario/nemesis.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import type { Fault } from '../../sim/scenario/types.ts';

const nemesis = loadScenario('scenarios/nemesis.yaml', { knownBugs: KNOWN_BUGS });

/** Single-node crash windows overlapping at time t (kill-all counts as every node). */
function downAt(faults: readonly Fault[], t: number): { one: number; all: number } {
  let one = 0;
  let all = 0;
  for (const f of faults) {
    if (f.kind !== 'crash' && f.kind !== 'power-loss') continue;
    const until = f.forMs === undefined ? (faults.find((g) => g.kind === 'restart-wiped' && g.atMs > f.atMs)?.atMs ?? Infinity) : f.atMs + f.forMs;
    if (f.atMs > t || until <= t) continue;
    if (f.nodes.some((s) => s.kind === 'all')) all++;
    else one++;
  }
  return { one, all };
}

describe('the swarm nemesis', () => {
  it('draws the same schedule for the same seed and different ones for different seeds', () => {
    expect(drawNemesis(nemesis, 7)).toEqual(drawNemesis(nemesis, 7));
    expect(drawNemesis(nemesis, 7).faults).not.toEqual(drawNemesis(nemesis, 8).faults);
  });

  it('switches on different subsets of the listed kinds across seeds, each of them sometimes', () => {
    const subsets = new Set<string>();
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const draw = drawNemesis(nemesis, seed);
      expect(draw.kinds.length).toBeGreaterThan(0);
      for (const k of draw.kinds) expect(nemesis.nemesis!.faults).toContain(k);
      subsets.add(draw.kinds.join(','));
      for (const k of draw.kinds) seen.add(k);
    }
    expect(subsets.size).toBeGreaterThan(30);
    expect([...seen].sort()).toEqual([...nemesis.nemesis!.faults].sort());
  });

  it('keeps every fault inside the run and at most a minority of voters down at once', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { faults } = drawNemesis(nemesis, seed);
      for (const f of faults) {
        expect(f.atMs).toBeLessThan(nemesis.durationMs);
        const { one, all } = downAt(faults, f.atMs + 0.5);
        expect(one).toBeLessThanOrEqual(1); // 3 voters: a minority is one
        expect(all === 0 || one === 0).toBe(true);
        expect(all).toBeLessThanOrEqual(1);
      }
    }
  });

  it('draws nothing for a scenario without a nemesis', () => {
    expect(drawNemesis({ ...nemesis, nemesis: null }, 3).faults).toEqual([]);
  });
});

describe('the swarm of clients (nemesis clients: swarm)', () => {
  it("adds producers beside the scenario's on its topic and eager assign-mode readers, with unique names, the same per seed", () => {
    expect(nemesis.nemesis!.clients).toBe('swarm');
    const producers = new Set<number>();
    let readers = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const extra = drawClients(nemesis, seed);
      expect(drawClients(nemesis, seed)).toEqual(extra);
      const all = [...nemesis.clients, ...extra];
      expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
      const p = extra.filter((c) => c.kind === 'producer');
      producers.add(p.length);
      for (const c of p) expect(c).toMatchObject({ topic: 'orders', ratePerSec: 50, keys: 5, config: { acks: 'all' } });
      for (const c of extra.filter((c) => c.kind === 'consumer')) {
        expect(c).toMatchObject({ topic: 'orders', mode: 'assign' });
        expect([10, 50]).toContain(c.config['fetch.max.wait.ms']);
        readers++;
      }
    }
    expect([...producers].sort()).toEqual([0, 1, 2]);
    expect(readers).toBeGreaterThan(5);
    expect(readers).toBeLessThan(35);
  });

  it('gives a transactional producer’s copies their own transactional id (the same one would fence each other), and copies no processor', () => {
    const txnScenario = {
      ...nemesis,
      clients: [
        {
          kind: 'producer' as const,
          id: 't1',
          topic: 'orders',
          ratePerSec: 5,
          keys: 5,
          transactions: { size: 3, abort: 0 },
          config: { 'transactional.id': 't1' },
        },
        { kind: 'processor' as const, id: 'x1', from: 'orders', to: 'orders-copy', group: 'g', config: { 'transactional.id': 'x1' } },
      ],
    };
    const copies = Array.from({ length: 10 }, (_, seed) => drawClients(txnScenario, seed + 1)).flat();
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.kind).toBe('producer');
      expect(c.kind === 'producer' ? c.config['transactional.id'] : null).toBe(c.id);
      expect(c.id).not.toBe('t1');
    }
  });

  it('draws from a stream of its own: the faults of a seed are those drawn without it, and nothing is added without it', () => {
    const plain = { ...nemesis, nemesis: { faults: nemesis.nemesis!.faults, intervalMs: nemesis.nemesis!.intervalMs } };
    expect(drawClients(plain, 3)).toEqual([]);
    expect(withNemesisDrawn(plain, 3).clients).toEqual(nemesis.clients);
    expect(withNemesisDrawn(nemesis, 3).faults).toEqual(withNemesisDrawn(plain, 3).faults);
    expect(withNemesisDrawn(nemesis, 3).clients).toEqual([...nemesis.clients, ...drawClients(nemesis, 3)]);
  });
});
