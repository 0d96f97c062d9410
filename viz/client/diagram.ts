// The space-time diagram (d3, SVG): one lane per node and client, time left to right. Only the
// rows inside the visible time window are drawn; when more than DETAIL_LIMIT rows are visible,
// each lane shows how busy it is per few pixels instead of every message. Zoom and pan on time.

import * as d3 from 'd3';
import {
  FLAG_DROPPED,
  FLAG_FAIL,
  FLAG_INFO,
  FLAG_INVOKE,
  FLAG_OK,
  FLAG_RESPONSE,
  NO_LANE,
  type TraceColumns,
  type TraceMeta,
  type ViolationEntry,
  type ViolationStory,
} from '../shared/contract.ts';
import { drawFaults } from './fault-layer.ts';
import { LANE_HEIGHT, MARGIN, type Frame } from './frame.ts';
import { drawStory, STORY_STYLE } from './story-layer.ts';
import { timeTickFormat } from './time-axis.ts';

/** More visible rows than this and the lanes show density instead of single events. */
const DETAIL_LIMIT = 3000;
const BIN_PIXELS = 4;
const SVG_NS = 'http://www.w3.org/2000/svg';

const OUTCOME_COLOURS = { ok: '#2e9d4e', fail: '#d62728', info: '#e6a700' };

/** The styles the diagram needs, inside the SVG itself so that an exported SVG looks the same. */
const SVG_STYLE = `
  text { font: 11px system-ui, sans-serif; fill: #333; }
  .lane-line { stroke: #ddd; }
  .lane-label { font-weight: 600; }
  .client-label { fill: #555; font-style: italic; }
  .msg { stroke-width: 1.2; fill: none; }
  .msg.response { stroke-dasharray: 3 2; }
  .drop-x { stroke: #d62728; stroke-width: 1.5; }
  .tick { stroke: #888; }
  .cursor { stroke: #1f4e9c; stroke-width: 2; }
  .violation-line { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 4 2; }
  .violation-line.highlight { stroke-width: 4; stroke-dasharray: none; }
  .mark-crash { fill: #d62728; font-weight: 700; }
  .mark-restart { fill: #2e9d4e; }
  .mark-other { fill: #7a5cc2; }
  .fault { opacity: 0.45; }
  .cut-note { font-size: 10px; fill: #8a1111; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
  .density { fill: #4a6fa5; }
  .density-note { fill: #777; font-style: italic; }
  .domain, .axis line { stroke: #999; }
`;

export interface DiagramHandlers {
  /** A click on the diagram at simulated time `t`, on the drawn row `row` when the click hit one. */
  pick(t: number, row: number | null): void;
}

export class Diagram implements Frame {
  readonly svg: SVGSVGElement;
  private readonly root: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly layers: Record<
    'lanes' | 'faults' | 'events' | 'faultNotes' | 'marks' | 'violations' | 'story' | 'cursor' | 'axis',
    d3.Selection<SVGGElement, unknown, null, undefined>
  >;
  private readonly laneIndex = new Map<string, number>();
  private readonly x0: d3.ScaleLinear<number, number>;
  private scale: d3.ScaleLinear<number, number>;
  width = 800;
  private cursorRow = 0;
  private highlighted: number | null = null;
  private story: ViolationStory | null = null;
  private readonly zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  private pending = false;

  constructor(
    container: HTMLElement,
    private readonly meta: TraceMeta,
    private readonly columns: TraceColumns,
    handlers: DiagramHandlers,
  ) {
    meta.lanes.forEach((lane, i) => this.laneIndex.set(lane.id, i));
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('data-testid', 'diagram');
    this.svg.setAttribute('xmlns', SVG_NS);
    container.append(this.svg);
    this.root = d3.select(this.svg);
    this.root.append('style').text(SVG_STYLE + STORY_STYLE);
    // Drawing stops at the plot's edges: bars and messages that run out of the window are cut there.
    this.root.append('clipPath').attr('id', 'plot-clip').append('rect').attr('class', 'plot-clip-rect');
    const layer = (name: string) => this.root.append('g').attr('class', name);
    this.layers = {
      lanes: layer('lanes'),
      faults: layer('faults'),
      events: layer('events'),
      faultNotes: layer('fault-notes'),
      marks: layer('marks'),
      violations: layer('violations'),
      story: layer('story'),
      cursor: layer('cursor-layer'),
      axis: layer('axis'),
    };
    this.layers.faults.attr('clip-path', 'url(#plot-clip)');
    this.layers.events.attr('clip-path', 'url(#plot-clip)');
    this.layers.faultNotes.attr('clip-path', 'url(#plot-clip)');
    this.x0 = d3.scaleLinear().domain([0, Math.max(1, meta.simMs)]);
    this.scale = this.x0.copy();
    this.resize(container.clientWidth);
    this.drawLanes();
    this.zoom = d3
      .zoom<SVGSVGElement, unknown>()
      .scaleExtent([1, Math.max(2, meta.simMs * 10)])
      .translateExtent([
        [MARGIN.left, 0],
        [this.width - MARGIN.right, this.height()],
      ])
      .extent([
        [MARGIN.left, 0],
        [this.width - MARGIN.right, this.height()],
      ])
      .on('zoom', (event: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
        this.scale = event.transform.rescaleX(this.x0);
        this.schedule();
      });
    this.root.call(this.zoom).on('dblclick.zoom', null);
    this.root.on('click', (event: MouseEvent) => {
      const [px] = d3.pointer(event, this.svg);
      const hit = event.target instanceof Element ? event.target.closest('[data-row]') : null;
      if (px >= MARGIN.left) handlers.pick(this.scale.invert(px), hit === null ? null : Number(hit.getAttribute('data-row')));
    });
    new ResizeObserver(() => {
      if (Math.abs(container.clientWidth - this.width) > 2) {
        this.resize(container.clientWidth);
        this.schedule();
      }
    }).observe(container);
    this.render();
  }

