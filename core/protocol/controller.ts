// Requests the active controller serves, with Kafka's field names: broker lifecycle (KIP-631:
// BrokerRegistration, BrokerHeartbeat), ISR changes from partition leaders (AlterPartition,
// KIP-497/KIP-903), producer id blocks (AllocateProducerIds, KIP-730), and topic administration
// (CreateTopics, DeleteTopics, CreatePartitions: KIP-195, IncrementalAlterConfigs: KIP-339).

import type { NodeId } from '../env.ts';

/** A listener a broker advertises (Kafka's BrokerRegistration Listener / RegisterBrokerRecord endpoint). */
export interface BrokerListener {
  name: string;
  host: string;
  port: number;
  /** Kafka's SecurityProtocol id: 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL. */
  securityProtocol: number;
}

export interface BrokerRegistrationRequest {
  api: 'BrokerRegistration';
  kind: 'request';
  correlationId: number;
  brokerId: NodeId;
  clusterId: string;
  incarnationId: string;
  previousBrokerEpoch: number;
  /** Absent when the broker advertises none (the simulator's brokers, whose address is their id). */
  listeners?: BrokerListener[];
}

export interface BrokerRegistrationResponse {
  api: 'BrokerRegistration';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  api: 'BrokerHeartbeat';
  kind: 'request';
  correlationId: number;
  brokerId: NodeId;
  brokerEpoch: number;
  currentMetadataOffset: number;
  wantFence: boolean;
  wantShutDown: boolean;
}

export interface BrokerHeartbeatResponse {
  api: 'BrokerHeartbeat';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  isCaughtUp: boolean;
  isFenced: boolean;
  shouldShutDown: boolean;
}

export interface AlterPartitionRequest {
  api: 'AlterPartition';
  kind: 'request';
  correlationId: number;
  brokerId: NodeId;
  brokerEpoch: number;
  topics: Array<{
    topicId: string;
    partitions: Array<{
      partitionIndex: number;
      leaderEpoch: number;
      newIsrWithEpochs: Array<{ brokerId: NodeId; brokerEpoch: number }>;
      leaderRecoveryState: 0 | 1;
      partitionEpoch: number;
    }>;
  }>;
}

export interface AlterPartitionPartitionResult {
  partitionIndex: number;
  errorCode: number;
  leaderId: NodeId | null;
  leaderEpoch: number;
  isr: NodeId[];
  leaderRecoveryState: 0 | 1;
  partitionEpoch: number;
}

export interface AlterPartitionResponse {
  api: 'AlterPartition';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  topics: Array<{ topicId: string; partitions: AlterPartitionPartitionResult[] }>;
}

export interface CreatableTopic {
  name: string;
  /** -1: the broker default (num.partitions). */
  numPartitions: number;
  /** -1: the broker default (default.replication.factor). */
  replicationFactor: number;
  configs: Array<{ name: string; value: string }>;
}

export interface CreateTopicsRequest {
  api: 'CreateTopics';
  kind: 'request';
  correlationId: number;
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  api: 'CreateTopics';
  kind: 'response';
  correlationId: number;
  topics: Array<{ name: string; topicId: string | null; errorCode: number; errorMessage: string | null; numPartitions: number; replicationFactor: number }>;
}

export interface DeleteTopicsRequest {
  api: 'DeleteTopics';
  kind: 'request';
  correlationId: number;
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  api: 'DeleteTopics';
  kind: 'response';
  correlationId: number;
  responses: Array<{ name: string; topicId: string | null; errorCode: number; errorMessage: string | null }>;
}

export interface CreatePartitionsTopic {
  name: string;
  /** The new total partition count. */
  count: number;
  /** The replicas of each new partition, or null for the controller to place them. */
  assignments: Array<{ brokerIds: NodeId[] }> | null;
}

export interface CreatePartitionsRequest {
  api: 'CreatePartitions';
  kind: 'request';
  correlationId: number;
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsResponse {
  api: 'CreatePartitions';
  kind: 'response';
  correlationId: number;
  results: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

/** IncrementalAlterConfigs' operations (KIP-339): SET a value, DELETE it (back to the default), APPEND to or SUBTRACT from a list config. */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface AlterableConfig {
  name: string;
  /** AlterConfigOp: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
  configOperation: number;
  value: string | null;
}

export interface IncrementalAlterConfigsRequest {
  api: 'IncrementalAlterConfigs';
  kind: 'request';
  correlationId: number;
  /** ConfigResource types: 2 topic, 4 broker, 8 broker logger. */
  resources: Array<{ resourceType: number; resourceName: string; configs: AlterableConfig[] }>;
  validateOnly: boolean;
}

export interface IncrementalAlterConfigsResponse {
  api: 'IncrementalAlterConfigs';
  kind: 'response';
  correlationId: number;
  resources: Array<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }>;
}

/** A broker asks the controller for a block of producer ids to hand out (KIP-730). */
export interface AllocateProducerIdsRequest {
  api: 'AllocateProducerIds';
  kind: 'request';
  correlationId: number;
  brokerId: NodeId;
  brokerEpoch: number;
}

export interface AllocateProducerIdsResponse {
  api: 'AllocateProducerIds';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  /** The first id of the block, inclusive (-1 on error). */
  producerIdStart: number;
  producerIdLen: number;
}

export type ControllerRequest =
  | BrokerRegistrationRequest
  | BrokerHeartbeatRequest
  | AlterPartitionRequest
  | AllocateProducerIdsRequest
  | CreateTopicsRequest
  | DeleteTopicsRequest
  | CreatePartitionsRequest
  | IncrementalAlterConfigsRequest;
export type ControllerResponse =
  | BrokerRegistrationResponse
  | BrokerHeartbeatResponse
  | AlterPartitionResponse
  | AllocateProducerIdsResponse
  | CreateTopicsResponse
  | DeleteTopicsResponse
  | CreatePartitionsResponse
  | IncrementalAlterConfigsResponse;
export type ControllerMessage = ControllerRequest | ControllerResponse;

export const CONTROLLER_APIS: ReadonlySet<string> = new Set([
  'BrokerRegistration',
  'BrokerHeartbeat',
  'AlterPartition',
  'AllocateProducerIds',
  'CreateTopics',
  'DeleteTopics',
  'CreatePartitions',
  'IncrementalAlterConfigs',
]);
