// Indexes one trace file in a single streaming pass: the columns of every row, the metadata
// (lanes, faults, marks, violations) and each row's byte offset for reading raw events back, so
// that the browser never parses the whole file; derived-state checkpoints are folded afterwards
// (checkpoints.ts) from the rows that change state.

import { statSync } from 'node:fs';
import type { EventKind, LinePosition, TraceHeader, TraceSummary } from '../../core/trace/schema.ts';
import { TraceFormatError, truncatedAt } from '../../trace/reader.ts';
import { allocateColumns, copyColumns } from '../shared/columns.ts';
import {
  FLAG_DROPPED,
  FLAG_DUPLICATED,
  FLAG_FAIL,
  FLAG_INFO,
  FLAG_INVOKE,
  FLAG_OK,
  FLAG_REORDERED,
  FLAG_RESPONSE,
  NO_LANE,
  type EventLineOf,
  type FaultMark,
  type FaultSpan,
  type Lane,
  type TraceColumns,
  type TraceMeta,
  type ViolationEntry,
} from '../shared/contract.ts';
import { partitionKey, renamePartitions, violationPartition } from '../shared/names.ts';
import { CHECKPOINT_EVERY, Checkpoints } from './checkpoints.ts';
import { readIndexEvent, type IndexEvent, type IndexLine } from './event-head.ts';
import { readFileRange, readFileRanges, scanLines } from './line-scanner.ts';
import { messageField } from './message.ts';

/** A trace file that is not a Samsa trace, or is broken past reading. */
export class TraceIndexError extends Error {}

export interface TraceIndex {
  meta: TraceMeta;
  columns: TraceColumns;
  /** Byte offset of each row's line; entry `rows` is where the line after the last row starts. */
  offsets: Float64Array;
  checkpoints: Checkpoints;
  /** The rows of each partition's replica and metadata events (partition-*), by partition name: what a violation's story reads. */
  partitionRows: Map<string, Int32Array>;
  path: string;
}

/** Interns strings as small indexes (kinds, APIs, client operations, lanes). */
class Interner<Name extends string = string> {
  readonly names: Name[] = [];
  private readonly index = new Map<Name, number>();
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}
  of(name: Name): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      if (i >= this.limit) throw new TraceIndexError(`more than ${this.limit} distinct ${this.what} in the trace`);
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

interface OpenSpan {
  span: FaultSpan;
  /** Partition: the cut links not yet healed, as "from>to". */
  links: Set<string> | null;
}

/** Builds the index of the trace at `path` (id and name are the catalog's). */
export function indexTrace(path: string, id: string, name: string): TraceIndex {
  // Room for the rows the file's size suggests (a row is 330 bytes on average), so that the
  // columns of a large trace are seldom copied to grow.
  const capacity = Math.max(1024, Math.ceil(statSync(path).size / 250));
  return new Indexer(path, id, name, capacity).run();
}

class Indexer {
  private columns: TraceColumns;
  private offsets: Float64Array;
  private rows = 0;
  private readonly kinds = new Interner<EventKind>(256, 'event kinds');
  private readonly apis = new Interner(256, 'APIs');
  private readonly ops = new Interner(256, 'client operations');
  private readonly lanes = new Interner(NO_LANE, 'nodes and clients');
  private readonly clientLanes = new Set<number>();
  private sendRowOf = new Int32Array(1024).fill(-1);
  private readonly openInvokes = new Map<string, number>();
  private readonly faults: FaultSpan[] = [];
  private readonly marks: FaultMark[] = [];
  private readonly violations: ViolationEntry[] = [];
  private readonly partitions = new Set<string>();
  private readonly partitionRows = new Map<string, number[]>();
  private readonly openPartitions: OpenSpan[] = [];
  private readonly openCrashes = new Map<string, FaultSpan>();
  private readonly openPauses = new Map<string, FaultSpan>();
  private readonly openSlowLinks = new Map<string, FaultSpan>();
  private openNetwork: FaultSpan | null = null;
  private openDisk: FaultSpan | null = null;
  private summary: TraceSummary | null = null;

