// The visualizer's derived state: folds trace events, one at a time, into what each node, each
// partition replica and each consumer group (groups.ts) looked like at a step (see DerivedState in
// contract.ts). Pure and plain data, so that it runs in the server (checkpoints) and in the browser
// (stepping from a checkpoint).

import type { BatchSummary, EventKind, EventLine, NodeId, TraceHeader } from '../../core/trace/schema.ts';
import type { DerivedState, EventLineOf, NodeState, PartitionState, ReplicaState } from './contract.ts';
import { partitionKey } from './names.ts';
import { applyConsumerOp, applyGroupCommit, applyGroupLoad, applyGroupState, cloneGroups, forgetClient } from './groups.ts';

type Link = [from: NodeId, to: NodeId];
type Raft = NonNullable<NodeState['raft']>;
type RaftLine = EventLineOf<'raft-state' | 'raft-recover' | 'raft-append' | 'raft-truncate' | 'raft-hw' | 'raft-snapshot'>;
/** What names a replica: the node and the topic-partition of a partition event. */
type ReplicaRef = { node: NodeId; topic: string; partition: number };

/** The state before the first event: the cluster's nodes when the header names them, nothing else. */
export function initialState(header: TraceHeader): DerivedState {
  const state: DerivedState = { row: -1, step: -1, t: 0, nodes: {}, partitions: {}, cutLinks: [], groups: {} };
  for (const id of clusterNodes(header)) state.nodes[id] = newNode(id);
  return state;
}

/**
 * The node ids the scenario's cluster starts (as sim/scenario/cluster.ts names them), or none when
 * the header has no scenario. The setup is the runner's own input, `unknown` to the schema.
 */
