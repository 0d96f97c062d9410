// The seeded bugs of the clients: switches that bring back mistakes client libraries have made,
// so the history checkers (key-partition, poll-skip, nonmonotonic-poll, double-assignment) can be
// shown to catch them.

export const CLIENT_BUGS = {
  'partitioner-ignores-key': 'The producer places keyed records like null-keyed ones (sticky partitioning), so one key lands in several partitions.',
  'consumer-drops-buffer': 'A poll cut short by max.poll.records moves the position past every fetched record, dropping those it did not return.',
  'consumer-stale-fetch':
    "The consumer buffers every fetch response it gets (duplicates included) from that fetch's offset, without matching it to its outstanding fetch or its position.",
  'assignor-overlap':
    'The range assignor gives each member the first partition of the next member’s range as well, so two members of one generation consume it.',
  'cooperative-no-revoke':
    'The cooperative-sticky assignor hands a partition to its new owner in the same rebalance that takes it from the old one, skipping the revoke-first round of KIP-429, so both consume it until the old owner syncs.',
} as const;

export type ClientBug = keyof typeof CLIENT_BUGS;
