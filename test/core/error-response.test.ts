// A request that fails as a whole gets its error response (Kafka's getErrorResponse): the same
// correlation id, the error on every partition or topic it named. A dedicated controller answers
// the data APIs it does not serve this way instead of staying silent.
import { describe, expect, it } from 'vitest';
import type { Env, NodeId } from '../../core/env.ts';
import { clusterLayout, kafkaNodeSpecs } from '../../core/node/cluster-layout.ts';
import { KafkaNode, type KafkaMessage } from '../../core/node/kafka-node.ts';
import { Config } from '../../core/protocol/configs.ts';
import type { ControllerRequest } from '../../core/protocol/controller.ts';
import type { DataRequest } from '../../core/protocol/data.ts';
import { errorResponse } from '../../core/protocol/error-response.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { SimStorage } from '../../sim/disk.ts';

const batch = {
  baseOffset: 0,
  partitionLeaderEpoch: -1,
  attributes: 0,
  lastOffsetDelta: 0,
  baseTimestamp: 0,
  maxTimestamp: 0,
  producerId: -1,
  producerEpoch: -1,
  baseSequence: -1,
  records: [],
};

const REQUESTS: Array<DataRequest | ControllerRequest> = [
  {
    api: 'Produce',
    kind: 'request',
    correlationId: 1,
    transactionalId: null,
    acks: -1,
    timeoutMs: 100,
    topicData: [
      {
        name: 't',
        partitionData: [
          { index: 0, records: batch },
          { index: 2, records: batch },
        ],
      },
    ],
  },
  {
    api: 'Fetch',
    kind: 'request',
    correlationId: 2,
    replicaId: null,
    replicaEpoch: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 100,
    isolationLevel: 0,
    topics: [
      { topic: 't', partitions: [{ partition: 1, currentLeaderEpoch: 0, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: 0, partitionMaxBytes: 100 }] },
    ],
  },
  {
    api: 'ListOffsets',
    kind: 'request',
    correlationId: 3,
    replicaId: null,
    isolationLevel: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }],
  },
  {
    api: 'OffsetForLeaderEpoch',
    kind: 'request',
    correlationId: 4,
    replicaId: null,
    topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }],
  },
  { api: 'Metadata', kind: 'request', correlationId: 5, topics: ['t', 'u'], allowAutoTopicCreation: false },
  { api: 'InitProducerId', kind: 'request', correlationId: 6, transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
  { api: 'BrokerRegistration', kind: 'request', correlationId: 7, brokerId: 'b1', clusterId: 'c', incarnationId: 'i', previousBrokerEpoch: -1 },
  {
    api: 'BrokerHeartbeat',
    kind: 'request',
    correlationId: 8,
    brokerId: 'b1',
    brokerEpoch: 3,
    currentMetadataOffset: 0,
    wantFence: false,
    wantShutDown: false,
  },
  { api: 'AlterPartition', kind: 'request', correlationId: 9, brokerId: 'b1', brokerEpoch: 3, topics: [] },
  {
    api: 'CreateTopics',
    kind: 'request',
    correlationId: 10,
    topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, configs: [] }],
    timeoutMs: 100,
    validateOnly: false,
  },
  { api: 'DeleteTopics', kind: 'request', correlationId: 11, topicNames: ['t', 'u'], timeoutMs: 100 },
];

/** Every errorCode field anywhere in a value. */
function errorCodes(value: unknown): number[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === 'errorCode' ? [v as number] : errorCodes(v)));
}

describe('error responses', () => {
  for (const req of REQUESTS) {
    it(`${req.api}: same api and correlation id, the error wherever the response has an error code`, () => {
      const res = errorResponse(req as DataRequest, ErrorCode.UNKNOWN_SERVER_ERROR);
      expect(res).toMatchObject({ api: req.api, kind: 'response', correlationId: req.correlationId });
      const codes = errorCodes(res);
      expect(codes.length).toBeGreaterThan(0);
      expect(new Set(codes)).toEqual(new Set([ErrorCode.UNKNOWN_SERVER_ERROR]));
    });
  }

  it('names every partition and topic the request named', () => {
    const produce = errorResponse(REQUESTS[0] as DataRequest, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(produce.api === 'Produce' && produce.responses[0]!.partitionResponses.map((p) => p.index)).toEqual([0, 2]);
    const deletion = errorResponse(REQUESTS[10] as ControllerRequest, ErrorCode.NOT_CONTROLLER, 'not me');
    expect(deletion).toMatchObject({
      responses: [
        { name: 't', errorMessage: 'not me' },
        { name: 'u', errorMessage: 'not me' },
      ],
    });
  });
});

describe('a node answers the APIs it does not serve', () => {
  it('a dedicated controller answers data requests with UNKNOWN_SERVER_ERROR, never silence', () => {
    const layout = clusterLayout(1, 1);
    const spec = kafkaNodeSpecs(layout, new Config(), []).find((s) => s.id === 'c1')!;
    const node = new KafkaNode(spec);
    const sent: Array<{ to: NodeId; msg: KafkaMessage }> = [];
    const env: Env<KafkaMessage> = {
      self: 'c1',
      storage: new SimStorage(),
      now: () => 0,
      random: () => 0.5,
      send: (to, msg) => sent.push({ to, msg }),
      setTimer: () => {},
      cancelTimer: () => {},
      trace: () => {},
    };
    node.start(env);
    sent.length = 0;
    for (const req of REQUESTS.filter((r) => ['Produce', 'Fetch', 'Metadata', 'ListOffsets', 'OffsetForLeaderEpoch', 'InitProducerId'].includes(r.api))) {
      node.receive(env, 'p1', req as KafkaMessage);
      const answer = sent.pop();
      expect(answer?.to).toBe('p1');
      expect(answer?.msg).toMatchObject({ api: req.api, kind: 'response', correlationId: req.correlationId });
      expect(new Set(errorCodes(answer!.msg))).toEqual(new Set([ErrorCode.UNKNOWN_SERVER_ERROR]));
    }
  });
});
