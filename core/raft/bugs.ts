// The seeded bugs of the quorum: switches that bring back a known mistake (from Kafka's history
// or Raft's folklore) so the checkers can be shown to catch it.

export const RAFT_BUGS = {
  'raft-vote-before-fsync': 'A vote is answered before it is durable; a crash then lets the voter vote twice in one epoch.',
  'raft-vote-twice': 'A voter forgets the vote it gave in this epoch and grants every candidate of the epoch.',
  'raft-no-log-check': 'Votes are granted without checking that the candidate log is at least as up to date.',
  'raft-commit-old-epoch': "The high watermark advances over entries of older epochs by counting replicas (Raft's figure 8).",
  'raft-commit-unflushed': 'The leader counts its own unflushed entries toward the high watermark (KAFKA-10533).',
  'raft-same-epoch-reinit': 'A restarted leader resumes leading in its old epoch (KAFKA-10527).',
  'raft-apply-uncommitted': 'Entries reach the state machine (the metadata image) when appended, before they are committed.',
  'raft-candidate-gives-up': 'A voter whose election or pre-vote round fails never stands again.',
  'raft-no-prevote':
    'A voter that stops hearing from a leader bumps the epoch and stands at once, without first asking whether the others would vote for it (no KIP-996 pre-vote): a voter cut off and back disrupts a healthy leader.',
  'raft-follower-ignores-hw': 'Followers ignore the high watermark the leader sends, so they never apply what was committed.',
  'raft-snapshot-id-off-by-one':
    'A snapshot is named by the offset of the last record it contains instead of the end offset after it, so a node that loads it applies that record again (KAFKA-14618).',
} as const;

export type RaftBug = keyof typeof RAFT_BUGS;
