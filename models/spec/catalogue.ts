// The model-checking ladder: every spec variant with its bounds and the verdict it must reach
// (Gustafson's truncation ladder fails until KIP-320; KRaft's election holds and its broken
// variants fail). `samsa model` and the tests run this list.

import { check, type CheckOptions, type CheckResult } from '../explicit/checker.ts';
import { DEFAULT_RAFT_BOUNDS, RAFT_VARIANTS, raftSpec } from './raft.ts';
import { DEFAULT_REPLICATION_BOUNDS, REPLICATION_VARIANTS, replicationSpec } from './replication.ts';

export type ModelSpecName = 'replication' | 'raft';

export interface ModelEntry {
  spec: ModelSpecName;
  variant: string;
  /** What the variant must do at its bounds. */
  expected: 'pass' | 'fail';
  /** One line: what the variant is. */
  summary: string;
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

export const MODEL_CATALOGUE: readonly ModelEntry[] = [
  ...REPLICATION_VARIANTS.map(
    (variant): ModelEntry => ({
      spec: 'replication',
      variant,
      expected: variant === 'kip-320' || variant === 'kip-320-epoch-start' ? 'pass' : 'fail',
      summary: REPLICATION_SUMMARIES[variant],
      bounds: { ...DEFAULT_REPLICATION_BOUNDS },
      run: (options) => {
        const spec = replicationSpec(variant);
        return { result: check(spec, options) as CheckResult<unknown>, describe: spec.describe as (s: unknown) => string };
      },
    }),
  ),
  ...RAFT_VARIANTS.map(
    (variant): ModelEntry => ({
      spec: 'raft',
      variant,
      expected: variant === 'kraft' ? 'pass' : 'fail',
      summary: RAFT_SUMMARIES[variant],
      bounds: { ...DEFAULT_RAFT_BOUNDS },
      run: (options) => {
        const spec = raftSpec(variant);
        return { result: check(spec, options) as CheckResult<unknown>, describe: spec.describe as (s: unknown) => string };
      },
    }),
  ),
];

/** Whether a result is what the ladder says it must be (an incomplete search never is). */
export function asExpected(entry: ModelEntry, result: CheckResult<unknown>): boolean {
  return result.verdict === entry.expected;
}
