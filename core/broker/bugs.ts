// The seeded bugs of the replica manager: switches that bring back mistakes from Kafka's history
// of replication (KIP-101, KIP-320, KAFKA-7128, KIP-966, ...) and of transactions (KIP-98, KIP-890),
// for the partition and history checkers.

export const BROKER_BUGS = {
  'truncate-to-hw': 'A new follower truncates its log to its own high watermark and fetches without its last epoch (before KIP-101).',
  'no-epoch-fencing':
    'Fetches are not fenced by leader epoch: a leader serves and counts a fetcher of another epoch, and does not check its last fetched epoch (before KIP-320).',
  'isr-join-before-epoch-start':
    "A follower joins the ISR once it reaches the leader's high watermark, even below the leader epoch's start offset (KAFKA-7128).",
  'no-maximal-isr': 'The high watermark is computed over the current ISR while an ISR expansion is pending (no maximal ISR).',
  'hw-below-min-isr': 'The high watermark advances while the ISR is smaller than min.insync.replicas (before KIP-966).',
  'ack-before-hw': 'acks=all writes are acknowledged as soon as the leader has appended them.',
  'no-sequence-check': 'The broker appends idempotent batches without checking their sequence numbers, duplicates included.',
  'follower-hw-unclamped': "A follower takes the leader's high watermark as its own without clamping it to its log end offset.",
  'no-isr-expansion': 'A leader never asks to add a caught-up follower back to the ISR, so the ISR only shrinks.',
  'isr-lag-since-last-fetch':
    'A leader counts a follower as caught up whenever it fetches, however far behind it is (replica.lag.time.max.ms read as time since the last fetch, as before KAFKA-1546), so a slow follower never leaves the ISR.',
  'fetch-beyond-hw':
    "A leader serves consumers' fetches up to its log end offset instead of its high watermark, so they read records no follower holds yet (a dirty read; Redpanda's leader_ack visibility bug, fixed in PR #14794).",
  'retention-past-hw':
    "Retention deletes segments without the high watermark guard, so a leader's log start can pass records no follower holds yet (Kafka's deleteOldSegments never deletes a segment whose end is above the high watermark).",
  'producer-state-lost-on-truncate':
    'After a truncation a replica resets its idempotent producer state instead of rebuilding it from the log it kept, forgetting the producers whose batches remain (KAFKA-5435).',
  'lso-ignores-open-txn':
    'The last stable offset is the high watermark whatever transactions are open, so read_committed consumers read records of transactions not yet committed (and the cleaner compacts them).',
  'fetch-ignores-aborted-index':
    'A read_committed fetch answers no aborted transactions, so consumers keep the records of aborted transactions (aborted reads).',
  'hanging-transaction':
    "KIP-890 part 1's verification is off: a produce delayed past its transaction's end opens a transaction the coordinator does not know, which no marker ever ends (a hanging transaction: the last stable offset stops).",
} as const;

export type BrokerBug = keyof typeof BROKER_BUGS;