  moveCursor(row: number): void {
    this.cursorRow = row;
    this.drawCursor();
    if (this.story !== null) this.drawStory();
  }

  /** Draws a violation's story as a chain (null: none), and zooms out to show all of it when it is not in view. */
  showStory(story: ViolationStory | null): void {
    this.story = story;
    if (story !== null && story.steps.length > 0) {
      const times = story.steps.map((s) => s.t);
      const [t0, t1] = [Math.min(...times), Math.max(...times)];
      const [d0, d1] = this.scale.domain() as [number, number];
      if (t0 < d0 || t1 > d1) this.zoomTo(t0, t1);
    }
    this.drawStory();
  }

  /** Zooms and pans so that [t0, t1] fills the plot, with a margin. */
  private zoomTo(t0: number, t1: number): void {
    const pad = Math.max(1, (t1 - t0) * 0.05);
    const [a, b] = [Math.max(0, t0 - pad), Math.min(this.meta.simMs, t1 + pad)];
    const k = Math.max(1, this.meta.simMs / Math.max(1e-6, b - a));
    const transform = d3.zoomIdentity.translate(MARGIN.left, 0).scale(k).translate(-this.x0(a), 0);
    this.root.call(this.zoom.transform, transform);
  }

  private drawStory(): void {
    drawStory(this.layers.story, this.layers.lanes, this.story, this.cursorRow, this);
  }

  highlightViolation(index: number | null): void {
    this.highlighted = index;
    this.drawViolations();
  }

  height(): number {
    return MARGIN.top + this.meta.lanes.length * LANE_HEIGHT + MARGIN.bottom;
  }

  laneY(lane: number): number {
    return MARGIN.top + lane * LANE_HEIGHT + LANE_HEIGHT / 2;
  }

  x(t: number): number {
    return this.scale(t);
  }

  laneOf(id: string): number | undefined {
    return this.laneIndex.get(id);
  }

  inside(x: number): boolean {
    return x >= MARGIN.left && x <= this.width - MARGIN.right;
  }

  private resize(width: number): void {
    this.width = Math.max(400, width);
    this.x0.range([MARGIN.left, this.width - MARGIN.right]);
    this.scale.range([MARGIN.left, this.width - MARGIN.right]);
    this.root.attr('width', this.width).attr('height', this.height()).attr('viewBox', `0 0 ${this.width} ${this.height()}`);
    this.root.selectAll<SVGLineElement, unknown>('.lane-line').attr('x2', this.width - MARGIN.right);
    this.root
      .select('.plot-clip-rect')
      .attr('x', MARGIN.left)
      .attr('y', 0)
      .attr('width', this.width - MARGIN.left - MARGIN.right)
      .attr('height', this.height());
  }

  private drawLanes(): void {
    this.meta.lanes.forEach((lane, i) => {
      const g = this.layers.lanes
        .append('g')
        .attr('data-testid', `lane-${lane.id}`)
        .attr('data-lane', lane.id)
        .attr('transform', `translate(0,${this.laneY(i)})`);
      g.append('line')
        .attr('class', 'lane-line')
        .attr('x1', MARGIN.left)
        .attr('x2', this.width - MARGIN.right);
      g.append('text')
        .attr('class', lane.kind === 'client' ? 'client-label' : 'lane-label')
        .attr('x', 8)
        .attr('dy', '0.35em')
        .text(lane.id);
    });
  }

