// Reads the events the trace index needs from a line's bytes, decoding only the head (and the
// tail) of the long, frequent kinds: a send's message body and a client operation's value are
// most of a trace's bytes and nothing the index or the derived state uses. Every other line is
// parsed as JSON in full.

import type { RawEvent } from '../shared/contract.ts';

const TAIL_BYTES = 120;
const SEND_TAIL = /\},(?:"at":(-?[\d.e+-]+)(,"dup":(-?[\d.e+-]+))?(,"reorder":true)?|"drop":"([a-z-]+)")\}$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const bytes = (text: string) => Buffer.from(text, 'latin1');
const T = bytes('{"t":');
const I = bytes(',"i":');
const NODE = bytes(',"node":');
const KIND = bytes(',"kind":');
const TO = bytes(',"to":');
const M = bytes(',"m":');
const API = bytes(',"msg":{"api":');
const OP = bytes(',"op":');
const TYPE = bytes(',"type":');
const ID = bytes(',"id":');

/** Reads a line's head field by field, straight from its bytes; any surprise answers null. */
class HeadReader {
  constructor(private readonly buffer: Buffer, private at: number, private readonly end: number) {}

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
    while (this.at < this.end && b[this.at] !== 0x2c && b[this.at] !== 0x7d) this.at++;
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
}

/**
 * Frequent kinds whose other fields only derived state needs (the checkpoints read them back in
 * full): the index takes their time, step, node, kind, topic and partition from the head.
 */
const HEAD_ONLY_KINDS = new Set(['partition-append', 'partition-hw', 'partition-isr', 'raft-append', 'raft-hw', 'metadata-apply']);
const TOPIC = bytes(',"topic":');
const PARTITION = bytes(',"partition":');

/** The event on bytes `buffer[start..end)`, every field; throws SyntaxError when the line is not JSON. */
export function readEvent(buffer: Buffer, start: number, end: number): RawEvent {
  return readHead(buffer, start, end, false) ?? (JSON.parse(buffer.toString('utf8', start, end)) as RawEvent);
}

/** As readEvent, but events of HEAD_ONLY_KINDS carry only their head fields (t, i, node, kind, topic, partition). */
export function readIndexEvent(buffer: Buffer, start: number, end: number): RawEvent {
  return readHead(buffer, start, end, true) ?? (JSON.parse(buffer.toString('utf8', start, end)) as RawEvent);
}

/** A send, client or timer event from the line's head, or null when the line is of another shape. */
function readHead(buffer: Buffer, start: number, end: number, headOnly: boolean): RawEvent | null {
  const r = new HeadReader(buffer, start, end);
  if (!r.literal(T)) return null;
  const t = r.number();
  if (!r.literal(I)) return null;
  const i = r.number();
  if (!r.literal(NODE)) return null;
  const node = r.string();
  if (node === null || !r.literal(KIND)) return null;
  const kind = r.string();
  if (Number.isNaN(t) || Number.isNaN(i)) return null;
  const ev: RawEvent = { t, i, node, kind: kind ?? '' };
  switch (kind) {
    case 'timer':
      return ev;
    case 'client': {
      if (!r.literal(OP)) return null;
      const op = r.string();
      if (op === null || !r.literal(TYPE)) return null;
      const type = r.string();
      if (type === null || !r.literal(ID)) return null;
      ev.op = op;
      ev.type = type;
      ev.id = r.number();
      return ev;
    }
    case 'send': {
      if (!r.literal(TO)) return null;
      const to = r.string();
      if (to === null || !r.literal(M)) return null;
      const m = r.number();
      if (!r.literal(API)) return null;
      const api = r.string();
      if (api === null || !r.literal(KIND)) return null;
      const msgKind = r.string();
      const tail = SEND_TAIL.exec(buffer.toString('latin1', Math.max(start, end - TAIL_BYTES), end));
      if (msgKind === null || tail === null) return null;
      ev.to = to;
      ev.m = m;
      ev.msg = { api, kind: msgKind };
      if (tail[5] !== undefined) ev.drop = tail[5];
      else {
        ev.at = Number(tail[1]);
        if (tail[2] !== undefined) ev.dup = Number(tail[3]);
        if (tail[4] !== undefined) ev.reorder = true;
      }
      return ev;
    }
    default: {
      if (!headOnly || kind === null || !HEAD_ONLY_KINDS.has(kind)) return null;
      if (r.literal(TOPIC)) {
        const topic = r.string();
        if (topic === null || !r.literal(PARTITION)) return null;
        ev.topic = topic;
        ev.partition = r.number();
      }
      return ev;
    }
  }
}
