// The model-checking ladder: every spec variant with its bounds and the verdict it must reach
// (Gustafson's truncation ladder fails until KIP-320; KRaft's election holds and its broken
// variants fail), plus KIP-101 and KIP-279 at two replicas, where they part. `samsa model` and
// the tests run this list.

import { check, type CheckOptions, type CheckResult } from '../explicit/checker.ts';
import { DEFAULT_RAFT_BOUNDS, RAFT_VARIANTS, raftSpec } from './raft.ts';
import { DEFAULT_REPLICATION_BOUNDS, REPLICATION_VARIANTS, type ReplicationBounds, type ReplicationVariant, replicationSpec } from './replication.ts';

export type ModelSpecName = 'replication' | 'raft';

export interface ModelEntry {
  spec: ModelSpecName;
  variant: string;
  /** What the variant must do at its bounds. */
  expected: 'pass' | 'fail';
  /** One line: what the variant is. */
  summary: string;
  /** Set on a variant run again at other bounds than its spec's defaults: what those bounds isolate. */
  scenario?: string;
  bounds: Record<string, number>;
  run(options?: CheckOptions): { result: CheckResult<unknown>; describe: (s: unknown) => string };
}

const REPLICATION_SUMMARIES: Record<(typeof REPLICATION_VARIANTS)[number], string> = {
  'truncate-to-hw': 'a new follower truncates to its own high watermark (before KIP-101)',
  'kip-101': "truncate to the leader's end offset for the follower's last epoch (KIP-101)",
  'kip-279': 'truncate after the last record the follower shares with the leader (KIP-279), unfenced',
  'kip-320-first-try': "no truncation on becoming follower; truncate on a mismatching fetch (KIP-320's rejected design)",
  'kip-320': 'fetch, truncation, high watermark and ISR changes fenced by the leader epoch (KIP-320)',
  'kip-320-epoch-start': "KIP-320 with Kafka's ISR join: follower end >= the leader epoch's start offset (KAFKA-7128)",
};

const RAFT_SUMMARIES: Record<(typeof RAFT_VARIANTS)[number], string> = {
  kraft: 'KRaft election and pull replication (KIP-595)',
  'vote-twice': 'broken: a voter grants a second vote in an epoch',
  'votes-not-persisted': 'broken: the vote is lost on a crash',
  'no-log-check': "broken: voters do not check that the candidate's log is up to date",
};

/**
 * At three replicas KIP-101 and KIP-279 fail alike, by the same 10 actions: a third replica takes
 * a stale LeaderAndIsr request and truncates against a replica that never led that epoch (the
 * unfenced truncation KIP-320 fixed). With two replicas nobody can, so the truncation rule alone
 * decides: KIP-101 loses a committed record when the leader does not know the follower's last
 * epoch, KIP-279 holds (Log Matching too: a third record lets logs diverge).
 */
export const TWO_REPLICA_BOUNDS: ReplicationBounds = { replicas: 2, maxLeaderEpochs: 3, maxRecords: 3, logSize: 2 };

function replicationEntry(variant: ReplicationVariant, expected: ModelEntry['expected'], bounds = DEFAULT_REPLICATION_BOUNDS, scenario?: string): ModelEntry {
  return {
    spec: 'replication',
    variant,
    expected,
    summary: REPLICATION_SUMMARIES[variant],
    scenario,
    bounds: { ...bounds },
    run: (options) => {
      const spec = replicationSpec(variant, bounds);
      return { result: check(spec, options) as CheckResult<unknown>, describe: spec.describe as (s: unknown) => string };
    },
  };
}

export const MODEL_CATALOGUE: readonly ModelEntry[] = [
  ...REPLICATION_VARIANTS.map((variant) => replicationEntry(variant, variant === 'kip-320' || variant === 'kip-320-epoch-start' ? 'pass' : 'fail')),
  replicationEntry('kip-101', 'fail', TWO_REPLICA_BOUNDS, 'two replicas'),
  replicationEntry('kip-279', 'pass', TWO_REPLICA_BOUNDS, 'two replicas'),
  ...RAFT_VARIANTS.map((variant): ModelEntry => ({
    spec: 'raft',
    variant,
    expected: variant === 'kraft' ? 'pass' : 'fail',
    summary: RAFT_SUMMARIES[variant],
    bounds: { ...DEFAULT_RAFT_BOUNDS },
    run: (options) => {
      const spec = raftSpec(variant);
      return { result: check(spec, options) as CheckResult<unknown>, describe: spec.describe as (s: unknown) => string };
    },
  })),
];

/** Whether a result is what the ladder says it must be (an incomplete search never is). */
export function asExpected(entry: ModelEntry, result: CheckResult<unknown>): boolean {
  return result.verdict === entry.expected;
}

/** An entry's name in reports and tests: spec/variant, and its scenario when it has one. */
export function entryId(entry: ModelEntry): string {
  return `${entry.spec}/${entry.variant}${entry.scenario === undefined ? '' : ` (${entry.scenario})`}`;
}

/** Both runs fail the same invariant by the same sequence of actions. */
function sameCounterexample(a: CheckResult<unknown>, b: CheckResult<unknown>): boolean {
  const [x, y] = [a.violation, b.violation];
  if (x === null || y === null || x.invariant !== y.invariant || x.trace.length !== y.trace.length) return false;
  return x.trace.every((step, i) => step.action === y.trace[i]!.action);
}

/**
 * For each run, the index of the previous rung of its ladder (same spec, same bounds) that fails by
 * the very same counterexample, or null: where the model cannot tell two rungs apart.
 */
export function indistinguishableRungs(runs: ReadonlyArray<{ entry: ModelEntry; result: CheckResult<unknown> }>): Array<number | null> {
  const boundsText = (e: ModelEntry) => JSON.stringify(e.bounds);
  return runs.map(({ entry, result }, i) => {
    const previous = runs.findLastIndex((p, j) => j < i && p.entry.spec === entry.spec && boundsText(p.entry) === boundsText(entry));
    return previous !== -1 && sameCounterexample(runs[previous]!.result, result) ? previous : null;
  });
}
