// Requests the active controller serves, with Kafka's field names: broker lifecycle (KIP-631:
// BrokerRegistration, BrokerHeartbeat), ISR changes from partition leaders (AlterPartition,
// KIP-497/KIP-903), and topic administration (CreateTopics, DeleteTopics).

import type { NodeId } from '../env.ts';

export interface BrokerRegistrationRequest {
  api: 'BrokerRegistration';
  kind: 'request';
  correlationId: number;
  brokerId: NodeId;
  clusterId: string;
  incarnationId: string;
  previousBrokerEpoch: number;
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

export type ControllerRequest = BrokerRegistrationRequest | BrokerHeartbeatRequest | AlterPartitionRequest | CreateTopicsRequest | DeleteTopicsRequest;
export type ControllerResponse = BrokerRegistrationResponse | BrokerHeartbeatResponse | AlterPartitionResponse | CreateTopicsResponse | DeleteTopicsResponse;
export type ControllerMessage = ControllerRequest | ControllerResponse;

export const CONTROLLER_APIS: ReadonlySet<string> = new Set(['BrokerRegistration', 'BrokerHeartbeat', 'AlterPartition', 'CreateTopics', 'DeleteTopics']);