  constructor(
    private readonly path: string,
    private readonly id: string,
    private readonly name: string,
    capacity: number,
  ) {
    this.columns = allocateColumns(capacity);
    this.offsets = new Float64Array(capacity + 1);
  }

  private header: TraceHeader | null = null;
  private lineNo = 0;
  /** The file's length: a line that ends there has no newline, so the file was cut mid-line. */
  private fileBytes = 0;
  /** Where the line after the last row starts (the summary line's offset, when there is one). */
  private endOfLastRow = 0;

  run(): TraceIndex {
    this.fileBytes = statSync(this.path).size;
    const bytes = scanLines(this.path, (buffer, start, end, fileOffset) => this.line(buffer, start, end, fileOffset));
    if (this.header === null) throw new TraceIndexError(`${this.path} is empty`);
    this.offsets[this.rows] = this.rows > 0 ? this.endOfLastRow : bytes;
    return this.finish(this.header);
  }

  private line(buffer: Buffer, start: number, end: number, fileOffset: number): void {
    this.lineNo++;
    if (this.header === null) {
      this.header = parseHeaderLine(buffer.toString('utf8', start, end), this.path);
      return;
    }
    if (end === start) return;
    let line: IndexLine;
    try {
      line = readIndexEvent(buffer, start, end, this.lineNo, this.path);
    } catch (err) {
      if (!(err instanceof TraceFormatError)) throw err;
      const cut = fileOffset + (end - start) === this.fileBytes && /is not JSON$/.test(err.message);
      throw new TraceIndexError(cut ? truncatedAt(this.path, this.lineNo).message : err.message);
    }
    if (line.kind === 'summary') {
      this.summary = line;
      return;
    }
    this.addRow(line, fileOffset);
    this.endOfLastRow = fileOffset + (end - start) + 1;
  }

  private addRow(ev: IndexEvent, byteOffset: number): void {
    const row = this.rows;
    if (row + 1 >= this.columns.count) {
      this.columns = copyColumns(this.columns, row, this.columns.count * 2);
      const offsets = new Float64Array(this.columns.count + 1);
      offsets.set(this.offsets.subarray(0, row));
      this.offsets = offsets;
    }
    this.rows++;
    const c = this.columns;
    this.offsets[row] = byteOffset;
    c.step[row] = ev.i;
    c.t[row] = ev.t;
    c.kind[row] = this.kinds.of(ev.kind);
    c.lane[row] = ev.node !== undefined ? this.lanes.of(ev.node) : NO_LANE;
    c.peer[row] = NO_LANE;
    c.end[row] = NaN;
    this.describe(ev, row);
  }

