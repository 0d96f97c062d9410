// BUGGIFY (FoundationDB's technique): named points inside the core where, in simulation only and
// rarely, the code takes a path that is legal but unusual (a later fsync, a smaller batch, a short
// read, an early timeout, work in another order), so that rare interleavings come up in ordinary
// seeds. The real runtime never buggifies; with BUGGIFY off a run draws nothing and traces are unchanged.

export const BUGGIFY_SITES = {
  'raft.flush-late': "The quorum leader's fsync of appended entries waits an extra 50 ms (it counts its own log end only once flushed).",
  'producer.batch-split': 'The producer closes the open batch after this record, as a smaller batch.size would.',
  'producer.early-timeout': 'A produce request times out in the producer after a tenth of request.timeout.ms, so it is retried while it may still succeed.',
  'fetch.short-read': 'A leader answers a fetch with at most one batch per partition, as a tiny partition max bytes would.',
  'follower.reorder': "A follower applies a fetch answer's partitions in reverse order.",
} as const;

export type BuggifySite = keyof typeof BUGGIFY_SITES;

export const BUGGIFY_SITE_NAMES = Object.keys(BUGGIFY_SITES) as BuggifySite[];
