// A network partition's sides: each node's side and whom it can no longer send to or hear from,
// for a two-way cut, a one-way cut and a cut into three groups, and how that reads on its lane.

import { describe, expect, it } from 'vitest';
import type { FaultSpan } from '../../viz/shared/contract.ts';
import { describeCut, partitionCuts } from '../../viz/shared/faults.ts';

function span(sides: string[][] | null, links: Array<[string, string]> | null): FaultSpan {
  return { kind: 'partition', startRow: 0, endRow: null, startStep: 0, startT: 0, endStep: null, endT: null, nodes: [], label: '', sides, links };
}

describe('partition sides', () => {
  it('puts each node of a two-way cut on its side, cut off from the other side', () => {
    const cuts = partitionCuts(
      span(
        [['b1'], ['b2', 'b3']],
        [
          ['b1', 'b2'],
          ['b1', 'b3'],
          ['b2', 'b1'],
          ['b3', 'b1'],
        ],
      ),
    );
    expect(cuts).toEqual([
      { node: 'b1', side: 0, cutTo: ['b2', 'b3'], cutFrom: ['b2', 'b3'] },
      { node: 'b2', side: 1, cutTo: ['b1'], cutFrom: ['b1'] },
      { node: 'b3', side: 1, cutTo: ['b1'], cutFrom: ['b1'] },
    ]);
    expect(cuts.map(describeCut)).toEqual(['cut off from b2, b3', 'cut off from b1', 'cut off from b1']);
  });

  it('tells the sender of a one-way cut from its receiver', () => {
    const cuts = partitionCuts(span([['b1'], ['b2']], [['b1', 'b2']]));
    expect(cuts.map(describeCut)).toEqual(['cannot send to b2', 'hears nothing from b1']);
  });

  it('handles three groups, links cut earlier left out, and spans that are no partition', () => {
    const cuts = partitionCuts(
      span(
        [['b1'], ['b2'], ['b3', 'b4']],
        [
          ['b1', 'b3'],
          ['b3', 'b1'],
          ['b2', 'b4'],
          ['b4', 'b2'],
          ['b2', 'b3'],
        ],
      ),
    );
    expect(cuts.map((c) => [c.node, c.side, describeCut(c)])).toEqual([
      ['b1', 0, 'cut off from b3'],
      ['b2', 1, 'cut off from b4; cannot send to b3'],
      ['b3', 2, 'cut off from b1; hears nothing from b2'],
      ['b4', 2, 'cut off from b2'],
    ]);
    expect(describeCut({ node: 'b9', side: 0, cutTo: [], cutFrom: [] })).toBe('not cut');
    expect(partitionCuts({ ...span(null, null), kind: 'crash' })).toEqual([]);
  });
});
