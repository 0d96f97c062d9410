// `samsa bench storage`: the partition log on real files as data grows; its flags, its tables and, with --json, its figures.

import type { Command } from 'commander';
import {
  defaultStorageBenchOptions,
  FULL_SIZES,
  QUICK_SIZES,
  runStorageBench,
  TARGET_COST_RATIO,
  TARGET_RANDOM_READ_P99_MS,
  type LatencyFigures,
  type StorageBenchResult,
} from '../bench/storage.ts';
import { bad, dim, figuresTable, intOption, ok, printJson, table, UserError, warn } from './output.ts';

const MIB = 1_048_576;

interface StorageOptions {
  json?: boolean;
  quick?: boolean;
  sizes?: number[];
  maxRecords?: number;
  batchRecords?: number;
  valueBytes?: number;
  ops?: number;
  randomReads?: number;
  fetchBytes?: number;
  recoveryMib?: number;
}

const count = (n: number) => n.toLocaleString('en-US');

export function registerStorageBench(bench: Command): void {
  bench
    .command('storage')
    .description(
      'the partition log on real files as data grows: append and fetch throughput and p99 with 10 thousand, 1 million and 10 million records stored ' +
        '(costRatio = append throughput at the largest size / at the smallest), reads by offset and by timestamp deep in the log, and reopening a log after its writer is SIGKILLed',
    )
    .option('--quick', `stored sizes ${QUICK_SIZES.map(count).join(', ')}, 64 MiB for the recovery, fewer warm-up and random reads`)
    .option('--sizes <n,...>', `records stored at each measured point, ascending (default ${FULL_SIZES.map(count).join(', ')})`, sizesOption)
    .option('--max-records <n>', 'grow the log no further than this: larger sizes give way to it', intOption('--max-records', 1))
    .option('--batch-records <n>', 'records per batch (default 100)', intOption('--batch-records', 1))
    .option('--value-bytes <n>', 'bytes of each record value (default 100; each record also has a key of about 7 bytes)', intOption('--value-bytes', 0))
    .option('--ops <n>', 'timed appends, and timed fetches, at each size (default 500)', intOption('--ops', 1))
    .option(
      '--random-reads <n>',
      'timed reads by offset, and lookups by timestamp, at the largest size (default 2,000; 1,000 with --quick)',
      intOption('--random-reads', 1),
    )
    .option('--fetch-bytes <n>', "bytes one fetch asks for (default 1,048,576, Kafka's max.partition.fetch.bytes)", intOption('--fetch-bytes', 1))
    .option('--recovery-mib <n>', 'MiB of log the killed writer leaves (default 1,024; 64 with --quick)', intOption('--recovery-mib', 1))
    .option('--json', 'print the figures as one JSON line at the end')
    .action(async (opts: StorageOptions) => {
      const human = opts.json ? process.stderr : process.stdout;
      const defaults = defaultStorageBenchOptions(opts.quick === true);
      const result = await runStorageBench({
        ...defaults,
        sizes: cappedSizes(opts.sizes ?? defaults.sizes, opts.maxRecords),
        batchRecords: opts.batchRecords ?? defaults.batchRecords,
        valueBytes: opts.valueBytes ?? defaults.valueBytes,
        ops: opts.ops ?? defaults.ops,
        randomReads: opts.randomReads ?? defaults.randomReads,
        fetchBytes: opts.fetchBytes ?? defaults.fetchBytes,
        recoveryBytes: opts.recoveryMib !== undefined ? opts.recoveryMib * MIB : defaults.recoveryBytes,
        progress: (line) => process.stderr.write(line + '\n'),
      });
      human.write(describeStorageBench(result) + '\n');
      if (opts.json) printJson(result);
    });
}

function sizesOption(value: string): number[] {
  const sizes = value.split(',').map((s) => s.trim().replaceAll('_', ''));
  if (sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s)))) {
    throw new UserError(`--sizes must be positive integers separated by commas, got "${value}"`);
  }
  const numbers = sizes.map(Number);
  if (numbers.some((n, i) => i > 0 && n <= numbers[i - 1]!)) throw new UserError(`--sizes must ascend, got "${value}"`);
  return numbers;
}

