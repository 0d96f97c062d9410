// lost-write: an acknowledged write that reads pass over or that no read ever returns (Jepsen's
// Kafka workload: lost-write and unseen). With acks=all Kafka promises a write survives while one
// in-sync replica lives; acks=1 promises less, and a scenario says which loss it expects.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { CommitFacts } from './commit-facts.ts';
import { CompactionFacts, NO_COMPACTION } from './compaction-facts.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type PollRecord, type ReadOp } from './op-values.ts';
import { OffsetIndex, type Sightings } from './sightings.ts';
import { PartitionMap, PerConsumer } from './partition-map.ts';
import type { HistoryOp, SendOk } from './types.ts';

export const LOST_WRITE: CheckerInfo = {
  name: 'lost-write',
  statement:
    'Every acknowledged write (acks 1 or all) is returned by some poll (one that read it uncommitted counts only if it ended up committed at that offset): none is passed over by a consumer that read its partition from before its offset to beyond it in a poll invoked after the acknowledgement, and none is unseen at the end unless a log start moved past it while it was committed (retention, DeleteRecords).',
  source: "Jepsen's Kafka workload (lost-write, unseen; Redpanda 21.10.1 and Bufstream analyses); Kafka docs, acks and min.insync.replicas",
};

/** What a value turns into once some poll returned it or it was reported. */
const SETTLED = 0;

/** An acknowledged value that no poll has returned yet (and that was not reported). */
interface Write {
  valueId: number;
  value: string;
  key: string | null;
  producer: NodeId;
  /** Step of the acknowledgement. */
  step: number;
  topic: string;
  partition: number;
  offset: number;
  acks: 1 | -1;
  /** Another pending write acknowledged at the same offset (only when offsets are inconsistent). */
  next: Write | undefined;
  settled: boolean;
  /**
   * A poll returned the value at this very offset, but uncommitted (a dirty read): that counts as
   * returning it only if the offset ended up committed holding this value (judged at the end).
   */
  dirty: boolean;
}

/** One consumer's reading of one partition since its last assign or seek of it. */
interface Reader {
  consumer: NodeId;
  /** First offset it got since the reset; undefined until it gets one. */
  start: number | undefined;
  /** Offsets in [start, scanned) were passed by this reader and judged. */
  scanned: number;
  /** Writes in [start, scanned) that were acknowledged only after the poll that passed them was invoked. */
  deferred: Write[];
  /** The poll being processed (its step) and the highest offset it returned from this partition. */
  pollStep: number;
  pollMax: number;
  /** Listed in its partition's readers. */
  registered: boolean;
}

interface Partition {
  pendingAt: Map<number, Write>;
  readers: Reader[];
  /** Highest `scanned` of any reader: a write acknowledged below it may already have been passed. */
  maxScanned: number;
  /** Each offset's first acknowledgement or committed read (sighting id); only kept while the commit facts are known. */
  seenAt: OffsetIndex | null;
  /** Offsets where acknowledgements and committed reads named different values. */
  mixed: Set<number>;
}

/**
 * A write counts as passed over only by a consumer that itself read across its offset (got an
 * offset at or below it, then one above it, with no assign or seek of the partition in between):
 * a consumer that started beyond it, or moved past it with a seek, never claimed to read it, and
 * another consumer may still return it. In a correct log such a consumer has returned the value.
 * Each poll scans only the offsets its consumer moved across, so the work follows the records read.
 *
 * A poll that returned a record uncommitted (at or above every high watermark reported by then:
 * a dirty read, see dirty-read.ts) does not count as returning it: the record may have vanished
 * with its leader, and counting it would hide that loss. Such a read counts only if it got the
 * value at the offset where the write was acknowledged, and that offset ended up committed with
 * no acknowledgement or committed read naming another value there. Without the replicas' events
 * (a black-box history) every read counts.
 *
 * On a compacted topic a write that a later write of its key superseded may be gone (compaction
 * keeps only each key's last value): it is not judged lost when the superseding write began
 * before the read that passed it over, nor unseen at the end. Tombstones are tombstone-visible's.
 */
