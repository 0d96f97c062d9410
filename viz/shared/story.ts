// Explains a violation as a causal chain read from the trace (pure, so it runs wherever the events
// are): for a record at stake, who held it when it came in, and each crash, election, ISR change,
// truncation, restart and overwrite that removed it from a replica or handed the partition to one
// without it, up to the event that exposed the violation; for a partition's ISR, its last leader
// and ISR changes and its replicas' crashes. A record is known by its batch: the leader epoch and
// content hash of the batch that holds its offset.

import type { EventLine } from '../../core/trace/schema.ts';
import type { EventLineOf, StoryRole, StoryStep, ViolationEntry, ViolationStory } from './contract.ts';
import { parsePartitionKey } from './names.ts';
import type { StorySubject } from './story-subject.ts';

/** An event of the trace with its row. */
export interface StoryEvent {
  row: number;
  ev: EventLine;
}

/** An ISR story keeps this many changes and crashes before the violation. */
const ISR_STEPS = 8;

/** A record as a replica holds it: the leader epoch and content hash of the batch at its offset. */
type Batch = readonly [epoch: number, hash: number];

interface Replica {
  node: string;
  /** The batch at the record's offset, or null when the replica has nothing there. */
  held: Batch | null;
  leo: number;
  hw: number;
  role: string;
  leaderEpoch: number;
}

const list = (nodes: readonly string[]) => nodes.join(', ');

/** The story of violation `index`, from the events of its partition, the crashes and restarts, its origin and the event that exposed it. */
export function explainViolation(index: number, v: ViolationEntry, subject: StorySubject, events: readonly StoryEvent[]): ViolationStory {
  const teller = new Teller(v, subject);
  for (const { row, ev } of events) {
    if (row > v.atRow) break;
    teller.apply(row, ev);
  }
  return { violation: index, headline: teller.headline(), partition: subject.partition, offset: teller.offset, steps: teller.finish() };
}

/** Why a replica's log start moved, as a story says it. */
const LOG_START_CAUSES: Record<EventLineOf<'partition-log-start'>['cause'], string> = {
  retention: 'retention',
  'delete-records': 'DeleteRecords',
  leader: "its leader's log start",
  truncate: 'a truncation below it',
};

class Teller {
  readonly offset: number | null;
  private readonly topic: string;
  private readonly partition: number;
  private readonly replicas = new Map<string, Replica>();
  private readonly view = { partitionEpoch: -1, leader: null as string | null, leaderEpoch: -1, isr: [] as string[] };
  /** The record at stake once its origin is seen ('any': it came in, but its leader's batch was not known). */
  private record: Batch | 'any' | undefined = undefined;
  /** How the record came in, in a few words, for the headline. */
  private originNote = 'never seen coming in';
  /** What each cause did, in a few words, for the headline. */
  private readonly causes: string[] = [];
  private readonly overwritten = new Set<string>();
  /** Log starts that moved past the offset on a replica holding it before the record came in (told if no replica holds it then). */
  private readonly earlyDeletions = new Map<string, { row: number; ev: EventLineOf<'partition-log-start'>; hw: number }>();
  /** ISR stories: the last event that moved the log end of each replica the violation names. */
  private readonly lastLogMove = new Map<string, StoryEvent>();
  private readonly steps: StoryStep[] = [];
  private exposed: StoryEvent | null = null;

  constructor(
    private readonly v: ViolationEntry,
    private readonly subject: StorySubject,
  ) {
    ({ topic: this.topic, partition: this.partition } = parsePartitionKey(subject.partition));
    this.offset = subject.kind === 'record' ? subject.offset : null;
  }

  apply(row: number, ev: EventLine): void {
    if (row === this.v.atRow) this.exposed = { row, ev };
    if (this.isOrigin(ev)) this.origin(row, ev, ev.node!);
    switch (ev.kind) {
      case 'partition-append':
      case 'partition-truncate':
      case 'partition-recover':
      case 'partition-hw':
      case 'partition-role':
      case 'partition-change':
      case 'partition-log-start':
        if (ev.topic === this.topic && ev.partition === this.partition) this.partitionEvent(row, ev);
        return;
      case 'crash':
        this.crash(row, ev);
        return;
      case 'restart':
        if (this.subject.kind === 'isr' && this.replicas.has(ev.node)) this.add(row, ev, 'restart', null, `${ev.node} restarted`);
        return;
      default:
        return;
    }
  }

