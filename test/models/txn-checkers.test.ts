// The transaction checkers over hand-made histories (the contract at the end of
// models/history/types.ts): a transaction's sends are judged by its fate, read_committed consumers
// must see committed transactions whole and nothing else, and a consume-transform-produce pipeline
// must hold every input once. Each checker trips on the anomaly it names and stays quiet on the
// legitimate history next to it.

import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../../models/history/types.ts';
import { check, History, r } from './history-builder.ts';

/** A transactional producer writing hand-made Produce requests: `txn` numbers its transactions. */
class TxnProducer {
  private sendId = 1000;
  constructor(
    private readonly h: History,
    readonly name: string,
  ) {}

  /** One Produce request of transaction `txn` carrying `values` to partitions, answered ok at the given offsets (or left unanswered). */
  produce(txn: number, sends: Array<[string, number, number | null]>, topic = 'orders'): void {
    const ids = sends.map(() => this.sendId++);
    const invoke = sends.map(([value, partition], i) => [ids[i], topic, partition, null, value, 0]);
    const id = this.h.invoke(this.name, 'produce', { acks: -1, txn, sends: invoke });
    const oks = sends.flatMap(([, partition, offset], i) => (offset === null ? [] : [[ids[i], partition, offset]]));
    if (oks.length > 0) this.h.end(this.name, 'produce', id, 'ok', { acks: -1, txn, sends: oks });
  }

  /** commitTransaction() (or abort) of `txn` with the given outcome; returns the step of the invocation. */
  end(txn: number, commit: boolean, outcome: 'ok' | 'fail' | 'info' | null = 'ok'): number {
    const value = { txn, commit, transactionalId: `${this.name}-tid` };
    const id = this.h.invoke(this.name, 'end-txn', value);
    const step = this.h.ops.length - 1;
    if (outcome !== null) this.h.end(this.name, 'end-txn', id, outcome);
    return step;
  }

  offsets(txn: number, offsets: Array<[string, number, number]>, group = 'copiers'): void {
    const value = { txn, group, offsets };
    this.h.end(this.name, 'txn-offsets', this.h.invoke(this.name, 'txn-offsets', value), 'ok', value);
  }
}

/** A read_committed poll. */
function pollCommitted(h: History, consumer: string, ...records: ReturnType<typeof r>[]): number {
  return h.end(consumer, 'poll', h.invoke(consumer, 'poll'), 'ok', { records, readCommitted: true });
}

const names = (ops: readonly HistoryOp[], finish = true) => check(ops, finish).map((v) => v.name);

describe('aborted-read', () => {
  it('trips when read_committed returns a record of an aborted transaction, not when read_uncommitted does', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [['a1', 0, 0]]);
    p.end(1, false);
    h.poll('c-uncommitted', r(0, 0, 'a1'));
    expect(names(h.ops)).toEqual([]);
    pollCommitted(h, 'c-committed', r(0, 0, 'a1'));
    const found = check(h.ops);
    expect(found.map((v) => v.name)).toEqual(['aborted-read']);
    expect(found[0]!.message).toContain('which was aborted');
  });

  it('counts a transaction whose producer crashed before asking to end it as aborted, and a failed commit too', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [['a1', 0, 0]]);
    h.crash('t1');
    const q = new TxnProducer(h, 't2');
    q.produce(2, [['b1', 1, 0]]);
    q.end(2, true, 'fail');
    pollCommitted(h, 'c1', r(0, 0, 'a1'), r(1, 0, 'b1'));
    expect(names(h.ops)).toEqual(['aborted-read', 'aborted-read']);
  });

  it('does not judge a transaction whose commit outcome is unknown', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [['a1', 0, 0]]);
    p.end(1, true, 'info');
    pollCommitted(h, 'c1', r(0, 0, 'a1'));
    expect(names(h.ops)).toEqual([]);
  });
});

describe('precommitted-read', () => {
  it('trips when read_committed returns a record before its producer asked to commit', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [['a1', 0, 0]]);
    pollCommitted(h, 'c1', r(0, 0, 'a1'));
    p.end(1, true);
    expect(names(h.ops)).toEqual(['precommitted-read']);
  });

  it('is quiet for a read after the commit was asked for', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [['a1', 0, 0]]);
    p.end(1, true);
    pollCommitted(h, 'c1', r(0, 0, 'a1'));
    expect(names(h.ops)).toEqual([]);
  });
});

