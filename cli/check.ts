// `samsa check --bootstrap H:P`: a black-box check of any Kafka-protocol cluster (net/check-workload.ts):
// Samsa's own clients produce and consume, the simulator's history checkers judge what they saw, and the
// verdict, counts and violations print as `samsa run` prints them (exit 0 clean, 1 violation, 2 unknown).
// With --transactional the producers send in transactions and the consumers read read_committed.

import { Option, type Command } from 'commander';
import { HISTORY_CHECKERS } from '../models/history/history-checkers.ts';
import { CheckSetupError, runCheck, type CheckResult } from '../net/check-workload.ts';
import type { NemesisSummary } from '../net/nemesis-runner.ts';
import { checkNemesisSpec, nemesisPlan, REAL_NEMESIS_FAULTS } from './nemesis-schedule.ts';
import { dim, durationOption, figuresTable, intOption, ok, printJson, terminalWidth, traceFileSink, UserError, warn } from './output.ts';
import { allowedLine, checkersLine, transactionsLine, verdictLine, violationsTable } from './run.ts';
import { bootstrapOf, connectionOptions, securityOf, type ConnectionOptions } from './tool-options.ts';

interface CheckFlags extends ConnectionOptions {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  duration: number;
  rate: number;
  acks: string;
  producers: number;
  consumers: number;
  keys: number;
  transactional?: boolean;
  txnSize: number;
  txnAbort: number;
  history?: string;
  nemesis?: string;
  faultControl?: string;
  nemesisInterval: number;
  seed: number;
  verbose?: boolean;
  json?: boolean;
}

const ACKS: ReadonlyMap<string, 'all' | 1 | 0> = new Map<string, 'all' | 1 | 0>([
  ['all', 'all'],
  ['-1', 'all'],
  ['1', 1],
  ['0', 0],
]);

