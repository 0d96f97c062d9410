// TxnOffsetCommit between the wire and the core: every version maps onto the core's v3+ shape (a
// producer of v0-v2, kafkajs's v1 say, names no generation or member: -1 and "", so the group
// coordinator fences nothing, as Kafka's).

import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/txn.ts';
import { TxnOffsetCommitRequestSpec } from '../apis/txn-offset-commit.ts';
import { versionRange } from '../spec.ts';
import type { ApiConverter } from './converter.ts';

type WireTxnOffsetCommitRequest = Omit<TxnOffsetCommitRequest, 'api' | 'kind' | 'correlationId'>;
type WireTopics = TxnOffsetCommitResponse['topics'];

export const txnOffsetCommitConverter: ApiConverter<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = {
  apiKey: TxnOffsetCommitRequestSpec.apiKey,
  served: { min: 0, max: versionRange(TxnOffsetCommitRequestSpec.validVersions).max },
  requestFromWire(body, _version, correlationId) {
    const wire = body as WireTxnOffsetCommitRequest;
    return {
      api: 'TxnOffsetCommit',
      kind: 'request',
      correlationId,
      transactionalId: wire.transactionalId,
      groupId: wire.groupId,
      producerId: wire.producerId,
      producerEpoch: wire.producerEpoch,
      generationId: wire.generationId,
      memberId: wire.memberId,
      groupInstanceId: wire.groupInstanceId,
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: p.committedLeaderEpoch,
          committedMetadata: p.committedMetadata,
        })),
      })),
    };
  },
  requestToWire(req) {
    const wire: WireTxnOffsetCommitRequest = {
      transactionalId: req.transactionalId,
      groupId: req.groupId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      topics: req.topics,
    };
    return wire;
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, topics: res.topics };
  },
  responseFromWire(body, _version, correlationId) {
    return { api: 'TxnOffsetCommit', kind: 'response', correlationId, topics: (body as { topics: WireTopics }).topics };
  },
  errorResponse(body, _version, errorCode) {
    const wire = body as { topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }> };
    return {
      throttleTimeMs: 0,
      topics: wire.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    };
  },
};
