// The group coordinator's transactional offsets (KIP-98, KIP-447), driven directly with a fake
// broker behind its hooks: TxnOffsetCommit writes a transactional batch and keeps the offsets
// pending, a COMMIT marker makes them committed (with a group-commit event) and an ABORT drops
// them, a replay keeps them pending until the marker is in the log, OffsetFetch with requireStable
// answers UNSTABLE_OFFSET_COMMIT meanwhile, and a member's generation is checked as for OffsetCommit.

import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../core/controller/image.ts';
import type { Env, TimerTag } from '../../core/env.ts';
import { GroupCoordinator } from '../../core/group/coordinator.ts';
import { groupMetadataRecord, offsetCommitRecord, OFFSETS_TOPIC } from '../../core/group/offsets-topic.ts';
import { Config } from '../../core/protocol/configs.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import type { GroupResponse, OffsetFetchResponse } from '../../core/protocol/group.ts';
import {
  assignOffsets,
  CONTROL_BIT,
  ControlType,
  controlKey,
  endTxnMarkerValue,
  NO_PRODUCER_ID,
  TRANSACTIONAL_BIT,
  type KafkaRecord,
  type RecordBatch,
} from '../../core/protocol/records.ts';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../core/protocol/txn.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';

const GROUP = 'copiers';

function batch(records: KafkaRecord[], producerId = NO_PRODUCER_ID, attributes = 0): RecordBatch {
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes,
    lastOffsetDelta: records.length - 1,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId,
    producerEpoch: producerId === NO_PRODUCER_ID ? -1 : 0,
    baseSequence: -1,
    records: records.map((r, i) => ({ ...r, offsetDelta: i })),
  };
}

const offsetRecord = (offset: number, partition = 0) =>
  offsetCommitRecord(GROUP, 'input', partition, { offset, leaderEpoch: -1, metadata: '', commitTimestamp: 0 });
const txnBatch = (producerId: number, offset: number, partition = 0) => batch([offsetRecord(offset, partition)], producerId, TRANSACTIONAL_BIT);
const marker = (producerId: number, commit: boolean) =>
  batch(
    [{ offsetDelta: 0, timestampDelta: 0, key: controlKey(commit ? ControlType.COMMIT : ControlType.ABORT), value: endTxnMarkerValue(0), headers: [] }],
    producerId,
    CONTROL_BIT | TRANSACTIONAL_BIT,
  );

/** One __consumer_offsets partition led by this broker, a log, and an env that keeps what the coordinator sends and traces. */
function setup(initial: RecordBatch[] = [], options: { failWrites?: boolean; holdWrites?: Array<(errorCode: number) => void> } = {}) {
  const log: RecordBatch[] = [];
  const append = (b: RecordBatch): number => {
    const end = log.length === 0 ? 0 : log.at(-1)!.baseOffset + log.at(-1)!.lastOffsetDelta + 1;
    log.push(assignOffsets(b, end, 0));
    return end;
  };
  for (const b of initial) append(b);
  const sent: GroupResponse[] = [];
  const events: NodeEvent[] = [];
  const timers = new Set<TimerTag>();
  const env = {
    self: 'b1',
    now: () => 1000,
    random: () => 0.5,
    send: (_to: string, msg: GroupResponse) => sent.push(msg),
    setTimer: (_ms: number, tag: TimerTag) => timers.add(tag),
    cancelTimer: (tag: TimerTag) => timers.delete(tag),
    storage: null as never,
    trace: (e: NodeEvent) => events.push(e),
  } as unknown as Env<GroupResponse>;
  const image = { topicByName: (name: string) => (name === OFFSETS_TOPIC ? { partitions: [{ leader: 'b1' }] } : undefined), brokers: new Map() };
  const written: Array<{ records: KafkaRecord[]; producer: { producerId: number; producerEpoch: number } | undefined }> = [];
  const coordinator = new GroupCoordinator(new Config({ 'offsets.topic.num.partitions': 1 }), new Set(), {
    image: () => image as unknown as MetadataImage,
    ledLog: () => log,
    appendCommitted: (_env, _topic, _partition, records, _timeoutMs, done, producer) => {
      written.push({ records, producer });
      if (options.failWrites) {
        done(ErrorCode.NOT_ENOUGH_REPLICAS);
        return null;
      }
      if (options.holdWrites !== undefined) {
        options.holdWrites.push(done);
        return null;
      }
      const offset = append(
        producer === undefined ? batch(records) : { ...batch(records, producer.producerId, TRANSACTIONAL_BIT), producerEpoch: producer.producerEpoch },
      );
      done(ErrorCode.NONE);
      return offset;
    },
    createTopic: () => {},
  });
  coordinator.leadershipChanged(env, 0, 0);
  coordinator.fire(env, 'group:load:0');
  let correlationId = 1;
  const txnCommit = (offset: number, extra: Partial<TxnOffsetCommitRequest> = {}): number => {
    coordinator.handle(env, 'p1', {
      api: 'TxnOffsetCommit',
      kind: 'request',
      correlationId: correlationId++,
      transactionalId: 'tx-1',
      groupId: GROUP,
      producerId: 7,
      producerEpoch: 2,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'input', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
      ...extra,
    });
    // A held write has no answer yet (-1).
    return (sent.at(-1) as TxnOffsetCommitResponse | undefined)?.topics[0]!.partitions[0]!.errorCode ?? -1;
  };
  const fetch = (requireStable: boolean, partition = 0): { offset: number; errorCode: number } => {
    coordinator.handle(env, 'c1', {
      api: 'OffsetFetch',
      kind: 'request',
      correlationId: correlationId++,
      groups: [{ groupId: GROUP, topics: [{ name: 'input', partitionIndexes: [partition] }] }],
      requireStable,
    });
    const p = (sent.at(-1) as OffsetFetchResponse).groups[0]!.topics[0]!.partitions[0]!;
    return { offset: p.committedOffset, errorCode: p.errorCode };
  };
  /** Appends a marker of the producer's transaction; `replicated` tells the coordinator, as txnMarkerWritten does once every ISR replica has it. */
  const appendMarker = (producerId: number, commit: boolean) => {
    const offset = append(marker(producerId, commit));
    return { replicated: () => coordinator.completeTransaction(env, 0, producerId, commit, offset) };
  };
  const endTxn = (producerId: number, commit: boolean) => appendMarker(producerId, commit).replicated();
  return { coordinator, env, log, events, written, txnCommit, fetch, appendMarker, endTxn };
}