/** Parses a probability option (0 to 1), naming the option when the value is not one. */
function probabilityOption(name: string): (value: string) => number {
  return (value) => {
    const p = Number(value);
    if (value.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new UserError(`${name} must be a number from 0 to 1, got "${value}"`);
    return p;
  };
}

export function registerCheck(program: Command): void {
  connectionOptions(
    program
      .command('check')
      .description(
        "check any Kafka-protocol cluster black-box: Samsa's own producers and consumers run a workload, then a drain reads every partition to its end, and the simulator's history checkers (lost-write, duplicate, inconsistent-offset, poll-skip, …) judge what the clients saw; exit 0 when clean, 1 on a violation, 2 when the verdict is unknown (no write acknowledged), 64 on bad input or a cluster that cannot be reached",
      ),
  )
    .option('--topic <name>', 'the topic to write and read (created if missing)', 'samsa-check')
    .option('--partitions <n>', "partitions of the topic, if it is created (default: the cluster's)", intOption('--partitions', 1))
    .option('--replication-factor <n>', "replicas per partition, if the topic is created (default: the cluster's)", intOption('--replication-factor', 1))
    .addOption(new Option('--duration <time>', 'how long the producers send (then the drain)').argParser(durationOption('--duration')).default(60_000, '60s'))
    .option('--rate <n>', 'records per second, per producer', intOption('--rate', 1), 100)
    .option('--acks <acks>', 'all (-1), 1 or 0', 'all')
    .option('--producers <n>', 'producers (p1, p2, …)', intOption('--producers', 1), 1)
    .option('--consumers <n>', 'consumers (c1, …), each assigned every partition', intOption('--consumers', 1), 1)
    .option('--keys <n>', 'distinct keys the producers draw from (0: no keys)', intOption('--keys'), 10)
    .option(
      '--transactional',
      'producers send in transactions (transactional.id samsa-check-<producer>-<run>), some aborted on purpose; consumers read with isolation.level=read_committed; the transaction checkers (aborted-read, precommitted-read, torn-transaction) judge them; needs --acks all',
    )
    .option('--txn-size <n>', 'with --transactional, records per transaction', intOption('--txn-size', 1), 10)
    .option('--txn-abort <p>', 'with --transactional, the fraction of transactions aborted on purpose', probabilityOption('--txn-abort'), 0.1)
    .option('--history <file>', 'write the client history as a trace (JSON Lines) that `samsa viz` opens')
    .option(
      '--nemesis <scenario|kinds>',
      `faults while the producers send: a scenario file (its faults: and its nemesis: drawn for --seed) or some of ${REAL_NEMESIS_FAULTS.join(',')}; needs --fault-control; every fault is undone before the drain`,
    )
    .option('--fault-control <url>', 'the fault control address `samsa cluster --faults` prints (http://127.0.0.1:PORT/faults)')
    .addOption(
      new Option('--nemesis-interval <time>', 'with --nemesis kinds, the time between faults')
        .argParser(durationOption('--nemesis-interval'))
        .default(10_000, '10s'),
    )
    .option('--seed <n>', 'the seed the nemesis is drawn from', intOption('--seed', 0), 1)
    .option('--verbose', 'list every violation (the table otherwise shows the first few)')
    .option('--json', 'print the result as one JSON line at the end')
    .action(async (opts: CheckFlags) => {
      const acks = ACKS.get(opts.acks);
      if (acks === undefined) throw new UserError(`--acks: expected all, -1, 1 or 0, got "${opts.acks}"`);
      // Kafka's rule: a transactional.id needs idempotence, which needs acks=all.
      if (opts.transactional === true && acks !== 'all')
        throw new UserError(`--transactional: needs --acks all (a transactional producer is idempotent), got "${opts.acks}"`);
      const bootstrap = bootstrapOf(opts);
      const security = securityOf(opts);
      if ((opts.nemesis === undefined) !== (opts.faultControl === undefined)) {
        throw new UserError(
          opts.nemesis === undefined ? '--fault-control: only with --nemesis' : '--nemesis: needs --fault-control, the address `samsa cluster --faults` prints',
        );
      }
      const spec = opts.nemesis;
      if (spec !== undefined) checkNemesisSpec(spec, opts.topic);
      const progress = opts.json === true ? process.stderr : process.stdout;
      let nemesisSource: string | null = null;
      const nemesis =
        spec === undefined
          ? null
          : {
              url: opts.faultControl!,
              schedule: (cluster: { brokers: number; partitions: number }) => {
                const plan = nemesisPlan(spec, { ...cluster, topic: opts.topic, durationMs: opts.duration, intervalMs: opts.nemesisInterval, seed: opts.seed });
                nemesisSource = plan.source;
                progress.write(dim(`nemesis: ${plan.schedule.length} faults from ${plan.source}\n`));
                return plan.schedule;
              },
            };
      const started = performance.now();
      const setup = {
        bootstrap: opts.bootstrap,
        topic: opts.topic,
        durationMs: opts.duration,
        rate: opts.rate,
        acks,
        producers: opts.producers,
        consumers: opts.consumers,
        keys: opts.keys,
        ...(spec !== undefined ? { nemesis: spec, seed: opts.seed } : {}),
        ...(opts.transactional === true ? { transactional: true, txnSize: opts.txnSize, txnAbort: opts.txnAbort } : {}),
      };
      let result: CheckResult;
      try {
        result = await runCheck({
          ...setup,
          bootstrap,
          partitions: opts.partitions ?? -1,
          replicationFactor: opts.replicationFactor ?? -1,
          timeoutMs: opts.timeout,
          history: opts.history === undefined ? null : traceFileSink(opts.history),
          setup,
          nemesis,
          transactions: opts.transactional === true ? { size: opts.txnSize, abort: opts.txnAbort } : null,
          log: (line) => progress.write(dim(`  ${line}\n`)),
          ...(security !== undefined ? { security } : {}),
        });
      } catch (err) {
        if (err instanceof CheckSetupError) throw new UserError(err.message);
        throw err;
      }
      const wallMs = Math.round(performance.now() - started);
      const human = opts.json === true ? process.stderr : process.stdout;
      human.write(describeCheck(result, opts, wallMs, nemesisSource, { verbose: opts.verbose === true, width: terminalWidth(human) }) + '\n');
      if (opts.json === true) {
        printJson({
          bootstrap: opts.bootstrap,
          topic: result.topic,
          partitions: result.partitions,
          acks: opts.acks,
          durationMs: result.durationMs,
          wallMs,
          violations: result.violations.map((v) => ({ name: v.name, message: v.message, step: v.step, nodes: v.nodes })),
          violationCounts: result.violationCounts,
          counts: result.counts,
          ...(opts.transactional === true ? { transactions: result.transactions } : {}),
          unsettled: result.unsettled,
          finalReadComplete: result.finalReadComplete,
          nemesis: result.nemesis === null ? null : { source: nemesisSource, ...result.nemesis },
          valid: result.valid,
          history: opts.history ?? null,
        });
      }
      process.exitCode = result.valid === false ? 1 : result.valid === 'unknown' ? 2 : 0;
    });
}

const n = (x: number) => x.toLocaleString('en-US');

function describeCheck(r: CheckResult, opts: CheckFlags, wallMs: number, nemesisSource: string | null, options: { verbose: boolean; width: number }): string {
  const c = r.counts;
  const lines = [
    figuresTable(
      `check of ${opts.bootstrap}, topic ${r.topic}`,
      [
        [
          'workload',
          `${opts.producers} producer(s) at ${n(opts.rate)}/s each, acks=${opts.acks}, ${opts.consumers} consumer(s) assigned all ${r.partitions} partition(s)` +
            (opts.transactional === true ? `; transactions of ${n(opts.txnSize)} records, ${opts.txnAbort * 100}% aborted on purpose, read_committed` : ''),
        ],
        ['wall time (with setup and drain)', `${(wallMs / 1000).toFixed(1)} s`],
        ...(r.nemesis !== null ? [['nemesis', nemesisLine(r.nemesis, nemesisSource)] as [string, string]] : []),
        ['records sent / acknowledged / failed / unknown', `${n(c.sends)} / ${n(c.acknowledged)} / ${n(c.failed)} / ${n(c.unknown)}`],
        ...(r.unsettled > 0 ? [['sends without an outcome at the end', warn(n(r.unsettled))] as [string, string]] : []),
        ['records consumed (all consumers)', n(c.consumed)],
        ...(opts.transactional === true
          ? [
              ['transactions committed / aborted / unknown', transactionsLine(r.transactions)] as [string, string],
              ['allowed, as Kafka allows them', allowedLine()] as [string, string],
            ]
          : []),
        [
          'final read',
          r.finalReadComplete
            ? ok('every partition read to its end')
            : warn('incomplete: not every partition was read to its end, so unread writes are not judged lost'),
        ],
        [
          'checkers',
          checkersLine(
            HISTORY_CHECKERS.map((c) => c.name),
            r.violationCounts,
            'history checkers',
          ),
        ],
        ['verdict', verdictLine(r.valid, r.counts, r.violationCounts)],
        ['history', opts.history ?? dim('not written (--history FILE)')],
      ],
      options.width,
    ),
  ];
  if (r.violations.length > 0) lines.push(violationsTable(r.violations, r.violationCounts, options));
  if (opts.history !== undefined) lines.push(dim(`watch it: npx samsa viz ${opts.history}`));
  return lines.join('\n');
}

function nemesisLine(s: NemesisSummary, source: string | null): string {
  const parts = [`${n(s.applied)} faults applied from ${source ?? 'the schedule'}`];
  if (s.idle > 0) parts.push(`${n(s.idle)} struck nothing (no node matched, or it was already down)`);
  if (s.failed.length > 0) parts.push(warn(`${n(s.failed.length)} refused: ${s.failed[0]}${s.failed.length > 1 ? ' …' : ''}`));
  return parts.join('; ');
}
