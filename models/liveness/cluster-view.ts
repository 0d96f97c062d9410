// The cluster as its trace events show it, for the liveness checks: who is up, each node's quorum
// role, epoch and high watermark, how far its metadata image has applied the log, each broker's
// registration as the broker knows it, every partition replica's role, high watermark and log
// end, the committed partition states, and each consumer's positions from its history. Nothing
// here looks at a node object, so a simulated run, a real run or a recorded trace judge alike.

import { partitionName } from '../../core/partition-name.ts';
import type { NodeId } from '../../core/env.ts';
import type { ClusterLayout } from '../../core/node/cluster-layout.ts';
import type { ObservedEvent, RaftRole } from '../../core/trace/schema.ts';
import { BROKERS_UNFENCED, FINAL_READ, GROUP_STABLE, IMAGES_CONVERGED, ISR_REGROWN, LEADER_ELECTED } from '../checkers/liveness.ts';
import type { CheckerInfo } from '../violation.ts';
import { MetadataView } from './metadata-view.ts';

/** Which nodes play which part, and which consumers read which topic (their final read). */
export interface WatchedCluster extends ClusterLayout {
  /**
   * Consumers with a group read their topic together: each partition by whichever member holds it.
   * A `transactional` one (a consume-transform-produce processor) has read only as far as the
   * offsets its committed transactions carried: what it polled but did not yet commit is not done.
   */
  consumers: ReadonlyArray<{ id: NodeId; topic: string; group?: string; transactional?: boolean }>;
}

export interface LivenessProblem {
  checker: CheckerInfo;
  message: string;
  nodes: NodeId[];
}

interface NodeState {
  up: boolean;
  epoch: number;
  role: RaftRole;
  leader: NodeId | null;
  /** The quorum high watermark this incarnation knows (null until it learns one). */
  hw: number | null;
  /** The metadata log below this offset is in the node's image. */
  appliedEnd: number;
  /** The broker's registration as it last heard from the controller (-1: not registered). */
  brokerEpoch: number;
  fenced: boolean;
  /** Its partition replicas, by `topic-partition`. */
  replicas: Map<string, ReplicaState>;
}

interface ReplicaState {
  role: 'leader' | 'follower' | 'none';
  hw: number;
  logEndOffset: number;
}

/** One partition as the run ended, as `kafka-topics --describe` shows it, plus each replica's log end and high watermark. */
export interface FinalPartition {
  topic: string;
  partition: number;
  leader: NodeId | null;
  leaderEpoch: number;
  replicas: NodeId[];
  isr: NodeId[];
  /** Per replica (in replica order): its log end and high watermark, null where the node is down or holds no replica. */
  logs: Array<{ node: NodeId; logEndOffset: number | null; highWatermark: number | null }>;
}

export class ClusterView {
  private readonly states = new Map<NodeId, NodeState>();
  private readonly metadata = new MetadataView();
  /** Per consumer, the position of each partition it reads (`topic/partition`; null: unknown yet). */
  private readonly positions = new Map<NodeId, Map<string, number | null>>();
  /** Transactional readers: the offsets their committed transactions carried, and what their open ones carry. */
  private readonly txnReads = new Map<NodeId, TxnReadProgress>();
  private readonly consumerUp = new Map<NodeId, boolean>();
  /** Per group member, its generation and the partitions it holds (`topic/partition`), from its assignments and revokes. */
  private readonly holdings = new Map<NodeId, { generation: number; partitions: Set<string> }>();

  constructor(private readonly layout: WatchedCluster) {
    for (const c of layout.consumers) {
      this.positions.set(c.id, new Map());
      this.consumerUp.set(c.id, false);
      if (c.transactional === true) this.txnReads.set(c.id, { committed: new Map(), sent: new Map(), ending: new Map() });
    }
  }

