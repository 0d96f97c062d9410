// The seeded bugs of the group coordinator: mistakes a coordinator can make with generations,
// committed offsets and failover, for the group checkers.

export const GROUP_BUGS = {
  'commit-no-generation-check':
    'The coordinator accepts an offset commit whatever its member and generation, so a member fenced by a rebalance still overwrites the new owner’s offsets.',
  'offsets-in-memory':
    'Committed offsets are kept in the coordinator’s memory and acknowledged without being written to __consumer_offsets, so a coordinator failover forgets them.',
  'coordinator-no-load':
    'A new coordinator serves its groups before it has replayed its __consumer_offsets partition, answering with the state it does not have yet.',
  'txn-offsets-on-abort':
    'The coordinator makes a transaction’s pending offsets (TxnOffsetCommit) the group’s committed offsets on its ABORT marker too, so a processor that aborts a transaction still moves past the input it did not write.',
} as const;

export type GroupBug = keyof typeof GROUP_BUGS;
