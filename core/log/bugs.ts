// The seeded bugs of the log cleaner (log compaction, KIP-534 tombstones): mistakes a cleaner can
// make that lose a key's last value, reorder records or delete tombstones early, for the
// compaction checkers (compaction-last-value, compaction-order, offsets-stable, tombstone-visible).

export const LOG_BUGS = {
  'cleaner-drops-last-value':
    "The log cleaner's offset map keeps, for a key written more than once in the dirty range, the offset before its last one, so the cleaner keeps the key's second-to-last record and drops its last value.",
  'cleaner-reorders':
    "The log cleaner rewrites a batch it shrinks with the remaining records in reverse order, numbered again from the batch's base offset: offsets come to hold other records, out of the order they were written.",
  'tombstone-deleted-early':
    'The log cleaner ignores the delete horizon and removes a tombstone at the first clean that finds it the latest record of its key, before delete.retention.ms has passed (KAFKA-4529).',
} as const;

export type LogBug = keyof typeof LOG_BUGS;
