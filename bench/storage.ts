// `samsa bench storage`: the partition log on real files (a broker's FileStorage in a temp dir), as a
// broker stores produced batches. One log is grown in place through the sizes asked for; at each, a
// fixed number of appends and of caught-up fetches are timed one by one (throughput, p50, p99).
// costRatio is append throughput at the largest size over the smallest (Kafka's claim: constant).
// At the largest size, reads of one batch at random offsets and lookups of random timestamps are
// timed; then a child process writes a log and is SIGKILLed, and reopening that log is timed.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import type { PartitionLog } from '../core/log/partition-log.ts';
import { lastOffsetOf, type RecordBatch } from '../core/protocol/records.ts';
import type { Storage } from '../core/storage.ts';
import { openBrokerStorage } from '../net/broker.ts';
import { Rng } from '../sim/random.ts';
import { BENCH_PARTITION, makeBatch, openLog, storedBytesOf, valueOf, WRITTEN, type BatchShape, type WriterArgs } from './storage-log.ts';

export const FULL_SIZES = [10_000, 1_000_000, 10_000_000];
export const QUICK_SIZES = [10_000, 100_000, 1_000_000];
export const TARGET_COST_RATIO = 0.9;
export const TARGET_RANDOM_READ_P99_MS = 1;
/** Kafka's max.partition.fetch.bytes default: what one fetch of a caught-up consumer asks of a partition. */
export const DEFAULT_FETCH_BYTES = 1_048_576;
const MIB = 1_048_576;
const GIB = 1_073_741_824;
/** Growth stops (and the bench says so) when the heap passes this share of its limit or free memory falls below FREE_MEMORY_FLOOR. */
const HEAP_CEILING = 0.75;
const FREE_MEMORY_FLOOR = GIB;

/** Kafka's documented recovery (reference §1.4; LogLoader, LogSegment.recover), printed beside Samsa's. */
export const KAFKA_RECOVERY =
  'without .kafka_cleanshutdown, Kafka recovers only the segments from the checkpointed recovery point (flushed every 60 s and at each roll) to the end: ' +
  "each batch's CRC-32C re-validated, offset and time indexes, leader-epoch cache and producer state rebuilt, the file cut at the first invalid batch; " +
  'with a clean shutdown it skips recovery and only sanity-checks the indexes';

export interface StorageBenchOptions {
  /** Records stored when each point is measured, ascending. */
  sizes: number[];
  batchRecords: number;
  valueBytes: number;
  /** Timed appends, and timed fetches, at each point. */
  ops: number;
  /** Appends and fetches on a scratch log first, untimed, so that the first point runs warm code. */
  warmupOps: number;
  /** Timed reads by offset, and lookups by timestamp, at the largest size. */
  randomReads: number;
  /** Bytes a fetch asks for. */
  fetchBytes: number;
  /** Bytes of log the killed writer leaves. */
  recoveryBytes: number;
  progress?: (line: string) => void;
}

export function defaultStorageBenchOptions(quick: boolean): StorageBenchOptions {
  return {
    sizes: quick ? QUICK_SIZES : FULL_SIZES,
    batchRecords: 100,
    valueBytes: 100,
    ops: quick ? 500 : 1_000,
    warmupOps: quick ? 500 : 2_000,
    randomReads: quick ? 1_000 : 2_000,
    fetchBytes: DEFAULT_FETCH_BYTES,
    recoveryBytes: quick ? 64 * MIB : GIB,
  };
}

