// BrokerRegistration (key 62) between the wire and the core: a KRaft broker registers with the active controller and
// gets its broker epoch (KIP-631), advertising its listeners. v3 adds the previous broker epoch (KIP-966): below it, -1.

import type { BrokerListener, BrokerRegistrationRequest, BrokerRegistrationResponse } from '../../protocol/controller.ts';
import type { ApiConverter } from './converter.ts';
import { requiredNode } from './quorum-common.ts';

type WireBrokerRegistrationRequest = {
  brokerId: number;
  clusterId: string;
  incarnationId: string;
  listeners: BrokerListener[];
  features: Array<{ name: string; minSupportedVersion: number; maxSupportedVersion: number }>;
  rack: string | null;
  isMigratingZkBroker: boolean;
  logDirs: string[];
  previousBrokerEpoch: number;
};

type WireBrokerRegistrationResponse = { throttleTimeMs: number; errorCode: number; brokerEpoch: number };

export const brokerRegistrationConverter: ApiConverter<BrokerRegistrationRequest, BrokerRegistrationResponse> = {
  apiKey: 62,
  served: { min: 0, max: 4 },
  internalVersion: 4,

  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireBrokerRegistrationRequest;
    const req: BrokerRegistrationRequest = {
      api: 'BrokerRegistration',
      kind: 'request',
      correlationId,
      brokerId: requiredNode(ctx.ids, wire.brokerId, 'broker id'),
      clusterId: wire.clusterId,
      incarnationId: wire.incarnationId,
      previousBrokerEpoch: wire.previousBrokerEpoch,
    };
    // No listeners stays absent, as the core's own registrations have it.
    if (wire.listeners.length > 0)
      req.listeners = wire.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol }));
    return req;
  },

  requestToWire(req, _version, ctx) {
    const wire: WireBrokerRegistrationRequest = {
      brokerId: ctx.ids.toWire(req.brokerId),
      clusterId: req.clusterId,
      incarnationId: req.incarnationId,
      listeners: (req.listeners ?? []).map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
      features: [],
      rack: null,
      isMigratingZkBroker: false,
      logDirs: [],
      previousBrokerEpoch: req.previousBrokerEpoch,
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireBrokerRegistrationResponse = { throttleTimeMs: 0, errorCode: res.errorCode, brokerEpoch: res.brokerEpoch };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireBrokerRegistrationResponse;
    return { api: 'BrokerRegistration', kind: 'response', correlationId, errorCode: wire.errorCode, brokerEpoch: wire.brokerEpoch };
  },

  errorResponse(_body, _version, errorCode) {
    const wire: WireBrokerRegistrationResponse = { throttleTimeMs: 0, errorCode, brokerEpoch: -1 };
    return wire;
  },
};