  // ---- the record's replicas ----

  private replica(node: string): Replica {
    let r = this.replicas.get(node);
    if (r === undefined) {
      r = { node, held: null, leo: 0, hw: 0, role: 'none', leaderEpoch: -1 };
      this.replicas.set(node, r);
    }
    return r;
  }

  private holds(r: Replica | undefined): boolean {
    if (r === undefined || r.held === null || this.record === undefined) return false;
    return this.record === 'any' || (r.held[0] === this.record[0] && r.held[1] === this.record[1]);
  }

  private holders(): string[] {
    return [...this.replicas.values()].filter((r) => this.holds(r)).map((r) => r.node);
  }

  private heldIn(batches: ReadonlyArray<readonly [number, number, number, number, ...number[]]>): Batch | null {
    if (this.offset === null) return null;
    const batch = batches.find(([base, last]) => base <= this.offset! && this.offset! <= last);
    return batch === undefined ? null : [batch[2], batch[3]];
  }

  private partitionEvent(
    row: number,
    ev: EventLineOf<
      'partition-append' | 'partition-truncate' | 'partition-recover' | 'partition-hw' | 'partition-role' | 'partition-change' | 'partition-log-start'
    >,
  ): void {
    if (ev.kind === 'partition-change') return this.change(row, ev);
    const r = this.replica(ev.node);
    const held = this.holds(r);
    if ((ev.kind === 'partition-append' || ev.kind === 'partition-truncate') && this.subject.kind === 'isr' && this.subject.nodes.includes(r.node)) {
      this.lastLogMove.set(r.node, { row, ev });
    }
    const started = this.record !== undefined;
    switch (ev.kind) {
      case 'partition-append': {
        const now = this.heldIn(ev.batches);
        if (now !== null) r.held = now;
        if (ev.batches.length > 0) r.leo = ev.batches[ev.batches.length - 1]![1] + 1;
        if (started && now !== null && !this.holds(r) && !this.overwritten.has(r.node)) {
          this.overwritten.add(r.node);
          this.add(row, ev, 'overwrite', null, `${r.node} wrote another record at offset ${this.offset} (leader epoch ${now[0]})`);
        }
        return;
      }
      case 'partition-truncate':
        if (this.offset !== null && ev.endOffset <= this.offset) r.held = null;
        r.leo = ev.endOffset;
        if (started && held && !this.holds(r)) {
          this.add(
            row,
            ev,
            'truncation',
            `${r.node} truncated it away`,
            `${r.node} truncated its log to offset ${ev.endOffset} (its high watermark was ${r.hw}), dropping offset ${this.offset}`,
          );
        }
        return;
      case 'partition-recover':
        r.held = this.heldIn(ev.batches);
        r.leo = ev.batches.length === 0 ? 0 : ev.batches[ev.batches.length - 1]![1] + 1;
        r.hw = ev.highWatermark;
        if (started && held && !this.holds(r)) {
          this.add(
            row,
            ev,
            'recovery',
            `${r.node} restarted without it`,
            `${r.node} restarted without offset ${this.offset}: its log on disk ends at ${r.leo}`,
          );
        }
        return;
      case 'partition-hw':
        r.hw = ev.highWatermark;
        r.role = ev.role;
        r.leaderEpoch = ev.leaderEpoch;
        if (this.isCommit(ev)) this.origin(row, ev, ev.node);
        return;
      case 'partition-role':
        r.role = ev.role;
        r.leaderEpoch = ev.leaderEpoch;
        return;
      case 'partition-log-start': {
        const hadOffset = r.held !== null;
        if (this.offset !== null && this.offset < ev.logStartOffset) r.held = null;
        if (ev.logStartOffset > r.leo) r.leo = ev.logStartOffset;
        if (started && held && !this.holds(r)) this.deleted(row, ev, r.hw);
        else if (!started && hadOffset && r.held === null) this.earlyDeletions.set(r.node, { row, ev, hw: r.hw });
        return;
      }
    }
  }

  private deleted(row: number, ev: EventLineOf<'partition-log-start'>, hw: number): void {
    this.add(
      row,
      ev,
      'deletion',
      `${ev.node} deleted it`,
      `${ev.node} moved its log start to ${ev.logStartOffset} (${LOG_START_CAUSES[ev.cause]}), deleting offset ${this.offset}; its high watermark was ${hw}`,
    );
  }

