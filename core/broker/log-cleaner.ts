// The broker's log cleaner (Kafka's LogCleaner and LogCleanerManager around Cleaner.doClean):
// every log.cleaner.backoff.ms, while log.cleaner.enable, each replica held here, leader or
// follower, whose cleanup.policy has compact is a candidate; the filthiest (core/log/cleanable.ts)
// is cleaned (core/log/cleaner.ts) below its first uncleanable offset, its segments swapped for
// the cleaned groups, and the round's end written to cleaner-offset-checkpoint; then the next.

import type { Env } from '../env.ts';
import { groupSegmentsBySize, filthiestLog, type CleanableLog, type CompactionConfig } from '../log/cleanable.ts';
import { cleanLog } from '../log/cleaner.ts';
import type { LogBug } from '../log/bugs.ts';
import { integers, readCheckpoint, writeCheckpoint } from '../log/checkpoint-file.ts';
import { effectiveTopicConfig, type Config } from '../protocol/configs.ts';
import type { Compressors } from '../wire/compression.ts';
import type { Partition } from './partition.ts';

export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

/** A replica the cleaner may take, with its topic's configs. */
export interface CleanerCandidate {
  partition: Partition;
  topicConfig: Readonly<Record<string, string>>;
}

/** Whether a topic's cleanup.policy (its own, else the broker's log.cleanup.policy) has compact. */
export function isCompacted(topicConfig: Readonly<Record<string, string>>, broker: Config, internal = false): boolean {
  if (internal && topicConfig['cleanup.policy'] === undefined) return true;
  return effectiveTopicConfig('cleanup.policy', topicConfig, broker)
    .split(',')
    .map((p) => p.trim())
    .includes('compact');
}

export class LogCleaner {
  /** Partition key → where its last clean stopped. */
  private checkpoints = new Map<string, number>();
  private written = '';

  constructor(
    private readonly config: Config,
    private readonly bugs: ReadonlySet<LogBug>,
    private readonly compressors: Compressors | undefined,
  ) {}

  /** Reads cleaner-offset-checkpoint (missing or unreadable: no log cleaned yet). */
  read(env: Env<never>): void {
    this.checkpoints = new Map();
    for (const [topic, ...rest] of readCheckpoint(env.storage, CLEANER_CHECKPOINT_FILE, 3) ?? []) {
      const numbers = integers(rest);
      if (numbers !== null) this.checkpoints.set(`${topic}-${numbers[0]}`, numbers[1]!);
    }
    this.written = this.text();
  }

  /** Forgets a partition's checkpoint (its topic was deleted). */
  forget(key: string): void {
    this.checkpoints.delete(key);
  }

  /** One round: cleans the filthiest log, then the next, each at most once. */
  run(env: Env<never>, candidates: readonly CleanerCandidate[]): void {
    if (!this.config.bool('log.cleaner.enable')) return;
    // Kafka's clock is whole milliseconds (the simulator's is not): delete horizons are written into batches.
    const now = Math.floor(env.now());
    for (const { partition } of candidates) {
      // A truncation below the checkpoint (Kafka's maybeTruncateCheckpoint): what follows it was never cleaned.
      const cut = partition.takeTruncation();
      const checkpoint = this.checkpoints.get(partition.key);
      if (checkpoint !== undefined && cut < checkpoint) this.checkpoints.set(partition.key, cut);
    }
    const left = candidates.filter((c) => c.partition.role !== 'none');
    while (left.length > 0) {
      const chosen = filthiestLog(
        left.map((c, i) => ({ id: i, log: this.cleanableLog(c.partition), config: this.compactionConfig(c.topicConfig) })),
        now,
      );
      if (chosen === null) break;
      const { partition, topicConfig } = left[chosen.id]!;
      left.splice(chosen.id, 1);
      const { firstDirtyOffset, firstUncleanableOffset } = chosen.toClean;
      if (firstUncleanableOffset <= firstDirtyOffset) {
        if (chosen.toClean.forceUpdateCheckpoint) this.checkpoints.set(partition.key, firstDirtyOffset);
        continue;
      }
      this.clean(env, partition, topicConfig, firstDirtyOffset, firstUncleanableOffset, now);
    }
    this.writeIfChanged(env);
  }

  private clean(env: Env<never>, p: Partition, topicConfig: Readonly<Record<string, string>>, firstDirty: number, firstUncleanable: number, now: number): void {
    const infos = p.log.segmentInfos().filter((s) => !s.active && s.baseOffset < firstUncleanable);
    const segments = infos.map((s) => ({ baseOffset: s.baseOffset, batches: p.log.segmentBatches(s.baseOffset).map((b) => b.batch) }));
    const result = cleanLog(segments, {
      firstDirtyOffset: firstDirty,
      firstUncleanableOffset: firstUncleanable,
      now,
      deleteRetentionMs: Number(effectiveTopicConfig('delete.retention.ms', topicConfig, this.config)),
      highWatermark: p.hw,
      lastOffsetOfActiveProducers: p.producers.lastOffsets(),
      ...(this.compressors === undefined ? {} : { compressors: this.compressors }),
      bugs: this.bugs,
      abortedTransactions: p.log.abortedTxns(),
    });
    const cleaned = new Map(result.segments.map((s) => [s.baseOffset, s.batches]));
    const touched = infos.filter((s) => cleaned.has(s.baseOffset));
    const { segmentBytes, segmentIndexBytes } = p.log.config;
    const all = p.log.segmentInfos();
    for (const group of groupSegmentsBySize(touched, segmentBytes, segmentIndexBytes, result.endOffset)) {
      const last = group.at(-1)!;
      const end = all[all.findIndex((s) => s.baseOffset === last.baseOffset) + 1]!.baseOffset;
      p.replaceCleaned(
        env,
        group[0]!.baseOffset,
        end,
        group.flatMap((s) => cleaned.get(s.baseOffset)!),
      );
    }
    this.checkpoints.set(p.key, result.endOffset);
  }

  private cleanableLog(p: Partition): CleanableLog {
    return {
      segments: p.log.segmentSummaries(),
      logStartOffset: p.log.logStartOffset,
      logEndOffset: p.log.logEndOffset,
      // Nothing past the first unstable offset is cleanable (an open transaction may still abort).
      lastStableOffset: p.lastStableOffset(),
      checkpoint: this.checkpoints.get(p.key),
    };
  }

  private compactionConfig(topicConfig: Readonly<Record<string, string>>): CompactionConfig {
    const value = (name: string) => Number(effectiveTopicConfig(name, topicConfig, this.config));
    return {
      minCleanableDirtyRatio: value('min.cleanable.dirty.ratio'),
      minCompactionLagMs: value('min.compaction.lag.ms'),
      maxCompactionLagMs: value('max.compaction.lag.ms'),
    };
  }

  private text(): string {
    return [...this.checkpoints]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k} ${v}`)
      .join('\n');
  }

  /** Rewrites the checkpoint when its entries changed (topic, partition, offset per line). */
  private writeIfChanged(env: Env<never>): void {
    const text = this.text();
    if (text === this.written) return;
    const entries = [...this.checkpoints]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, offset]) => {
        const cut = key.lastIndexOf('-');
        return [key.slice(0, cut), key.slice(cut + 1), offset];
      });
    writeCheckpoint(env.storage, CLEANER_CHECKPOINT_FILE, entries);
    this.written = text;
  }
}
