// The answer to a request that fails as a whole, as Kafka's AbstractRequest.getErrorResponse
// builds it: the request's own shape with the error on every partition or topic it named and
// "nothing" (-1, null, empty) in every other field. A node answers this way instead of staying
// silent, e.g. to an API it does not serve (Kafka's request handlers answer UNKNOWN_SERVER_ERROR
// for an API key they have no handler for) or as a controller that is not the active one.

import type { ControllerRequest, ControllerResponse } from './controller.ts';
import type { DataRequest, DataResponse } from './data.ts';
import type { SecurityRequest, SecurityResponse } from './security.ts';

/** The error response to `req`, with `errorCode` everywhere it fits and `errorMessage` where the response carries one. */
export function errorResponse(req: DataRequest, errorCode: number, errorMessage?: string | null): DataResponse;
export function errorResponse(req: ControllerRequest, errorCode: number, errorMessage?: string | null): ControllerResponse;
export function errorResponse(req: SecurityRequest, errorCode: number, errorMessage?: string | null): SecurityResponse;
export function errorResponse(req: ControllerRequest | SecurityRequest, errorCode: number, errorMessage?: string | null): ControllerResponse | SecurityResponse;
export function errorResponse(
  req: DataRequest | ControllerRequest | SecurityRequest,
  errorCode: number,
  errorMessage: string | null = null,
): DataResponse | ControllerResponse | SecurityResponse {
  const correlationId = req.correlationId;
  switch (req.api) {
    case 'AllocateProducerIds':
      return { api: 'AllocateProducerIds', kind: 'response', correlationId, errorCode, producerIdStart: -1, producerIdLen: 0 };
    case 'Produce':
      return {
        api: 'Produce',
        kind: 'response',
        correlationId,
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({
            index: p.index,
            errorCode,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            errorMessage,
            currentLeader: null,
          })),
        })),
        throttleTimeMs: 0,
      };
    case 'Fetch':
      return {
        api: 'Fetch',
        kind: 'response',
        correlationId,
        errorCode,
        topics: req.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition,
            errorCode,
            highWatermark: -1,
            lastStableOffset: -1,
            logStartOffset: -1,
            divergingEpoch: null,
            abortedTransactions: null,
            currentLeader: { leaderId: null, leaderEpoch: -1 },
            records: [],
          })),
        })),
      };
    case 'ListOffsets':
      return {
        api: 'ListOffsets',
        kind: 'response',
        correlationId,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 })),
        })),
      };
    case 'OffsetForLeaderEpoch':
      return {
        api: 'OffsetForLeaderEpoch',
        kind: 'response',
        correlationId,
        topics: req.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 })),
        })),
      };
    case 'Metadata':
      return {
        api: 'Metadata',
        kind: 'response',
        correlationId,
        brokers: [],
        clusterId: '',
        controllerId: null,
        topics: (req.topics ?? []).map((name) => ({ errorCode, name, topicId: null, isInternal: false, partitions: [] })),
      };
    case 'InitProducerId':
      return { api: 'InitProducerId', kind: 'response', correlationId, errorCode, producerId: -1, producerEpoch: -1 };
    case 'DescribeConfigs':
      return {
        api: 'DescribeConfigs',
        kind: 'response',
        correlationId,
        results: req.resources.map((r) => ({ errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
      };
    case 'DeleteRecords':
      return {
        api: 'DeleteRecords',
        kind: 'response',
        correlationId,
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })),
        })),
      };
    case 'BrokerRegistration':
      return { api: 'BrokerRegistration', kind: 'response', correlationId, errorCode, brokerEpoch: -1 };
    case 'BrokerHeartbeat':
      return { api: 'BrokerHeartbeat', kind: 'response', correlationId, errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    case 'AlterPartition':
      return { api: 'AlterPartition', kind: 'response', correlationId, errorCode, topics: [] };
    case 'CreateTopics':
      return {
        api: 'CreateTopics',
        kind: 'response',
        correlationId,
        topics: req.topics.map((t) => ({ name: t.name, topicId: null, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 })),
      };
    case 'DeleteTopics':
      return {
        api: 'DeleteTopics',
        kind: 'response',
        correlationId,
        responses: req.topicNames.map((name) => ({ name, topicId: null, errorCode, errorMessage })),
      };
    case 'CreatePartitions':
      return { api: 'CreatePartitions', kind: 'response', correlationId, results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage })) };
    case 'IncrementalAlterConfigs':
      return {
        api: 'IncrementalAlterConfigs',
        kind: 'response',
        correlationId,
        resources: req.resources.map((r) => ({ errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName })),
      };
    case 'CreateAcls':
      return { api: 'CreateAcls', kind: 'response', correlationId, throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) };
    case 'DeleteAcls':
      return {
        api: 'DeleteAcls',
        kind: 'response',
        correlationId,
        throttleTimeMs: 0,
        filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
      };
    case 'DescribeAcls':
      return { api: 'DescribeAcls', kind: 'response', correlationId, throttleTimeMs: 0, errorCode, errorMessage, acls: [] };
    case 'DescribeUserScramCredentials':
      return { api: 'DescribeUserScramCredentials', kind: 'response', correlationId, throttleTimeMs: 0, errorCode, errorMessage, results: [] };
    case 'AlterUserScramCredentials': {
      const users = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
      return {
        api: 'AlterUserScramCredentials',
        kind: 'response',
        correlationId,
        throttleTimeMs: 0,
        results: users.map((user) => ({ user, errorCode, errorMessage })),
      };
    }
  }
}