  /** The controller's partition state, as the first node to report each partition epoch saw it. */
  private change(row: number, ev: EventLineOf<'partition-change'>): void {
    const view = this.view;
    if (ev.partitionEpoch <= view.partitionEpoch) return;
    const newLeader = ev.leader !== view.leader || ev.leaderEpoch !== view.leaderEpoch;
    const before = view.isr;
    Object.assign(view, { partitionEpoch: ev.partitionEpoch, leader: ev.leader, leaderEpoch: ev.leaderEpoch, isr: [...ev.isr] });
    if (this.subject.kind === 'isr') {
      const what = newLeader ? `leader ${ev.leader ?? 'none'} (leader epoch ${ev.leaderEpoch}), ISR [${list(ev.isr)}]` : `ISR [${list(ev.isr)}]`;
      return this.add(row, ev, newLeader ? 'election' : 'isr', null, `${this.subject.partition} takes ${what} (partition epoch ${ev.partitionEpoch})`);
    }
    if (this.record === undefined) return;
    if (newLeader) {
      if (ev.leader === null) return this.add(row, ev, 'election', null, `${this.subject.partition} is left without a leader (ISR [${list(ev.isr)}])`);
      const holds = this.holds(this.replicas.get(ev.leader));
      const cause = !holds && this.holders().length > 0 ? `${ev.leader} was elected leader without it` : null;
      const record = `offset ${this.offset}'s record`;
      return this.add(
        row,
        ev,
        'election',
        cause,
        `${ev.leader} elected leader (leader epoch ${ev.leaderEpoch}, ISR [${list(ev.isr)}]) ${holds ? `holding ${record}` : `without ${record}`}`,
      );
    }
    const admitted = ev.isr.filter((n) => !before.includes(n) && !this.holds(this.replicas.get(n)));
    if (admitted.length > 0) {
      this.add(
        row,
        ev,
        'isr',
        null,
        `the ISR becomes [${list(ev.isr)}] (partition epoch ${ev.partitionEpoch}), admitting ${list(admitted)} without offset ${this.offset}'s record`,
      );
    }
  }

  private crash(row: number, ev: EventLineOf<'crash'>): void {
    const r = this.replicas.get(ev.node);
    if (r === undefined) return;
    if (this.subject.kind === 'isr') return this.add(row, ev, 'crash', null, `${ev.node} crashed (${ev.reason})`);
    if (this.record === undefined) return;
    const holds = this.holds(r);
    const leads = this.view.leader === ev.node;
    if (!holds && !leads) return;
    const what = [leads ? 'the leader' : null, holds ? 'holding the record' : 'without the record'].filter((w) => w !== null).join(', ');
    this.add(row, ev, 'crash', null, `${ev.node} crashed (${ev.reason}), ${what}`);
  }

  // ---- origin and end ----

  private isOrigin(ev: EventLine): boolean {
    if (this.subject.kind !== 'record' || this.record !== undefined) return false;
    const origin = this.subject.origin;
    return origin.kind === 'client' && ev.kind === 'client' && ev.i === origin.step;
  }

  private isCommit(ev: EventLineOf<'partition-hw'>): boolean {
    if (this.subject.kind !== 'record' || this.record !== undefined || this.subject.origin.kind !== 'commit') return false;
    return ev.role === 'leader' && ev.highWatermark > this.subject.offset;
  }

  /** The record comes in: it is the batch its leader holds at its offset (the committing leader's, for a commit). */
  private origin(row: number, ev: EventLine, node: string): void {
    if (this.subject.kind !== 'record') return;
    const leader = ev.kind === 'partition-hw' ? this.replicas.get(ev.node) : this.leader();
    this.record = leader?.held ?? 'any';
    const holders = this.holders();
    // A record no replica holds as it comes in may have been deleted already (a log start past it).
    if (holders.length === 0) for (const d of this.earlyDeletions.values()) this.deleted(d.row, d.ev, d.hw);
    const held = `held by ${holders.length === 0 ? 'no replica' : list(holders)}`;
    const offset = this.subject.offset;
    let text: string;
    if (ev.kind === 'partition-hw') {
      text = `offset ${offset} committed: leader ${node} (leader epoch ${ev.leaderEpoch}) moved its high watermark to ${ev.highWatermark}; ${held}`;
      this.originNote = `committed at step ${ev.i}`;
    } else {
      const how = this.subject.origin.kind === 'client' ? this.subject.origin.how : 'seen';
      const status =
        leader === undefined ? '' : `; leader ${leader.node}'s high watermark was ${leader.hw} (${leader.hw > offset ? 'committed' : 'not committed yet'})`;
      const when = leader === undefined ? '' : leader.hw > offset ? ' once committed' : ' before it was committed';
      text = `${this.subject.what} ${how}${status}; ${held}`;
      this.originNote = `${how} at step ${ev.i}${when}`;
    }
    this.add(row, ev, 'origin', null, text);
  }