const NONE = ErrorCode.NONE;

describe('group coordinator: transactional offsets', () => {
  it('writes them as a batch of the producer’s transaction and keeps them pending until a COMMIT marker', () => {
    const s = setup();
    expect(s.txnCommit(42)).toBe(NONE);
    expect(s.written.at(-1)!.producer).toEqual({ producerId: 7, producerEpoch: 2 });
    expect(s.log.at(-1)!.attributes & TRANSACTIONAL_BIT).toBe(TRANSACTIONAL_BIT);
    expect(s.fetch(false)).toEqual({ offset: -1, errorCode: NONE });
    expect(s.fetch(true)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    expect(s.events.filter((e) => e.kind === 'group-commit')).toEqual([]);
    s.endTxn(7, true);
    expect(s.fetch(true)).toEqual({ offset: 42, errorCode: NONE });
    expect(s.events.filter((e) => e.kind === 'group-commit')).toEqual([
      { kind: 'group-commit', group: GROUP, generation: -1, member: '', offsets: [['input', 0, 42]] },
    ]);
  });

  it('drops them on an ABORT marker, and another producer’s marker leaves them pending', () => {
    const s = setup();
    s.txnCommit(42);
    s.endTxn(8, true);
    expect(s.fetch(true).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    s.endTxn(7, false);
    expect(s.fetch(true)).toEqual({ offset: -1, errorCode: NONE });
    expect(s.events.filter((e) => e.kind === 'group-commit')).toEqual([]);
  });

  it('a write that fails leaves nothing pending', () => {
    const s = setup([], { failWrites: true });
    expect(s.txnCommit(42)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(s.fetch(true)).toEqual({ offset: -1, errorCode: NONE });
  });

  it('a write that fails after a retry of it was stored leaves the retry pending', () => {
    const held: Array<(errorCode: number) => void> = [];
    const s = setup([], { holdWrites: held });
    s.txnCommit(42);
    s.txnCommit(42);
    expect(held).toHaveLength(2);
    held[1]!(NONE);
    // The first attempt times out only now: the retry's offsets stay pending (transactions-nemesis seed 57).
    held[0]!(ErrorCode.REQUEST_TIMED_OUT);
    expect(s.fetch(true).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
  });

  it('a marker replicated late ends only the offsets written before it, not those of the producer’s next transaction (seed 3747)', () => {
    const s = setup();
    s.txnCommit(42);
    s.endTxn(7, true);
    expect(s.fetch(true)).toEqual({ offset: 42, errorCode: NONE });
    // A copy of that COMMIT's WriteTxnMarkers, delivered twice by the network, appends a second
    // marker that waits for a slow follower; meanwhile the producer's next transaction writes its offsets.
    const duplicate = s.appendMarker(7, true);
    expect(s.txnCommit(50)).toBe(NONE);
    duplicate.replicated();
    expect(s.fetch(true)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    expect(s.fetch(false)).toEqual({ offset: 42, errorCode: NONE });
    // That transaction aborts: its offsets go with it.
    s.endTxn(7, false);
    expect(s.fetch(true)).toEqual({ offset: 42, errorCode: NONE });
    expect(s.events.filter((e) => e.kind === 'group-commit').map((e) => (e as { offsets: unknown }).offsets)).toEqual([[['input', 0, 42]]]);
  });

  it('a replay commits what a COMMIT marker follows, drops what an ABORT follows, and keeps an open transaction pending', () => {
    const s = setup([batch([offsetRecord(5, 1)]), txnBatch(7, 10, 0), txnBatch(8, 20, 1), marker(7, true), marker(8, false), txnBatch(9, 30, 2)]);
    expect(s.fetch(true, 0)).toEqual({ offset: 10, errorCode: NONE });
    expect(s.fetch(true, 1)).toEqual({ offset: 5, errorCode: NONE });
    expect(s.fetch(true, 2)).toEqual({ offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    s.endTxn(9, true);
    expect(s.fetch(true, 2)).toEqual({ offset: 30, errorCode: NONE });
  });

  it('checks the member and generation a TxnOffsetCommit names (KIP-447), and lets one without them through', () => {
    const member = {
      memberId: 'm-1',
      groupInstanceId: null,
      clientId: 'c',
      clientHost: 'h',
      rebalanceTimeout: 20000,
      sessionTimeout: 10000,
      subscription: '',
      assignment: '',
    };
    const stored = { protocolType: 'consumer', generation: 3, protocol: 'range', leader: 'm-1', currentStateTimestamp: 0, members: [member] };
    const s = setup([batch([groupMetadataRecord(GROUP, stored)])]);
    expect(s.txnCommit(1, { generationId: 2, memberId: 'm-1' })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(s.txnCommit(1, { generationId: 3, memberId: 'zombie' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(s.written).toHaveLength(0);
    expect(s.txnCommit(1, { generationId: 3, memberId: 'm-1' })).toBe(NONE);
    expect(s.txnCommit(2)).toBe(NONE);
  });
});
