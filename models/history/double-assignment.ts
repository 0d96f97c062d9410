// double-assignment: two members of one group owning one partition where the group protocol
// forbids it. In one generation each partition goes to one member; and a member of generation g
// never acquires a partition that another member of g still holds (eagerly, every member of g
// revoked all before joining it; cooperatively, a partition moves only after its owner revoked it,
// KIP-429). A member that is not in g (a zombie the coordinator expelled) may still believe it
// owns the partition: Kafka allows that, and fences its commits instead (stale-generation-commit).

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { Ownership } from './group-ownership.ts';
import { partitionKey, type AssignmentOp } from './group-values.ts';
import type { ReadOp } from './op-values.ts';

export const DOUBLE_ASSIGNMENT: CheckerInfo = {
  name: 'double-assignment',
  statement:
    'No two members of one generation of a group own one partition at once: an assignment gives each partition to one member, and no member acquires a partition while another member of its generation still holds it (under cooperative rebalancing, before its owner revoked it).',
  source: 'Kafka consumer group protocol (JoinGroup/SyncGroup generations); KIP-429 (incremental cooperative rebalancing: revoke first, then assign)',
};

/** A partition acquired while another member held it, judged once the holder's generation is known. */
interface Overlap {
  group: string;
  generation: number;
  key: string;
  acquirer: NodeId;
  holder: NodeId;
  /** The generation whose assignment gave the holder the partition. */
  heldSince: number;
  step: number;
}

export class DoubleAssignment implements HistoryChecker {
  readonly info = DOUBLE_ASSIGNMENT;
  private readonly ownership = new Ownership();
  /** Per group and generation: the members with an assignment in it, and each partition's first assignee. */
  private readonly generations = new Map<string, { members: Set<NodeId>; owners: Map<string, NodeId> }>();
  /** Overlaps whose holder is not known (yet) to be a member of the acquirer's generation. */
  private waiting: Overlap[] = [];

  constructor(private readonly report: Report) {}

  observe({ op, group }: ReadOp): void {
    if (group === null) return;
    if (group.kind === 'revoke') this.ownership.revoked(op.process, group);
    else if (group.kind === 'assignment') this.assigned(op.process, group, op.step);
  }

  crashed(process: NodeId): void {
    this.ownership.crashed(process);
  }

  /** Overlaps whose holder never turned out to be in the acquirer's generation were a zombie's: nothing to report. */
  finish(): void {
    this.waiting = [];
  }

  private assigned(process: NodeId, a: AssignmentOp, step: number): void {
    const gen = this.generation(a.group, a.generation);
    gen.members.add(process);
    /** Partitions reported as given twice in this generation (not reported again as overlaps). */
    const twice = new Set<string>();
    for (const [topic, partition] of a.partitions) {
      const key = partitionKey(topic, partition);
      const first = gen.owners.get(key);
      if (first === undefined) gen.owners.set(key, process);
      else if (first !== process) {
        twice.add(key);
        this.sameGeneration(a, key, first, process, step);
      }
    }
    // Overlaps waiting for this member to show it was in their generation.
    const left: Overlap[] = [];
    for (const o of this.waiting) {
      if (o.holder === process && o.group === a.group && o.generation === a.generation) this.overlapped(o, step);
      else left.push(o);
    }
    this.waiting = left;
    for (const key of this.ownership.assigned(process, a, step)) {
      if (twice.has(key)) continue;
      for (const [holder, held] of this.ownership.holders(a.group, key, process)) {
        const o: Overlap = { group: a.group, generation: a.generation, key, acquirer: process, holder, heldSince: held.generation, step };
        if (gen.members.has(holder)) this.overlapped(o, step);
        else this.waiting.push(o);
      }
    }
  }

  private sameGeneration(a: AssignmentOp, key: string, first: NodeId, second: NodeId, step: number): void {
    this.report({
      step,
      message: `group ${a.group} generation ${a.generation} assigned ${key} to both ${first} and ${second}`,
      nodes: involved(first, second),
      values: { group: a.group, generation: a.generation, partition: key, members: [first, second] },
    });
  }

  private overlapped(o: Overlap, step: number): void {
    this.report({
      step,
      message: `${o.acquirer} acquired ${o.key} in group ${o.group} generation ${o.generation} at step ${o.step} while ${o.holder}, also a member of generation ${o.generation}, still held it (since generation ${o.heldSince}) without revoking it`,
      nodes: involved(o.acquirer, o.holder),
      values: {
        group: o.group,
        generation: o.generation,
        partition: o.key,
        acquirer: o.acquirer,
        holder: o.holder,
        heldSince: o.heldSince,
        acquiredStep: o.step,
      },
    });
  }

  private generation(group: string, generation: number) {
    const key = `${group}\u0000${generation}`;
    let g = this.generations.get(key);
    if (g === undefined) this.generations.set(key, (g = { members: new Set(), owners: new Map() }));
    return g;
  }
}
