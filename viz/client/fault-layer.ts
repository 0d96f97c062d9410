// The diagram's fault bands: a shaded band per affected lane for as long as a fault lasts. A
// network partition colours each lane by the side it is on and says whom that lane is cut from.

import type * as d3 from 'd3';
import type { FaultSpan, TraceMeta } from '../shared/contract.ts';
import { describeCut, partitionCuts } from '../shared/faults.ts';
import { LANE_HEIGHT, type Frame } from './frame.ts';

export const FAULT_COLOURS: Record<FaultSpan['kind'], string> = {
  partition: '#f4a3a3',
  'partition-oneway': '#f7c59f',
  crash: '#bbbbbb',
  pause: '#9fb8d8',
  'slow-link': '#ffe08a',
  network: '#c9b3f5',
  'clock-skew': '#a8e6cf',
  'disk-faults': '#d7ccc8',
};
/** A partition's sides, in order: the first side keeps the partition colour. */
export const SIDE_COLOURS = ['#f4a3a3', '#9ecae1', '#b5dfa6', '#e0b3f0'];

interface Band {
  f: number;
  lane: number;
  /** The partition side of the lane, or null for other faults. */
  side: number | null;
  colour: string;
  title: string;
  /** Written at the band's start: whom a partitioned lane is cut from. */
  note: string | null;
}

function bands(meta: TraceMeta, frame: Frame): Band[] {
  const out: Band[] = [];
  meta.faults.forEach((f, index) => {
    const lane = (id: string) => frame.laneOf(id);
    if (f.sides !== null) {
      for (const cut of partitionCuts(f)) {
        const at = lane(cut.node);
        if (at === undefined) continue;
        const note = describeCut(cut);
        const colour = SIDE_COLOURS[cut.side % SIDE_COLOURS.length]!;
        out.push({ f: index, lane: at, side: cut.side, colour, title: `${cut.node} ${note} (partition ${f.label})`, note });
      }
      return;
    }
    const lanes = f.nodes.length === 0 ? meta.lanes.map((_, i) => i) : f.nodes.map(lane).filter((i): i is number => i !== undefined);
    for (const at of lanes) out.push({ f: index, lane: at, side: null, colour: FAULT_COLOURS[f.kind], title: f.label, note: null });
  });
  return out;
}

type Layer = d3.Selection<SVGGElement, unknown, null, undefined>;

/** Bands go into `layer` (under the events), what a partition cuts into `notes` (over them). */
export function drawFaults(layer: Layer, notes: Layer, meta: TraceMeta, frame: Frame): void {
  const end = meta.simMs;
  const startX = (d: Band) => frame.clampX(meta.faults[d.f]!.startT);
  const endX = (d: Band) => frame.clampX(meta.faults[d.f]!.endT ?? end);
  const data = bands(meta, frame);
  layer
    .selectAll<SVGRectElement, Band>('rect')
    .data(data)
    .join((enter) =>
      enter
        .append('rect')
        .attr('class', 'fault')
        .call((r) => r.append('title')),
    )
    .attr('data-testid', (d) => `fault-${d.f}-${meta.lanes[d.lane]!.id}`)
    .attr('data-side', (d) => d.side)
    .attr('x', startX)
    .attr('width', (d) => Math.max(1, endX(d) - startX(d)))
    .attr('y', (d) => frame.laneY(d.lane) - LANE_HEIGHT / 2 + 2)
    .attr('height', LANE_HEIGHT - 4)
    .attr('fill', (d) => d.colour)
    .select('title')
    .text((d) => d.title);
  notes
    .selectAll<SVGTextElement, Band>('text')
    .data(data.filter((d) => d.note !== null))
    .join('text')
    .attr('class', 'cut-note')
    .attr('data-testid', (d) => `cut-note-${d.f}-${meta.lanes[d.lane]!.id}`)
    .attr('x', (d) => startX(d) + 3)
    .attr('y', (d) => frame.laneY(d.lane) + LANE_HEIGHT / 2 - 5)
    .attr('display', (d) => (endX(d) - startX(d) < 40 ? 'none' : null))
    .text((d) => `✂ ${d.note}`);
}