  /** The replica leading the newest leader epoch, else the one the controller names. */
  private leader(): Replica | undefined {
    const leaders = [...this.replicas.values()].filter((r) => r.role === 'leader').sort((a, b) => b.leaderEpoch - a.leaderEpoch);
    return leaders[0] ?? (this.view.leader === null ? undefined : this.replicas.get(this.view.leader));
  }

  /** A step; `cause` says in a few words how it removed the record (null: it did not). */
  private add(row: number, ev: EventLine, role: StoryRole, cause: string | null, text: string): void {
    this.steps.push({ row, step: ev.i, t: ev.t, node: ev.node ?? '', role, cause: cause !== null, text });
    if (cause !== null) this.causes.push(`${cause} (step ${ev.i})`);
  }

  finish(): StoryStep[] {
    let steps = this.steps;
    if (this.subject.kind === 'isr') {
      steps = [...steps.filter((s) => s.row < this.v.atRow).slice(-ISR_STEPS), ...steps.filter((s) => s.row >= this.v.atRow)];
      for (const [node, { row, ev }] of this.lastLogMove) {
        const leo = this.replicas.get(node)!.leo;
        steps.push({ row, step: ev.i, t: ev.t, node, role: 'log', cause: false, text: `${node}'s log end last moved here, to ${leo}` });
      }
      steps.sort((a, b) => a.row - b.row);
    }
    const end = this.exposed;
    if (end !== null) {
      const same = steps.find((s) => s.row === end.row);
      const text = `${this.v.name} exposed: ${same?.text ?? describeEvent(end.ev)}`;
      if (same !== undefined) same.text = text;
      else steps.push({ row: end.row, step: end.ev.i, t: end.ev.t, node: end.ev.node ?? '', role: 'exposed', cause: false, text });
    }
    return steps;
  }

  headline(): string {
    if (this.subject.kind === 'isr') {
      return `How ${this.subject.partition}'s ISR came to this: its leader and ISR changes and its replicas' crashes before step ${this.v.atStep}`;
    }
    const removed = this.causes.length === 0 ? 'no truncation, restart or election in the trace removed it from a replica' : this.causes.join('; ');
    return `${this.subject.what}, ${this.originNote}: ${removed}.`;
  }
}

/** One line for an event the story does not otherwise describe. */
export function describeEvent(ev: EventLine): string {
  switch (ev.kind) {
    case 'client':
      return `${ev.node}'s ${ev.op} ${ev.type === 'invoke' ? 'invoked' : ev.type}`;
    case 'partition-change':
      return `${ev.node} took leader ${ev.leader ?? 'none'} (leader epoch ${ev.leaderEpoch}), ISR [${list(ev.isr)}]`;
    case 'partition-role':
      return `${ev.node} became ${ev.role === 'none' ? 'no replica' : ev.role} (leader epoch ${ev.leaderEpoch})`;
    case 'partition-hw':
      return `${ev.node}'s high watermark moved to ${ev.highWatermark}`;
    case 'partition-truncate':
      return `${ev.node} truncated its log to offset ${ev.endOffset}`;
    case 'partition-clean':
      return `${ev.node}'s log cleaner rewrote offsets ${ev.baseOffset}-${ev.endOffset - 1}, keeping ${ev.batches.length} batches`;
    case 'violation':
      return `the checker judged at ${ev.t} ms, on what it had seen by then`;
    case 'partition-append':
      return ev.batches.length === 0
        ? `${ev.node} appended nothing`
        : `${ev.node} appended offsets ${ev.batches[0]![0]}-${ev.batches[ev.batches.length - 1]![1]}`;
    default:
      return `${ev.node ?? 'the run'}: ${ev.kind}`;
  }
}
