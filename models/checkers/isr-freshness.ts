// isr-freshness (a liveness check that runs during the run): a follower that has not caught up
// with its leader for longer than replica.lag.time.max.ms, plus the leader's check interval, must
// have been asked out of the ISR. Judged from partition events and times only: the follower's log
// end now against the leader's log end that long ago, while the leader led the same epoch, kept a
// steady clock and had no ISR change in flight (a change in flight, or one the controller refused
// and the leader tries again, is the leader doing its part).

import { partitionName } from '../../core/partition-name.ts';
import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const ISR_FRESHNESS: CheckerInfo = {
  name: 'isr-freshness',
  statement:
    'A follower that has not reached the log end its leader had replica.lag.time.max.ms plus the ISR check interval ago is not left in the ISR by a leader that has no ISR change in flight.',
  source:
    'Kafka docs, replica.lag.time.max.ms (KAFKA-1546: lag is time since the follower last caught up, not since it last fetched); Partition.maybeShrinkIsr',
};

/** Slack on top of lag plus check interval: timer phase, fetch round trips, rounding. */
const SLACK_MS = 1_000;
/** How often the windows are judged, in simulated time. */
const EVALUATE_EVERY_MS = 100;

interface NodeClock {
  up: boolean;
  skewMs: number;
  /**
   * From this time on the node's clock reads later than anything it read before (a clock set back
   * by J ms at time c only passes its old readings at c + J).
   */
  settledAt: number;
}

interface ReplicaLog {
  logEndOffset: number;
  /** When the log end last went down (truncation, recovery): fetches sent before then may carry more. */
  droppedAt: number;
}

interface Leadership {
  node: NodeId;
  key: string;
  leaderEpoch: number;
  since: number;
  /** The leader's log end from `since` on, as [time, logEndOffset], oldest first (pruned as time passes). */
  logEnds: Array<[number, number]>;
  /** Where `logEnds` begins: entries before it are older than every window still to be judged. */
  logEndsHead: number;
  isr: NodeId[];
  pending: boolean;
  pendingClearedAt: number;
  reported: Set<NodeId>;
}

export class IsrFreshness {
  private readonly clocks = new Map<NodeId, NodeClock>();
  private readonly logs = new Map<string, ReplicaLog>();
  /** Per `node|topic-partition`, the node's leadership of the partition. */
  private readonly leaderships = new Map<string, Leadership>();
  private lastEvaluatedAt = -Infinity;
  /** How long a follower may trail before its leader must have asked it out. */
  private readonly windowMs: number;

  constructor(
    private readonly replicaLagTimeMaxMs: number,
    private readonly report: Report,
  ) {
    // The leader looks every replica.lag.time.max.ms / 2 (at least 100 ms), as the core does.
    this.windowMs = replicaLagTimeMaxMs + Math.max(100, Math.floor(replicaLagTimeMaxMs / 2)) + SLACK_MS;
  }

  observe(now: number, node: NodeId | null, event: ObservedEvent): void {
    if (node === null) return;
    switch (event.kind) {
      case 'start':
      case 'restart':
        this.clock(node).up = true;
        return;
      case 'crash':
        this.clock(node).up = false;
        for (const [id, l] of this.leaderships) if (l.node === node) this.leaderships.delete(id);
        return;
      case 'pause':
        this.clock(node).up = false;
        return;
      case 'resume': {
        // A paused leader could not ask anyone out: it is judged again only a whole window after it resumed.
        const c = this.clock(node);
        c.up = true;
        c.settledAt = Math.max(c.settledAt, now);
        return;
      }
      case 'clock-skew': {
        const c = this.clock(node);
        c.settledAt = Math.max(c.settledAt, now + Math.max(0, c.skewMs - event.offsetMs));
        c.skewMs = event.offsetMs;
        return;
      }
      case 'partition-recover': {
        const last = event.batches.at(-1);
        this.logs.set(`${node}|${partitionName(event.topic, event.partition)}`, {
          logEndOffset: last === undefined ? (event.logStartOffset ?? 0) : last[1] + 1,
          droppedAt: now,
        });
        return;
      }
      case 'partition-log-start': {
        // A log started again past its end (a follower behind its leader's log start) ends there.
        const key = partitionName(event.topic, event.partition);
        if (event.logStartOffset > (this.logs.get(`${node}|${key}`)?.logEndOffset ?? 0)) this.logEndChanged(now, node, key, event.logStartOffset);
        return;
      }
      case 'partition-append': {
        const last = event.batches.at(-1);
        if (last !== undefined) this.logEndChanged(now, node, partitionName(event.topic, event.partition), last[1] + 1);
        return;
      }
      case 'partition-truncate':
        this.logEndChanged(now, node, partitionName(event.topic, event.partition), event.endOffset);
        return;
      case 'partition-role': {
        const key = partitionName(event.topic, event.partition);
        const id = `${node}|${key}`;
        if (event.role !== 'leader') this.leaderships.delete(id);
        else {
          const logEnd = this.logs.get(id)?.logEndOffset ?? 0;
          this.leaderships.set(id, {
            node,
            key,
            leaderEpoch: event.leaderEpoch,
            since: now,
            logEnds: [[now, logEnd]],
            logEndsHead: 0,
            isr: [],
            pending: false,
            pendingClearedAt: -Infinity,
            reported: new Set(),
          });
        }
        return;
      }
      case 'partition-isr': {
        const l = this.leaderships.get(`${node}|${partitionName(event.topic, event.partition)}`);
        if (l === undefined) return;
        l.isr = event.isr;
        if (event.pendingIsr !== null) l.pending = true;
        else if (l.pending) {
          l.pending = false;
          l.pendingClearedAt = now;
        }
        return;
      }
    }
  }

