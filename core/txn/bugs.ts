// The seeded bugs of the transaction coordinator: the races around EndTxn and its markers that
// Jepsen found in Kafka-compatible systems (KAFKA-17754), for the transactional checkers.

export const TXN_BUGS = {
  'endtxn-before-markers':
    'The transaction coordinator writes CompleteCommit/CompleteAbort as soon as PrepareCommit/PrepareAbort is written, without waiting for the markers to be acknowledged, so the next transaction of the same producer starts (and may be ended) while the previous markers are still on their way.',
  'no-epoch-bump-per-txn':
    'EndTxn with an epoch bump (v5, KIP-890 part 2) keeps the producer epoch and answers it unchanged, so a delayed produce of one transaction can land in the next one (KAFKA-17754).',
} as const;

export type TxnBug = keyof typeof TXN_BUGS;