export class LostWrite implements HistoryChecker {
  readonly info = LOST_WRITE;
  /**
   * Per value id (see Sightings): its write while acknowledged, unread and unreported, SETTLED
   * once some poll returned it or it was reported (no longer in question). Value ids follow first
   * sightings, so pending writes are in acknowledgement order.
   */
  private readonly writes: Array<Write | typeof SETTLED | undefined> = [];
  private readonly partitions = new PartitionMap<Partition>();
  private readonly readers = new PerConsumer<Reader>((consumer) => ({
    consumer,
    start: undefined,
    scanned: 0,
    deferred: [],
    pollStep: -1,
    pollMax: -1,
    registered: false,
  }));
  /** Dirty reads of values not acknowledged yet: value id -> the sightings. */
  private readonly dirtyBefore = new Map<number, number[]>();
  /** Writes of compacted topics passed over, judged at the end, when every later write of their key is known. */
  private readonly passedOnCompacted: Array<{ w: Write; poll: HistoryOp; beyond: number }> = [];
  private lastStep = -1;
  private finished = false;

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CommitFacts = new CommitFacts(),
    private readonly compaction: CompactionFacts = new CompactionFacts(NO_COMPACTION, sightings),
  ) {}

  observe({ op, invocation, ack, records, reset, firstSighting }: ReadOp): void {
    this.lastStep = op.step;
    if (ack !== null) return this.acknowledged(op, ack, firstSighting);
    if (records !== null) return this.polled(op, invocation?.step, records, firstSighting);
    if (reset !== null) {
      this.readers.reset(op.process, reset, (r) => {
        r.start = undefined;
        r.deferred = [];
      });
    }
  }

  finish(finalRead: boolean): void {
    if (this.finished) return;
    this.finished = true;
    for (const { w, poll, beyond } of this.passedOnCompacted) {
      if (!this.compaction.superseded(w.topic, w.partition, w.offset, w.key, poll.step)) this.reportPassed(w, poll, beyond);
    }
    // Without a complete final read an unread write may only be late: that is a liveness failure,
    // reported as such by the run, not a lost write.
    if (!finalRead) {
      this.writes.length = 0;
      return;
    }
    for (const w of this.writes) {
      if (w === SETTLED || w === undefined) continue;
      if (w.dirty && this.committedAsRead(w)) continue;
      if (this.compaction.superseded(w.topic, w.partition, w.offset, w.key)) continue;
      // Deleted on purpose once committed: no poll had to return it.
      if (this.facts.deleted(w.topic, w.partition, w.offset)) continue;
      this.report({
        step: this.lastStep,
        message: w.dirty
          ? `${describe(w)} was returned only by polls that read it uncommitted, and ${tp(w.topic, w.partition)} offset ${w.offset} did not end up committed with it`
          : `${describe(w)} was never returned by any poll`,
        nodes: [w.producer],
        values: w.dirty ? { ...facts(w), dirtyRead: true } : facts(w),
      });
    }
    this.writes.length = 0;
  }

  /** Whether the offset a dirty read got `w` at ended up committed, with no other value named there. */
  private committedAsRead(w: Write): boolean {
    if (this.facts.uncommitted(w.topic, w.partition, w.offset)) return false;
    return !this.partition(w.topic, w.partition).mixed.has(w.offset);
  }

  private partition(topic: string, partition: number): Partition {
    return this.partitions.getOrCreate(topic, partition, () => ({
      pendingAt: new Map(),
      readers: [],
      maxScanned: 0,
      seenAt: this.facts.known ? new OffsetIndex() : null,
      mixed: new Set(),
    }));
  }

  /** An acknowledgement or a committed read (sighting `id`): notes an offset that names two values. */
  private seen(part: Partition, id: number): void {
    if (part.seenAt === null) return;
    const s = this.sightings;
    const offset = s.offset(id);
    const first = part.seenAt.get(offset);
    if (first < 0) part.seenAt.set(offset, id);
    else if (s.value(first) !== s.value(id)) part.mixed.add(offset);
  }

  private acknowledged(op: HistoryOp, s: SendOk, sighting: number): void {
    const valueId = this.sightings.valueId(sighting);
    const part = this.partition(s.topic, s.partition);
    this.seen(part, sighting);
    // A tombstone has no value to find again (tombstone-visible judges whether readers see it).
    if (s.value === null || this.writes[valueId] !== undefined) return;
    const w: Write = {
      valueId,
      value: s.value,
      key: s.key,
      producer: op.process,
      step: op.step,
      topic: s.topic,
      partition: s.partition,
      offset: s.offset,
      acks: s.acks as 1 | -1,
      next: part.pendingAt.get(s.offset),
      settled: false,
      dirty: false,
    };
    this.writes[valueId] = w;
    const dirtyReads = this.dirtyBefore.get(valueId);
    if (dirtyReads !== undefined) {
      this.dirtyBefore.delete(valueId);
      w.dirty = dirtyReads.some((id) => this.at(id, w));
    }
    part.pendingAt.set(w.offset, w);
    // Some reader already moved across this offset without the value (only in a broken log):
    // its next poll invoked after this acknowledgement that moves beyond the offset passes it over.
    if (w.offset < part.maxScanned) {
      for (const r of part.readers) if (r.start !== undefined && r.start <= w.offset && w.offset < r.scanned) r.deferred.push(w);
    }
  }

  private polled(op: HistoryOp, invoked: number | undefined, records: PollRecord[], firstSighting: number): void {
    const touched: Array<{ r: Reader; part: Partition }> = [];
    for (let i = 0; i < records.length; i++) {
      const [topic, partition, offset, , value] = records[i]!;
      if (value !== null) {
        const id = firstSighting + i;
        const valueId = this.sightings.valueId(id);
        const w = this.writes[valueId];
        if (this.facts.uncommitted(topic, partition, offset)) this.dirtyRead(w, valueId, id);
        else {
          this.seen(this.partition(topic, partition), id);
          if (w === undefined) this.writes[valueId] = SETTLED;
          else if (w !== SETTLED) this.settle(w);
        }
      }
      const r = this.readers.get(op.process, topic, partition);
      if (r.start === undefined) {
        r.start = offset;
        r.scanned = offset;
      }
      if (r.pollStep !== op.step) {
        r.pollStep = op.step;
        r.pollMax = offset;
        const part = this.partition(topic, partition);
        if (!r.registered) {
          r.registered = true;
          part.readers.push(r);
        }
        touched.push({ r, part });
      } else if (offset > r.pollMax) r.pollMax = offset;
    }
    // A poll whose invocation is not in the history cannot be placed after any acknowledgement.
    const after = invoked ?? Number.NEGATIVE_INFINITY;
    for (const { r, part } of touched) this.moved(op, after, r, part);
  }

  /** A poll returned value `valueId` uncommitted (sighting `id`): it does not settle the write. */
  private dirtyRead(w: Write | typeof SETTLED | undefined, valueId: number, id: number): void {
    if (w === SETTLED) return;
    if (w !== undefined) {
      if (this.at(id, w)) w.dirty = true;
      return;
    }
    const seen = this.dirtyBefore.get(valueId);
    if (seen === undefined) this.dirtyBefore.set(valueId, [id]);
    else seen.push(id);
  }

  /** Whether sighting `id` is at `w`'s partition and offset. */
  private at(id: number, w: Write): boolean {
    const s = this.sightings;
    return s.offset(id) === w.offset && s.partition(id) === w.partition && s.topic(id) === w.topic;
  }

  /** The reader got up to `r.pollMax` in the poll `op` invoked at step `invoked`: judge what it moved across. */
  private moved(op: HistoryOp, invoked: number, r: Reader, part: Partition): void {
    const beyond = r.pollMax;
    if (r.deferred.length > 0) {
      const keep: Write[] = [];
      for (const w of r.deferred) {
        if (w.settled || w.dirty) continue;
        if (w.step < invoked && w.offset < beyond) this.lost(w, op, beyond);
        else keep.push(w);
      }
      r.deferred = keep;
    }
    for (let o = r.scanned; o < beyond; o++) {
      for (let w = part.pendingAt.get(o); w !== undefined;) {
        const next = w.next;
        // A write a dirty read returned here is judged at the end of the run.
        if (!w.dirty) {
          if (w.step < invoked) this.lost(w, op, beyond);
          else r.deferred.push(w);
        }
        w = next;
      }
    }
    if (beyond + 1 > r.scanned) r.scanned = beyond + 1;
    if (r.scanned > part.maxScanned) part.maxScanned = r.scanned;
  }

  private lost(w: Write, poll: HistoryOp, beyond: number): void {
    this.settle(w);
    if (this.compaction.compacted(w.topic)) this.passedOnCompacted.push({ w, poll, beyond });
    else this.reportPassed(w, poll, beyond);
  }

  private reportPassed(w: Write, poll: HistoryOp, beyond: number): void {
    this.report({
      step: poll.step,
      message: `${describe(w)} was passed over: ${poll.process}'s poll (step ${poll.step}), invoked after the acknowledgement, returned ${tp(w.topic, w.partition)} offset ${beyond}, and no poll has returned ${quote(w.value)}`,
      nodes: involved(w.producer, poll.process),
      values: { ...facts(w), consumer: poll.process, pollStep: poll.step, pollOffset: beyond },
    });
  }

  /** The write is read or reported: it is no longer pending. */
  private settle(w: Write): void {
    w.settled = true;
    this.writes[w.valueId] = SETTLED;
    const part = this.partitions.get(w.topic, w.partition)!;
    const head = part.pendingAt.get(w.offset);
    if (head === w) {
      if (w.next === undefined) part.pendingAt.delete(w.offset);
      else part.pendingAt.set(w.offset, w.next);
    } else {
      for (let p = head; p !== undefined; p = p.next) {
        if (p.next === w) {
          p.next = w.next;
          break;
        }
      }
    }
  }
}

const describe = (w: Write) =>
  `${w.producer}'s acknowledged write ${quote(w.value)} (acks=${w.acks === -1 ? 'all' : '1'}, step ${w.step}) at ${tp(w.topic, w.partition)} offset ${w.offset}`;

const facts = (w: Write) => ({ value: w.value, topic: w.topic, partition: w.partition, offset: w.offset, acks: w.acks, producer: w.producer, ackStep: w.step });
