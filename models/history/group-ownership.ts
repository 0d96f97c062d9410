// Which group member owns which partitions, as the members' histories say: an assignment gives a
// member its whole assignment, a revoke (clean or lost) takes partitions away, a crash takes all.

import type { NodeId } from '../../core/env.ts';
import { partitionKey, type AssignmentOp, type RevokeOp } from './group-values.ts';

interface Holding {
  group: string;
  /** The generation of the assignment that gave the partition. */
  generation: number;
  step: number;
}

export class Ownership {
  /** Per member, its partitions (`topic/partition`) and how it came to hold each. */
  private readonly owned = new Map<NodeId, Map<string, Holding>>();

  /** Applies an assignment; returns the partitions the member did not hold before (in assignment order). */
  assigned(process: NodeId, a: AssignmentOp, step: number): string[] {
    const before = this.owned.get(process) ?? new Map<string, Holding>();
    const now = new Map<string, Holding>();
    const acquired: string[] = [];
    for (const [topic, partition] of a.partitions) {
      const key = partitionKey(topic, partition);
      const held = before.get(key);
      if (held === undefined || held.group !== a.group) acquired.push(key);
      now.set(key, held !== undefined && held.group === a.group ? held : { group: a.group, generation: a.generation, step });
    }
    // Partitions of other groups the same process reads stay; this group's are replaced.
    for (const [key, held] of before) if (held.group !== a.group) now.set(key, held);
    this.owned.set(process, now);
    return acquired;
  }

  revoked(process: NodeId, r: RevokeOp): void {
    const mine = this.owned.get(process);
    if (mine === undefined) return;
    for (const [topic, partition] of r.partitions) {
      const key = partitionKey(topic, partition);
      if (mine.get(key)?.group === r.group) mine.delete(key);
    }
  }

  /** The process stopped: it holds nothing any more. */
  crashed(process: NodeId): void {
    this.owned.delete(process);
  }

  /** Other members of `group` holding `key` now, with their holdings. */
  *holders(group: string, key: string, except: NodeId): IterableIterator<[NodeId, Holding]> {
    for (const [process, mine] of this.owned) {
      if (process === except) continue;
      const held = mine.get(key);
      if (held !== undefined && held.group === group) yield [process, held];
    }
  }
}
