// A broker's per-log-dir offset checkpoints, in Kafka's text format (core/log/checkpoint-file.ts):
// replication-offset-checkpoint (high watermarks), recovery-point-offset-checkpoint (what each
// log has made durable, where its recovery starts) and log-start-offset-checkpoint. Each line is
// `topic partition offset`; a file is rewritten only when its content changed.

import { integers, readCheckpoint, writeCheckpoint } from '../log/checkpoint-file.ts';
import type { Storage } from '../storage.ts';

export const HW_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_CHECKPOINT_FILE = 'log-start-offset-checkpoint';

/** What a partition's log reopens with. */
export interface PartitionCheckpoints {
  hw: number;
  recoveryPoint: number;
  logStartOffset: number;
}

/** A replica as the checkpoints see it. */
export interface CheckpointedReplica {
  topic: string;
  partition: number;
  hw: number;
  log: { recoveryPoint: number; logStartOffset: number };
}

type Offsets = Map<string, number>;
type Entry = [topic: string, partition: number, offset: number];

export class OffsetCheckpoints {
  private hw: Offsets = new Map();
  private recoveryPoints: Offsets = new Map();
  private logStarts: Offsets = new Map();
  /** Each file's entries as last written: a file is rewritten only when they change. */
  private readonly written = new Map<string, string>();

  /** Reads the three files; a missing or unreadable one counts as empty. */
  read(storage: Storage): void {
    this.hw = readOffsets(storage, HW_CHECKPOINT_FILE);
    this.recoveryPoints = readOffsets(storage, RECOVERY_POINT_CHECKPOINT_FILE);
    this.logStarts = readOffsets(storage, LOG_START_CHECKPOINT_FILE);
  }

  of(key: string): PartitionCheckpoints {
    return { hw: this.hw.get(key) ?? 0, recoveryPoint: this.recoveryPoints.get(key) ?? 0, logStartOffset: this.logStarts.get(key) ?? 0 };
  }

  /**
   * Writes the high watermarks and recovery points, each file only when its entries changed (at
   * replica.high.watermark.checkpoint.interval.ms; Kafka writes recovery points every
   * log.flush.offset.checkpoint.interval.ms, 60 s, which only makes recovery re-read more).
   */
  writeHighWatermarks(storage: Storage, replicas: Iterable<CheckpointedReplica>): void {
    const list = [...replicas];
    this.writeIfChanged(
      storage,
      HW_CHECKPOINT_FILE,
      list.map((r): Entry => [r.topic, r.partition, r.hw]),
    );
    this.writeIfChanged(
      storage,
      RECOVERY_POINT_CHECKPOINT_FILE,
      list.map((r): Entry => [r.topic, r.partition, r.log.recoveryPoint]),
    );
  }

  /** Writes the log start offsets when they changed (Kafka's checkpointLogStartOffsets; a log starting at 0 needs no entry). */
  writeLogStarts(storage: Storage, replicas: Iterable<CheckpointedReplica>): void {
    const entries = [...replicas].filter((r) => r.log.logStartOffset > 0).map((r): Entry => [r.topic, r.partition, r.log.logStartOffset]);
    this.writeIfChanged(storage, LOG_START_CHECKPOINT_FILE, entries);
  }

  /** Forgets a partition's checkpointed offsets (its topic was deleted: one created again starts from scratch). */
  forget(key: string): void {
    this.hw.delete(key);
    this.recoveryPoints.delete(key);
    this.logStarts.delete(key);
  }

  private writeIfChanged(storage: Storage, file: string, entries: Array<[string, number, number]>): void {
    const text = entries.map((e) => e.join(' ')).join('\n');
    if ((this.written.get(file) ?? '') === text && (storage.exists(file) || entries.length === 0)) return;
    writeCheckpoint(storage, file, entries);
    this.written.set(file, text);
  }
}

function readOffsets(storage: Storage, file: string): Offsets {
  const out: Offsets = new Map();
  for (const [topic, ...rest] of readCheckpoint(storage, file, 3) ?? []) {
    const numbers = integers(rest);
    if (numbers !== null) out.set(`${topic}-${numbers[0]}`, numbers[1]!);
  }
  return out;
}
