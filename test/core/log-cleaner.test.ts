// The broker's log cleaner (core/broker/log-cleaner.ts) on a replica's real segmented log: the
// filthiest compacted log is cleaned below its active segment, its segments swapped and the clean
// traced, cleaner-offset-checkpoint written in Kafka's format; a clean log is left alone, a
// truncation lowers the checkpoint, log.cleaner.enable=false stops it all.
import { describe, expect, it } from 'vitest';
import { LogCleaner, CLEANER_CHECKPOINT_FILE, isCompacted } from '../../core/broker/log-cleaner.ts';
import { Partition } from '../../core/broker/partition.ts';
import type { Env, NodeId } from '../../core/env.ts';
import { DEFAULT_LOG_CONFIG } from '../../core/log/log-config.ts';
import { Config } from '../../core/protocol/configs.ts';
import { recordTimestamp, type RecordBatch } from '../../core/protocol/records.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import { SimStorage } from '../../sim/disk.ts';
import { recordBatch } from './batches.ts';
import { partitionState } from './controller-helpers.ts';

class FakeEnv implements Env<never> {
  readonly self: NodeId = 'b1';
  readonly storage = new SimStorage();
  readonly traces: NodeEvent[] = [];
  time = 0;
  now = () => this.time;
  random = () => 0.5;
  send(): void {}
  setTimer(): void {}
  cancelTimer(): void {}
  trace(event: NodeEvent): void {
    this.traces.push(event);
  }
}

const COMPACT = { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01' };
const text = (env: FakeEnv, file: string) => new TextDecoder().decode(env.storage.read(file, 0, env.storage.size(file)));

/** A lone replica (its own ISR, so the high watermark follows its log end) with 300-byte segments, holding `n` one-record batches over `keys` keys. */
function filled(n: number, keys: number): { p: Partition; env: FakeEnv } {
  const env = new FakeEnv();
  const state = partitionState({ replicas: ['b1'], isr: ['b1'], leader: 'b1', leaderEpoch: 0 });
  const settings = {
    minIsr: 1,
    replicaLagTimeMaxMs: 10_000,
    flushMessages: Number.MAX_SAFE_INTEGER,
    log: { ...DEFAULT_LOG_CONFIG, segmentBytes: 300 },
    bugs: new Set<never>(),
    isrEligible: () => true,
  };
  const p = Partition.open(env, 'b1', state, { hw: 0, recoveryPoint: 0, logStartOffset: 0 }, settings);
  p.applyMetadata(env, state);
  for (let i = 0; i < n; i++) {
    const b = recordBatch({ count: 1, ts: 1_000 + i, value: () => `v${i}` });
    const keyed: RecordBatch = { ...b, records: [{ ...b.records[0]!, key: `k${i % keys}` }] };
    if (p.appendAsLeader(env, keyed, env.time).errorCode !== 0) throw new Error('append failed');
  }
  return { p, env };
}

const records = (p: Partition) =>
  p.log
    .read(0, Infinity, Infinity)
    .flatMap((b) => b.records.map((r) => ({ offset: b.baseOffset + r.offsetDelta, key: r.key, value: r.value, ts: recordTimestamp(b, r) })));

describe('the log cleaner', () => {
  it("cleans a compacted log below its active segment: every key's last value stays at its offset, the clean is traced, the checkpoint written", () => {
    const { p, env } = filled(60, 4);
    const before = records(p);
    const active = p.log.segmentInfos().at(-1)!.baseOffset;
    expect(p.log.segmentInfos().length).toBeGreaterThan(3);
    env.time = 10_000;
    const cleaner = new LogCleaner(new Config(), new Set(), undefined);
    cleaner.read(env);
    cleaner.run(env, [{ partition: p, topicConfig: COMPACT }]);
    const after = records(p);
    // Below the active segment, one record per key (its latest there); from it on, everything.
    const cleaned = after.filter((r) => r.offset < active);
    const latest = new Map(before.filter((r) => r.offset < active).map((r) => [r.key, r.offset]));
    expect(cleaned.map((r) => r.offset)).toEqual([...latest.values()].sort((a, b) => a - b));
    expect(after.filter((r) => r.offset >= active)).toEqual(before.filter((r) => r.offset >= active));
    for (const r of after) expect(r).toEqual(before.find((b) => b.offset === r.offset));
    const cleans = env.traces.filter((e) => e.kind === 'partition-clean');
    expect(cleans.length).toBeGreaterThan(0);
    expect(cleans[0]).toMatchObject({ topic: 'orders', partition: 0, baseOffset: 0 });
    expect(text(env, CLEANER_CHECKPOINT_FILE)).toBe(`0\n1\norders 0 ${active}\n`);
    // Nothing dirty is left: the next round leaves the log alone.
    cleaner.run(env, [{ partition: p, topicConfig: COMPACT }]);
    expect(env.traces.filter((e) => e.kind === 'partition-clean')).toHaveLength(cleans.length);
    // A restarted cleaner reads its checkpoint back.
    const again = new LogCleaner(new Config(), new Set(), undefined);
    again.read(env);
    again.run(env, [{ partition: p, topicConfig: COMPACT }]);
    expect(env.traces.filter((e) => e.kind === 'partition-clean')).toHaveLength(cleans.length);
  });

  it('lowers its checkpoint to a truncation below it, and does nothing with log.cleaner.enable=false or on a log that is not compacted', () => {
    const { p, env } = filled(60, 4);
    const off = new LogCleaner(new Config({ 'log.cleaner.enable': false }), new Set(), undefined);
    off.run(env, [{ partition: p, topicConfig: COMPACT }]);
    expect(env.traces.some((e) => e.kind === 'partition-clean')).toBe(false);
    expect(isCompacted({}, new Config())).toBe(false);
    expect(isCompacted({ 'cleanup.policy': 'delete,compact' }, new Config())).toBe(true);
    expect(isCompacted({}, new Config({ 'log.cleanup.policy': 'compact' }))).toBe(true);
    expect(isCompacted({}, new Config(), true)).toBe(true);

    const cleaner = new LogCleaner(new Config(), new Set(), undefined);
    cleaner.run(env, [{ partition: p, topicConfig: COMPACT }]);
    const at = Number(text(env, CLEANER_CHECKPOINT_FILE).trim().split(' ').at(-1));
    p.truncateTo(env, 10);
    cleaner.run(env, [{ partition: p, topicConfig: COMPACT }]);
    expect(text(env, CLEANER_CHECKPOINT_FILE)).toBe(`0\n1\norders 0 ${Math.min(at, 10)}\n`);
  });
});