/** The sizes up to `max`, and `max` itself in place of the larger ones. */
function cappedSizes(sizes: number[], max: number | undefined): number[] {
  if (max === undefined || sizes.at(-1)! <= max) return sizes;
  return [...sizes.filter((s) => s < max), max];
}

function describeStorageBench(r: StorageBenchResult): string {
  const ms = (v: number) => String(Number(v.toPrecision(3)));
  const pair = (l: { p50Ms: number; p99Ms: number }) => `${ms(l.p50Ms)} / ${ms(l.p99Ms)}`;
  const triple = (l: { p50Ms: number; p99Ms: number; maxMs: number }) => `${pair(l)} / ${ms(l.maxMs)}`;
  const mark = (met: boolean, target: string) => `(${met ? ok('meets') : bad('misses')} ${target})`;
  const random = (l: LatencyFigures) => `${pair(l)} ${mark(l.p99Ms < TARGET_RANDOM_READ_P99_MS, `p99 < ${TARGET_RANDOM_READ_P99_MS} ms`)}`;
  const first = r.points[0]!;
  const last = r.points.at(-1)!;
  const lines = [
    table(
      [
        'records stored',
        'log MB',
        'append records/s',
        'append records/CPU s',
        'append MB/s',
        'append p50 / p99 / max ms',
        'fetch records/s',
        'fetch p50 / p99 ms',
        'GC ms append / fetch',
        'heap MB',
      ],
      r.points.map((p) => [
        p.records,
        (p.logBytes / MIB).toFixed(1),
        p.append.recordsPerSec,
        p.append.recordsPerCpuSec,
        p.append.mbPerSec,
        triple(p.append),
        p.fetch.recordsPerSec,
        pair(p.fetch),
        `${p.append.gcMs} / ${p.fetch.gcMs}`,
        p.heapUsedMb,
      ]),
    ),
    figuresTable(`partition log on real files, ${r.mode} sizes`, [
      [
        `append cost ratio (records/s at ${count(last.records)} / at ${count(first.records)})`,
        r.costRatio === null ? dim('- (one size measured)') : `${r.costRatio} ${mark(r.costRatio >= TARGET_COST_RATIO, `>= ${TARGET_COST_RATIO}`)}`,
      ],
      ['the same per CPU second (time the machine gave to others left out)', r.cpuCostRatio ?? dim('-')],
      ['fetch cost ratio (the same for fetches)', r.fetchCostRatio ?? dim('-')],
      [`read one batch at a random offset, ${count(r.randomRead.records)} records stored (p50 / p99 ms)`, random(r.randomRead.byOffset)],
      [`look up a random timestamp, ${count(r.randomRead.records)} records stored (p50 / p99 ms)`, random(r.randomRead.byTimestamp)],
      [
        'recovery after SIGKILL: seconds per GiB',
        `${r.recovery.secondsPerGiB} (${r.recovery.seconds} s to reopen ${(r.recovery.bytes / MIB).toFixed(1)} MiB, ${count(r.recovery.records)} records; GC ${r.recovery.gcMs} ms)`,
      ],
      ["Kafka's recovery (documented)", r.recovery.kafka],
      ['peak resident MB', r.peakRssMb],
    ]),
  ];
  if (r.stoppedEarly !== null) {
    lines.push(
      warn(`growth stopped at ${count(r.stoppedEarly.atRecords)} records of the ${count(r.sizesRequested.at(-1)!)} asked for: ${r.stoppedEarly.reason}`),
    );
  }
  lines.push(
    dim(
      `${r.batchRecords} records per batch, ${r.valueBytes}-byte values and a key (${count(r.batchBytes)} bytes a batch on disk); ` +
        `${r.ops} timed appends and fetches per size, each fetch up to ${count(r.fetchBytes)} bytes; no fsync per append (Kafka's default flush.messages)`,
    ),
  );
  return lines.join('\n');
}
