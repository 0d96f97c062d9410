// A replica's log in the state panel: one cell per offset over the partition's newest MAX_CELLS
// offsets, coloured by the leader epoch of the record there, faded above the high watermark and
// hatched where the replica holds nothing; markers for the high watermark and the log start
// offset; an offset axis per partition and a legend of the colours.

import * as d3 from 'd3';
import type { ReplicaState } from '../shared/contract.ts';
import { el } from './dom.ts';

/** The most log cells drawn per replica (the newest offsets). */
const MAX_CELLS = 48;
/** A cell's width plus the gap after it, in px (style.css: .cell). */
const CELL_PITCH = 10;
/** Axis labels at multiples of this offset. */
const LABEL_EVERY = 10;

/** The offsets drawn for a partition: [first, top), top being the longest replica's log end. */
export interface LogWindow {
  first: number;
  top: number;
}

/** An epoch's colour: fixed per epoch, so that the legend and every replica agree. */
export function epochColour(epoch: number): string {
  return d3.schemeSet3[epoch % d3.schemeSet3.length]!;
}

export function logWindow(replicas: readonly ReplicaState[]): LogWindow {
  const top = Math.max(0, ...replicas.map((r) => r.leo));
  return { first: Math.max(0, top - MAX_CELLS), top };
}

/** The x (px) of the boundary before `offset`, held inside the window. */
const boundaryX = (w: LogWindow, offset: number) => (Math.min(Math.max(offset, w.first), w.top) - w.first) * CELL_PITCH;

/** The leader epoch of the run holding `offset`, or null below the first run. */
export function epochAt(r: ReplicaState, offset: number): number | null {
  let epoch: number | null = null;
  for (const [start, e] of r.epochRuns) {
    if (start > offset) break;
    epoch = e;
  }
  return epoch;
}

/** The epochs of the records drawn in the window, ascending. */
export function epochsShown(replicas: readonly ReplicaState[], w: LogWindow): number[] {
  const epochs = new Set<number>();
  for (const r of replicas) {
    for (const [k, [start, epoch]] of r.epochRuns.entries()) {
      const end = r.epochRuns[k + 1]?.[0] ?? r.leo;
      if (end > w.first && start < Math.min(r.leo, w.top)) epochs.add(epoch);
    }
  }
  return [...epochs].sort((a, b) => a - b);
}

/** A partition's offset axis: a label at each multiple of LABEL_EVERY, and the window's end. */
export function offsetAxis(key: string, w: LogWindow): HTMLElement {
  const axis = el('div', { class: 'offset-axis', 'data-testid': `axis-${key}`, 'data-first': w.first, style: `width: ${(w.top - w.first) * CELL_PITCH}px` });
  const label = (offset: number, cls: string) =>
    axis.append(el('span', { class: `axis-label ${cls}`, 'data-offset': offset, style: `left: ${boundaryX(w, offset)}px` }, String(offset)));
  // No label so close to the end's that the two would overlap (a label is up to five cells wide).
  for (let offset = Math.ceil(w.first / LABEL_EVERY) * LABEL_EVERY; offset < w.top - 5; offset += LABEL_EVERY) label(offset, '');
  label(w.top, 'end');
  return el('div', { class: 'replica axis-row' }, el('span', {}), el('span', { class: 'replica-figures dim' }, 'offset'), axis);
}

/** A replica's cells with its high-watermark and log-start markers. */
export function replicaCells(key: string, r: ReplicaState, w: LogWindow): HTMLElement {
  const cells = el('div', { class: 'cells' });
  for (let offset = w.first; offset < w.top; offset++) {
    const epoch = offset < r.leo ? epochAt(r, offset) : null;
    const cell = el('span', {
      class: `cell${offset >= r.highWatermark ? ' uncommitted' : ''}`,
      'data-offset': offset,
      'data-epoch': epoch,
      title: `offset ${offset}${epoch === null ? ': nothing here' : `, epoch ${epoch}`}${offset >= r.highWatermark ? ', above the high watermark' : ''}`,
    });
    if (epoch !== null) cell.style.background = epochColour(epoch);
    else cell.classList.add('empty');
    cells.append(cell);
  }
  cells.append(
    marker('hw', `hw-${key}-${r.node}`, r.highWatermark, w, `high watermark ${r.highWatermark}`),
    marker('log-start', `log-start-${key}-${r.node}`, r.logStartOffset, w, `log start offset ${r.logStartOffset}`),
  );
  return cells;
}

function marker(kind: string, testId: string, offset: number, w: LogWindow, title: string): HTMLElement {
  const outside = offset < w.first ? 'before' : offset > w.top ? 'after' : null;
  const where = outside === 'before' ? ' (before the offsets drawn)' : outside === 'after' ? ' (after the offsets drawn)' : '';
  return el('span', {
    class: `log-mark ${kind}${outside === null ? '' : ` ${outside}`}`,
    'data-testid': testId,
    'data-offset': offset,
    title: title + where,
    style: `left: ${boundaryX(w, offset)}px`,
  });
}

/** What the colours and marks of the replica logs mean, with a swatch per epoch drawn. */
export function logLegend(epochs: readonly number[]): HTMLElement {
  const swatch = (cls: string, style: string | null, text: string, attrs: Record<string, string | number> = {}) =>
    el('span', { class: 'legend-item', ...attrs }, el('span', { class: `cell ${cls}`, style }), text);
  return el(
    'div',
    { class: 'log-legend', 'data-testid': 'log-legend' },
    'Logs: a cell per offset, coloured by the leader epoch of its record: ',
    ...epochs.map((e) => swatch('', `background: ${epochColour(e)}`, `epoch ${e}`, { 'data-epoch': e })),
    swatch('uncommitted', `background: ${epochColour(epochs[0] ?? 0)}`, 'faded: above the high watermark'),
    swatch('empty', null, 'hatched: no record'),
    el('span', { class: 'legend-item' }, el('span', { class: 'log-mark hw legend-mark' }), 'high watermark'),
    el('span', { class: 'legend-item' }, el('span', { class: 'log-mark log-start legend-mark' }), 'log start offset'),
  );
}
