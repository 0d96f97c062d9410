// A fake transaction and group coordinator for the transactional clients' tests, served by one
// fake broker: FindCoordinator (both key types), InitProducerId with a transactional id (fencing by
// epoch), AddPartitionsToTxn, AddOffsetsToTxn, EndTxn (COMMIT/ABORT markers into the fake logs, the
// epoch bumped when asked) and TxnOffsetCommit (pending offsets per group), with scripted errors;
// and a one-generation group of whoever joins (JoinGroup, SyncGroup, Heartbeat, OffsetFetch with
// requireStable) so a consumer can take part.

import type { Env, NodeId } from '../../core/env.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import type {
  FindCoordinatorRequest,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  OffsetFetchRequest,
  SyncGroupRequest,
} from '../../core/protocol/group.ts';
import type { InitProducerIdRequest } from '../../core/protocol/data.ts';
import { assignOffsets, CONTROL_BIT, ControlType, controlKey, endTxnMarkerValue, TRANSACTIONAL_BIT, type RecordBatch } from '../../core/protocol/records.ts';
import type { AddOffsetsToTxnRequest, AddPartitionsToTxnRequest, EndTxnRequest, TxnOffsetCommitRequest } from '../../core/protocol/txn.ts';
import type { FakeCluster } from './fake-broker.ts';

export type TxnRequestForFake =
  | FindCoordinatorRequest
  | InitProducerIdRequest
  | AddPartitionsToTxnRequest
  | AddOffsetsToTxnRequest
  | EndTxnRequest
  | TxnOffsetCommitRequest
  | JoinGroupRequest
  | SyncGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | OffsetFetchRequest;

/** A scripted answer: `error` for the next `times` requests of `api` (or no answer at all with `drop`). */
export interface TxnFault {
  api: TxnRequestForFake['api'];
  error?: number;
  drop?: boolean;
  times: number;
}

interface TxnEntry {
  producerId: number;
  epoch: number;
  state: 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';
  partitions: Set<string>;
}

export class FakeTxnCoordinator {
  readonly received: Array<{ at: number; from: NodeId; msg: TxnRequestForFake }> = [];
  readonly faults: TxnFault[] = [];
  readonly transactions = new Map<string, TxnEntry>();
  /** Pending offsets by producer id, then committed ones by group: [topic, partition, offset]. */
  readonly pendingOffsets = new Map<number, Array<{ group: string; offsets: Array<[string, number, number]> }>>();
  readonly committedOffsets = new Map<string, Array<[string, number, number]>>();
  private nextProducerId = 5000;

  constructor(
    readonly cluster: FakeCluster,
    /** The broker that coordinates every transactional id and group. */
    readonly node: NodeId,
  ) {}

  static readonly APIS: ReadonlySet<string> = new Set([
    'FindCoordinator',
    'AddPartitionsToTxn',
    'AddOffsetsToTxn',
    'EndTxn',
    'TxnOffsetCommit',
    'JoinGroup',
    'SyncGroup',
    'Heartbeat',
    'LeaveGroup',
    'OffsetFetch',
  ]);
  /** The group's members (one generation: 1) and the leader's assignments. */
  private readonly members = new Map<string, JoinGroupRequest>();
  private readonly assignments = new Map<string, string>();

  /** Whether this fake answers the request (InitProducerId only with a transactional id). */
  handles(msg: { api: string; transactionalId?: string | null }): boolean {
    return FakeTxnCoordinator.APIS.has(msg.api) || (msg.api === 'InitProducerId' && msg.transactionalId != null);
  }

  requests<A extends TxnRequestForFake['api']>(api: A): Array<Extract<TxnRequestForFake, { api: A }>> {
    return this.received.filter((r) => r.msg.api === api).map((r) => r.msg as Extract<TxnRequestForFake, { api: A }>);
  }

