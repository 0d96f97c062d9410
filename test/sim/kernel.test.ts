import { describe, expect, it } from 'vitest';
import type { Env, Node, NodeId } from '../../core/env.ts';
import { StorageError } from '../../core/storage.ts';
import { NodeFailure, Simulation } from '../../sim/kernel.ts';
import { MemorySink } from '../../trace/sink.ts';
import { recordingCluster } from './helpers.ts';

describe('the kernel: ordering of simultaneous events', () => {
  it('fires timers due at the same instant in the order they were armed', () => {
    const { sim, fired, env } = recordingCluster(['a', 'b']);
    sim.at(1, () => {
      env('b').setTimer(10, 'second');
      env('a').setTimer(10, 'first');
      env('b').setTimer(10, 'third');
    });
    sim.run(100);
    expect(fired.map((f) => `${f.at}:${f.node}:${f.tag}`)).toEqual(['11:b:second', '11:a:first', '11:b:third']);
  });

  it('delivers messages arriving together in the order they were sent', () => {
    const { sim, log, env } = recordingCluster(['a', 'b', 'c']);
    sim.at(0, () => {
      env('a').send('c', 'a1');
      env('b').send('c', 'b1');
      env('a').send('c', 'a2');
    });
    sim.run(10);
    expect(log.map((r) => `${r.at}:${r.from}:${r.msg}`)).toEqual(['1:a:a1', '1:b:b1', '1:a:a2']);
  });

  it('runs actions scheduled for the same time in schedule order, after earlier events', () => {
    const { sim } = recordingCluster(['a']);
    const order: string[] = [];
    sim.at(5, () => order.push('x'));
    sim.at(3, () => order.push('early'));
    sim.at(5, () => order.push('y'));
    sim.run(10);
    expect(order).toEqual(['early', 'x', 'y']);
    expect(sim.now).toBe(10);
  });

  it('re-arming a timer replaces it and cancelling removes it', () => {
    const { sim, fired, env } = recordingCluster(['a']);
    sim.at(0, () => env('a').setTimer(10, 'election'));
    sim.at(5, () => env('a').setTimer(10, 'election')); // reset: due at 15, not 10
    sim.at(6, () => env('a').setTimer(1, 'gone'));
    sim.at(6.5, () => env('a').cancelTimer('gone'));
    sim.run(100);
    expect(fired.map((f) => `${f.at}:${f.tag}`)).toEqual(['15:election']);
  });

  it('keeps microsecond resolution on the clock', () => {
    const { sim, fired, env } = recordingCluster(['a']);
    sim.at(0, () => env('a').setTimer(0.25, 't'));
    sim.run(1);
    expect(fired[0]!.at).toBe(0.25);
  });
});