  /** After every step: judges every leadership's window, a few times per simulated second. */
  endStep(now: number, step: number): void {
    if (now - this.lastEvaluatedAt < EVALUATE_EVERY_MS) return;
    this.lastEvaluatedAt = now;
    const windowStart = now - this.windowMs;
    for (const l of this.leaderships.values()) {
      const clock = this.clock(l.node);
      if (!clock.up || Math.max(l.since, clock.settledAt) > windowStart) continue;
      if (l.pending || l.pendingClearedAt >= windowStart) continue;
      // The leader's log end at the window's start: the last entry at or before it (older ones go).
      // (A moving head, not shift(): a busy leader appends thousands of entries between evaluations.)
      while (l.logEndsHead + 1 < l.logEnds.length && l.logEnds[l.logEndsHead + 1]![0] <= windowStart) l.logEndsHead++;
      if (l.logEndsHead >= 1024) {
        l.logEnds = l.logEnds.slice(l.logEndsHead);
        l.logEndsHead = 0;
      }
      const leaderLogEnd = l.logEnds[l.logEndsHead]![1];
      for (const follower of l.isr) {
        if (follower === l.node || l.reported.has(follower)) continue;
        const log = this.logs.get(`${follower}|${l.key}`);
        // A follower whose log end went down lately may have fetches in flight that still show more.
        if (log !== undefined && log.droppedAt >= windowStart - this.replicaLagTimeMaxMs) continue;
        const followerLogEnd = log?.logEndOffset ?? 0;
        if (followerLogEnd >= leaderLogEnd) continue;
        l.reported.add(follower);
        this.report({
          step,
          message:
            `${follower} is still in ${l.key}'s ISR on leader ${l.node} (epoch ${l.leaderEpoch}) with log end ${followerLogEnd}, ` +
            `short of the leader's log end ${leaderLogEnd} of ${this.windowMs} ms ago, and the leader never asked it out ` +
            `(replica.lag.time.max.ms ${this.replicaLagTimeMaxMs})`,
          nodes: [follower, l.node],
          values: { partition: l.key, leader: l.node, leaderEpoch: l.leaderEpoch, followerLogEnd, leaderLogEnd, windowMs: this.windowMs },
        });
      }
    }
  }

  private logEndChanged(now: number, node: NodeId, key: string, logEndOffset: number): void {
    const id = `${node}|${key}`;
    const log = this.logs.get(id);
    if (log === undefined) this.logs.set(id, { logEndOffset, droppedAt: -Infinity });
    else {
      if (logEndOffset < log.logEndOffset) log.droppedAt = now;
      log.logEndOffset = logEndOffset;
    }
    this.leaderships.get(id)?.logEnds.push([now, logEndOffset]);
  }

  private clock(node: NodeId): NodeClock {
    let c = this.clocks.get(node);
    if (c === undefined) {
      c = { up: true, skewMs: 0, settledAt: -Infinity };
      this.clocks.set(node, c);
    }
    return c;
  }
}