  /** Fills the kind-specific columns and the metadata of one row. */
  private describe(ev: IndexEvent, row: number): void {
    const c = this.columns;
    if ('topic' in ev && typeof ev.topic === 'string' && typeof ev.partition === 'number')
      this.partitionRow(ev.kind, partitionKey(ev.topic, ev.partition), row);
    switch (ev.kind) {
      case 'send': {
        c.peer[row] = this.lanes.of(ev.to);
        c.label[row] = this.apis.of(messageField(ev.msg, 'api') ?? 'unknown');
        let flags = messageField(ev.msg, 'kind') === 'response' ? FLAG_RESPONSE : 0;
        if (ev.drop !== undefined) flags |= FLAG_DROPPED;
        else c.end[row] = ev.at ?? NaN;
        if (ev.dup !== undefined) flags |= FLAG_DUPLICATED;
        if (ev.reorder === true) flags |= FLAG_REORDERED;
        c.flags[row] = flags;
        this.rememberSend(ev.m, row);
        return;
      }
      case 'drop': {
        c.peer[row] = this.lanes.of(ev.from);
        const send = this.sendRow(ev.m);
        c.link[row] = send;
        if (send >= 0) {
          c.flags[send] |= FLAG_DROPPED;
          c.end[send] = ev.t;
        }
        return;
      }
      case 'client':
        this.clientRow(ev, row);
        return;
      case 'violation':
        this.violations.push({
          row,
          step: ev.i,
          atStep: ev.atStep,
          atRow: row,
          atT: ev.t,
          t: ev.t,
          name: ev.name,
          class: ev.class,
          message: ev.message,
          partition: null,
          nodes: ev.nodes,
          values: ev.values,
        });
        return;
      case 'partition':
        this.openPartition(ev, row);
        return;
      case 'heal':
        this.heal(ev, row);
        return;
      case 'crash': {
        const node = ev.node;
        this.mark(ev, row, `${node} crashed (${ev.reason})`);
        // A paused process can be killed: the pause ends with it.
        this.closeSpan(this.openPauses.get(node), ev, row);
        this.openPauses.delete(node);
        if (!this.openCrashes.has(node)) this.openCrashes.set(node, this.openSpan('crash', ev, row, [node], `${node} down (${ev.reason})`));
        return;
      }
      case 'restart':
        this.mark(ev, row, `${ev.node} restarted (incarnation ${ev.incarnation})`);
        this.closeSpan(this.openCrashes.get(ev.node), ev, row);
        this.openCrashes.delete(ev.node);
        return;
      case 'pause':
        this.mark(ev, row, `${ev.node} paused (SIGSTOP)`);
        if (!this.openPauses.has(ev.node)) this.openPauses.set(ev.node, this.openSpan('pause', ev, row, [ev.node], `${ev.node} paused`));
        return;
      case 'resume':
        this.mark(ev, row, `${ev.node} resumed (SIGCONT, ${ev.held} held)`);
        this.closeSpan(this.openPauses.get(ev.node), ev, row);
        this.openPauses.delete(ev.node);
        return;
      case 'disk':
        this.mark(ev, row, `${ev.node} disk: ${ev.fault}`);
        return;
      case 'clock-skew':
        if (ev.t > 0 || ev.offsetMs !== 0) this.mark(ev, row, `${ev.node} clock skew ${ev.offsetMs} ms`);
        return;
      case 'link':
        this.slowLink(ev, row);
        return;
      case 'network': {
        this.closeSpan(this.openNetwork, ev, row);
        this.openNetwork = null;
        if (hasNonZero(ev.config)) this.openNetwork = this.openSpan('network', ev, row, [], `network ${describeConfig(ev.config)}`);
        return;
      }
      case 'disk-faults': {
        this.closeSpan(this.openDisk, ev, row);
        this.openDisk = null;
        if (hasNonZero(ev.config)) this.openDisk = this.openSpan('disk-faults', ev, row, [], `disks ${describeConfig(ev.config)}`);
        return;
      }
    }
  }

  private partitionRow(kind: EventKind, key: string, row: number): void {
    this.partitions.add(key);
    if (!kind.startsWith('partition-')) return;
    let rows = this.partitionRows.get(key);
    if (rows === undefined) this.partitionRows.set(key, (rows = []));
    rows.push(row);
  }

  private rememberSend(m: number, row: number): void {
    if (!Number.isInteger(m) || m < 0) return;
    if (m >= this.sendRowOf.length) {
      const grown = new Int32Array(Math.max(m + 1, this.sendRowOf.length * 2)).fill(-1);
      grown.set(this.sendRowOf);
      this.sendRowOf = grown;
    }
    this.sendRowOf[m] = row;
  }

  private sendRow(m: number): number {
    return Number.isInteger(m) && m >= 0 && m < this.sendRowOf.length ? this.sendRowOf[m]! : -1;
  }

  /** Pairs a client operation's invoke with its completion (same client, operation and id). */
  private clientRow(ev: EventLineOf<'client'>, row: number): void {
    const c = this.columns;
    const lane = c.lane[row]!;
    this.clientLanes.add(lane);
    c.label[row] = this.ops.of(ev.op);
    const key = `${ev.node}\u0000${ev.op}\u0000${ev.id}`;
    if (ev.type === 'invoke') {
      c.flags[row] = FLAG_INVOKE;
      this.openInvokes.set(key, row);
      return;
    }
    const outcome = ev.type === 'ok' ? FLAG_OK : ev.type === 'fail' ? FLAG_FAIL : FLAG_INFO;
    c.flags[row] = outcome;
    const invoke = this.openInvokes.get(key);
    if (invoke === undefined) return;
    this.openInvokes.delete(key);
    c.link[row] = invoke;
    c.link[invoke] = row;
    c.end[invoke] = ev.t;
    c.flags[invoke] |= outcome;
  }

