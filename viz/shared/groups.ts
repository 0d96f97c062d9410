// The consumer groups of the visualizer's derived state: folds the coordinators' group events and
// the consumers' group operations (subscribe, assignment, revoke, commit) into each group's state.
// Pure and plain data, like state.ts that calls it.

import type { NodeId } from '../../core/trace/schema.ts';
import type { CommittedOffset, EventLineOf, GroupConsumer, GroupState, TopicPartitionPair } from './contract.ts';
import { partitionKey } from './names.ts';

type Groups = Record<string, GroupState>;

/** The consumers' history operations that change a group's state; their other operations change nothing here. */
export const CLIENT_OPS_WITH_STATE: ReadonlySet<string> = new Set(['subscribe', 'assignment', 'revoke', 'commit']);

/** The coordinator recorded the group's state: it is the group's coordinator now. */
export function applyGroupState(groups: Groups, ev: EventLineOf<'group-state'>): void {
  const group = groupOf(groups, ev.group);
  group.coordinator = ev.node;
  group.state = ev.state;
  group.generation = ev.generation;
  group.protocol = ev.protocol;
  group.leader = ev.leader;
  group.members = [...ev.members];
  group.changedStep = ev.i;
}

/** The coordinator committed offsets: each partition's offset replaces the one before. */
export function applyGroupCommit(groups: Groups, ev: EventLineOf<'group-commit'>): void {
  const group = groupOf(groups, ev.group);
  group.coordinator = ev.node;
  for (const [topic, partition, offset] of ev.offsets) {
    group.offsets[partitionKey(topic, partition)] = { topic, partition, offset, generation: ev.generation, member: ev.member, step: ev.i };
  }
  group.changedStep = ev.i;
}

/** A broker loaded a __consumer_offsets partition: it coordinates the groups found there. */
export function applyGroupLoad(groups: Groups, ev: EventLineOf<'group-load'>): void {
  for (const id of ev.groups) {
    const group = groupOf(groups, id);
    group.coordinator = ev.node;
    group.changedStep = ev.i;
  }
}

/** A consumer's history entry: subscribe, assignment and revoke once done, commit at every stage; other operations are ignored. */
export function applyConsumerOp(groups: Groups, ev: EventLineOf<'client'>): void {
  const value = ev.value;
  if (!CLIENT_OPS_WITH_STATE.has(ev.op) || !namesGroup(value)) return;
  const group = groupOf(groups, value.group);
  if (ev.op === 'commit') {
    consumerOf(group, ev.node).lastCommit = { type: ev.type, error: ev.error ?? null, step: ev.i };
  } else if (ev.type !== 'ok') {
    return;
  } else if (ev.op === 'subscribe') {
    consumerOf(group, ev.node);
  } else if (ev.op === 'assignment') {
    assign(consumerOf(group, ev.node), value);
  } else if (ev.op === 'revoke') {
    revoke(consumerOf(group, ev.node), value);
  }
  group.changedStep = ev.i;
}

/** A client node crashed or restarted: it lost its membership and every partition it owned, in every group. */
export function forgetClient(groups: Groups, client: NodeId, step: number): void {
  for (const group of Object.values(groups)) {
    const consumer = group.consumers[client];
    if (consumer === undefined) continue;
    consumer.memberId = null;
    consumer.generation = -1;
    consumer.partitions = [];
    group.changedStep = step;
  }
}

/** The clients that own each partition of the group ("topic/partition" to client ids); two or more is a double assignment. */
export function partitionOwners(group: GroupState): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const consumer of Object.values(group.consumers)) {
    for (const [topic, partition] of consumer.partitions) {
      const key = partitionKey(topic, partition);
      owners.set(key, [...(owners.get(key) ?? []), consumer.client]);
    }
  }
  return owners;
}

/** A deep copy that shares nothing with `groups`. */
export function cloneGroups(groups: Groups): Groups {
  const copy: Groups = {};
  for (const id in groups) copy[id] = cloneGroup(groups[id]!);
  return copy;
}

// ---- helpers --------------------------------------------------------------------------------------

function groupOf(groups: Groups, id: string): GroupState {
  let group = groups[id];
  if (group === undefined) {
    group = {
      group: id,
      coordinator: null,
      state: null,
      generation: -1,
      protocol: null,
      leader: null,
      members: [],
      consumers: {},
      offsets: {},
      changedStep: -1,
    };
    groups[id] = group;
  }
  return group;
}

function consumerOf(group: GroupState, client: NodeId): GroupConsumer {
  let consumer = group.consumers[client];
  if (consumer === undefined) {
    consumer = { client, memberId: null, generation: -1, partitions: [], lastCommit: null };
    group.consumers[client] = consumer;
  }
  return consumer;
}

/** An assignment is the member's whole assignment: it replaces what the client owned. */
function assign(consumer: GroupConsumer, value: Record<string, unknown>): void {
  if (typeof value.member === 'string') consumer.memberId = value.member;
  if (typeof value.generation === 'number') consumer.generation = value.generation;
  consumer.partitions = pairsOf(value.partitions);
}

/** A revocation (or a loss, generation -1) takes its partitions away from the client. */
function revoke(consumer: GroupConsumer, value: Record<string, unknown>): void {
  const revoked = new Set(pairsOf(value.partitions).map(([topic, partition]) => partitionKey(topic, partition)));
  consumer.partitions = consumer.partitions.filter(([topic, partition]) => !revoked.has(partitionKey(topic, partition)));
  if (typeof value.generation === 'number') consumer.generation = value.generation;
}

/** The well-formed [topic, partition] pairs of a history value, copied. */
function pairsOf(value: unknown): TopicPartitionPair[] {
  if (!Array.isArray(value)) return [];
  const isPair = (p: unknown): p is TopicPartitionPair => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number';
  return value.filter(isPair).map(([topic, partition]) => [topic, partition]);
}

/** A history value of a group operation: an object with the group's id. */
function namesGroup(value: unknown): value is Record<string, unknown> & { group: string } {
  return typeof value === 'object' && value !== null && typeof (value as { group?: unknown }).group === 'string';
}

function cloneGroup(group: GroupState): GroupState {
  const consumers: GroupState['consumers'] = {};
  for (const id in group.consumers) consumers[id] = cloneConsumer(group.consumers[id]!);
  const offsets: Record<string, CommittedOffset> = {};
  for (const key in group.offsets) offsets[key] = { ...group.offsets[key]! };
  return { ...group, members: [...group.members], consumers, offsets };
}

function cloneConsumer(consumer: GroupConsumer): GroupConsumer {
  return {
    ...consumer,
    partitions: consumer.partitions.map(([topic, partition]) => [topic, partition]),
    lastCommit: consumer.lastCommit === null ? null : { ...consumer.lastCommit },
  };
}
