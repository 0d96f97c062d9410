// Reads the events the trace index needs from a line's bytes, decoding only the head (and the
// tail) of the long, frequent kinds: a send's message body and a client operation's value are
// most of a trace's bytes and nothing the index or the derived state uses. Every other line is
// parsed as JSON in full.

import type { RawEvent } from '../shared/contract.ts';

const HEAD_BYTES = 256;
const TAIL_BYTES = 120;
const NUMBER = String.raw`(-?[\d.e+-]+)`;
const NAME = String.raw`"([^"\\]*)"`;
const HEAD = new RegExp(String.raw`^\{"t":${NUMBER},"i":(\d+),"node":${NAME},"kind":"(send|client|timer)",`);
const SEND_REST = new RegExp(String.raw`^"to":${NAME},"m":(\d+),"msg":\{"api":${NAME},"kind":"(request|response)"`);
const SEND_TAIL = new RegExp(String.raw`\},(?:"at":${NUMBER}(,"dup":${NUMBER})?(,"reorder":true)?|"drop":"([a-z-]+)")\}$`);
const CLIENT_REST = new RegExp(String.raw`^"op":${NAME},"type":"(invoke|ok|fail|info)","id":(-?\d+)[,}]`);

/** The event on bytes `buffer[start..end)`; throws SyntaxError when the line is not JSON. */
export function readEvent(buffer: Buffer, start: number, end: number): RawEvent {
  return readHead(buffer, start, end) ?? (JSON.parse(buffer.toString('utf8', start, end)) as RawEvent);
}

/** A send, client or timer event from the line's head, or null when the line is of another shape. */
function readHead(buffer: Buffer, start: number, end: number): RawEvent | null {
  const headText = buffer.toString('latin1', start, Math.min(end, start + HEAD_BYTES));
  const head = HEAD.exec(headText);
  if (head === null) return null;
  const ev: RawEvent = { t: Number(head[1]), i: Number(head[2]), node: head[3]!, kind: head[4]! };
  const rest = headText.slice(head[0].length);
  switch (ev.kind) {
    case 'timer':
      return ev;
    case 'client': {
      const client = CLIENT_REST.exec(rest);
      if (client === null) return null;
      ev.op = client[1];
      ev.type = client[2];
      ev.id = Number(client[3]);
      return ev;
    }
    default: {
      const send = SEND_REST.exec(rest);
      const tail = SEND_TAIL.exec(buffer.toString('latin1', Math.max(start, end - TAIL_BYTES), end));
      if (send === null || tail === null) return null;
      ev.to = send[1];
      ev.m = Number(send[2]);
      ev.msg = { api: send[3], kind: send[4] };
      if (tail[5] !== undefined) ev.drop = tail[5];
      else {
        ev.at = Number(tail[1]);
        if (tail[2] !== undefined) ev.dup = Number(tail[3]);
        if (tail[4] !== undefined) ev.reorder = true;
      }
      return ev;
    }
  }
}