  private mark(ev: IndexEvent, row: number, label: string): void {
    this.marks.push({ kind: ev.kind, row, step: ev.i, t: ev.t, node: ev.node ?? null, label });
  }

  private openSpan(kind: FaultSpan['kind'], ev: LinePosition, row: number, nodes: string[], label: string): FaultSpan {
    const span: FaultSpan = {
      kind,
      startRow: row,
      endRow: null,
      startStep: ev.i,
      startT: ev.t,
      endStep: null,
      endT: null,
      nodes,
      label,
      sides: null,
      links: null,
    };
    this.faults.push(span);
    return span;
  }

  private closeSpan(span: FaultSpan | null | undefined, ev: LinePosition, row: number): void {
    if (!span || span.endRow !== null) return;
    span.endRow = row;
    span.endStep = ev.i;
    span.endT = ev.t;
  }

  private openPartition(ev: EventLineOf<'partition'>, row: number): void {
    const nodes = [...new Set(ev.cut.flat())].sort();
    const label = ev.groups.map((g) => g.join(',')).join(ev.oneWay ? ' -/-> ' : ' | ');
    const span = this.openSpan(ev.oneWay ? 'partition-oneway' : 'partition', ev, row, nodes, label);
    span.sides = ev.groups.map((group) => [...group]);
    span.links = ev.cut.map(([from, to]) => [from, to]);
    this.openPartitions.push({ span, links: new Set(ev.cut.map(([a, b]) => `${a}>${b}`)) });
  }

  private heal(ev: EventLineOf<'heal'>, row: number): void {
    this.marks.push({ kind: 'heal', row, step: ev.i, t: ev.t, node: null, label: 'heal' });
    const links = ev.links;
    for (const open of [...this.openPartitions]) {
      if (links === 'all') open.links!.clear();
      else for (const [a, b] of links) open.links!.delete(`${a}>${b}`);
      if (open.links!.size === 0) {
        this.closeSpan(open.span, ev, row);
        this.openPartitions.splice(this.openPartitions.indexOf(open), 1);
      }
    }
  }

  private slowLink(ev: EventLineOf<'link'>, row: number): void {
    if (ev.between === 'all') {
      for (const span of this.openSlowLinks.values()) this.closeSpan(span, ev, row);
      this.openSlowLinks.clear();
      return;
    }
    const [a, b] = ev.between;
    const key = [a, b].sort().join('-');
    this.closeSpan(this.openSlowLinks.get(key), ev, row);
    this.openSlowLinks.delete(key);
    if (ev.config !== null) this.openSlowLinks.set(key, this.openSpan('slow-link', ev, row, [a, b], `${key} ${describeConfig(ev.config)}`));
  }

