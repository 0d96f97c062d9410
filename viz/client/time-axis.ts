// The diagram's time axis labels: seconds with as many decimals as the spacing of the ticks needs,
// so that the ticks of an axis zoomed to a millisecond or less never read the same.

import * as d3 from 'd3';

/** A formatter for the ticks d3 places on a time axis of `domain` (ms) with about `count` ticks. */
export function timeTickFormat(domain: readonly [number, number], count: number): (ms: d3.NumberValue) => string {
  const step = Math.abs(d3.tickStep(domain[0], domain[1], count));
  const decimals = step > 0 && Number.isFinite(step) ? d3.precisionFixed(step / 1000) : 0;
  return (ms) => `${(Number(ms) / 1000).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })} s`;
}
