// AlterPartition (key 56) between the wire and the core: a partition leader asks the controller to change the ISR
// (KIP-497), topics by id (v2, KIP-841); v3 gives each ISR member its broker epoch (KIP-903), v2 leaves it unknown (-1).

import type { AlterPartitionPartitionResult, AlterPartitionRequest, AlterPartitionResponse } from '../../protocol/controller.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { nodesFromWire, nodesToWire } from './common.ts';
import { WireRequestError, type ApiConverter, type WireStruct } from './converter.ts';
import { requiredNode } from './quorum-common.ts';

/** v3 replaces the ISR's ids by ids with broker epochs. */
const ISR_WITH_EPOCHS_VERSION = 3;

type WireIsrChange = {
  partitionIndex: number;
  leaderEpoch: number;
  newIsr: number[];
  newIsrWithEpochs: Array<{ brokerId: number; brokerEpoch: number }>;
  leaderRecoveryState: number;
  partitionEpoch: number;
};

type WireAlterPartitionRequest = { brokerId: number; brokerEpoch: number; topics: Array<{ topicId: string; partitions: WireIsrChange[] }> };

type WireAlterPartitionResult = {
  partitionIndex: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  isr: number[];
  leaderRecoveryState: number;
  partitionEpoch: number;
};

type WireAlterPartitionResponse = {
  throttleTimeMs: number;
  errorCode: number;
  topics: Array<{ topicId: string; partitions: WireAlterPartitionResult[] }>;
};

/** KIP-704's states: 0 recovered, 1 recovering; Kafka's LeaderRecoveryState.of refuses anything else. */
function recoveryStateFromWire(state: number): 0 | 1 {
  if (state === 0 || state === 1) return state;
  throw new WireRequestError(ErrorCode.INVALID_REQUEST, `unknown leader recovery state ${state}`);
}

export const alterPartitionConverter: ApiConverter<AlterPartitionRequest, AlterPartitionResponse> = {
  apiKey: 56,
  // v0-1 name topics, which the core's requests (by topic id) cannot.
  served: { min: 2, max: 3 },
  internalVersion: 3,

  requestFromWire(body, version, correlationId, ctx) {
    const wire = body as WireAlterPartitionRequest;
    return {
      api: 'AlterPartition',
      kind: 'request',
      correlationId,
      brokerId: requiredNode(ctx.ids, wire.brokerId, 'broker id'),
      brokerEpoch: wire.brokerEpoch,
      topics: wire.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          leaderEpoch: p.leaderEpoch,
          newIsrWithEpochs:
            version >= ISR_WITH_EPOCHS_VERSION
              ? p.newIsrWithEpochs.map((m) => ({ brokerId: requiredNode(ctx.ids, m.brokerId, 'ISR member'), brokerEpoch: m.brokerEpoch }))
              : p.newIsr.map((id) => ({ brokerId: requiredNode(ctx.ids, id, 'ISR member'), brokerEpoch: -1 })),
          leaderRecoveryState: recoveryStateFromWire(p.leaderRecoveryState),
          partitionEpoch: p.partitionEpoch,
        })),
      })),
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireAlterPartitionRequest = {
      brokerId: ctx.ids.toWire(req.brokerId),
      brokerEpoch: req.brokerEpoch,
      topics: req.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          leaderEpoch: p.leaderEpoch,
          newIsr: nodesToWire(
            ctx.ids,
            p.newIsrWithEpochs.map((m) => m.brokerId),
          ),
          newIsrWithEpochs: p.newIsrWithEpochs.map((m) => ({ brokerId: ctx.ids.toWire(m.brokerId), brokerEpoch: m.brokerEpoch })),
          leaderRecoveryState: p.leaderRecoveryState,
          partitionEpoch: p.partitionEpoch,
        })),
      })),
    };
    return wire;
  },

  responseToWire(res, _version, ctx) {
    const wire: WireAlterPartitionResponse = {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      topics: res.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: p.errorCode,
          leaderId: ctx.ids.toWire(p.leaderId),
          leaderEpoch: p.leaderEpoch,
          isr: nodesToWire(ctx.ids, p.isr),
          leaderRecoveryState: p.leaderRecoveryState,
          partitionEpoch: p.partitionEpoch,
        })),
      })),
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireAlterPartitionResponse;
    return {
      api: 'AlterPartition',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      topics: wire.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map((p): AlterPartitionPartitionResult => ({
          partitionIndex: p.partitionIndex,
          errorCode: p.errorCode,
          leaderId: ctx.ids.fromWire(p.leaderId),
          leaderEpoch: p.leaderEpoch,
          isr: nodesFromWire(ctx.ids, p.isr),
          leaderRecoveryState: p.leaderRecoveryState === 1 ? 1 : 0,
          partitionEpoch: p.partitionEpoch,
        })),
      })),
    };
  },

  errorResponse(body, _version, errorCode) {
    const topics = ((body.topics ?? []) as WireStruct[]).map((t) => ({
      topicId: t.topicId as string,
      partitions: ((t.partitions ?? []) as WireStruct[]).map((p): WireAlterPartitionResult => ({
        partitionIndex: p.partitionIndex as number,
        errorCode,
        leaderId: -1,
        leaderEpoch: -1,
        isr: [],
        leaderRecoveryState: 0,
        partitionEpoch: -1,
      })),
    }));
    const wire: WireAlterPartitionResponse = { throttleTimeMs: 0, errorCode, topics };
    return wire;
  },
};
