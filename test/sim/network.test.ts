import { describe, expect, it } from 'vitest';
import type { Env } from '../../core/env.ts';
import { Simulation } from '../../sim/kernel.ts';
import type { LinkConfig } from '../../sim/network.ts';
import { MemorySink } from '../../trace/sink.ts';
import { recordingCluster } from './helpers.ts';

/** Sends `count` numbered messages from each listed sender to each listed receiver at time 0. */
function blast(env: (id: string) => Env<string>, pairs: Array<[string, string]>, count: number, at = 0) {
  return () => {
    for (const [from, to] of pairs) for (let i = 0; i < count; i++) env(from).send(to, `${from}>${to}#${i + at * 1000}`);
  };
}

function lossyCluster(network: Partial<LinkConfig>, seed = 1) {
  return recordingCluster(['a', 'b'], { seed, network });
}

describe('the network: partitions', () => {
  it('a two-way partition stops traffic both ways until healed', () => {
    const { sim, log, env } = recordingCluster(['a', 'b', 'c']);
    sim.partition([['a'], ['b', 'c']]);
    sim.at(
      1,
      blast(
        env,
        [
          ['a', 'b'],
          ['b', 'a'],
          ['b', 'c'],
          ['c', 'a'],
        ],
        1,
      ),
    );
    sim.at(10, () => sim.healAll());
    sim.at(
      11,
      blast(
        env,
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
        1,
        11,
      ),
    );
    sim.run(20);
    expect(log.map((r) => r.msg)).toEqual(['b>c#0', 'a>b#11000', 'b>a#11000']);
    expect(sim.stats.dropped.partition).toBe(3);
  });

  it('a one-way partition cuts only the named direction', () => {
    const { sim, log, env } = recordingCluster(['a', 'b']);
    sim.partition([['a'], ['b']], { oneWay: true });
    sim.at(
      1,
      blast(
        env,
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
        1,
      ),
    );
    sim.run(20);
    expect(log.map((r) => r.msg)).toEqual(['b>a#0']);
  });

  it('drops messages already in flight when a cut happens before they arrive', () => {
    const sink = new MemorySink();
    const { sim, log, env } = recordingCluster(['a', 'b'], { network: { latency: { constant: 10 } }, trace: sink });
    sim.at(0, blast(env, [['a', 'b']], 1));
    sim.at(5, () => sim.partition([['a'], ['b']]));
    sim.run(20);
    sim.finish();
    expect(log).toEqual([]);
    expect(
      sink
        .events()
        .filter((e) => e['kind'] === 'drop')
        .map((e) => e['reason']),
    ).toEqual(['partition']);
  });

  it('partitions any sets of nodes: a bridge node keeps both sides', () => {
    const { sim, log, env } = recordingCluster(['a', 'b', 'c']);
    sim.partition([['a'], ['c']]); // b talks to both, a and c are cut from each other
    sim.at(
      1,
      blast(
        env,
        [
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'c'],
          ['c', 'a'],
        ],
        1,
      ),
    );
    sim.run(20);
    expect(log.map((r) => r.msg).sort()).toEqual(['a>b#0', 'b>c#0']);
  });
});

