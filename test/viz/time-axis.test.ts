// The diagram's time axis: at every zoom, from the whole run down to a tenth of a millisecond, the
// labels of the ticks d3 places are all different and read back as the ticks' times.

import * as d3 from 'd3';
import { describe, expect, it } from 'vitest';
import { timeTickFormat } from '../../viz/client/time-axis.ts';

describe('time axis labels', () => {
  const domains: Array<[number, number]> = [
    [0, 60_000],
    [8000, 8010],
    [8000, 8000.5],
    [35_142.3, 35_142.4],
    [1_234_567.89, 1_234_567.9],
  ];

  it.each(domains)('tell the ticks of [%d, %d] ms apart', (t0, t1) => {
    for (const count of [4, 10, 14]) {
      const ticks = d3.scaleLinear().domain([t0, t1]).ticks(count);
      const format = timeTickFormat([t0, t1], count);
      const labels = ticks.map(format);
      expect(new Set(labels).size, labels.join(' ')).toBe(ticks.length);
      const step = ticks[1]! - ticks[0]!;
      for (const [k, label] of labels.entries()) {
        expect(label).toMatch(/ s$/);
        expect(Math.abs(Number(label.replace(/,/g, '').slice(0, -2)) * 1000 - ticks[k]!)).toBeLessThan(step / 2);
      }
    }
  });

  it('keeps whole seconds plain', () => {
    const format = timeTickFormat([0, 60_000], 6);
    expect([0, 10_000, 20_000].map(format)).toEqual(['0 s', '10 s', '20 s']);
  });
});
