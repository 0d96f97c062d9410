// Exports a trace as a ShiViz log (https://bestchai.bitbucket.io/shiviz/): one vector-clocked
// event per send, synthesized receive, drop, lifecycle change, replica change and client outcome,
// streamed from the trace file without holding it.

import type { EventLine, NodeLine } from '../../core/trace/schema.ts';
import { readEventLines } from '../../trace/reader.ts';
import type { EventLineOf } from '../shared/contract.ts';
import { partitionKey } from '../shared/names.ts';
import { messageField } from './message.ts';

/**
 * The parser ShiViz reads from the log's first line (GoVector's layout: `host {clock}`, then the
 * event's line, here prefixed by the simulated time and the trace step; a synthesized receive has
 * step `-`). The second line, the multiple-executions delimiter, is left empty.
 */
export const SHIVIZ_REGEX = String.raw`(?<host>\S+) (?<clock>\{.*\})\nt=(?<time>\S+) i=(?<step>\S+) (?<event>.*)`;

type Clock = Record<string, number>;

/** A message on the wire: received on `to` at `at` unless a drop event says otherwise. */
interface Delivery {
  at: number;
  sendStep: number;
  from: string;
  to: string;
  m: number;
  label: string;
  /** The sender's clock as of the send. */
  clock: Clock;
  dropped: boolean;
}

/** Writes `tracePath` as a ShiViz log through `out`, in chunks; answers how many ShiViz events it wrote. */
export function writeShiviz(tracePath: string, out: (chunk: string) => void): { events: number } {
  const log = new ShivizLog(out);
  for (const ev of readEventLines(tracePath)) log.take(ev);
  log.finish();
  return { events: log.events };
}

const OUT_CHUNK_CHARS = 1 << 16;

/**
 * Events are held back one simulated instant at a time: a message delivered at t has no trace line
 * of its own, so its receive is written before the receiver's first event at t (what the delivery
 * caused), and only once the instant's drop events have said whether it was delivered at all.
 */
class ShivizLog {
  events = 0;
  private readonly clocks = new Map<string, Clock>();
  private readonly inFlight = new DeliveryHeap();
  private readonly byMessage = new Map<number, Delivery[]>();
  private instant: NodeLine[] = [];
  private instantT = -Infinity;
  private buffer = '';

  constructor(private readonly out: (chunk: string) => void) {
    out(`${SHIVIZ_REGEX}\n\n`);
  }

  take(ev: EventLine): void {
    if (ev.t !== this.instantT) {
      this.writeInstant();
      this.instantT = ev.t;
    }
    if (ev.node !== undefined && (ev.kind === 'send' || ev.kind === 'drop' || describe(ev) !== null)) this.instant.push(ev);
  }

  /** Writes what is pending; messages still in flight when the trace ends were never received. */
  finish(): void {
    this.writeInstant();
    this.flush();
  }

  private writeInstant(): void {
    const t = this.instantT;
    while (this.inFlight.size > 0 && this.inFlight.peek().at < t) this.receive(this.inFlight.pop());
    for (const ev of this.instant) if (ev.kind === 'drop') this.markDropped(ev);
    const dueNow = new Map<string, Delivery[]>();
    while (this.inFlight.size > 0 && this.inFlight.peek().at === t) {
      const d = this.inFlight.pop();
      const list = dueNow.get(d.to);
      if (list === undefined) dueNow.set(d.to, [d]);
      else list.push(d);
    }
    for (const ev of this.instant) {
      const due = dueNow.get(ev.node);
      if (due !== undefined) {
        dueNow.delete(ev.node);
        for (const d of due) this.receive(d);
      }
      this.write(ev);
    }
    for (const due of dueNow.values()) for (const d of due) this.receive(d);
    this.instant = [];
  }

  private write(ev: NodeLine): void {
    if (ev.kind === 'send') this.send(ev);
    else if (ev.kind === 'drop') this.drop(ev);
    else this.emit(ev.node, ev.t, String(ev.i), describe(ev)!);
  }

  private send(ev: EventLineOf<'send'>): void {
    const { to, m } = ev;
    const label = messageLabel(ev.msg);
    const fate = ev.drop !== undefined ? ` (lost: ${ev.drop})` : ev.dup !== undefined ? ' (duplicated)' : '';
    const clock = this.emit(ev.node, ev.t, String(ev.i), `send ${label} to ${to} m=${m}${fate}`);
    if (ev.drop !== undefined || ev.at === undefined) return;
    const deliveries = [ev.at];
    if (ev.dup !== undefined) deliveries.push(ev.dup);
    const pending = deliveries.map((at) => ({ at, sendStep: ev.i, from: ev.node, to, m, label, clock: { ...clock }, dropped: false }));
    for (const d of pending) this.inFlight.push(d);
    this.byMessage.set(m, [...(this.byMessage.get(m) ?? []), ...pending]);
  }

