// quorum-leader-stable (an availability check that runs during the run): while a KRaft leader has
// led for a while with a majority of voters up and connected around it, no voter stands for
// election. Without pre-vote (KIP-996) a voter cut off from that majority stands again and again
// while alone, bumping the epoch, and once its link returns drags the healthy majority into its
// epoch, deposing the leader; with pre-vote it must first win a majority of pre-votes, which the
// leader and every follower still fetching from it refuse. Judged from lifecycle, network and
// quorum events only.

import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const QUORUM_LEADER_STABLE: CheckerInfo = {
  name: 'quorum-leader-stable',
  statement:
    'No voter becomes a candidate while a quorum leader has led, with a majority of voters including itself up, on steady clocks, and connected to one another by links that were neither cut nor changed, for twice controller.quorum.fetch.timeout.ms plus controller.quorum.election.timeout.ms plus 1 s.',
  source: "KIP-996 (Pre-Vote: a rejoining voter must not disrupt a healthy quorum); Ongaro's Raft thesis §9.6 (preventing disruptions when a server rejoins)",
};

/** Slack on top of the timeouts: round trips and timer phases. */
const SLACK_MS = 1_000;

interface Leadership {
  epoch: number;
  since: number;
}

/** A time long ago: the run's start counts as steady since forever. */
const NEVER = -Infinity;

export class LeaderStable {
  private readonly voters = new Set<NodeId>();
  /** When each node last started; absent: down (or never seen, which the first event fixes). */
  private readonly upSince = new Map<NodeId, number>();
  private readonly down = new Set<NodeId>();
  private readonly clockChangedAt = new Map<NodeId, number>();
  /** Directed links cut now, as `from>to`. */
  private readonly cut = new Set<string>();
  /** Links with settings of their own now, as the sorted pair `a|b`. */
  private readonly overridden = new Set<string>();
  /** When a link (sorted pair) was last cut, healed or given settings. */
  private readonly linkChangedAt = new Map<string, number>();
  /** When every link changed at once (heal all, every override dropped) or the network defaults changed. */
  private networkChangedAt = NEVER;
  private lossy: boolean;
  private readonly leaders = new Map<NodeId, Leadership>();
  /** How long the majority must have been steady around the leader. */
  readonly windowMs: number;

  constructor(
    timeouts: { fetchTimeoutMs: number; electionTimeoutMs: number },
    /** Whether the run's network loses messages from the start (a lossy network may legitimately starve a follower). */
    lossyFromStart: boolean,
    private readonly report: Report,
  ) {
    this.windowMs = 2 * timeouts.fetchTimeoutMs + timeouts.electionTimeoutMs + SLACK_MS;
    this.lossy = lossyFromStart;
  }

  observe(now: number, step: number, node: NodeId | null, event: ObservedEvent): void {
    switch (event.kind) {
      case 'start':
      case 'restart':
        if (node === null) return;
        this.upSince.set(node, now);
        this.down.delete(node);
        return;
      case 'crash':
      case 'pause':
        // A paused leader leads nobody: its followers' fetches go unanswered and they stand, rightly.
        if (node === null) return;
        this.down.add(node);
        this.leaders.delete(node);
        return;
      case 'resume':
        // Steady again only a window after it resumed, as after a restart.
        if (node === null) return;
        this.upSince.set(node, now);
        this.down.delete(node);
        return;
      case 'clock-skew':
        if (node !== null) this.clockChangedAt.set(node, now);
        return;
      case 'partition':
        for (const [from, to] of event.cut) {
          this.cut.add(`${from}>${to}`);
          this.linkChangedAt.set(pair(from, to), now);
        }
        return;
      case 'heal':
        if (event.links === 'all') {
          this.cut.clear();
          this.networkChangedAt = now;
        } else
          // Directed: a heal restores the links its fault cut, and another fault may still cut the other way.
          for (const [from, to] of event.links) {
            this.cut.delete(`${from}>${to}`);
            this.linkChangedAt.set(pair(from, to), now);
          }
        return;
      case 'link':
        if (event.between === 'all') {
          this.overridden.clear();
          this.networkChangedAt = now;
        } else {
          const p = pair(...event.between);
          if (event.config === null) this.overridden.delete(p);
          else this.overridden.add(p);
          this.linkChangedAt.set(p, now);
        }
        return;
      case 'network':
        if (event.config.loss !== undefined) this.lossy = event.config.loss > 0;
        this.networkChangedAt = now;
        return;
      case 'raft-state':
        if (node === null) return;
        if (event.voter) this.voters.add(node);
        if (event.role === 'candidate') this.judgeCandidacy(now, step, node, event.epoch);
        if (event.role === 'leader') {
          if (this.leaders.get(node)?.epoch !== event.epoch) this.leaders.set(node, { epoch: event.epoch, since: now });
        } else this.leaders.delete(node);
        return;
    }
  }

  /** `node` stands in epoch `epoch`: a disruption if a leader of an earlier epoch has a steady majority. */
  private judgeCandidacy(now: number, step: number, node: NodeId, epoch: number): void {
    const from = now - this.windowMs;
    for (const [leader, l] of this.leaders) {
      if (l.epoch >= epoch || l.since > from) continue;
      const majority = this.steadyMajority(from, leader);
      if (majority === null) continue;
      this.report({
        step,
        message:
          `${node} stood for election in epoch ${epoch} while ${leader} led epoch ${l.epoch} with ${majority.join(', ')} up and connected ` +
          `for the last ${this.windowMs} ms: a voter disrupts the leader of a healthy majority`,
        nodes: [node, leader],
        values: { candidate: node, epoch, leader, leaderEpoch: l.epoch, majority, windowMs: this.windowMs },
      });
    }
  }

  /** A majority of the voters holding `leader`, each steady since `from` and linked to one another by steady links; null when none. */
  private steadyMajority(from: number, leader: NodeId): NodeId[] | null {
    if (this.lossy || this.networkChangedAt > from) return null;
    const needed = Math.floor(this.voters.size / 2) + 1;
    const steady = [...this.voters].filter((v) => this.isSteady(v, from)).sort();
    if (!steady.includes(leader)) return null;
    const others = steady.filter((v) => v !== leader);
    // The leader with any subset of the other steady voters that keeps everyone linked.
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const set = [leader, ...others.filter((_, i) => (mask & (1 << i)) !== 0)];
      if (set.length >= needed && this.allLinked(set, from)) return set.sort();
    }
    return null;
  }

  private isSteady(node: NodeId, from: number): boolean {
    if (this.down.has(node)) return false;
    return (this.upSince.get(node) ?? NEVER) <= from && (this.clockChangedAt.get(node) ?? NEVER) <= from;
  }

  private allLinked(nodes: NodeId[], from: number): boolean {
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) {
        const [a, b] = [nodes[i], nodes[j]];
        const p = pair(a, b);
        if (this.cut.has(`${a}>${b}`) || this.cut.has(`${b}>${a}`) || this.overridden.has(p)) return false;
        if ((this.linkChangedAt.get(p) ?? NEVER) > from) return false;
      }
    return true;
  }
}

function pair(a: NodeId, b: NodeId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