describe('the network: loss, duplication, reordering, latency', () => {
  it('loses about the configured share of messages', () => {
    const { sim, log, env } = lossyCluster({ loss: 0.3 });
    sim.at(0, blast(env, [['a', 'b']], 10_000));
    sim.run(100);
    expect(log.length).toBeGreaterThan(6_700);
    expect(log.length).toBeLessThan(7_300);
    expect(sim.stats.dropped.loss).toBe(10_000 - log.length);
  });

  it('duplicates about the configured share of messages', () => {
    const { sim, log, env } = lossyCluster({ duplicate: 0.2 });
    sim.at(0, blast(env, [['a', 'b']], 10_000));
    sim.run(100);
    expect(log.length - 10_000).toBe(sim.stats.duplicated);
    expect(sim.stats.duplicated).toBeGreaterThan(1_800);
    expect(sim.stats.duplicated).toBeLessThan(2_200);
  });

  it('keeps each link FIFO by default even with random latency, like a TCP connection', () => {
    const { sim, log, env } = lossyCluster({ latency: { min: 1, max: 50 } });
    for (let i = 0; i < 200; i++) sim.at(i * 0.1, () => env('a').send('b', String(i)));
    sim.run(1000);
    expect(log.map((r) => Number(r.msg))).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('lets reordered messages overtake earlier ones', () => {
    const { sim, log, env } = lossyCluster({ latency: { min: 1, max: 50 }, reorder: 0.5 });
    for (let i = 0; i < 200; i++) sim.at(i * 0.1, () => env('a').send('b', String(i)));
    sim.run(1000);
    const order = log.map((r) => Number(r.msg));
    expect(order).toHaveLength(200);
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
    expect(sim.stats.reordered).toBeGreaterThan(50);
  });

  it('draws uniform latency within its bounds', () => {
    const { sim, log, env } = lossyCluster({ latency: { min: 2, max: 4 }, reorder: 1 });
    sim.at(0, blast(env, [['a', 'b']], 1_000));
    sim.run(100);
    const ats = log.map((r) => r.at);
    expect(Math.min(...ats)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...ats)).toBeLessThanOrEqual(4);
    expect(new Set(ats).size).toBeGreaterThan(500);
  });

  it('draws exponential latency above its floor with about the configured mean', () => {
    const { sim, log, env } = lossyCluster({ latency: { mean: 5, min: 1 }, reorder: 1 });
    sim.at(0, blast(env, [['a', 'b']], 10_000));
    sim.run(10_000);
    const ats = log.map((r) => r.at);
    const mean = ats.reduce((x, y) => x + y, 0) / ats.length;
    expect(Math.min(...ats)).toBeGreaterThanOrEqual(1);
    expect(mean).toBeGreaterThan(5.7);
    expect(mean).toBeLessThan(6.3);
  });

  it('slows one link both ways without touching the others', () => {
    const { sim, log, env } = recordingCluster(['a', 'b', 'c']);
    sim.setLinkBetween('a', 'b', { latency: { constant: 500 } });
    sim.at(
      0,
      blast(
        env,
        [
          ['a', 'b'],
          ['b', 'a'],
          ['a', 'c'],
        ],
        1,
      ),
    );
    sim.run(1000);
    expect(log.map((r) => `${r.msg}@${r.at}`)).toEqual(['a>c#0@1', 'a>b#0@500', 'b>a#0@500']);
    sim.setLinkBetween('a', 'b', null);
  });

  it('records every fate in the trace: arrival time, duplicate, reorder or drop', () => {
    const sink = new MemorySink();
    const sim = new Simulation<string>({ seed: 3, trace: sink, network: { loss: 0.2, duplicate: 0.2, reorder: 0.2 } });
    const envs = new Map<string, Env<string>>();
    for (const id of ['a', 'b']) {
      sim.addNode(id, () => ({ start: (env) => void envs.set(id, env), receive: () => {}, fire: () => {} }));
      sim.start(id);
    }
    sim.at(0, () => {
      for (let i = 0; i < 200; i++) envs.get('a')!.send('b', `m${i}`);
    });
    sim.run(100);
    sim.finish();
    const sends = sink.events().filter((e) => e['kind'] === 'send');
    expect(sends).toHaveLength(200);
    expect(sends.every((e) => typeof e['at'] === 'number' || e['drop'] === 'loss')).toBe(true);
    expect(sends.some((e) => typeof e['dup'] === 'number')).toBe(true);
    expect(sends.some((e) => e['reorder'] === true)).toBe(true);
    expect(sends.some((e) => e['drop'] === 'loss')).toBe(true);
  });

  it("adding a node leaves the other senders' network draws unchanged", () => {
    const arrivals = (withExtra: boolean) => {
      const ids = withExtra ? ['z', 'a', 'b'] : ['a', 'b'];
      const { sim, log, env } = recordingCluster(ids, { seed: 9, network: { latency: { min: 1, max: 9 }, loss: 0.1 } });
      if (withExtra) sim.at(0, blast(env, [['z', 'b']], 50));
      sim.at(0, blast(env, [['a', 'b']], 50));
      sim.run(100);
      return log.filter((r) => r.from === 'a').map((r) => `${r.msg}@${r.at}`);
    };
    expect(arrivals(true)).toEqual(arrivals(false));
  });
});