  /** The kernel drops at delivery time (receiver down, restarted, or cut off): that delivery never happens. */
  private markDropped(ev: EventLineOf<'drop'>): void {
    const d = this.byMessage.get(ev.m)?.find((p) => !p.dropped && p.at === ev.t && p.to === ev.node);
    if (d !== undefined) d.dropped = true;
  }

  private drop(ev: EventLineOf<'drop'>): void {
    const d = this.byMessage.get(ev.m)?.find((p) => p.dropped && p.at === ev.t && p.to === ev.node);
    if (d !== undefined) this.forget(d);
    const what = d === undefined ? 'message' : d.label;
    this.emit(ev.node, ev.t, String(ev.i), `drop ${what} from ${ev.from} m=${ev.m} (${ev.reason})`);
  }

  private receive(d: Delivery): void {
    if (d.dropped) return;
    this.forget(d);
    this.emit(d.to, d.at, '-', `recv ${d.label} from ${d.from} m=${d.m}`, d.clock);
  }

  private forget(d: Delivery): void {
    const rest = this.byMessage.get(d.m)?.filter((p) => p !== d) ?? [];
    if (rest.length === 0) this.byMessage.delete(d.m);
    else this.byMessage.set(d.m, rest);
  }

  /** Ticks `host`'s clock (after merging `merge`, a receive's send clock), writes the event, returns the clock. */
  private emit(host: string, t: number, step: string, text: string, merge?: Clock): Clock {
    let clock = this.clocks.get(host);
    if (clock === undefined) {
      clock = {};
      this.clocks.set(host, clock);
    }
    if (merge !== undefined) for (const h in merge) clock[h] = Math.max(clock[h] ?? 0, merge[h]!);
    clock[host] = (clock[host] ?? 0) + 1;
    this.events++;
    this.buffer += `${host} ${JSON.stringify(clock)}\nt=${t} i=${step} ${text}\n`;
    if (this.buffer.length >= OUT_CHUNK_CHARS) this.flush();
    return clock;
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    this.out(this.buffer);
    this.buffer = '';
  }
}

/** "Fetch request", from a send's `msg`. */
function messageLabel(msg: unknown): string {
  return `${messageField(msg, 'api') ?? 'message'} ${messageField(msg, 'kind') ?? ''}`.trimEnd();
}

/** The text of a node event that goes into the log (sends and drops aside), or null for one that does not. */
function describe(ev: NodeLine): string | null {
  switch (ev.kind) {
    case 'start':
    case 'restart':
      return `${ev.kind} (incarnation ${ev.incarnation})`;
    case 'crash':
      return `crash (${ev.reason})`;
    case 'partition-append': {
      const batches = ev.batches;
      if (batches.length === 0) return null;
      const [first, last] = [batches[0]!, batches[batches.length - 1]!];
      return `append ${partitionKey(ev.topic, ev.partition)} [${first[0]}..${last[1]}] epoch ${last[2]}`;
    }
    case 'partition-hw':
      return `hw ${partitionKey(ev.topic, ev.partition)} = ${ev.highWatermark} (${ev.role}, epoch ${ev.leaderEpoch})`;
    case 'partition-truncate':
      return `truncate ${partitionKey(ev.topic, ev.partition)} to ${ev.endOffset}`;
    case 'partition-clean':
      return `clean ${partitionKey(ev.topic, ev.partition)} [${ev.baseOffset}..${ev.endOffset - 1}] kept ${ev.batches.length} batches`;
    case 'raft-state':
      return `raft ${ev.role} epoch ${ev.epoch} leader ${ev.leader ?? 'none'}`;
    case 'client':
      if (ev.type === 'invoke') return null;
      return `client ${ev.op} ${ev.type} id=${ev.id}${ev.error !== undefined ? `: ${ev.error}` : ''}`;
    default:
      return null;
  }
}

/** A binary min-heap of deliveries by (delivery time, send step). */
class DeliveryHeap {
  private readonly items: Delivery[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Delivery {
    return this.items[0]!;
  }

  push(d: Delivery): void {
    const items = this.items;
    items.push(d);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Delivery {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && before(items[left]!, items[least]!)) least = left;
        if (right < items.length && before(items[right]!, items[least]!)) least = right;
        if (least === i) break;
        [items[i], items[least]] = [items[least]!, items[i]!];
        i = least;
      }
    }
    return top;
  }
}

function before(a: Delivery, b: Delivery): boolean {
  return a.at < b.at || (a.at === b.at && a.sendStep < b.sendStep);
}