  handle(env: Env<never>, self: NodeId, from: NodeId, msg: TxnRequestForFake, reply: (response: unknown) => void): void {
    this.received.push({ at: env.now(), from, msg });
    const fault = this.faults.find((f) => f.api === msg.api && f.times > 0);
    if (fault !== undefined) fault.times--;
    if (fault?.drop === true) return;
    const error = fault?.error;
    const correlationId = msg.correlationId;
    if (msg.api !== 'FindCoordinator' && self !== this.node) return reply(this.errorAnswer(msg, ErrorCode.NOT_COORDINATOR));
    if (error !== undefined && msg.api !== 'FindCoordinator') return reply(this.errorAnswer(msg, error));
    switch (msg.api) {
      case 'FindCoordinator':
        return reply({
          api: 'FindCoordinator',
          kind: 'response',
          correlationId,
          coordinators: msg.coordinatorKeys.map((key) =>
            error !== undefined
              ? { key, nodeId: null, host: '', port: -1, errorCode: error, errorMessage: null }
              : { key, nodeId: this.node, host: this.node, port: 9092, errorCode: ErrorCode.NONE, errorMessage: null },
          ),
        });
      case 'InitProducerId': {
        const txnId = msg.transactionalId!;
        let entry = this.transactions.get(txnId);
        if (entry === undefined) {
          entry = { producerId: this.nextProducerId++, epoch: 0, state: 'Empty', partitions: new Set() };
          this.transactions.set(txnId, entry);
        } else {
          if (entry.state === 'Ongoing') this.complete(entry, false, env.now());
          entry.epoch++;
        }
        return reply({
          api: 'InitProducerId',
          kind: 'response',
          correlationId,
          errorCode: ErrorCode.NONE,
          producerId: entry.producerId,
          producerEpoch: entry.epoch,
        });
      }
      case 'AddPartitionsToTxn': {
        const t = msg.transactions[0]!;
        const code = this.check(t.transactionalId, t.producerId, t.producerEpoch);
        const entry = this.transactions.get(t.transactionalId);
        if (code === ErrorCode.NONE && entry !== undefined) {
          entry.state = 'Ongoing';
          for (const topic of t.topics) for (const p of topic.partitions) entry.partitions.add(`${topic.name}/${p}`);
        }
        return reply({
          api: 'AddPartitionsToTxn',
          kind: 'response',
          correlationId,
          errorCode: ErrorCode.NONE,
          resultsByTransaction: [
            {
              transactionalId: t.transactionalId,
              topicResults: t.topics.map((topic) => ({
                name: topic.name,
                resultsByPartition: topic.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code })),
              })),
            },
          ],
        });
      }
      case 'AddOffsetsToTxn': {
        const code = this.check(msg.transactionalId, msg.producerId, msg.producerEpoch);
        const entry = this.transactions.get(msg.transactionalId);
        if (code === ErrorCode.NONE && entry !== undefined) entry.state = 'Ongoing';
        return reply({ api: 'AddOffsetsToTxn', kind: 'response', correlationId, errorCode: code });
      }
      case 'TxnOffsetCommit': {
        const offsets = msg.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset] as [string, number, number]));
        const list = this.pendingOffsets.get(msg.producerId) ?? [];
        list.push({ group: msg.groupId, offsets });
        this.pendingOffsets.set(msg.producerId, list);
        return reply({
          api: 'TxnOffsetCommit',
          kind: 'response',
          correlationId,
          topics: msg.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })),
          })),
        });
      }
      case 'JoinGroup': {
        const memberId = msg.memberId === '' ? `${from}-member` : msg.memberId;
        const base = { api: 'JoinGroup', kind: 'response', correlationId, protocolType: 'consumer', skipAssignment: false, memberId };
        if (msg.memberId === '' && msg.requireKnownMemberId)
          return reply({ ...base, errorCode: ErrorCode.MEMBER_ID_REQUIRED, generationId: -1, protocolName: null, leader: '', members: [] });
        this.members.set(memberId, msg);
        const protocol = msg.protocols[0]!;
        const leader = [...this.members.keys()][0]!;
        const members =
          leader === memberId
            ? [...this.members.values()].map((m) => ({ memberId: m.memberId || memberId, groupInstanceId: null, metadata: protocol.metadata }))
            : [];
        return reply({ ...base, errorCode: ErrorCode.NONE, generationId: 1, protocolName: protocol.name, leader, members });
      }
      case 'SyncGroup':
        for (const a of msg.assignments) this.assignments.set(a.memberId, a.assignment);
        return reply({
          api: 'SyncGroup',
          kind: 'response',
          correlationId,
          errorCode: ErrorCode.NONE,
          protocolType: 'consumer',
          protocolName: msg.protocolName,
          assignment: this.assignments.get(msg.memberId) ?? '',
        });
      case 'Heartbeat':
        return reply({ api: 'Heartbeat', kind: 'response', correlationId, errorCode: ErrorCode.NONE });
      case 'LeaveGroup':
        return reply({ api: 'LeaveGroup', kind: 'response', correlationId, errorCode: ErrorCode.NONE, members: [] });
      case 'OffsetFetch':
        return reply({
          api: 'OffsetFetch',
          kind: 'response',
          correlationId,
          groups: msg.groups.map((g) => ({
            groupId: g.groupId,
            errorCode: ErrorCode.NONE,
            topics: (g.topics ?? []).map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((i) => {
                const pending = [...this.pendingOffsets.values()].some((list) =>
                  list.some((e) => e.group === g.groupId && e.offsets.some(([tt, pp]) => tt === t.name && pp === i)),
                );
                const committed = (this.committedOffsets.get(g.groupId) ?? []).filter(([tt, pp]) => tt === t.name && pp === i).at(-1);
                return msg.requireStable && pending
                  ? { partitionIndex: i, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
                  : { partitionIndex: i, committedOffset: committed?.[2] ?? -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
              }),
            })),
          })),
        });
      case 'EndTxn': {
        const code = this.check(msg.transactionalId, msg.producerId, msg.producerEpoch);
        const entry = this.transactions.get(msg.transactionalId);
        if (code !== ErrorCode.NONE || entry === undefined) return reply(this.errorAnswer(msg, code));
        if (entry.state === 'Ongoing') this.complete(entry, msg.committed, env.now());
        if (msg.bumpEpoch) entry.epoch++;
        return reply({
          api: 'EndTxn',
          kind: 'response',
          correlationId,
          errorCode: ErrorCode.NONE,
          producerId: msg.bumpEpoch ? entry.producerId : -1,
          producerEpoch: msg.bumpEpoch ? entry.epoch : -1,
        });
      }
    }
  }

  private check(txnId: string, producerId: number, epoch: number): number {
    const entry = this.transactions.get(txnId);
    if (entry === undefined || entry.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch < entry.epoch) return ErrorCode.PRODUCER_FENCED;
    return ErrorCode.NONE;
  }

  /** Writes the markers of the transaction into its partitions' logs and settles its pending offsets. */
  private complete(entry: TxnEntry, commit: boolean, now: number): void {
    for (const key of entry.partitions) {
      const at = key.lastIndexOf('/');
      const topic = key.slice(0, at);
      const partition = Number(key.slice(at + 1));
      const p = this.cluster.partition(topic, partition);
      const marker: RecordBatch = {
        baseOffset: 0,
        partitionLeaderEpoch: -1,
        attributes: CONTROL_BIT | TRANSACTIONAL_BIT,
        lastOffsetDelta: 0,
        baseTimestamp: Math.floor(now),
        maxTimestamp: Math.floor(now),
        producerId: entry.producerId,
        producerEpoch: entry.epoch,
        baseSequence: -1,
        records: [
          { offsetDelta: 0, timestampDelta: 0, key: controlKey(commit ? ControlType.COMMIT : ControlType.ABORT), value: endTxnMarkerValue(0), headers: [] },
        ],
      };
      p.log.push(assignOffsets(marker, this.cluster.endOffset(topic, partition), p.leaderEpoch));
    }
    const pending = this.pendingOffsets.get(entry.producerId) ?? [];
    this.pendingOffsets.delete(entry.producerId);
    if (commit) for (const { group, offsets } of pending) this.committedOffsets.set(group, [...(this.committedOffsets.get(group) ?? []), ...offsets]);
    entry.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    entry.partitions.clear();
  }

  private errorAnswer(msg: TxnRequestForFake, errorCode: number): unknown {
    const correlationId = msg.correlationId;
    switch (msg.api) {
      case 'FindCoordinator':
        return { api: 'FindCoordinator', kind: 'response', correlationId, coordinators: [] };
      case 'InitProducerId':
        return { api: 'InitProducerId', kind: 'response', correlationId, errorCode, producerId: -1, producerEpoch: -1 };
      case 'AddPartitionsToTxn':
        return { api: 'AddPartitionsToTxn', kind: 'response', correlationId, errorCode, resultsByTransaction: [] };
      case 'AddOffsetsToTxn':
        return { api: 'AddOffsetsToTxn', kind: 'response', correlationId, errorCode };
      case 'EndTxn':
        return { api: 'EndTxn', kind: 'response', correlationId, errorCode, producerId: -1, producerEpoch: -1 };
      case 'JoinGroup':
      case 'SyncGroup':
      case 'Heartbeat':
      case 'LeaveGroup':
      case 'OffsetFetch':
        throw new Error(`no scripted errors for ${msg.api}`);
      case 'TxnOffsetCommit':
        return {
          api: 'TxnOffsetCommit',
          kind: 'response',
          correlationId,
          topics: msg.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
        };
    }
  }
}