  /** Takes in one trace event (node events and the runtime's start, restart and crash lines). */
  observe(_step: number, node: NodeId | null, event: ObservedEvent): void {
    if (node === null) return;
    const positions = this.positions.get(node);
    if (positions !== undefined) return this.observeConsumer(node, positions, event);
    switch (event.kind) {
      case 'start':
      case 'restart':
        this.states.set(node, freshState());
        this.metadata.started(node);
        return;
      case 'crash':
        this.state(node).up = false;
        return;
      case 'raft-state': {
        const s = this.state(node);
        s.epoch = event.epoch;
        s.role = event.role;
        s.leader = event.leader;
        // A new leader knows no high watermark until it has one in its own epoch.
        if (event.role === 'leader') s.hw = null;
        return;
      }
      case 'raft-recover':
        this.state(node).hw = null;
        if (event.snapshotEpoch !== null) this.metadata.loadedSnapshot(node, event.startOffset);
        return;
      case 'raft-hw':
        this.state(node).hw = event.highWatermark;
        return;
      case 'raft-snapshot': {
        const s = this.state(node);
        if (!event.fetched) return;
        if (s.hw === null || s.hw < event.endOffset) s.hw = event.endOffset;
        this.metadata.loadedSnapshot(node, event.endOffset);
        return;
      }
      case 'metadata-apply': {
        const endOffset = event.endOffset;
        this.state(node).appliedEnd = endOffset;
        this.metadata.applied(node, endOffset);
        return;
      }
      case 'partition-change':
        this.metadata.changed(node, event);
        return;
      case 'broker-state': {
        const s = this.state(node);
        s.brokerEpoch = event.brokerEpoch;
        s.fenced = event.fenced;
        return;
      }
      case 'partition-recover': {
        const last = event.batches.at(-1);
        this.state(node).replicas.set(partitionName(event.topic, event.partition), {
          role: 'none',
          hw: event.highWatermark,
          logEndOffset: last === undefined ? (event.logStartOffset ?? 0) : last[1] + 1,
        });
        return;
      }
      case 'partition-log-start': {
        // A log started again past its end (a follower behind its leader's log start) ends there.
        const r = this.replica(node, event);
        if (r !== undefined && event.logStartOffset > r.logEndOffset) r.logEndOffset = event.logStartOffset;
        return;
      }
      case 'partition-append': {
        const r = this.replica(node, event);
        const last = event.batches.at(-1);
        if (r !== undefined && last !== undefined) r.logEndOffset = last[1] + 1;
        return;
      }
      case 'partition-truncate': {
        const r = this.replica(node, event);
        if (r !== undefined) r.logEndOffset = event.endOffset;
        return;
      }
      case 'partition-hw': {
        const r = this.replica(node, event);
        if (r !== undefined) r.hw = event.highWatermark;
        return;
      }
      case 'partition-role': {
        const key = partitionName(event.topic, event.partition);
        // A replica that stops being one is dropped, as the broker drops it.
        if (event.role === 'none') this.state(node).replicas.delete(key);
        else {
          const r = this.state(node).replicas.get(key);
          if (r !== undefined) r.role = event.role;
        }
        return;
      }
    }
  }

  /** The live quorum leader of the highest epoch, or null. */
  quorumLeader(): NodeId | null {
    let best: { id: NodeId; epoch: number } | null = null;
    for (const id of this.layout.controllers) {
      const s = this.live(id);
      if (s !== null && s.role === 'leader' && (best === null || s.epoch > best.epoch)) best = { id, epoch: s.epoch };
    }
    return best?.id ?? null;
  }

  /** The quorum leader's high watermark now (-1 without a leader, or while it knows none). */
  leaderHighWatermark(): number {
    const leader = this.quorumLeader();
    return leader === null ? -1 : (this.live(leader)?.hw ?? -1);
  }

