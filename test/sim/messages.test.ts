// Messages are values: the simulator deep-freezes what a node hands to `send` (in tests, and
// whenever asked), so a sender that changes a message after sending it, or a receiver that
// changes what it got, throws where it does so instead of changing another node's view.
import { describe, expect, it } from 'vitest';
import type { Env, Node, NodeId } from '../../core/env.ts';
import { deepFreeze } from '../../sim/freeze.ts';
import { NodeFailure, Simulation } from '../../sim/kernel.ts';

type Msg = { values: number[]; bytes?: Uint8Array };

/** Sends one message to its peer at start; `afterSend` and `onReceive` may misbehave. */
class Talker implements Node<Msg> {
  constructor(
    private readonly peer: NodeId | null,
    private readonly afterSend: (msg: Msg) => void = () => {},
    private readonly onReceive: (msg: Msg) => void = () => {},
  ) {}
  start(env: Env<Msg>): void {
    if (this.peer === null) return;
    const msg: Msg = { values: [1, 2], bytes: new Uint8Array([7]) };
    env.send(this.peer, msg);
    this.afterSend(msg);
  }
  receive(_env: Env<Msg>, _from: NodeId, msg: Msg): void {
    this.onReceive(msg);
  }
  fire(): void {}
}

function run(sender: Talker, receiver: Talker, freezeMessages?: boolean): void {
  const sim = new Simulation<Msg>({ seed: 1, network: { latency: { constant: 1 } }, ...(freezeMessages === undefined ? {} : { freezeMessages }) });
  sim.addNode('a', () => sender);
  sim.addNode('b', () => receiver);
  sim.start('b');
  sim.start('a');
  sim.run(10);
}

describe('messages are values', () => {
  it('the test suites run with freezing on', () => {
    expect(process.env['SAMSA_FREEZE_MESSAGES']).toBe('1');
  });

  it('a sender that changes a message after sending it throws', () => {
    expect(() => run(new Talker('b', (m) => m.values.push(3)), new Talker(null))).toThrow(NodeFailure);
  });

  it('a receiver that changes what it got throws', () => {
    let caught: unknown = null;
    try {
      run(
        new Talker('b'),
        new Talker(
          null,
          () => {},
          (m) => (m.values[0] = 9),
        ),
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NodeFailure);
    expect((caught as NodeFailure).node).toBe('b');
  });

  it('with freezing off the same change goes through (it is the freeze that catches it)', () => {
    const seen: number[][] = [];
    run(
      new Talker('b', (m) => m.values.push(3)),
      new Talker(
        null,
        () => {},
        (m) => seen.push([...m.values]),
      ),
      false,
    );
    expect(seen).toEqual([[1, 2, 3]]);
  });

  it('byte arrays are left alone (they cannot be frozen), everything around them is frozen', () => {
    const msg = deepFreeze({ nested: { list: [{ x: 1 }] }, bytes: new Uint8Array([1]) });
    expect(Object.isFrozen(msg.nested.list[0])).toBe(true);
    expect(Object.isFrozen(msg.bytes)).toBe(false);
  });
});
