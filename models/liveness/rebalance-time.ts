// How long each consumer group spent rebalancing (a figure, not a checker): from the coordinators'
// `group-state` events, a rebalance runs from the group leaving Stable or Empty for
// PreparingRebalance until it is Stable again; one still open when the run ends counts to the end.
// A coordinator that loads the group after a failover reports its state again, which does not
// start or end a rebalance by itself.

import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';

interface GroupTimeline {
  generation: number;
  rebalances: number;
  openSince: number | null;
  longestMs: number;
  totalMs: number;
}

/** What a group's rebalances cost: how many, the longest, all of them together, and the last generation. */
export interface RebalanceFigures {
  rebalances: number;
  longestMs: number;
  totalMs: number;
  generation: number;
}

export class RebalanceTime {
  private readonly groups = new Map<string, GroupTimeline>();

  observe(now: number, _node: NodeId | null, event: ObservedEvent): void {
    if (event.kind !== 'group-state') return;
    let g = this.groups.get(event.group);
    if (g === undefined) this.groups.set(event.group, (g = { generation: 0, rebalances: 0, openSince: null, longestMs: 0, totalMs: 0 }));
    g.generation = Math.max(g.generation, event.generation);
    if (event.state === 'PreparingRebalance' && g.openSince === null) {
      g.openSince = now;
      g.rebalances++;
    } else if ((event.state === 'Stable' || event.state === 'Empty' || event.state === 'Dead') && g.openSince !== null) {
      const ms = now - g.openSince;
      g.openSince = null;
      g.totalMs += ms;
      g.longestMs = Math.max(g.longestMs, ms);
    }
  }

  /** Per group (sorted by name), its figures up to `now`. */
  figures(now: number): Record<string, RebalanceFigures> {
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return Object.fromEntries(
      [...this.groups.keys()].sort().map((name) => {
        const g = this.groups.get(name)!;
        const open = g.openSince === null ? 0 : now - g.openSince;
        return [name, { rebalances: g.rebalances, longestMs: round(Math.max(g.longestMs, open)), totalMs: round(g.totalMs + open), generation: g.generation }];
      }),
    );
  }
}