  /**
   * What still keeps the cluster from having converged (empty when it has). The active controller
   * keeps appending no-op records, so images are judged against `committedTarget`: the leader's high
   * watermark at an earlier look, which every image should have reached by now.
   */
  problems(committedTarget: number): LivenessProblem[] {
    const problems: LivenessProblem[] = [];
    const leaderId = this.quorumLeader();
    const leader = leaderId === null ? null : this.live(leaderId);
    if (leaderId === null || leader === null) {
      problems.push({ checker: LEADER_ELECTED, message: 'no quorum leader', nodes: [] });
      return problems;
    }
    const strays = this.layout.nodes.filter((id) => {
      const s = this.live(id);
      return s === null || (id !== leaderId && (s.epoch !== leader.epoch || s.leader !== leaderId));
    });
    if (strays.length > 0)
      problems.push({ checker: LEADER_ELECTED, message: `${strays.join(', ')} do not follow leader ${leaderId} of epoch ${leader.epoch}`, nodes: strays });
    const fenced = this.layout.brokers.filter((id) => {
      const s = this.live(id);
      return s === null || s.brokerEpoch < 0 || s.fenced;
    });
    if (fenced.length > 0) problems.push({ checker: BROKERS_UNFENCED, message: `${fenced.join(', ')} not registered and unfenced`, nodes: fenced });
    const shortIsrs = [...this.metadata.imageOf(leaderId).values()]
      .filter((p) => p.leader === null || p.replicas.some((r) => !p.isr.includes(r)))
      .map((p) => `${partitionName(p.topic, p.partition)} (leader ${p.leader ?? 'none'}, ISR ${p.isr.join(',')} of ${p.replicas.join(',')})`);
    if (shortIsrs.length > 0)
      problems.push({
        checker: ISR_REGROWN,
        message: `partitions without a full ISR: ${shortIsrs.slice(0, 5).join('; ')}${shortIsrs.length > 5 ? ` and ${shortIsrs.length - 5} more` : ''}`,
        nodes: [],
      });
    const behind = this.layout.nodes.filter((id) => (this.live(id)?.appliedEnd ?? -1) < committedTarget);
    if (behind.length > 0) {
      const where = behind.map((id) => `${id}@${this.live(id)?.appliedEnd ?? 'down'}`).join(', ');
      problems.push({ checker: IMAGES_CONVERGED, message: `images behind the committed offset ${committedTarget}: ${where}`, nodes: behind });
    }
    return problems;
  }

  /**
   * Whether the final read is done: every partition of every consumer's topic has a leader whose
   * whole log is committed (an acknowledged record a new leader holds may wait for a follower's next
   * fetch), and the consumer's position has reached its end.
   */
  consumersCaughtUp(): boolean {
    const image = this.metadata.imageOf(this.mostAppliedNode() ?? '');
    // A reader is a consumer, or a whole group: a partition is read when one of its live members holding it has read it.
    const readers = new Map<string, { topic: string; members: NodeId[] }>();
    for (const c of this.layout.consumers) {
      if (this.consumerUp.get(c.id) !== true) return false;
      const key = c.group === undefined ? `consumer:${c.id}` : `group:${c.group}:${c.topic}`;
      const reader = readers.get(key) ?? { topic: c.topic, members: [] };
      reader.members.push(c.id);
      readers.set(key, reader);
    }
    for (const reader of readers.values()) {
      const partitions = [...image.values()].filter((p) => p.topic === reader.topic);
      if (partitions.length === 0) return false;
      for (const p of partitions) {
        const replica = p.leader === null ? undefined : this.live(p.leader)?.replicas.get(partitionName(p.topic, p.partition));
        if (replica === undefined || replica.role !== 'leader') return false;
        const read = Math.max(...reader.members.map((id) => this.readPosition(id, `${p.topic}/${p.partition}`)));
        if (replica.hw < replica.logEndOffset || read < replica.hw) return false;
      }
    }
    return true;
  }

  /**
   * How much has been replicated and read: every live replica's log end plus every consumer's
   * positions. It grows while followers catch up and consumers read, so the liveness phase can
   * tell a cluster still converging from one that is stuck.
   */
  progress(): number {
    let total = 0;
    for (const s of this.states.values()) if (s.up) for (const r of s.replicas.values()) total += r.logEndOffset;
    for (const positions of this.positions.values()) for (const p of positions.values()) total += p ?? 0;
    return total;
  }

  /**
   * The groups that have not settled (empty when all have): a group settles when every live member
   * holds an assignment of one generation and together they hold each partition of the topic once.
   */
  unsettledGroups(): string[] {
    const image = this.metadata.imageOf(this.mostAppliedNode() ?? '');
    const groups = new Map<string, { topic: string; members: NodeId[] }>();
    for (const c of this.layout.consumers) {
      if (c.group === undefined || this.consumerUp.get(c.id) !== true) continue;
      const g = groups.get(c.group) ?? { topic: c.topic, members: [] };
      g.members.push(c.id);
      groups.set(c.group, g);
    }
    const unsettled: string[] = [];
    for (const [name, g] of groups) {
      const held = g.members.map((id) => this.holdings.get(id));
      const generation = held[0]?.generation;
      const partitions = [...image.values()].filter((p) => p.topic === g.topic).map((p) => `${p.topic}/${p.partition}`);
      const owners = partitions.map((key) => held.filter((h) => h?.partitions.has(key) === true).length);
      if (generation === undefined || held.some((h) => h?.generation !== generation) || owners.some((n) => n !== 1)) unsettled.push(name);
    }
    return unsettled;
  }