describe('the kernel: crash and restart', () => {
  it('a killed process leaves its unsynced writes in the page cache; a power loss takes them', () => {
    const sim = new Simulation<string>({ seed: 1 });
    sim.addNode('a', () => ({
      start: (env) => {
        if (env.storage.size('f') === 0) env.storage.append('f', new Uint8Array([1, 2, 3]));
      },
      receive: () => {},
      fire: () => {},
    }));
    sim.start('a');
    sim.kill('a');
    expect(sim.isUp('a')).toBe(false);
    sim.restart('a');
    expect([...sim.storageOf('a').read('f', 0, 10)]).toEqual([1, 2, 3]);
    sim.crash('a', 'power-loss');
    expect(sim.storageOf('a').exists('f')).toBe(false);
  });

  it('a crash discards the node object; a restart builds a new one over the same storage', () => {
    const objects: Node<string>[] = [];
    const sim = new Simulation<string>({ seed: 1 });
    sim.addNode('a', () => {
      const node: Node<string> = {
        start: (env) => {
          env.storage.append('f', new Uint8Array([env.storage.size('f')]));
          env.storage.fsync('f');
        },
        receive: () => {},
        fire: () => {},
      };
      objects.push(node);
      return node;
    });
    sim.start('a');
    sim.crash('a');
    expect(sim.isUp('a')).toBe(false);
    expect(sim.nodeObject('a')).toBeNull();
    sim.restart('a');
    expect(objects).toHaveLength(2);
    expect(objects[0]).not.toBe(objects[1]);
    expect([...sim.storageOf('a').read('f', 0, 10)]).toEqual([0, 1]);
  });

  it('a crash loses exactly the unsynced suffix of every file; torn writes, when on, keep part of it', () => {
    const run = (tornWrites: number, seed: number) => {
      const sink = new MemorySink();
      const sim = new Simulation<string>({ seed, disk: { tornWrites }, trace: sink });
      const seen: number[][] = [];
      sim.addNode('a', () => ({
        start: (env) => {
          seen.push([...env.storage.read('log', 0, 100)]);
          if (env.storage.size('log') > 0) return;
          env.storage.append('log', new Uint8Array([1, 2, 3]));
          env.storage.fsync('log');
          env.storage.append('log', new Uint8Array([4, 5, 6, 7]));
        },
        receive: () => {},
        fire: () => {},
      }));
      sim.start('a');
      sim.at(1, () => sim.crash('a'));
      sim.at(2, () => sim.restart('a'));
      sim.run(3);
      sim.finish();
      return { recovered: seen[1]!, events: sink.events() };
    };
    const clean = run(0, 1);
    expect(clean.recovered).toEqual([1, 2, 3]);
    expect(clean.events.find((e) => e['kind'] === 'crash')!['disk']).toEqual([{ file: 'log', size: 7, synced: 3, kept: 3, torn: false }]);
    const torn = run(1, 1);
    expect(torn.recovered.length).toBeGreaterThan(3);
    expect(torn.recovered.length).toBeLessThan(7);
    expect(torn.recovered).toEqual([1, 2, 3, 4, 5, 6, 7].slice(0, torn.recovered.length));
    expect(torn.events.some((e) => e['kind'] === 'disk' && e['fault'] === 'torn-write')).toBe(true);
  });

  it('timers die with their node: nothing armed before a crash fires after it, even after a restart', () => {
    const { sim, fired, env } = recordingCluster(['a', 'b']);
    sim.at(0, () => {
      env('a').setTimer(10, 'before-crash');
      env('b').setTimer(10, 'survivor');
    });
    sim.at(5, () => sim.crash('a'));
    sim.at(6, () => sim.restart('a'));
    sim.at(7, () => env('a').setTimer(1, 'after-restart'));
    sim.run(100);
    expect(fired.map((f) => `${f.at}:${f.node}:${f.tag}`)).toEqual(['8:a:after-restart', '10:b:survivor']);
  });

  it('an env of a crashed incarnation is inert', () => {
    const { sim, log, env } = recordingCluster(['a', 'b']);
    const old = env('a');
    sim.at(1, () => sim.crash('a'));
    sim.at(2, () => sim.restart('a'));
    sim.at(3, () => {
      old.send('b', 'from-the-dead');
      old.setTimer(1, 'zombie');
      env('a').send('b', 'alive');
    });
    sim.run(10);
    expect(log.map((r) => r.msg)).toEqual(['alive']);
  });

  it('drops messages to a crashed node, and messages in flight across a restart', () => {
    const sink = new MemorySink();
    const sim = new Simulation<string>({ seed: 1, network: { latency: { constant: 5 } }, trace: sink });
    const received: string[] = [];
    const envs = new Map<NodeId, Env<string>>();
    for (const id of ['a', 'b']) {
      sim.addNode(id, () => ({
        start: (env) => void envs.set(id, env),
        receive: (_env, _from, msg) => void received.push(msg),
        fire: () => {},
      }));
      sim.start(id);
    }
    sim.at(0, () => envs.get('a')!.send('b', 'in-flight')); // arrives at 5
    sim.at(1, () => sim.crash('b'));
    sim.at(2, () => envs.get('a')!.send('b', 'to-a-dead-node'));
    sim.at(3, () => sim.restart('b'));
    sim.at(4, () => envs.get('a')!.send('b', 'after-restart')); // arrives at 9
    sim.run(20);
    sim.finish();
    expect(received).toEqual(['after-restart']);
    const events = sink.events();
    expect(events.find((e) => e['kind'] === 'send' && e['drop'] === 'down')).toBeDefined();
    expect(events.find((e) => e['kind'] === 'drop' && e['reason'] === 'restarted')).toBeDefined();
    expect(sim.stats.dropped).toMatchObject({ down: 1, restarted: 1 });
  });

  it('a storage error the node does not handle halts that node, not the simulation', () => {
    const sim = new Simulation<string>({ seed: 1 });
    sim.addNode('a', () => ({
      start: (env) => env.setTimer(1, 'io'),
      receive: () => {},
      fire: () => {
        throw new StorageError('fsync-failed', 'log', 'boom');
      },
    }));
    sim.start('a');
    sim.run(5);
    expect(sim.isUp('a')).toBe(false);
    expect(sim.stats.crashes).toBe(1);
  });

  it('any other exception from a node is a harness failure naming the node and the step', () => {
    const sim = new Simulation<string>({ seed: 1 });
    sim.addNode('a', () => ({
      start: (env) => env.setTimer(1, 'bug'),
      receive: () => {},
      fire: () => {
        throw new TypeError('undefined is not a function');
      },
    }));
    sim.start('a');
    expect(() => sim.run(5)).toThrow(NodeFailure);
    expect(() => sim.run(5)).not.toThrow(); // the failing event was consumed
  });
});

describe('the kernel: clocks and randomness', () => {
  it('skews one node clock without moving simulated time', () => {
    const { sim, env } = recordingCluster(['a', 'b']);
    sim.setClockSkew('b', 2000);
    sim.run(10);
    expect(env('a').now()).toBe(10);
    expect(env('b').now()).toBe(2010);
    expect(sim.now).toBe(10);
  });

  it('gives each node its own seeded stream', () => {
    const draws = (seed: number, extraNode: boolean) => {
      const sim = new Simulation<string>({ seed });
      const envs = new Map<string, Env<string>>();
      const ids = extraNode ? ['x', 'a', 'b'] : ['a', 'b'];
      for (const id of ids) {
        sim.addNode(id, () => ({ start: (env) => void envs.set(id, env), receive: () => {}, fire: () => {} }));
        sim.start(id);
      }
      return [envs.get('a')!.random(), envs.get('a')!.random(), envs.get('b')!.random()];
    };
    expect(draws(1, false)).toEqual(draws(1, false));
    expect(draws(1, false)).not.toEqual(draws(2, false));
    // Adding a node does not move anyone else's draws.
    expect(draws(1, true)).toEqual(draws(1, false));
  });
});
