// A violation's story on the diagram: its steps as numbered marks on their lanes, joined in trace
// order into one causal chain; the steps that removed the record are filled red, and the lanes the
// chain touches are drawn in the chain's colour.

import * as d3 from 'd3';
import type { StoryStep, ViolationStory } from '../shared/contract.ts';
import { MARGIN, type Frame } from './frame.ts';

type Layer = d3.Selection<SVGGElement, unknown, null, undefined>;

/** The chain's styles, added to the diagram's own. */
export const STORY_STYLE = `
  .story-chain { fill: none; stroke: #e0218a; stroke-width: 2; stroke-dasharray: 6 3; }
  .story-mark circle { fill: #fff; stroke: #e0218a; stroke-width: 2; }
  .story-mark.cause circle { fill: #d62728; stroke: #7a0000; stroke-width: 2.5; }
  .story-mark text { font-size: 9px; font-weight: 700; fill: #e0218a; text-anchor: middle; }
  .story-mark.cause text { fill: #fff; }
  .story-mark.current circle { stroke: #1f4e9c; stroke-width: 3.5; }
  .story-lane .lane-label, .story-lane .client-label { fill: #e0218a; font-weight: 700; }
  .story-lane .lane-line { stroke: #e0218a; stroke-width: 1.5; stroke-opacity: 0.6; }
`;

/** Draws `story` (null: none) into `layer`, marking `current` (a row) and the lanes it touches in `lanes`. */
export function drawStory(layer: Layer, lanes: Layer, story: ViolationStory | null, current: number, frame: Frame): void {
  const steps = story?.steps ?? [];
  const touched = new Set(steps.map((s) => s.node));
  lanes.selectAll<SVGGElement, unknown>('g[data-lane]').classed('story-lane', function () {
    return touched.has(this.getAttribute('data-lane')!);
  });
  const y = (s: StoryStep) => {
    const lane = frame.laneOf(s.node);
    return lane === undefined ? MARGIN.top + 4 : frame.laneY(lane);
  };
  const points = steps.map((s) => [frame.x(s.t), y(s)] as [number, number]);
  layer
    .selectAll<SVGPathElement, unknown>('path.story-chain')
    .data(steps.length > 1 ? [points] : [])
    .join('path')
    .attr('class', 'story-chain')
    .attr('data-testid', 'story-chain')
    .attr('d', (p) => d3.line()(p));
  const marks = layer
    .selectAll<SVGGElement, StoryStep>('g.story-mark')
    .data(steps)
    .join((enter) => {
      const g = enter.append('g');
      g.append('circle').attr('r', 7);
      g.append('text').attr('dy', '0.35em');
      g.append('title');
      return g;
    })
    .attr('class', (s) => `story-mark${s.cause ? ' cause' : ''}${s.row === current ? ' current' : ''}`)
    .attr('data-testid', (_, k) => `story-mark-${k}`)
    .attr('data-row', (s) => s.row)
    .attr('data-lane', (s) => s.node)
    .attr('transform', (_, k) => `translate(${points[k]![0]},${points[k]![1]})`)
    .attr('display', (_, k) => (frame.inside(points[k]![0]) ? null : 'none'));
  marks.select('text').text((_, k) => String(k + 1));
  marks.select('title').text((s, k) => `${k + 1}. step ${s.step}: ${s.text}`);
}