  /** Redraws at most once per animation frame while zooming. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  private render(): void {
    this.drawAxis();
    drawFaults(this.layers.faults, this.layers.faultNotes, this.meta, this);
    this.drawEvents();
    this.drawMarks();
    this.drawViolations();
    this.drawStory();
    this.drawCursor();
  }

  private drawAxis(): void {
    const count = Math.max(2, Math.floor(this.width / 110));
    const axis = d3
      .axisTop(this.scale)
      .ticks(count)
      .tickFormat(timeTickFormat(this.scale.domain() as [number, number], count));
    this.layers.axis.attr('transform', `translate(0,${MARGIN.top - 6})`).call(axis);
  }

  clampX(t: number): number {
    return Math.max(MARGIN.left, Math.min(this.width - MARGIN.right, this.scale(t)));
  }

  /** The rows whose time is inside the visible window. */
  private visibleRows(): [number, number] {
    const [t0, t1] = this.scale.domain() as [number, number];
    return [lowerBound(this.columns.t, t0), lowerBound(this.columns.t, t1 + 1e-9)];
  }

  private drawEvents(): void {
    const g = this.layers.events;
    g.selectAll('*').remove();
    const [from, to] = this.visibleRows();
    if (to - from > DETAIL_LIMIT) this.drawDensity(g, from, to);
    else this.drawDetail(g, from, to);
  }

  private drawDensity(g: d3.Selection<SVGGElement, unknown, null, undefined>, from: number, to: number): void {
    const c = this.columns;
    const lanes = this.meta.lanes.length;
    const bins = Math.max(1, Math.ceil((this.width - MARGIN.left - MARGIN.right) / BIN_PIXELS));
    const counts = new Uint32Array(lanes * bins);
    const [t0, t1] = this.scale.domain() as [number, number];
    const scale = bins / Math.max(1e-9, t1 - t0);
    let max = 1;
    for (let r = from; r < to; r++) {
      const lane = c.lane[r]!;
      if (lane === NO_LANE) continue;
      const bin = Math.min(bins - 1, Math.floor((c.t[r]! - t0) * scale));
      const n = ++counts[lane * bins + bin]!;
      if (n > max) max = n;
    }
    const logMax = Math.log1p(max);
    const frag = document.createDocumentFragment();
    for (let lane = 0; lane < lanes; lane++) {
      const y = this.laneY(lane) - LANE_HEIGHT / 2 + 5;
      for (let bin = 0; bin < bins; bin++) {
        const n = counts[lane * bins + bin]!;
        if (n === 0) continue;
        const rect = document.createElementNS(SVG_NS, 'rect');
        rect.setAttribute('class', 'density');
        rect.setAttribute('x', String(MARGIN.left + bin * BIN_PIXELS));
        rect.setAttribute('y', String(y));
        rect.setAttribute('width', String(BIN_PIXELS));
        rect.setAttribute('height', String(LANE_HEIGHT - 10));
        rect.setAttribute('opacity', (0.15 + 0.85 * (Math.log1p(n) / logMax)).toFixed(2));
        frag.append(rect);
      }
    }
    g.node()!.append(frag);
    g.append('text')
      .attr('class', 'density-note')
      .attr('x', this.width - MARGIN.right)
      .attr('y', this.height() - 5)
      .attr('text-anchor', 'end')
      .text(`${(to - from).toLocaleString('en-US')} events in view: zoom in for messages`);
  }

