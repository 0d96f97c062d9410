// The producer's per-request history expands into the per-record sends the checkers judge: each
// listed send keeps its id, an ok takes its topic, key and value from its invocation, a failure its
// event's error; a malformed entry is counted and skipped, and a restarted producer's open sends are forgotten.

import { describe, expect, it } from 'vitest';
import { HistoryCheckers } from '../../models/history/history-checkers.ts';
import { ProduceOps } from '../../models/history/produce-ops.ts';
import type { HistoryOp } from '../../models/history/types.ts';
import type { Violation } from '../../models/violation.ts';

const produce = (type: HistoryOp['type'], step: number, value: unknown, error?: string): HistoryOp => ({
  process: 'p1',
  op: 'produce',
  type,
  id: 1,
  step,
  value,
  ...(error !== undefined ? { error } : {}),
});

describe('produce ops', () => {
  it('expands an invocation and its outcomes into per-record sends paired with their invocations', () => {
    const ops = new ProduceOps();
    const invoked = ops.expand(
      produce('invoke', 10, {
        acks: -1,
        sends: [
          [1, 'orders', 0, 'k1', 'v1'],
          [2, 'orders', 1, null, 'v2'],
          [3, 'orders', 1, 'k3', null],
        ],
      }),
    );
    expect(invoked.map((s) => s.op)).toEqual([
      { process: 'p1', op: 'send', type: 'invoke', id: 1, step: 10, value: { topic: 'orders', key: 'k1', value: 'v1', acks: -1 } },
      { process: 'p1', op: 'send', type: 'invoke', id: 2, step: 10, value: { topic: 'orders', key: null, value: 'v2', acks: -1 } },
      { process: 'p1', op: 'send', type: 'invoke', id: 3, step: 10, value: { topic: 'orders', key: 'k3', value: null, acks: -1 } },
    ]);
    const ok = ops.expand(
      produce('ok', 20, {
        acks: -1,
        sends: [
          [2, 1, 7],
          [1, 0, 4],
        ],
      }),
    );
    expect(ok.map((s) => s.op)).toEqual([
      { process: 'p1', op: 'send', type: 'ok', id: 2, step: 20, value: { topic: 'orders', key: null, value: 'v2', acks: -1, partition: 1, offset: 7 } },
      { process: 'p1', op: 'send', type: 'ok', id: 1, step: 20, value: { topic: 'orders', key: 'k1', value: 'v1', acks: -1, partition: 0, offset: 4 } },
    ]);
    expect(ok.map((s) => s.invocation?.id)).toEqual([2, 1]);
    const info = ops.expand(produce('info', 30, { acks: -1, sends: [[3]] }, 'REQUEST_TIMED_OUT'));
    expect(info[0]!.op).toEqual({
      process: 'p1',
      op: 'send',
      type: 'info',
      id: 3,
      step: 30,
      value: { topic: 'orders', key: 'k3', value: null, acks: -1 },
      error: 'REQUEST_TIMED_OUT',
    });
    expect(ops.malformed).toBe(0);
  });

  it("dates each send's invocation by its send() call when the entry says so, else by the event", () => {
    const ops = new ProduceOps();
    const invoked = ops.expand({
      ...produce('invoke', 10, {
        acks: 1,
        sends: [
          [1, 'orders', 0, null, 'v1', 995.5],
          [2, 'orders', 0, null, 'v2'],
        ],
      }),
      time: 1000,
    });
    expect(invoked.map((s) => s.op.time)).toEqual([995.5, 1000]);
  });

  it('counts malformed events and entries, and forgets a restarted producer', () => {
    const ops = new ProduceOps();
    expect(ops.expand(produce('invoke', 1, { acks: 2, sends: [] }))).toEqual([]);
    expect(ops.expand(produce('invoke', 1, { acks: 1, sends: [['x'], [4, 'orders', 0, 5, 'v']] }))).toEqual([]);
    expect(ops.malformed).toBe(3);
    ops.expand(produce('invoke', 2, { acks: 1, sends: [[5, 'orders', 0, null, 'v5']] }));
    ops.forget('p1');
    const orphan = ops.expand(produce('ok', 3, { acks: 1, sends: [[5, 0, 0]] }));
    expect(orphan[0]!.invocation).toBeUndefined();
    expect(orphan[0]!.op.value).toEqual({ acks: 1, partition: 0, offset: 0 });
  });

  it('gives the history checkers the verdict the per-record history gives: an acknowledged value no poll returned is lost', () => {
    const judge = (ops: HistoryOp[]) => {
      const found: string[] = [];
      const checkers = new HistoryCheckers((info) => (v: Omit<Violation, 'name' | 'class'>) => found.push(`${info.name}: ${JSON.stringify(v.values)}`));
      for (const op of ops) checkers.observe(op);
      checkers.finish();
      return found;
    };
    const poll = (step: number, type: HistoryOp['type'], records?: unknown[]): HistoryOp => ({
      process: 'c1',
      op: 'poll',
      type,
      id: 1,
      step,
      ...(records !== undefined ? { value: { records } } : {}),
    });
    const perRequest = judge([
      produce('invoke', 1, {
        acks: -1,
        sends: [
          [1, 'orders', 0, null, 'v1'],
          [2, 'orders', 0, null, 'v2'],
        ],
      }),
      produce('ok', 2, {
        acks: -1,
        sends: [
          [1, 0, 0],
          [2, 0, 1],
        ],
      }),
      poll(3, 'invoke'),
      poll(4, 'ok', [['orders', 0, 0, null, 'v1']]),
    ]);
    const perRecord = judge([
      { process: 'p1', op: 'send', type: 'invoke', id: 1, step: 1, value: { topic: 'orders', key: null, value: 'v1', acks: -1 } },
      { process: 'p1', op: 'send', type: 'invoke', id: 2, step: 1, value: { topic: 'orders', key: null, value: 'v2', acks: -1 } },
      { process: 'p1', op: 'send', type: 'ok', id: 1, step: 2, value: { topic: 'orders', key: null, value: 'v1', acks: -1, partition: 0, offset: 0 } },
      { process: 'p1', op: 'send', type: 'ok', id: 2, step: 2, value: { topic: 'orders', key: null, value: 'v2', acks: -1, partition: 0, offset: 1 } },
      poll(3, 'invoke'),
      poll(4, 'ok', [['orders', 0, 0, null, 'v1']]),
    ]);
    expect(perRequest.some((f) => f.startsWith('lost-write') && f.includes('v2'))).toBe(true);
    expect(perRequest).toEqual(perRecord);
  });
});
