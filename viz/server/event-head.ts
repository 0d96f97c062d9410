// Reads the events the trace index needs from a line's bytes, decoding only the head (and the
// tail) of the long, frequent kinds: a send's message body and a client operation's value are
// most of a trace's bytes and nothing the index or the derived state uses. Every other line goes
// through the trace reader's parseTraceLine (a full JSON parse, checked against the schema).

import type { ClientOpType, EventKind, EventLine, LinePosition, NodeId, SendDropReason, TraceSummary } from '../../core/trace/schema.ts';
import { parseTraceLine } from '../../trace/reader.ts';
import type { EventLineOf } from '../shared/contract.ts';

/**
 * Frequent kinds whose other fields only derived state needs (the checkpoints read them back in
 * full): the index takes their time, step, node, kind, topic and partition from the head.
 */
const HEAD_ONLY_KINDS = [
  'partition-append',
  'partition-hw',
  'partition-isr',
  'raft-append',
  'raft-hw',
  'metadata-apply',
] as const satisfies readonly EventKind[];
type HeadOnlyKind = (typeof HEAD_ONLY_KINDS)[number];

/** A line of a head-only kind as the index reads it: its head, without the fields that make it an EventLine. */
export type EventHead = LinePosition & { node: NodeId; kind: HeadOnlyKind; topic?: string; partition?: number };

/** A row as the index reads it: an event line, or the head of one. */
export type IndexEvent = EventLine | EventHead;

/** A line after the header as the index reads it. */
export type IndexLine = IndexEvent | TraceSummary;

const TAIL_BYTES = 120;
const SEND_TAIL = /\},(?:"at":(-?[\d.e+-]+)(,"dup":(-?[\d.e+-]+))?(,"reorder":true)?|"drop":"([a-z-]+)")\}$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
const bytes = (text: string) => Buffer.from(text, 'latin1');
const T = bytes('{"t":');
const I = bytes(',"i":');
const NODE = bytes(',"node":');
const KIND = bytes(',"kind":');
const TAG = bytes(',"tag":');
const TO = bytes(',"to":');
const M = bytes(',"m":');
const API = bytes(',"msg":{"api":');
const OP = bytes(',"op":');
const TYPE = bytes(',"type":');
const ID = bytes(',"id":');
const TOPIC = bytes(',"topic":');
const PARTITION = bytes(',"partition":');

// The string values a head may hold, as records so that the compiler checks them against the schema.
const HEAD_ONLY: ReadonlySet<string> = new Set<HeadOnlyKind>(HEAD_ONLY_KINDS);
const CLIENT_OP_TYPES: Readonly<Record<ClientOpType, true>> = { invoke: true, ok: true, fail: true, info: true };
const SEND_DROP_REASONS: Readonly<Record<SendDropReason, true>> = { partition: true, loss: true, down: true };
const isHeadOnlyKind = (kind: string): kind is HeadOnlyKind => HEAD_ONLY.has(kind);
const isClientOpType = (type: string): type is ClientOpType => Object.hasOwn(CLIENT_OP_TYPES, type);
const isSendDropReason = (reason: string): reason is SendDropReason => Object.hasOwn(SEND_DROP_REASONS, reason);

/** Reads a line's head field by field, straight from its bytes; any surprise answers null. */
class HeadReader {
  constructor(
    private readonly buffer: Buffer,
    private at: number,
    private readonly end: number,
  ) {}

  literal(expected: Buffer): boolean {
    const b = this.buffer;
    if (this.at + expected.length > this.end) return false;
    for (let k = 0; k < expected.length; k++) if (b[this.at + k] !== expected[k]) return false;
    this.at += expected.length;
    return true;
  }

  /** A number up to the next ',' or '}'. */
  number(): number {
    const b = this.buffer;
    const from = this.at;
    while (this.at < this.end && b[this.at] !== 0x2c && b[this.at] !== CLOSE) this.at++;
    return this.at === from ? NaN : Number(b.toString('latin1', from, this.at));
  }

  /** A plain ASCII string (no escapes), or null. */
  string(): string | null {
    const b = this.buffer;
    if (b[this.at] !== QUOTE) return null;
    const from = ++this.at;
    while (this.at < this.end && b[this.at] !== QUOTE) {
      if (b[this.at] === BACKSLASH || b[this.at]! >= 0x80) return null;
      this.at++;
    }
    if (this.at >= this.end) return null;
    return b.toString('latin1', from, this.at++);
  }