  /** The group liveness problem, when some group has not settled (see unsettledGroups). */
  groupProblem(): LivenessProblem | null {
    const unsettled = this.unsettledGroups();
    if (unsettled.length === 0) return null;
    const members = this.layout.consumers.filter((c) => c.group !== undefined && unsettled.includes(c.group)).map((c) => c.id);
    const describe = (id: NodeId) => {
      const h = this.holdings.get(id);
      return h === undefined ? `${id} unassigned` : `${id} generation ${h.generation} [${[...h.partitions].join(' ')}]`;
    };
    return {
      checker: GROUP_STABLE,
      message: `groups ${unsettled.join(', ')} did not settle on one generation with every partition assigned once: ${members.map(describe).join('; ')}`,
      nodes: members,
    };
  }

  /** Every partition as the most up-to-date live image has it, with each replica's log (ordered by topic, then partition). */
  finalPartitions(): FinalPartition[] {
    const image = this.metadata.imageOf(this.mostAppliedNode() ?? '');
    return [...image.values()]
      .map((p) => ({
        topic: p.topic,
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: [...p.replicas],
        isr: [...p.isr],
        logs: p.replicas.map((node) => {
          const r = this.live(node)?.replicas.get(partitionName(p.topic, p.partition));
          return { node, logEndOffset: r?.logEndOffset ?? null, highWatermark: r?.hw ?? null };
        }),
      }))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** The final read's problem, when some consumer has not read everything (see consumersCaughtUp). */
  finalReadProblem(): LivenessProblem | null {
    if (this.consumersCaughtUp()) return null;
    const ids = this.layout.consumers.map((c) => c.id);
    return {
      checker: FINAL_READ,
      message: `consumers ${ids.join(', ')} have not read every partition to the end of its leader's log, all of it committed`,
      nodes: ids,
    };
  }

  /** How far a reader has read a partition: its position, or for a transactional reader the offset its committed transactions carried. */
  private readPosition(id: NodeId, key: string): number {
    const txn = this.txnReads.get(id);
    return (txn === undefined ? this.positions.get(id)!.get(key) : txn.committed.get(key)) ?? -1;
  }

  private observeConsumer(node: NodeId, positions: Map<string, number | null>, event: ObservedEvent): void {
    const txn = this.txnReads.get(node);
    if (txn !== undefined && event.kind === 'client') followTransaction(txn, event.op, event.type, event.id, event.value);
    switch (event.kind) {
      case 'start':
      case 'restart':
        positions.clear();
        this.holdings.delete(node);
        this.consumerUp.set(node, true);
        return;
      case 'crash':
      case 'stop':
        this.holdings.delete(node);
        this.consumerUp.set(node, false);
        return;
      case 'client': {
        if (event.type !== 'ok') return;
        followPosition(positions, event.op, event.value);
        followHolding(this.holdings, node, event.op, event.value);
        return;
      }
    }
  }

  /** The live node whose image has applied the most of the metadata log (the first of them on a tie). */
  private mostAppliedNode(): NodeId | null {
    let best: { id: NodeId; applied: number } | null = null;
    for (const id of this.layout.nodes) {
      const s = this.live(id);
      if (s !== null && (best === null || s.appliedEnd > best.applied)) best = { id, applied: s.appliedEnd };
    }
    return best?.id ?? null;
  }

  private state(node: NodeId): NodeState {
    let s = this.states.get(node);
    if (s === undefined) {
      s = freshState();
      s.up = false;
      this.states.set(node, s);
    }
    return s;
  }

  private live(node: NodeId): NodeState | null {
    const s = this.states.get(node);
    return s !== undefined && s.up ? s : null;
  }

  private replica(node: NodeId, e: { topic: string; partition: number }): ReplicaState | undefined {
    return this.states.get(node)?.replicas.get(partitionName(e.topic, e.partition));
  }
}

function freshState(): NodeState {
  return { up: true, epoch: 0, role: 'unattached', leader: null, hw: null, appliedEnd: 0, brokerEpoch: -1, fenced: true, replicas: new Map() };
}

/** A group member's holding after an operation: an assignment replaces it, a revoke takes from it. */
function followHolding(holdings: Map<NodeId, { generation: number; partitions: Set<string> }>, node: NodeId, op: string, value: unknown): void {
  if (op === 'assignment') {
    const v = value as { generation: number; partitions: Array<[string, number]> };
    holdings.set(node, { generation: v.generation, partitions: new Set(v.partitions.map(([t, p]) => `${t}/${p}`)) });
  } else if (op === 'revoke') {
    const h = holdings.get(node);
    for (const [topic, partition] of (value as { partitions: Array<[string, number]> }).partitions) h?.partitions.delete(`${topic}/${partition}`);
  }
}

/** A consumer's position after an operation: assign keeps the partitions that stay, seek sets it, poll passes what it returned. */
function followPosition(positions: Map<string, number | null>, op: string, value: unknown): void {
  if (op === 'assign') {
    const v = value as { topic: string; partitions: number[] };
    const kept = new Set(v.partitions.map((p) => `${v.topic}/${p}`));
    for (const key of [...positions.keys()]) if (key.startsWith(`${v.topic}/`) && !kept.has(key)) positions.delete(key);
    for (const key of kept) if (!positions.has(key)) positions.set(key, null);
  } else if (op === 'assignment') {
    // A group gave these partitions (the member's whole assignment); a revoke takes some away again.
    for (const [topic, partition] of (value as { partitions: Array<[string, number]> }).partitions) {
      if (!positions.has(`${topic}/${partition}`)) positions.set(`${topic}/${partition}`, null);
    }
  } else if (op === 'revoke') {
    for (const [topic, partition] of (value as { partitions: Array<[string, number]> }).partitions) positions.delete(`${topic}/${partition}`);
  } else if (op === 'seek') {
    const v = value as { topic: string; partition: number; offset: number };
    positions.set(`${v.topic}/${v.partition}`, v.offset);
  } else if (op === 'poll') {
    const v = value as { records: Array<[string, number, number]>; positions?: Array<[string, number, number]> };
    for (const [topic, partition, offset] of v.records) positions.set(`${topic}/${partition}`, offset + 1);
    // A read_committed consumer's position past markers and aborted records it returned nothing for.
    for (const [topic, partition, position] of v.positions ?? []) positions.set(`${topic}/${partition}`, position);
  }
}

/** A transactional reader's progress: offsets sent to each transaction, its end-txn commits in flight, and what committed. */
interface TxnReadProgress {
  committed: Map<string, number>;
  /** Per transaction, the offsets sent to it ([topic, partition, offset]). */
  sent: Map<number, Array<[string, number, number]>>;
  /** Per end-txn op id, the transaction it commits. */
  ending: Map<number, number>;
}

/**
 * Follows a transactional reader's txn-offsets and end-txn ops: a commit that ended ok makes its
 * offsets read; so does a position taken from the group's committed offsets (a seek with reason
 * `committed`: fetched with requireStable, it includes commits whose answer the history lacks).
 */
function followTransaction(t: TxnReadProgress, op: string, type: string, id: number, value: unknown): void {
  const v = value as
    { txn?: unknown; offsets?: unknown; commit?: unknown; topic?: unknown; partition?: unknown; offset?: unknown; reason?: unknown } | undefined;
  if (op === 'seek' && type === 'ok' && v?.reason === 'committed' && typeof v.offset === 'number') {
    const key = `${String(v.topic)}/${String(v.partition)}`;
    t.committed.set(key, Math.max(t.committed.get(key) ?? -1, v.offset));
  } else if (op === 'txn-offsets' && type === 'invoke' && typeof v?.txn === 'number' && Array.isArray(v.offsets)) {
    t.sent.set(v.txn, [...(t.sent.get(v.txn) ?? []), ...(v.offsets as Array<[string, number, number]>)]);
  } else if (op === 'end-txn' && type === 'invoke' && typeof v?.txn === 'number') {
    if (v.commit === true) t.ending.set(id, v.txn);
    else t.sent.delete(v.txn);
  } else if (op === 'end-txn' && type !== 'invoke') {
    const txn = t.ending.get(id);
    if (txn === undefined) return;
    t.ending.delete(id);
    const offsets = t.sent.get(txn) ?? [];
    t.sent.delete(txn);
    if (type !== 'ok') return;
    for (const [topic, partition, offset] of offsets) {
      const key = `${topic}/${partition}`;
      t.committed.set(key, Math.max(t.committed.get(key) ?? -1, offset));
    }
  }
}
