// BrokerHeartbeat (key 63) between the wire and the core: a KRaft broker renews its lease with the active controller
// (KIP-631) and learns whether it is fenced, caught up, or may shut down. v1's offline log dirs (KIP-858) stay empty.

import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse } from '../../protocol/controller.ts';
import type { ApiConverter } from './converter.ts';
import { requiredNode } from './quorum-common.ts';

type WireBrokerHeartbeatRequest = {
  brokerId: number;
  brokerEpoch: number;
  currentMetadataOffset: number;
  wantFence: boolean;
  wantShutDown: boolean;
  offlineLogDirs: string[];
};

type WireBrokerHeartbeatResponse = { throttleTimeMs: number; errorCode: number; isCaughtUp: boolean; isFenced: boolean; shouldShutDown: boolean };

export const brokerHeartbeatConverter: ApiConverter<BrokerHeartbeatRequest, BrokerHeartbeatResponse> = {
  apiKey: 63,
  served: { min: 0, max: 1 },
  internalVersion: 1,

  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireBrokerHeartbeatRequest;
    return {
      api: 'BrokerHeartbeat',
      kind: 'request',
      correlationId,
      brokerId: requiredNode(ctx.ids, wire.brokerId, 'broker id'),
      brokerEpoch: wire.brokerEpoch,
      currentMetadataOffset: wire.currentMetadataOffset,
      wantFence: wire.wantFence,
      wantShutDown: wire.wantShutDown,
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireBrokerHeartbeatRequest = {
      brokerId: ctx.ids.toWire(req.brokerId),
      brokerEpoch: req.brokerEpoch,
      currentMetadataOffset: req.currentMetadataOffset,
      wantFence: req.wantFence,
      wantShutDown: req.wantShutDown,
      offlineLogDirs: [],
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireBrokerHeartbeatResponse = {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      isCaughtUp: res.isCaughtUp,
      isFenced: res.isFenced,
      shouldShutDown: res.shouldShutDown,
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireBrokerHeartbeatResponse;
    return {
      api: 'BrokerHeartbeat',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      isCaughtUp: wire.isCaughtUp,
      isFenced: wire.isFenced,
      shouldShutDown: wire.shouldShutDown,
    };
  },

  errorResponse(_body, _version, errorCode) {
    // A broker that could not be heard stays fenced, as in the core's own error response.
    const wire: WireBrokerHeartbeatResponse = { throttleTimeMs: 0, errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    return wire;
  },
};
