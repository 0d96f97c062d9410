// How the visualizer names topic partitions: `orders/0` everywhere, and the `orders-0` that some
// checkers write is read and rewritten for the partitions the trace has, and only for those.

import { describe, expect, it } from 'vitest';
import { partitionKey, renamePartitions, violationPartition } from '../../viz/shared/names.ts';

const partitions = ['orders/0', 'orders/1', 'orders/10', 'my-topic/2'];

describe('partition names', () => {
  it('names a partition topic/partition', () => {
    expect(partitionKey('orders', 0)).toBe('orders/0');
    expect(partitionKey('my-topic', 12)).toBe('my-topic/12');
  });

  it("rewrites the dash names of the trace's partitions in a message, and nothing else", () => {
    expect(renamePartitions('b1 is in the ISR of orders-0 (partition epoch 3)', partitions)).toBe('b1 is in the ISR of orders/0 (partition epoch 3)');
    expect(renamePartitions('orders-10 and orders-1, my-topic-2.', partitions)).toBe('orders/10 and orders/1, my-topic/2.');
    // Not a partition of the trace, part of a longer word, or already named: left alone.
    expect(renamePartitions('orders-3 reorders-1 orders-1x orders/1 p1-609', partitions)).toBe('orders-3 reorders-1 orders-1x orders/1 p1-609');
    expect(renamePartitions('orders-0', [])).toBe('orders-0');
  });

  it("finds the partition a violation's values name, in either form", () => {
    expect(violationPartition({ topic: 'orders', partition: 1, offset: 121 }, partitions)).toBe('orders/1');
    expect(violationPartition({ partition: 'orders-10', firstMissing: 3 }, partitions)).toBe('orders/10');
    expect(violationPartition({ partition: 'my-topic-2' }, partitions)).toBe('my-topic/2');
    expect(violationPartition({ partition: 'orders/0' }, partitions)).toBe('orders/0');
    expect(violationPartition({ partition: 'unknown-4' }, partitions)).toBeNull();
    expect(violationPartition({ endOffset: 4 }, partitions)).toBeNull();
  });
});