  private finish(header: TraceHeader): TraceIndex {
    const rows = this.rows;
    const columns = copyColumns(this.columns, rows);
    // Operations that never completed are "info": their outcome is unknown.
    for (const invoke of this.openInvokes.values()) columns.flags[invoke] |= FLAG_INFO;
    const order = this.laneOrder();
    const remap = new Uint8Array(256).fill(NO_LANE);
    order.forEach((old, i) => (remap[old] = i));
    for (let r = 0; r < rows; r++) {
      columns.lane[r] = remap[columns.lane[r]!]!;
      columns.peer[r] = remap[columns.peer[r]!]!;
    }
    const partitions = [...this.partitions];
    for (const v of this.violations) {
      v.atRow = rowAtOrBefore(columns, v.atStep, v.row);
      v.atT = columns.t[v.atRow]!;
      v.partition = violationPartition(v.values, partitions);
      v.message = renamePartitions(v.message, partitions);
    }
    const lanes: Lane[] = order.map((old) => ({ id: this.lanes.names[old]!, kind: this.clientLanes.has(old) ? 'client' : 'node' }));
    const lastStep = rows > 0 ? columns.step[rows - 1]! + 1 : 0;
    const meta: TraceMeta = {
      id: this.id,
      name: this.name,
      header,
      summary: this.summary,
      rows,
      steps: this.summary?.steps ?? lastStep,
      simMs: this.summary?.simMs ?? (rows > 0 ? columns.t[rows - 1]! : 0),
      lanes,
      kinds: this.kinds.names,
      apis: this.apis.names,
      ops: this.ops.names,
      faults: this.faults,
      marks: this.marks,
      violations: this.violations,
      partitions,
      checkpointEvery: CHECKPOINT_EVERY,
    };
    const offsets = this.offsets.slice(0, rows + 1);
    const partitionRows = new Map([...this.partitionRows].map(([key, rows]) => [key, Int32Array.from(rows)]));
    const checkpoints = new Checkpoints(header, this.path, columns, offsets, meta.kinds, meta.ops);
    return { meta, columns, offsets, checkpoints, partitionRows, path: this.path };
  }

  /** Cluster nodes first in their natural order (b1, b2, …, c1, …), then clients in order of appearance. */
  private laneOrder(): number[] {
    const all = this.lanes.names.map((_, i) => i);
    const natural = (a: number, b: number) => this.lanes.names[a]!.localeCompare(this.lanes.names[b]!, 'en', { numeric: true });
    const nodes = all.filter((i) => !this.clientLanes.has(i)).sort(natural);
    return [...nodes, ...all.filter((i) => this.clientLanes.has(i))];
  }
}

/** The last row whose step is at most `step` (never after `limit`), or 0. */
export function rowAtOrBefore(columns: TraceColumns, step: number, limit: number = columns.count - 1): number {
  let lo = 0;
  let hi = Math.min(limit, columns.count - 1);
  if (hi < 0 || columns.step[0]! > step) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (columns.step[mid]! <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The header, checked for what the visualizer reads of it. Not the trace reader's parseHeader:
 * that one also wants a `setup` to re-run, and the visualizer shows traces of ad-hoc runs too.
 */
function parseHeaderLine(line: string, path: string): TraceHeader {
  if (line.length === 0) throw new TraceIndexError(`${path} starts with an empty line, so this is not a Samsa trace`);
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new TraceIndexError(`${path}: line 1 is not JSON, so this is not a Samsa trace`);
  }
  const h = header as Partial<TraceHeader> | null;
  if (typeof h !== 'object' || h === null || typeof h.samsa !== 'number') {
    throw new TraceIndexError(`${path}: line 1 has no "samsa" version, so this is not a Samsa trace`);
  }
  if (typeof h.config !== 'object' || h.config === null) throw new TraceIndexError(`${path}: the header has no "config" object`);
  return h as TraceHeader;
}

/** A link's or disk's settings that change something (the defaults are zeros). */
function hasNonZero(config: object): boolean {
  return Object.values(config).some((v) => v !== 0 && v !== null && v !== false && v !== undefined);
}

function describeConfig(config: object): string {
  return Object.entries(config)
    .filter(([, v]) => v !== 0 && v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** The raw text of each of `rows` (ascending), read from the file one line at a time. */
export function readRowsAt(index: TraceIndex, rows: readonly number[]): string[] {
  return readFileRanges(
    index.path,
    rows.map((r) => [index.offsets[r]!, index.offsets[r + 1]!]),
  ).map((bytes) => bytes.toString('utf8').trimEnd());
}

/** The raw text of rows from..to inclusive, read from the file by their offsets. */
export function readRows(index: TraceIndex, from: number, to: number): string[] {
  return readFileRange(index.path, index.offsets[from]!, index.offsets[to + 1]!)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

/** The file's size and modification time, to notice that it changed and the index is stale. */
export function fileStamp(path: string): string {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
}