  /** Only the object's closing brace is left. */
  closes(): boolean {
    return this.at === this.end - 1 && this.buffer[this.at] === CLOSE;
  }
}

/**
 * The line on bytes `buffer[start..end)` (line `lineNumber` of `path`, for errors), every field
 * but a send's message body (only its `api` and `kind`) and a client operation's `value` and
 * `error`; throws the reader's TraceFormatError when the line is not a trace line.
 */
export function readEvent(buffer: Buffer, start: number, end: number, lineNumber: number, path: string): EventLine | TraceSummary {
  return readHead(buffer, start, end, false) ?? parseTraceLine(buffer.toString('utf8', start, end), lineNumber, path);
}

/** As readEvent, but lines of the head-only kinds come as their EventHead. */
export function readIndexEvent(buffer: Buffer, start: number, end: number, lineNumber: number, path: string): IndexLine {
  return readHead(buffer, start, end, true) ?? parseTraceLine(buffer.toString('utf8', start, end), lineNumber, path);
}

/** A send, client or timer event (with `headOnly`, also an EventHead) from the line's head, or null when the line is of another shape. */
function readHead(buffer: Buffer, start: number, end: number, headOnly: false): EventLine | null;
function readHead(buffer: Buffer, start: number, end: number, headOnly: true): EventLine | EventHead | null;
function readHead(buffer: Buffer, start: number, end: number, headOnly: boolean): EventLine | EventHead | null {
  const r = new HeadReader(buffer, start, end);
  if (!r.literal(T)) return null;
  const t = r.number();
  if (!r.literal(I)) return null;
  const i = r.number();
  if (!r.literal(NODE)) return null;
  const node = r.string();
  if (node === null || !r.literal(KIND)) return null;
  const kind = r.string();
  if (Number.isNaN(t) || Number.isNaN(i) || kind === null) return null;
  switch (kind) {
    case 'timer': {
      if (!r.literal(TAG)) return null;
      const tag = r.string();
      return tag !== null && r.closes() ? { t, i, node, kind, tag } : null;
    }
    case 'client': {
      if (!r.literal(OP)) return null;
      const op = r.string();
      if (op === null || !r.literal(TYPE)) return null;
      const type = r.string();
      if (type === null || !isClientOpType(type) || !r.literal(ID)) return null;
      const id = r.number();
      return Number.isNaN(id) ? null : { t, i, node, kind, op, type, id };
    }
    case 'send':
      return readSend(r, buffer, start, end, t, i, node);
    default: {
      if (!headOnly || !isHeadOnlyKind(kind)) return null;
      const head: EventHead = { t, i, node, kind };
      if (r.literal(TOPIC)) {
        const topic = r.string();
        if (topic === null || !r.literal(PARTITION)) return null;
        head.topic = topic;
        head.partition = r.number();
      }
      return head;
    }
  }
}

/** A send from its head (receiver, message id, the message's api and kind) and its tail (its fate). */
function readSend(r: HeadReader, buffer: Buffer, start: number, end: number, t: number, i: number, node: NodeId): EventLineOf<'send'> | null {
  if (!r.literal(TO)) return null;
  const to = r.string();
  if (to === null || !r.literal(M)) return null;
  const m = r.number();
  if (Number.isNaN(m) || !r.literal(API)) return null;
  const api = r.string();
  if (api === null || !r.literal(KIND)) return null;
  const msgKind = r.string();
  const tail = SEND_TAIL.exec(buffer.toString('latin1', Math.max(start, end - TAIL_BYTES), end));
  if (msgKind === null || tail === null) return null;
  // One literal, not a spread of the head: in V8 a spread object that then grows is many times slower.
  const send: EventLineOf<'send'> = { t, i, node, kind: 'send', to, m, msg: { api, kind: msgKind } };
  const drop = tail[5];
  if (drop !== undefined) {
    if (!isSendDropReason(drop)) return null;
    send.drop = drop;
  } else {
    send.at = Number(tail[1]);
    if (tail[2] !== undefined) send.dup = Number(tail[3]);
    if (tail[4] !== undefined) send.reorder = true;
  }
  return send;
}