export interface Timings {
  ops: number;
  records: number;
  bytes: number;
  /** Wall ms of the timed operations. */
  ms: number;
  /** CPU ms this process spent meanwhile (every thread; time the machine gave to others left out). */
  cpuMs: number;
  /** Of the wall ms, the garbage collector's pauses (every batch a log holds is a heap object). */
  gcMs: number;
  recordsPerSec: number;
  /** Records per CPU second: steadier than per wall second on a busy machine. */
  recordsPerCpuSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyFigures {
  ops: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface StoragePoint {
  /** Records in the log when the timed appends began (the size this point stands for, or just past it). */
  records: number;
  /** Records in the log after them. */
  recordsAfter: number;
  /** Log bytes when the timed appends began. */
  logBytes: number;
  append: Timings;
  /** Caught-up fetches: sequential reads of the records the timed appends added, from the first again at the end. */
  fetch: Timings;
  heapUsedMb: number;
  rssMb: number;
}

export interface StorageBenchResult {
  bench: 'storage';
  /** Which sizes were asked for: the full ones, --quick's, or others. */
  mode: 'full' | 'quick' | 'custom';
  /** Append records/s at the largest size measured over the smallest (target >= 0.9); null with fewer than two sizes measured. */
  costRatio: number | null;
  /** The same for fetches. */
  fetchCostRatio: number | null;
  /** Append records per CPU second at the largest size over the smallest. */
  cpuCostRatio: number | null;
  /** Sizes asked for. */
  sizesRequested: number[];
  /** Records stored at each point measured (when memory ran short, the last is the size reached; see stoppedEarly). */
  sizes: number[];
  stoppedEarly: { atRecords: number; reason: string } | null;
  batchRecords: number;
  valueBytes: number;
  /** Mean stored bytes of a batch (its RecordBatch v2 bytes). */
  batchBytes: number;
  ops: number;
  fetchBytes: number;
  points: StoragePoint[];
  randomRead: {
    /** Records in the log. */
    records: number;
    byOffset: LatencyFigures;
    byTimestamp: LatencyFigures;
  };
  recovery: {
    bytes: number;
    batches: number;
    records: number;
    /** Wall seconds of the writer's appends (making its batches included). */
    writeSeconds: number;
    /** Wall seconds to open the storage and the log after the kill. */
    seconds: number;
    secondsPerGiB: number;
    /** CPU seconds this process spent reopening. */
    cpuSeconds: number;
    /** Of the reopening, the garbage collector's pauses. */
    gcMs: number;
    kafka: string;
  };
  targets: Array<{ name: string; goal: string; value: number | null; met: boolean }>;
  peakRssMb: number;
  wallMs: number;
}

export async function runStorageBench(options: StorageBenchOptions): Promise<StorageBenchResult> {
  checkOptions(options);
  const progress = options.progress ?? (() => {});
  const started = performance.now();
  const shape: BatchShape = { batchRecords: options.batchRecords, valueBytes: options.valueBytes, baseTimestamp: Date.now() };
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-storage-'));
  const memory = new MemoryWatch();
  try {
    const grown = await measureGrownLog(join(dir, 'grown'), shape, options, memory, progress);
    // The grown log is gone before the writer's is recovered: both held at once would measure memory, not recovery.
    const recovery = await measureRecovery(join(dir, 'killed'), shape, options.recoveryBytes, memory, progress);
    memory.sample();
    const { points, randomRead } = grown;
    const costRatio = ratio(points, (p) => p.append.recordsPerSec);
    const fetchCostRatio = ratio(points, (p) => p.fetch.recordsPerSec);
    const cpuCostRatio = ratio(points, (p) => p.append.recordsPerCpuSec);
    return {
      bench: 'storage',
      mode: modeOf(options.sizes),
      costRatio,
      fetchCostRatio,
      cpuCostRatio,
      sizesRequested: options.sizes,
      sizes: points.map((p) => p.records),
      stoppedEarly: grown.stoppedEarly,
      batchRecords: options.batchRecords,
      valueBytes: options.valueBytes,
      batchBytes: grown.batchBytes,
      ops: options.ops,
      fetchBytes: options.fetchBytes,
      points,
      randomRead,
      recovery,
      targets: [
        { name: 'costRatio', goal: `>= ${TARGET_COST_RATIO}`, value: costRatio, met: costRatio !== null && costRatio >= TARGET_COST_RATIO },
        {
          name: 'random read by offset p99 ms',
          goal: `< ${TARGET_RANDOM_READ_P99_MS}`,
          value: randomRead.byOffset.p99Ms,
          met: randomRead.byOffset.p99Ms < TARGET_RANDOM_READ_P99_MS,
        },
        {
          name: 'lookup by timestamp p99 ms',
          goal: `< ${TARGET_RANDOM_READ_P99_MS}`,
          value: randomRead.byTimestamp.p99Ms,
          met: randomRead.byTimestamp.p99Ms < TARGET_RANDOM_READ_P99_MS,
        },
      ],
      peakRssMb: mb(memory.peakRss),
      wallMs: Math.round(performance.now() - started),
    };
  } finally {
    memory.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Window {
  start: number;
  cpu: NodeJS.CpuUsage;
}

interface Spent {
  ms: number;
  cpuMs: number;
  gcMs: number;
}

/** Memory and the garbage collector: the peak resident size, whether growing on is still safe, and GC pauses in a window. */
class MemoryWatch {
  peakRss = 0;
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  private readonly pauses: Array<{ start: number; ms: number }> = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.pauses.push({ start: e.startTime, ms: e.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Starts timing a window of operations. */
  begin(): Window {
    return { start: performance.now(), cpu: process.cpuUsage() };
  }

  /** The window's wall, CPU and GC ms (GC entries arrive a few turns of the event loop late, so this waits for them). */
  async end(window: Window): Promise<Spent> {
    const to = performance.now();
    const cpu = process.cpuUsage(window.cpu);
    for (let i = 0; i < 3; i++) await nextTurn();
    let gcMs = 0;
    for (const p of this.pauses) if (p.start >= window.start && p.start <= to) gcMs += p.ms;
    this.pauses.splice(0, this.pauses.findLastIndex((p) => p.start <= to) + 1);
    return { ms: to - window.start, cpuMs: (cpu.user + cpu.system) / 1000, gcMs };
  }

  stop(): void {
    this.observer.disconnect();
  }

  sample(): NodeJS.MemoryUsage {
    const usage = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, usage.rss);
    return usage;
  }

  /** Why growing on would risk the process, or null. */
  shortage(): string | null {
    const usage = this.sample();
    if (usage.heapUsed > HEAP_CEILING * this.heapLimit) return `the heap reached ${mb(usage.heapUsed)} MB of its ${mb(this.heapLimit)} MB limit`;
    if (freemem() < FREE_MEMORY_FLOOR) return `free memory fell below ${mb(FREE_MEMORY_FLOOR)} MB (this process: ${mb(usage.rss)} MB resident)`;
    return null;
  }
}

/** Phases 1 and 2 on one log grown in place in `logDir`, which is removed afterwards. */
async function measureGrownLog(
  logDir: string,
  shape: BatchShape,
  options: StorageBenchOptions,
  memory: MemoryWatch,
  progress: (line: string) => void,
): Promise<Pick<StorageBenchResult, 'points' | 'randomRead' | 'stoppedEarly' | 'batchBytes'>> {
  const value = valueOf(options.valueBytes);
  const storage = openBrokerStorage(logDir);
  try {
    await warmUp(storage, shape, value, options, memory);
    const log = openLog(storage, BENCH_PARTITION);
    const points: StoragePoint[] = [];
    let stoppedEarly: StorageBenchResult['stoppedEarly'] = null;
    for (const size of options.sizes) {
      const short = grow(log, shape, value, size, memory);
      if (short !== null) stoppedEarly = { atRecords: log.logEndOffset, reason: short };
      // Short of memory, the size reached is measured in place of the one asked for, and growth ends.
      if (short === null || log.logEndOffset > (points.at(-1)?.recordsAfter ?? 0)) {
        const point = await measurePoint(log, shape, value, options, memory);
        points.push(point);
        progress(
          `${point.records.toLocaleString('en-US')} records: append ${point.append.recordsPerSec.toLocaleString('en-US')} records/s p99 ${point.append.p99Ms.toPrecision(3)} ms, ` +
            `fetch ${point.fetch.recordsPerSec.toLocaleString('en-US')} records/s p99 ${point.fetch.p99Ms.toPrecision(3)} ms`,
        );
      }
      if (short !== null) {
        progress(`stopped growing at ${log.logEndOffset.toLocaleString('en-US')} records, before ${size.toLocaleString('en-US')}: ${short}`);
        break;
      }
    }
    if (points.length === 0) throw new Error(`bench storage: no size could be measured: ${stoppedEarly?.reason ?? 'no sizes'}`);
    const randomRead = measureRandomReads(log, shape, options.randomReads);
    progress(
      `random reads at ${randomRead.records.toLocaleString('en-US')} records: by offset p99 ${randomRead.byOffset.p99Ms.toPrecision(3)} ms, by timestamp p99 ${randomRead.byTimestamp.p99Ms.toPrecision(3)} ms`,
    );
    const batchBytes = Math.round(log.sizeInBytes / (log.logEndOffset / options.batchRecords));
    return { points, randomRead, stoppedEarly, batchBytes };
  } finally {
    storage.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

function checkOptions(o: StorageBenchOptions): void {
  const positive = (name: string, n: number) => {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`bench storage: ${name} must be a positive integer, got ${n}`);
  };
  positive('batchRecords', o.batchRecords);
  positive('ops', o.ops);
  positive('randomReads', o.randomReads);
  positive('fetchBytes', o.fetchBytes);
  positive('recoveryBytes', o.recoveryBytes);
  if (!Number.isSafeInteger(o.valueBytes) || o.valueBytes < 0) throw new RangeError(`bench storage: valueBytes must be an integer >= 0, got ${o.valueBytes}`);
  if (o.sizes.length === 0) throw new RangeError('bench storage: no sizes');
  for (const [i, size] of o.sizes.entries()) {
    positive('each size', size);
    if (i > 0 && size <= o.sizes[i - 1]!) throw new RangeError(`bench storage: sizes must ascend, got ${o.sizes.join(', ')}`);
  }
}

/** The code paths run on a scratch partition first, then its files go. */
async function warmUp(storage: Storage, shape: BatchShape, value: string, options: StorageBenchOptions, memory: MemoryWatch): Promise<void> {
  if (options.warmupOps === 0) return;
  const scratch = 'warmup-0';
  const log = openLog(storage, scratch);
  for (let i = 0; i < options.warmupOps; i++) log.append([makeBatch(shape, log.logEndOffset, value)]);
  await fetchRecords(log, 0, log.logEndOffset, options.fetchBytes, options.warmupOps, memory);
  measureRandomReads(log, shape, Math.min(options.warmupOps, options.randomReads));
  for (const file of storage.list()) if (file.startsWith(`${scratch}/`)) storage.delete(file);
}

/** Appends batches until the log holds `size` records; why it stopped short when memory ran out first, else null. */
function grow(log: PartitionLog, shape: BatchShape, value: string, size: number, memory: MemoryWatch): string | null {
  for (let n = 0; log.logEndOffset < size; n++) {
    if (n % 256 === 0) {
      const short = memory.shortage();
      if (short !== null) return short;
    }
    log.append([makeBatch(shape, log.logEndOffset, value)]);
  }
  return null;
}

async function measurePoint(log: PartitionLog, shape: BatchShape, value: string, options: StorageBenchOptions, memory: MemoryWatch): Promise<StoragePoint> {
  const records = log.logEndOffset;
  const logBytes = log.sizeInBytes;
  // Made before the clock starts: the producer's and Produce's work is not the log's.
  const batches: RecordBatch[] = [];
  for (let i = 0, at = records; i < options.ops; i++, at += shape.batchRecords) batches.push(makeBatch(shape, at, value));
  const latencies = new Float64Array(options.ops);
  const window = memory.begin();
  for (let i = 0; i < batches.length; i++) {
    const t = performance.now();
    log.append([batches[i]!]);
    latencies[i] = performance.now() - t;
  }
  const append = timings(latencies, log.logEndOffset - records, log.sizeInBytes - logBytes, await memory.end(window));
  const fetch = await fetchRecords(log, records, log.logEndOffset, options.fetchBytes, options.ops, memory);
  const usage = memory.sample();
  return { records, recordsAfter: log.logEndOffset, logBytes, append, fetch, heapUsedMb: mb(usage.heapUsed), rssMb: mb(usage.rss) };
}

/** `ops` fetches from `from` on, each of up to `maxBytes` below `end`, back to `from` when the end is reached. */
async function fetchRecords(log: PartitionLog, from: number, end: number, maxBytes: number, ops: number, memory: MemoryWatch): Promise<Timings> {
  const latencies = new Float64Array(ops);
  let records = 0;
  let bytes = 0;
  let at = from;
  const window = memory.begin();
  for (let i = 0; i < ops; i++) {
    const t = performance.now();
    const batches = log.read(at, end, maxBytes);
    latencies[i] = performance.now() - t;
    if (batches.length === 0) throw new Error(`bench storage: a fetch at ${at} below ${end} returned nothing`);
    for (const b of batches) {
      records += b.lastOffsetDelta + 1;
      bytes += storedBytesOf(b);
    }
    at = lastOffsetOf(batches.at(-1)!) + 1;
    if (at >= end) at = from;
  }
  return timings(latencies, records, bytes, await memory.end(window));
}

function measureRandomReads(log: PartitionLog, shape: BatchShape, ops: number): StorageBenchResult['randomRead'] {
  const rng = new Rng('bench-storage');
  const end = log.logEndOffset;
  const byOffset = new Float64Array(ops);
  for (let i = 0; i < ops; i++) {
    const offset = rng.int(end);
    const t = performance.now();
    const [batch] = log.read(offset, end, 1);
    byOffset[i] = performance.now() - t;
    if (batch === undefined || batch.baseOffset > offset || lastOffsetOf(batch) < offset) {
      throw new Error(`bench storage: a read at offset ${offset} returned ${batch === undefined ? 'nothing' : `the batch at ${batch.baseOffset}`}`);
    }
  }
  const byTimestamp = new Float64Array(ops);
  for (let i = 0; i < ops; i++) {
    // Record n's timestamp is baseTimestamp + n: the lookup must find offset n.
    const offset = rng.int(end);
    const t = performance.now();
    const found = log.offsetForTimestamp(shape.baseTimestamp + offset);
    byTimestamp[i] = performance.now() - t;
    if (found?.offset !== offset) throw new Error(`bench storage: the timestamp of offset ${offset} was found at ${found?.offset ?? 'no offset'}`);
  }
  return { records: end, byOffset: latency(byOffset), byTimestamp: latency(byTimestamp) };
}

/** A child writes `bytes` of log and is SIGKILLed; this process then opens the storage and the log. */
async function measureRecovery(
  logDir: string,
  shape: BatchShape,
  bytes: number,
  memory: MemoryWatch,
  progress: (line: string) => void,
): Promise<StorageBenchResult['recovery']> {
  const args: WriterArgs = { logDir, bytes, shape, benchPid: process.pid };
  const child = spawn(process.execPath, [new URL('./storage-writer-boot.js', import.meta.url).pathname, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const report = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith(WRITTEN + ' '));
      if (line !== undefined) resolve(line);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`bench storage: the writer ended (${signal ?? `exit code ${code}`}) before writing its ${mb(bytes)} MB`)),
    );
  });
  child.kill('SIGKILL');
  const { signal } = await exited;
  if (signal !== 'SIGKILL') throw new Error(`bench storage: the writer ended by ${signal ?? 'itself'}, not by SIGKILL`);
  const [, batches, records, written, writeMs] = report.split(' ').map(Number) as [number, number, number, number, number];
  const writeSeconds = writeMs / 1000;
  progress(`writer killed after ${mb(written)} MB (${records.toLocaleString('en-US')} records) in ${writeSeconds.toFixed(1)} s; reopening`);
  const window = memory.begin();
  const storage = openBrokerStorage(logDir);
  const log = openLog(storage, BENCH_PARTITION);
  const spent = await memory.end(window);
  const seconds = spent.ms / 1000;
  try {
    if (log.logEndOffset !== records || log.sizeInBytes !== written) {
      throw new Error(
        `bench storage: after the kill the log reopened with ${log.logEndOffset} records, ${log.sizeInBytes} bytes; the writer wrote ${records}, ${written}`,
      );
    }
  } finally {
    storage.close();
  }
  progress(`reopened in ${seconds.toFixed(2)} s`);
  return {
    bytes: written,
    batches,
    records,
    writeSeconds: round(writeSeconds, 2),
    seconds: round(seconds, 3),
    secondsPerGiB: round(seconds / (written / GIB), 3),
    cpuSeconds: round(spent.cpuMs / 1000, 3),
    gcMs: round(spent.gcMs, 1),
    kafka: KAFKA_RECOVERY,
  };
}

function timings(latencies: Float64Array, records: number, bytes: number, spent: Spent): Timings {
  const l = latency(latencies);
  return {
    ops: l.ops,
    records,
    bytes,
    ms: round(spent.ms, 3),
    cpuMs: round(spent.cpuMs, 3),
    gcMs: round(spent.gcMs, 1),
    recordsPerSec: Math.round((records / spent.ms) * 1000),
    // process.cpuUsage() counts microseconds: less than one counts as one.
    recordsPerCpuSec: Math.round((records / Math.max(spent.cpuMs, 0.001)) * 1000),
    mbPerSec: round(bytes / MIB / (spent.ms / 1000), 1),
    p50Ms: l.p50Ms,
    p99Ms: l.p99Ms,
    maxMs: l.maxMs,
  };
}

function latency(ms: Float64Array): LatencyFigures {
  const sorted = ms.slice().sort();
  // To the nanosecond: a fetch served from memory takes about a microsecond.
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!, 6);
  return { ops: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted.at(-1)!, 6) };
}

function modeOf(sizes: readonly number[]): StorageBenchResult['mode'] {
  const same = (other: readonly number[]) => sizes.length === other.length && sizes.every((s, i) => s === other[i]);
  return same(FULL_SIZES) ? 'full' : same(QUICK_SIZES) ? 'quick' : 'custom';
}

/** A figure at the largest size measured over the smallest, or null with one size alone. */
function ratio(points: readonly StoragePoint[], figure: (p: StoragePoint) => number): number | null {
  return points.length < 2 ? null : round(figure(points.at(-1)!) / figure(points[0]!), 3);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function mb(bytes: number): number {
  return Math.round(bytes / MIB);
}