describe('torn-transaction', () => {
  it('trips when read_committed consumers saw only part of a committed transaction, once the final read is done', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [
      ['a1', 0, 0],
      ['a2', 1, 0],
    ]);
    p.end(1, true);
    pollCommitted(h, 'c1', r(0, 0, 'a1'));
    pollCommitted(h, 'c1', r(1, 2, 'x'));
    const found = check(h.ops);
    // The missing record is also a lost write; torn-transaction names the transaction it tore.
    expect(found.map((v) => v.name).sort()).toEqual(['lost-write', 'torn-transaction']);
    expect(found.find((v) => v.name === 'torn-transaction')!.message).toContain("never 'a2' (orders/1 offset 0)");
    // Without a complete final read, the missing record may only be late.
    expect(names(h.ops, false)).toEqual([]);
  });

  it('is quiet when the whole transaction was seen, or none of it', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [
      ['a1', 0, 0],
      ['a2', 1, 0],
    ]);
    p.end(1, true);
    pollCommitted(h, 'c1', r(0, 0, 'a1'), r(1, 0, 'a2'));
    expect(names(h.ops)).toEqual([]);
  });
});

describe('lost-write and duplicate for transactions', () => {
  it('expect every record of a committed transaction, acknowledged when the commit is, and none of an aborted one', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    p.produce(1, [['a1', 0, 0]]);
    p.end(1, false);
    p.produce(2, [['a2', 0, 2]]);
    p.end(2, true);
    // A read_committed consumer reads past both: the aborted record is legitimately skipped, the committed one is not.
    pollCommitted(h, 'c1', r(0, 4, 'later'));
    const found = names(h.ops);
    expect(found).toContain('lost-write');
    expect(found).not.toContain('poll-skip');
  });

  it('a read_committed consumer jumping over an aborted record is no poll-skip, over a committed one it is', () => {
    const h = new History();
    const p = new TxnProducer(h, 't1');
    h.send('plain', 0, 0, 'v0');
    p.produce(1, [['a1', 0, 1]]);
    p.end(1, false);
    h.poll('c-uncommitted', r(0, 0, 'v0'), r(0, 1, 'a1'));
    pollCommitted(h, 'c1', r(0, 0, 'v0'), r(0, 3, 'v3'));
    expect(names(h.ops)).toEqual([]);
    const g = new History();
    const q = new TxnProducer(g, 't1');
    g.send('plain', 0, 0, 'v0');
    q.produce(1, [['a1', 0, 1]]);
    q.end(1, true);
    pollCommitted(g, 'c1', r(0, 0, 'v0'), r(0, 3, 'v3'));
    expect(names(g.ops)).toContain('poll-skip');
  });
});

describe('exactly-once', () => {
  /** An input producer, and a processor copying `input` to `output` in transaction 1 with `copies` of each input. */
  function pipeline(copies: Array<[string, number]>, inputs = ['p1-1', 'p1-2']): History {
    const h = new History();
    inputs.forEach((v, i) => h.send('p1', 0, i, v, { topic: 'input' }));
    pollCommitted(h, 'x1', ...inputs.map((v, i) => r(0, i, v, null, 'input')));
    const x = new TxnProducer(h, 'x1');
    x.produce(
      1,
      copies.map(([v, offset]) => [`${v}@x1.1`, 0, offset]),
      'output',
    );
    x.offsets(1, [['input', 0, inputs.length]]);
    x.end(1, true);
    pollCommitted(h, 'reader', ...copies.map(([v, offset]) => r(0, offset, `${v}@x1.1`, null, 'output')));
    return h;
  }

  it('is quiet when every input is in the committed output once', () => {
    expect(
      names(
        pipeline([
          ['p1-1', 0],
          ['p1-2', 1],
        ]).ops,
      ),
    ).toEqual([]);
  });

  it('trips on an input never in the output and on an input in it twice', () => {
    const missing = check(pipeline([['p1-1', 0]]).ops);
    expect(missing.map((v) => v.name)).toEqual(['exactly-once']);
    expect(missing[0]!.message).toContain("input 'p1-2' of input is not in the committed output output");
    const h = pipeline([
      ['p1-1', 0],
      ['p1-2', 1],
    ]);
    // A second processor (a zombie) copies p1-1 again and commits.
    const z = new TxnProducer(h, 'x2');
    z.produce(7, [['p1-1@x2.7', 0, 3]], 'output');
    z.offsets(7, [['input', 0, 1]]);
    z.end(7, true);
    pollCommitted(h, 'reader', r(0, 3, 'p1-1@x2.7', null, 'output'));
    const dup = check(h.ops);
    expect(dup.map((v) => v.name)).toEqual(['exactly-once']);
    expect(dup[0]!.message).toContain("input 'p1-1' of input is in the committed output output 2 times");
  });
});
