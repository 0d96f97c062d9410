// The data-plane requests brokers serve, with Kafka's field names (Produce v9+, Fetch v12+,
// ListOffsets v7, OffsetForLeaderEpoch v4, Metadata v12, InitProducerId v4, DescribeConfigs v4, DeleteRecords v2). Node ids are the
// simulator's names; the wire codec maps them to Kafka's int32 ids. A consumer's replicaId is
// null (Kafka's -1); a follower's is its broker id, with its broker epoch (KIP-903).

import type { NodeId } from '../env.ts';
import type { LeaderHint, OffsetAndEpoch } from './quorum.ts';
import type { RecordBatch } from './records.ts';

/** acks: 0 = no response, 1 = the leader's log, -1 = all of the ISR (Kafka's "all"). */
export type Acks = 0 | 1 | -1;

export interface ProduceRequest {
  api: 'Produce';
  kind: 'request';
  correlationId: number;
  transactionalId: string | null;
  acks: Acks;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: RecordBatch }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
  /** Where the partition's leader is, when the error says it moved (KIP-951). */
  currentLeader: LeaderHint | null;
}

export interface ProduceResponse {
  api: 'Produce';
  kind: 'response';
  correlationId: number;
  responses: Array<{ name: string; partitionResponses: ProducePartitionResponse[] }>;
  throttleTimeMs: number;
}

export interface FetchPartitionRequest {
  partition: number;
  /** -1: no check (older clients). */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** -1 when unknown (consumers); followers send the epoch of their last entry (KIP-595). */
  lastFetchedEpoch: number;
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  api: 'Fetch';
  kind: 'request';
  correlationId: number;
  /** null for a consumer; the fetching follower's broker id otherwise. */
  replicaId: NodeId | null;
  /** The follower's broker epoch (ReplicaState.ReplicaEpoch), -1 for consumers. */
  replicaEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: 0 | 1;
  topics: Array<{ topic: string; partitions: FetchPartitionRequest[] }>;
}

export interface FetchPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Set for a follower whose log diverges from the leader's (KIP-595). */
  divergingEpoch: OffsetAndEpoch | null;
  currentLeader: LeaderHint;
  /** read_committed (Fetch v4+): the aborted transactions overlapping the returned records, by producer and first offset; null for read_uncommitted. */
  abortedTransactions: AbortedTransaction[] | null;
  records: RecordBatch[];
}

/** An aborted transaction in a partition: its producer and the offset of its first batch there. */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface FetchResponse {
  api: 'Fetch';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  topics: Array<{ topic: string; partitions: FetchPartitionResponse[] }>;
}

/** ListOffsets timestamps with special meaning. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export interface ListOffsetsRequest {
  api: 'ListOffsets';
  kind: 'request';
  correlationId: number;
  replicaId: NodeId | null;
  isolationLevel: 0 | 1;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: number }> }>;
}

export interface ListOffsetsResponse {
  api: 'ListOffsets';
  kind: 'response';
  correlationId: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number; timestamp: number; offset: number; leaderEpoch: number }> }>;
}

export interface OffsetForLeaderEpochRequest {
  api: 'OffsetForLeaderEpoch';
  kind: 'request';
  correlationId: number;
  replicaId: NodeId | null;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; currentLeaderEpoch: number; leaderEpoch: number }> }>;
}

export interface OffsetForLeaderEpochResponse {
  api: 'OffsetForLeaderEpoch';
  kind: 'response';
  correlationId: number;
  topics: Array<{ topic: string; partitions: Array<{ errorCode: number; partition: number; leaderEpoch: number; endOffset: number }> }>;
}

export interface MetadataRequest {
  api: 'Metadata';
  kind: 'request';
  correlationId: number;
  /** null: every topic. */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: NodeId | null;
  leaderEpoch: number;
  replicaNodes: NodeId[];
  isrNodes: NodeId[];
  offlineReplicas: NodeId[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  topicId: string | null;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  api: 'Metadata';
  kind: 'response';
  correlationId: number;
  brokers: Array<{ nodeId: NodeId; host: string; port: number; rack: string | null }>;
  clusterId: string;
  controllerId: NodeId | null;
  topics: MetadataTopic[];
}

export interface InitProducerIdRequest {
  api: 'InitProducerId';
  kind: 'request';
  correlationId: number;
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** The current id and epoch when asking for an epoch bump (KIP-360), else -1. */
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  api: 'InitProducerId';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** ConfigResource.Type ids (KIP-133): the resources DescribeConfigs names. */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** DescribeConfigsResponse.ConfigSource ids (KIP-226): where a config's value comes from. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** DescribeConfigsResponse.ConfigType ids (KIP-569). */
export const ConfigType = { UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;

export interface DescribeConfigsResource {
  resourceType: number;
  /** A topic's name, or a broker's id ("" for the cluster-wide broker defaults). */
  resourceName: string;
  /** null or empty: every key. */
  configurationKeys: string[] | null;
}

export interface DescribeConfigsRequest {
  api: 'DescribeConfigs';
  kind: 'request';
  correlationId: number;
  resources: DescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribeConfigsEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  /** Empty unless the request asked for synonyms; the first one is where the value came from. */
  synonyms: DescribeConfigsSynonym[];
  configType: number;
  /** null unless the request asked for documentation. */
  documentation: string | null;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsEntry[];
}

export interface DescribeConfigsResponse {
  api: 'DescribeConfigs';
  kind: 'response';
  correlationId: number;
  results: DescribeConfigsResult[];
}

/** DeleteRecords' offset that means "the high watermark" (DeleteRecordsRequest.HIGH_WATERMARK). */
export const DELETE_UP_TO_HIGH_WATERMARK = -1;

/** DeleteRecords (API 21): move each partition's log start offset up to `offset` (records below it are deleted). */
export interface DeleteRecordsRequest {
  api: 'DeleteRecords';
  kind: 'request';
  correlationId: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: number }> }>;
  timeoutMs: number;
}

export interface DeleteRecordsPartitionResult {
  partitionIndex: number;
  /** The smallest log start offset among the partition's replicas once they all reached the new one (-1 on error). */
  lowWatermark: number;
  errorCode: number;
}

export interface DeleteRecordsResponse {
  api: 'DeleteRecords';
  kind: 'response';
  correlationId: number;
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: DeleteRecordsPartitionResult[] }>;
}

export type DataRequest =
  | ProduceRequest
  | FetchRequest
  | ListOffsetsRequest
  | OffsetForLeaderEpochRequest
  | MetadataRequest
  | InitProducerIdRequest
  | DescribeConfigsRequest
  | DeleteRecordsRequest;
export type DataResponse =
  | ProduceResponse
  | FetchResponse
  | ListOffsetsResponse
  | OffsetForLeaderEpochResponse
  | MetadataResponse
  | InitProducerIdResponse
  | DescribeConfigsResponse
  | DeleteRecordsResponse;
export type DataMessage = DataRequest | DataResponse;
