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

describe('the kernel: pause and resume (SIGSTOP, SIGCONT)', () => {
  it('a paused node handles nothing; what reached it is delivered in arrival order on resume, with its due timers, before anything later', () => {
    const { sim, log, fired, env } = recordingCluster(['a', 'b', 'c']);
    sim.at(0, () => env('b').setTimer(3, 'due-while-paused'));
    sim.at(0, () => env('b').setTimer(30, 'due-after'));
    sim.at(1, () => sim.pause('b'));
    sim.at(2, () => env('a').send('b', 'a1')); // arrives at 3
    sim.at(2, () => env('c').send('b', 'c1'));
    sim.at(4, () => env('a').send('b', 'a2'));
    sim.at(9, () => env('a').send('b', 'a3')); // arrives at 10, the instant of the resume: after what was held
    sim.at(10, () => sim.resume('b'));
    sim.at(10, () => env('c').send('b', 'c2')); // arrives at 11
    sim.run(50);
    expect(log.map((r) => `${r.at}:${r.from}:${r.msg}`)).toEqual(['10:a:a1', '10:c:c1', '10:a:a2', '10:a:a3', '11:c:c2']);
    expect(fired.map((f) => `${f.at}:${f.tag}`)).toEqual(['10:due-while-paused', '30:due-after']);
    expect(sim.isPaused('b')).toBe(false);
  });

  it('runs held events in the order they came due, timers and messages together', () => {
    const order: string[] = [];
    const sim = new Simulation<string>({ seed: 1, network: { latency: { constant: 1 } } });
    const envs = new Map<NodeId, Env<string>>();
    for (const id of ['a', 'b']) {
      sim.addNode(id, () => ({
        start: (env) => void envs.set(id, env),
        receive: (_env, _from, msg) => void order.push(msg),
        fire: (_env, tag) => void order.push(tag),
      }));
      sim.start(id);
    }
    sim.at(0, () => envs.get('b')!.setTimer(5, 't5'));
    sim.at(0, () => envs.get('b')!.setTimer(2, 't2'));
    sim.at(1, () => sim.pause('b'));
    sim.at(2, () => envs.get('a')!.send('b', 'm3')); // arrives at 3
    sim.at(6, () => sim.resume('b'));
    sim.run(10);
    expect(order).toEqual(['t2', 'm3', 't5']);
  });

  it('messages that reached a paused node survive a later cut; those in flight when it is cut are dropped', () => {
    const { sim, log, env } = recordingCluster(['a', 'b']);
    sim.at(0, () => sim.pause('b'));
    sim.at(1, () => env('a').send('b', 'arrived')); // arrives at 2
    sim.at(3, () => env('a').send('b', 'cut-off')); // would arrive at 4
    sim.at(3.5, () => sim.partition([['a'], ['b']]));
    sim.at(5, () => sim.resume('b'));
    sim.run(10);
    expect(log.map((r) => r.msg)).toEqual(['arrived']);
  });

  it('a paused node sends nothing and its scripted actions are skipped; a heal does not resume it', () => {
    const { sim, log, env } = recordingCluster(['a', 'b']);
    sim.at(0, () => sim.pause('a'));
    sim.at(1, () => expect(sim.act('a', (_node, e) => e.send('b', 'from-a-paused'))).toBe(false));
    sim.at(2, () => sim.healAll());
    sim.run(10);
    expect(sim.isPaused('a')).toBe(true);
    expect(sim.isUp('a')).toBe(true);
    expect(log).toEqual([]);
    sim.at(11, () => sim.resume('a'));
    sim.at(12, () => env('a').send('b', 'after'));
    sim.run(20);
    expect(log.map((r) => r.msg)).toEqual(['after']);
  });

  it('a paused process can be killed: what it held is lost, its timers die, and it restarts unpaused', () => {
    const sink = new MemorySink();
    const { sim, log, fired, env } = recordingCluster(['a', 'b'], { trace: sink });
    sim.at(0, () => env('b').setTimer(2, 'held'));
    sim.at(0, () => sim.pause('b'));
    sim.at(1, () => env('a').send('b', 'held-message'));
    sim.at(5, () => sim.kill('b'));
    sim.at(6, () => sim.restart('b'));
    sim.at(7, () => env('a').send('b', 'fresh'));
    sim.run(20);
    sim.finish();
    expect(log.map((r) => r.msg)).toEqual(['fresh']);
    expect(fired).toEqual([]);
    expect(sim.isPaused('b')).toBe(false);
    expect(sim.stats.dropped.down).toBe(1);
    const kinds = sink.events().map((e) => e['kind']);
    expect(kinds).toContain('pause');
    expect(kinds).not.toContain('resume');
  });

  it('a graceful stop asked of a paused node waits for its resume', () => {
    const { sim } = recordingCluster(['a']);
    sim.at(0, () => sim.pause('a'));
    sim.at(1, () => sim.shutdown('a'));
    sim.run(5);
    expect(sim.isUp('a')).toBe(true);
    sim.at(6, () => sim.resume('a'));
    sim.run(10);
    expect(sim.isUp('a')).toBe(false);
  });

  it('traces pause and resume, with the count of held events', () => {
    const sink = new MemorySink();
    const { sim, env } = recordingCluster(['a', 'b'], { trace: sink });
    sim.at(0, () => sim.pause('b'));
    sim.at(1, () => env('a').send('b', 'x'));
    sim.at(4, () => sim.resume('b'));
    sim.run(10);
    sim.finish();
    const lines = sink.events().filter((e) => e['kind'] === 'pause' || e['kind'] === 'resume');
    expect(lines).toEqual([
      expect.objectContaining({ kind: 'pause', node: 'b', signal: 'SIGSTOP' }),
      expect.objectContaining({ kind: 'resume', node: 'b', held: 1 }),
    ]);
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

describe('the kernel: sessions', () => {
  it('hands each delivery its sender principal and host, none for a message to itself or from a node without one', () => {
    const sim = new Simulation<string>({ seed: 1 });
    const got: string[] = [];
    const envs = new Map<string, Env<string>>();
    const node = (id: string): Node<string> => ({
      start: (env) => void envs.set(id, env),
      receive: (_env, from, msg, session) => void got.push(`${id}<-${from}:${msg}:${session === undefined ? '-' : `${session.principal}@${session.host}`}`),
      fire: () => {},
    });
    sim.addNode('a', () => node('a'), 'User:alice');
    sim.addNode('b', () => node('b'), 'User:broker');
    sim.addNode('c', () => node('c'));
    for (const id of ['a', 'b', 'c']) sim.start(id);
    sim.at(0, () => {
      envs.get('a')!.send('b', 'x');
      envs.get('a')!.send('a', 'self');
      envs.get('b')!.send('a', 'y');
      envs.get('c')!.send('b', 'z');
    });
    sim.run(100);
    expect(got.sort()).toEqual(['a<-a:self:-', 'a<-b:y:User:broker@b', 'b<-a:x:User:alice@a', 'b<-c:z:-']);
  });
});
