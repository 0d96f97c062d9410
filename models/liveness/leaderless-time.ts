// How long each partition was without a working leader (an availability figure, not a checker):
// from the nodes' `partition-change` events, taking each partition state when the first node
// applied it (a higher partition epoch than any seen before), and from the nodes' lifecycle. A
// partition is leaderless while its state names no leader or names one whose process is down or
// paused (a crashed or paused leader stays named until the controller fences it). A partition still leaderless when
// the run ends counts to the end.

import { partitionName } from '../../core/partition-name.ts';
import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';

interface PartitionTimeline {
  partitionEpoch: number;
  leader: NodeId | null;
  leaderlessSince: number | null;
  totalMs: number;
}

export class LeaderlessTime {
  private readonly partitions = new Map<string, PartitionTimeline>();
  private readonly down = new Set<NodeId>();

  observe(now: number, node: NodeId | null, event: ObservedEvent): void {
    if (node === null) return;
    switch (event.kind) {
      case 'start':
      case 'restart':
      case 'resume':
        this.down.delete(node);
        return this.update(now);
      case 'crash':
      case 'pause':
        this.down.add(node);
        return this.update(now);
      case 'partition-change': {
        const key = partitionName(event.topic, event.partition);
        let p = this.partitions.get(key);
        if (p === undefined) {
          p = { partitionEpoch: -1, leader: null, leaderlessSince: null, totalMs: 0 };
          this.partitions.set(key, p);
        }
        // Nodes apply the same change one after another, and a restarted node replays old ones.
        if (event.partitionEpoch <= p.partitionEpoch) return;
        p.partitionEpoch = event.partitionEpoch;
        p.leader = event.leader;
        return this.settle(now, p);
      }
    }
  }

  /** Per partition (`topic-partition`, sorted), the ms it spent without a working leader up to `now`. */
  figures(now: number): Record<string, number> {
    const keys = [...this.partitions.keys()].sort();
    return Object.fromEntries(
      keys.map((key) => {
        const p = this.partitions.get(key)!;
        const open = p.leaderlessSince === null ? 0 : now - p.leaderlessSince;
        return [key, Math.round((p.totalMs + open) * 1000) / 1000];
      }),
    );
  }

  private update(now: number): void {
    for (const p of this.partitions.values()) this.settle(now, p);
  }

  private settle(now: number, p: PartitionTimeline): void {
    const leaderless = p.leader === null || this.down.has(p.leader);
    if (leaderless) p.leaderlessSince ??= now;
    else if (p.leaderlessSince !== null) {
      p.totalMs += now - p.leaderlessSince;
      p.leaderlessSince = null;
    }
  }
}