function clusterNodes(header: TraceHeader): string[] {
  const scenario = header.config.scenario;
  const cluster = isRecord(scenario) ? scenario.cluster : undefined;
  if (!isRecord(cluster) || typeof cluster.nodes !== 'number') return [];
  const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  const brokers = numbered('b', cluster.nodes);
  return typeof cluster.controllers === 'number' ? [...brokers, ...numbered('c', cluster.controllers)] : brokers;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Trace kinds that applyEvent only moves past (the server's checkpoints skip reading them back).
 * Client operations change state only when groups.ts's CLIENT_OPS_WITH_STATE lists their op.
 */
export const KINDS_WITHOUT_STATE: ReadonlySet<EventKind> = new Set<EventKind>([
  'send',
  'timer',
  'drop',
  'violation',
  'converged',
  'link',
  'network',
  'disk-faults',
  'disk',
]);

/** Applies one event (the trace's row `row`) in place and moves the state to it. Kinds that change nothing here cost one switch. */
export function applyEvent(state: DerivedState, ev: EventLine, row: number = state.row + 1): void {
  state.row = row;
  state.step = ev.i;
  state.t = ev.t;
  switch (ev.kind) {
    case 'partition-append':
      appendBatches(replicaOf(state, ev), ev.batches);
      return;
    case 'partition-hw':
      applyReplicaHw(replicaOf(state, ev), ev);
      return;
    case 'partition-truncate':
      truncateReplica(replicaOf(state, ev), ev.endOffset);
      return;
    case 'partition-recover':
      recoverReplica(replicaOf(state, ev), ev);
      return;
    case 'partition-log-start':
      moveLogStart(replicaOf(state, ev), ev.logStartOffset);
      return;
    case 'partition-role':
      applyReplicaRole(replicaOf(state, ev), ev);
      return;
    case 'partition-isr': {
      const replica = replicaOf(state, ev);
      replica.isr = [...ev.isr];
      replica.pendingIsr = ev.pendingIsr === null ? null : [...ev.pendingIsr];
      replica.partitionEpoch = ev.partitionEpoch;
      return;
    }
    case 'partition-change':
      applyPartitionChange(partitionOf(state, ev.topic, ev.partition), ev);
      return;
    case 'raft-state':
    case 'raft-recover':
    case 'raft-append':
    case 'raft-truncate':
    case 'raft-hw':
    case 'raft-snapshot':
      applyRaft(raftOf(nodeOf(state, ev.node)), ev);
      return;
    case 'metadata-apply':
      nodeOf(state, ev.node).metadataOffset = ev.endOffset;
      return;
    case 'controller-active':
      nodeOf(state, ev.node).controllerActive = ev.active;
      return;
    case 'broker-state':
      nodeOf(state, ev.node).broker = { brokerEpoch: ev.brokerEpoch, fenced: ev.fenced };
      return;
    case 'start':
    case 'restart': {
      const node = nodeOf(state, ev.node);
      node.up = true;
      node.paused = false;
      node.incarnation = ev.incarnation;
      forgetClient(state.groups, ev.node, ev.i);
      return;
    }
    case 'crash': {
      // The logs stay as last known (what the disk may bring back); a dead controller is not active;
      // a dead consumer owns nothing.
      const node = nodeOf(state, ev.node);
      node.up = false;
      node.paused = false;
      node.controllerActive = false;
      forgetClient(state.groups, ev.node, ev.i);
      return;
    }
    case 'pause':
    case 'resume':
      nodeOf(state, ev.node).paused = ev.kind === 'pause';
      return;
    case 'clock-skew':
      nodeOf(state, ev.node).clockSkewMs = ev.offsetMs;
      return;
    case 'group-state':
      applyGroupState(state.groups, ev);
      return;
    case 'group-commit':
      applyGroupCommit(state.groups, ev);
      return;
    case 'group-load':
      applyGroupLoad(state.groups, ev);
      return;
    case 'client':
      applyConsumerOp(state.groups, ev);
      return;
    case 'partition':
      cutLinks(state.cutLinks, ev.cut);
      return;
    case 'heal':
      if (ev.links === 'all') state.cutLinks = [];
      else healLinks(state.cutLinks, ev.links);
      return;
    default:
      return;
  }
}

// ---- partitions and replicas ----------------------------------------------------------------------

function partitionOf(state: DerivedState, topic: string, partition: number): PartitionState {
  const key = partitionKey(topic, partition);
  let p = state.partitions[key];
  if (p === undefined) {
    p = { key, topic, partition, leader: null, isr: [], leaderEpoch: -1, partitionEpoch: -1, replicas: {} };
    state.partitions[key] = p;
  }
  return p;
}

/** The replica on the event's node of the event's topic-partition. */
function replicaOf(state: DerivedState, ev: ReplicaRef): ReplicaState {
  const node = ev.node;
  const p = partitionOf(state, ev.topic, ev.partition);
  let replica = p.replicas[node];
  if (replica === undefined) {
    nodeOf(state, node);
    replica = {
      node,
      role: 'none',
      leader: null,
      leaderEpoch: -1,
      logStartOffset: 0,
      leo: 0,
      highWatermark: 0,
      epochRuns: [],
      isr: null,
      pendingIsr: null,
      partitionEpoch: null,
      exposed: false,
    };
    p.replicas[node] = replica;
  }
  return replica;
}

/**
 * Extends the log: a batch of the last run's epoch extends that run, any other starts a new one.
 * The first batch of a log that never held anything sets where the log starts (traces carry no
 * log start offset of their own).
 */
function appendBatches(replica: ReplicaState, batches: readonly BatchSummary[]): void {
  const runs = replica.epochRuns;
  if (runs.length === 0 && replica.leo === 0 && batches.length > 0) replica.logStartOffset = batches[0]![0];
  for (const [base, last, epoch] of batches) {
    if (runs.length === 0 || runs[runs.length - 1]![1] !== epoch) runs.push([base, epoch]);
    replica.leo = last + 1;
  }
}

/** Cuts the log at `endOffset`: runs that start there or later go. The high watermark moves by its own event. */
function truncateReplica(replica: ReplicaState, endOffset: number): void {
  const runs = replica.epochRuns;
  while (runs.length > 0 && runs[runs.length - 1]![0] >= endOffset) runs.pop();
  replica.leo = endOffset;
}

/** The log as the disk gave it back: it replaces whatever was known before the crash. */
function recoverReplica(replica: ReplicaState, ev: EventLineOf<'partition-recover'>): void {
  replica.epochRuns = [];
  replica.leo = 0;
  replica.logStartOffset = 0;
  appendBatches(replica, ev.batches);
  if (ev.logStartOffset !== undefined) moveLogStart(replica, ev.logStartOffset);
  replica.highWatermark = ev.highWatermark;
}

/**
 * The log start moved (retention, DeleteRecords, a follower taking its leader's): the runs wholly
 * below it are gone; past the log end, the log starts again there, empty.
 */
function moveLogStart(replica: ReplicaState, logStartOffset: number): void {
  const runs = replica.epochRuns;
  if (logStartOffset >= replica.leo) runs.length = 0;
  else while (runs.length > 1 && runs[1]![0] <= logStartOffset) runs.shift();
  replica.logStartOffset = logStartOffset;
  if (logStartOffset > replica.leo) replica.leo = logStartOffset;
}

function applyReplicaHw(replica: ReplicaState, ev: EventLineOf<'partition-hw'>): void {
  replica.highWatermark = ev.highWatermark;
  replica.role = ev.role;
  replica.leaderEpoch = ev.leaderEpoch;
  replica.exposed = ev.exposed;
}

/** A role from the metadata; a replica that stops leading drops its leader-only ISR view. */
function applyReplicaRole(replica: ReplicaState, ev: EventLineOf<'partition-role'>): void {
  replica.role = ev.role;
  replica.leader = ev.leader;
  replica.leaderEpoch = ev.leaderEpoch;
  if (replica.role !== 'leader') {
    replica.isr = null;
    replica.pendingIsr = null;
    replica.partitionEpoch = null;
    replica.exposed = false;
  }
}

/** Every node reports its image's view; a lagging node's older partition epoch must not roll the view back. */
function applyPartitionChange(p: PartitionState, ev: EventLineOf<'partition-change'>): void {
  if (ev.partitionEpoch < p.partitionEpoch) return;
  p.leader = ev.leader;
  p.isr = [...ev.isr];
  p.leaderEpoch = ev.leaderEpoch;
  p.partitionEpoch = ev.partitionEpoch;
}

// ---- nodes ----------------------------------------------------------------------------------------

function newNode(id: string): NodeState {
  return { id, up: false, paused: false, incarnation: 0, raft: null, metadataOffset: 0, controllerActive: false, broker: null, clockSkewMs: 0 };
}

function nodeOf(state: DerivedState, id: string): NodeState {
  let node = state.nodes[id];
  if (node === undefined) {
    node = newNode(id);
    state.nodes[id] = node;
  }
  return node;
}

function raftOf(node: NodeState): Raft {
  if (node.raft === null) {
    node.raft = { epoch: 0, role: 'unattached', leader: null, votedFor: null, voter: false, endOffset: 0, highWatermark: 0 };
  }
  return node.raft;
}

function applyRaft(raft: Raft, ev: RaftLine): void {
  switch (ev.kind) {
    case 'raft-state':
      raft.epoch = ev.epoch;
      raft.role = ev.role;
      raft.leader = ev.leader;
      raft.votedFor = ev.votedFor;
      raft.voter = ev.voter;
      return;
    case 'raft-recover':
      raft.endOffset = ev.endOffset;
      return;
    case 'raft-append':
      raft.endOffset = ev.offset + ev.entries.length;
      return;
    case 'raft-truncate':
      raft.endOffset = ev.endOffset;
      if (ev.highWatermark !== null) raft.highWatermark = ev.highWatermark;
      return;
    case 'raft-hw':
      raft.highWatermark = ev.highWatermark;
      return;
    case 'raft-snapshot':
      // A fetched snapshot replaces the log; a local one only covers a prefix of it.
      if (ev.fetched || raft.endOffset < ev.endOffset) raft.endOffset = ev.endOffset;
      return;
  }
}

// ---- links ----------------------------------------------------------------------------------------

function linkIndex(links: Link[], [from, to]: Link): number {
  return links.findIndex(([f, t]) => f === from && t === to);
}

function cutLinks(links: Link[], cut: readonly Link[]): void {
  for (const link of cut) if (linkIndex(links, link) < 0) links.push([link[0], link[1]]);
}

function healLinks(links: Link[], healed: readonly Link[]): void {
  for (const link of healed) {
    const at = linkIndex(links, link);
    if (at >= 0) links.splice(at, 1);
  }
}

// ---- copies ---------------------------------------------------------------------------------------

/** A deep copy that shares nothing with `state`. */
export function cloneState(state: DerivedState): DerivedState {
  const nodes: DerivedState['nodes'] = {};
  for (const id in state.nodes) nodes[id] = cloneNode(state.nodes[id]!);
  const partitions: DerivedState['partitions'] = {};
  for (const key in state.partitions) partitions[key] = clonePartition(state.partitions[key]!);
  return {
    row: state.row,
    step: state.step,
    t: state.t,
    nodes,
    partitions,
    cutLinks: state.cutLinks.map(([from, to]) => [from, to]),
    groups: cloneGroups(state.groups),
  };
}

function cloneNode(node: NodeState): NodeState {
  return { ...node, raft: node.raft === null ? null : { ...node.raft }, broker: node.broker === null ? null : { ...node.broker } };
}

function clonePartition(p: PartitionState): PartitionState {
  const replicas: PartitionState['replicas'] = {};
  for (const id in p.replicas) replicas[id] = cloneReplica(p.replicas[id]!);
  return { ...p, isr: [...p.isr], replicas };
}

function cloneReplica(r: ReplicaState): ReplicaState {
  return {
    ...r,
    epochRuns: r.epochRuns.map(([start, epoch]) => [start, epoch]),
    isr: r.isr === null ? null : [...r.isr],
    pendingIsr: r.pendingIsr === null ? null : [...r.pendingIsr],
  };
}