  private drawDetail(g: d3.Selection<SVGGElement, unknown, null, undefined>, from: number, to: number): void {
    const c = this.columns;
    const apiColour = d3.scaleOrdinal<number, string>(d3.schemeTableau10).domain(this.meta.apis.map((_, i) => i));
    const sendKind = this.meta.kinds.indexOf('send');
    const clientKind = this.meta.kinds.indexOf('client');
    const frag = document.createDocumentFragment();
    const add = (tag: string, attrs: Record<string, string | number>, title?: string) => {
      const node = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
      if (title !== undefined) {
        const t = document.createElementNS(SVG_NS, 'title');
        t.textContent = title;
        node.append(t);
      }
      frag.append(node);
    };
    for (let r = from; r < to; r++) {
      const lane = c.lane[r]!;
      if (lane === NO_LANE) continue;
      const x = this.scale(c.t[r]!);
      const y = this.laneY(lane);
      const kind = c.kind[r]!;
      const flags = c.flags[r]!;
      if (kind === sendKind && c.peer[r] !== NO_LANE) {
        const y2 = this.laneY(c.peer[r]!);
        const api = this.meta.apis[c.label[r]!] ?? '?';
        const colour = apiColour(c.label[r]!);
        const response = flags & FLAG_RESPONSE ? ' response' : '';
        if (flags & FLAG_DROPPED) {
          const end = Number.isNaN(c.end[r]!) ? c.t[r]! + 2 : c.end[r]!;
          const xe = Math.max(x + 8, this.scale(end));
          const ye = y + (y2 - y) * 0.5;
          add('line', { class: `msg${response}`, 'data-row': r, x1: x, y1: y, x2: xe, y2: ye, stroke: colour }, `${api} dropped (row ${r})`);
          add('path', { class: 'drop-x', d: `M${xe - 3},${ye - 3}L${xe + 3},${ye + 3}M${xe - 3},${ye + 3}L${xe + 3},${ye - 3}` });
        } else {
          add(
            'line',
            { class: `msg${response}`, 'data-row': r, x1: x, y1: y, x2: this.scale(c.end[r]!), y2, stroke: colour },
            `${api} ${response ? 'response' : 'request'} (row ${r})`,
          );
        }
      } else if (kind === clientKind && flags & FLAG_INVOKE) {
        const end = Number.isNaN(c.end[r]!) ? this.meta.simMs : c.end[r]!;
        const colour = flags & FLAG_OK ? OUTCOME_COLOURS.ok : flags & FLAG_FAIL ? OUTCOME_COLOURS.fail : OUTCOME_COLOURS.info;
        const outcome = flags & FLAG_OK ? 'ok' : flags & FLAG_FAIL ? 'fail' : flags & FLAG_INFO ? 'info' : '?';
        add(
          'rect',
          { 'data-row': r, x, y: y - 5, width: Math.max(2, this.scale(end) - x), height: 10, fill: colour, opacity: 0.75 },
          `${this.meta.ops[c.label[r]!]} → ${outcome} (row ${r})`,
        );
      } else if (kind !== clientKind) {
        add('line', { class: 'tick', 'data-row': r, x1: x, x2: x, y1: y - 4, y2: y + 4 }, `${this.meta.kinds[kind]} (row ${r})`);
      }
    }
    g.node()!.append(frag);
  }

  private drawMarks(): void {
    const symbol = (kind: string) => (kind === 'crash' ? '✕' : kind === 'restart' ? '▲' : kind === 'heal' ? '✚' : '◆');
    const cls = (kind: string) => (kind === 'crash' ? 'mark-crash' : kind === 'restart' ? 'mark-restart' : 'mark-other');
    this.layers.marks
      .selectAll<SVGTextElement, (typeof this.meta.marks)[number]>('text')
      .data(this.meta.marks)
      .join((enter) =>
        enter
          .append('text')
          .attr('text-anchor', 'middle')
          .attr('dy', '0.35em')
          .call((t) => t.append('title')),
      )
      .attr('class', (m) => cls(m.kind))
      .attr('x', (m) => this.scale(m.t))
      .attr('y', (m) => (m.node !== null && this.laneIndex.has(m.node) ? this.laneY(this.laneIndex.get(m.node)!) - 9 : MARGIN.top - 2))
      .attr('display', (m) => (this.scale(m.t) < MARGIN.left || this.scale(m.t) > this.width - MARGIN.right ? 'none' : null))
      .text((m) => symbol(m.kind))
      .select('title')
      .text((m) => `${m.label} (step ${m.step})`);
  }

  private drawViolations(): void {
    this.layers.violations
      .selectAll<SVGLineElement, ViolationEntry>('line')
      .data(this.meta.violations)
      .join((enter) => enter.append('line').call((l) => l.append('title')))
      .attr('class', (_, i) => (i === this.highlighted ? 'violation-line highlight' : 'violation-line'))
      .attr('data-testid', (_, i) => `violation-line-${i}`)
      .attr('data-step', (v) => v.atStep)
      // At the step the violation names, not when it was recorded (end-of-run checkers record late).
      .attr('x1', (v) => this.scale(v.atT))
      .attr('x2', (v) => this.scale(v.atT))
      .attr('y1', MARGIN.top)
      .attr('y2', this.height() - MARGIN.bottom)
      .attr('display', (v) => (this.scale(v.atT) < MARGIN.left || this.scale(v.atT) > this.width - MARGIN.right ? 'none' : null))
      .select('title')
      .text((v) => `${v.name} at step ${v.atStep}: ${v.message}`);
  }

  private drawCursor(): void {
    const x = this.scale(this.columns.t[this.cursorRow] ?? 0);
    this.layers.cursor
      .selectAll('line')
      .data([x])
      .join('line')
      .attr('class', 'cursor')
      .attr('x1', x)
      .attr('x2', x)
      .attr('y1', MARGIN.top - 4)
      .attr('y2', this.height() - MARGIN.bottom)
      .attr('display', x < MARGIN.left || x > this.width - MARGIN.right ? 'none' : null);
  }
}

/** The first index whose value is at least `value` in an ascending array. */
function lowerBound(values: Float64Array, value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
