// The transaction requests (KIP-98, KIP-447, KIP-890, KIP-664) with Kafka's field names, in their
// newest shapes: AddPartitionsToTxn v4+ (batched by transaction, VerifyOnly for the leaders' KIP-890
// checks), AddOffsetsToTxn, EndTxn (v5: the coordinator bumps the epoch per transaction and answers
// the new id and epoch), WriteTxnMarkers (coordinator to leaders), TxnOffsetCommit v3+ (with the
// consumer's generation), DescribeTransactions and ListTransactions. The wire converters map older
// versions onto them. InitProducerId is in data.ts (a transactional id sends it to the coordinator).

/** The transaction coordinator's states (TransactionMetadata.scala), as DescribeTransactions and ListTransactions name them. */
export const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;
export type TxnStateName = (typeof TXN_STATES)[number];

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnTransaction {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** A leader's KIP-890 check: answer whether the partitions are in the ongoing transaction, add nothing. */
  verifyOnly: boolean;
  topics: AddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnRequest {
  api: 'AddPartitionsToTxn';
  kind: 'request';
  correlationId: number;
  /** One transaction from a client (v0-v3); any number from a broker (v4+). */
  transactions: AddPartitionsToTxnTransaction[];
}

export interface AddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}

export interface AddPartitionsToTxnResult {
  transactionalId: string;
  topicResults: Array<{ name: string; resultsByPartition: AddPartitionsToTxnPartitionResult[] }>;
}

export interface AddPartitionsToTxnResponse {
  api: 'AddPartitionsToTxn';
  kind: 'response';
  correlationId: number;
  /** A top-level error (v4+), e.g. NOT_COORDINATOR for a batched request; per-partition codes otherwise. */
  errorCode: number;
  resultsByTransaction: AddPartitionsToTxnResult[];
}

export interface AddOffsetsToTxnRequest {
  api: 'AddOffsetsToTxn';
  kind: 'request';
  correlationId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  api: 'AddOffsetsToTxn';
  kind: 'response';
  correlationId: number;
  errorCode: number;
}

export interface EndTxnRequest {
  api: 'EndTxn';
  kind: 'request';
  correlationId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** true: commit; false: abort. */
  committed: boolean;
  /** EndTxn v5+ (KIP-890 part 2, transaction.version 2): the coordinator bumps the epoch and answers the new id and epoch. */
  bumpEpoch: boolean;
}

export interface EndTxnResponse {
  api: 'EndTxn';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  /** The producer id and epoch for the next transaction (v5+), -1 otherwise. */
  producerId: number;
  producerEpoch: number;
}

export interface WritableTxnMarker {
  producerId: number;
  producerEpoch: number;
  /** true: COMMIT; false: ABORT. */
  transactionResult: boolean;
  topics: Array<{ name: string; partitionIndexes: number[] }>;
  coordinatorEpoch: number;
}

/** Sent by a transaction coordinator to the leaders of a transaction's partitions. */
export interface WriteTxnMarkersRequest {
  api: 'WriteTxnMarkers';
  kind: 'request';
  correlationId: number;
  markers: WritableTxnMarker[];
}

export interface WriteTxnMarkersResponse {
  api: 'WriteTxnMarkers';
  kind: 'response';
  correlationId: number;
  markers: Array<{ producerId: number; topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }> }>;
}

export interface TxnOffsetCommitPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

/** Sent by a transactional producer to the group coordinator: offsets that take effect when the transaction commits. */
export interface TxnOffsetCommitRequest {
  api: 'TxnOffsetCommit';
  kind: 'request';
  correlationId: number;
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  /** v3+ (KIP-447): the consumer's generation and member, so a zombie is fenced; -1 and "" when unknown. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{ name: string; partitions: TxnOffsetCommitPartition[] }>;
}

export interface TxnOffsetCommitResponse {
  api: 'TxnOffsetCommit';
  kind: 'response';
  correlationId: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

export interface DescribeTransactionsRequest {
  api: 'DescribeTransactions';
  kind: 'request';
  correlationId: number;
  transactionalIds: string[];
}

export interface TransactionStateDescription {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  /** -1 when no transaction is ongoing. */
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}

export interface DescribeTransactionsResponse {
  api: 'DescribeTransactions';
  kind: 'response';
  correlationId: number;
  transactionStates: TransactionStateDescription[];
}

export interface ListTransactionsRequest {
  api: 'ListTransactions';
  kind: 'request';
  correlationId: number;
  /** Empty: every state. */
  stateFilters: string[];
  /** Empty: every producer id. */
  producerIdFilters: number[];
  /** v1+ (KIP-994): only transactions running longer than this; -1: all. */
  durationFilter: number;
}

export interface ListTransactionsResponse {
  api: 'ListTransactions';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: Array<{ transactionalId: string; producerId: number; transactionState: string }>;
}

export type TxnRequest =
  | AddPartitionsToTxnRequest
  | AddOffsetsToTxnRequest
  | EndTxnRequest
  | WriteTxnMarkersRequest
  | TxnOffsetCommitRequest
  | DescribeTransactionsRequest
  | ListTransactionsRequest;
export type TxnResponse =
  | AddPartitionsToTxnResponse
  | AddOffsetsToTxnResponse
  | EndTxnResponse
  | WriteTxnMarkersResponse
  | TxnOffsetCommitResponse
  | DescribeTransactionsResponse
  | ListTransactionsResponse;
export type TxnMessage = TxnRequest | TxnResponse;

/** The APIs the transaction coordinator serves (TxnOffsetCommit goes to the group coordinator, WriteTxnMarkers to partition leaders). */
export const TXN_COORDINATOR_APIS: ReadonlySet<string> = new Set([
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'EndTxn',
  'DescribeTransactions',
  'ListTransactions',
]);
