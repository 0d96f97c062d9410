// Metadata (key 3) between the wire and the core: brokers, controller, and each topic's partitions with
// leaders, replicas and leader epochs (KIP-320); topic ids from v10 (KIP-516), usable in requests from v12.

import type { MetadataPartition, MetadataRequest, MetadataResponse, MetadataTopic } from '../../protocol/data.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ZERO_UUID } from '../message-codec.ts';
import { nodesFromWire, nodesToWire, topicNameOfId, uuidOrNull } from './common.ts';
import { WireRequestError, type ApiConverter, type WireContext } from './converter.ts';

type WireMetadataRequest = {
  topics: Array<{ topicId: string; name: string | null }> | null;
  allowAutoTopicCreation: boolean;
};

type WireMetadataPartition = {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
};

type WireMetadataTopic = {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: WireMetadataPartition[];
};

type WireMetadataResponse = {
  throttleTimeMs: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
  clusterId: string | null;
  controllerId: number;
  topics: WireMetadataTopic[];
};

/** From v1 a null topic list asks for every topic and an empty one for none; v0 had only the empty list, meaning all. */
const NULLABLE_TOPICS_VERSION = 1;

function topicNameFromWire(t: { topicId: string; name: string | null }): string {
  if (t.name !== null) return t.name;
  // The core looks topics up by name and may create them: an id it does not know must not become one.
  throw new WireRequestError(ErrorCode.UNKNOWN_TOPIC_ID, `Metadata by topic id (${t.topicId}) is not served`);
}

function partitionToWire(p: MetadataPartition, ctx: WireContext): WireMetadataPartition {
  return {
    errorCode: p.errorCode,
    partitionIndex: p.partitionIndex,
    leaderId: ctx.ids.toWire(p.leaderId),
    leaderEpoch: p.leaderEpoch,
    replicaNodes: nodesToWire(ctx.ids, p.replicaNodes),
    isrNodes: nodesToWire(ctx.ids, p.isrNodes),
    offlineReplicas: nodesToWire(ctx.ids, p.offlineReplicas),
  };
}

function partitionFromWire(p: WireMetadataPartition, ctx: WireContext): MetadataPartition {
  return {
    errorCode: p.errorCode,
    partitionIndex: p.partitionIndex,
    leaderId: ctx.ids.fromWire(p.leaderId),
    leaderEpoch: p.leaderEpoch,
    replicaNodes: nodesFromWire(ctx.ids, p.replicaNodes),
    isrNodes: nodesFromWire(ctx.ids, p.isrNodes),
    offlineReplicas: nodesFromWire(ctx.ids, p.offlineReplicas),
  };
}

function topicFromWire(t: WireMetadataTopic, ctx: WireContext): MetadataTopic {
  const topicId = uuidOrNull(t.topicId);
  return {
    errorCode: t.errorCode,
    // v12 answers an unknown id with a null name.
    name: t.name ?? (topicId !== null ? topicNameOfId(ctx.topics, topicId) : ''),
    topicId,
    isInternal: t.isInternal,
    partitions: t.partitions.map((p) => partitionFromWire(p, ctx)),
  };
}

export const metadataConverter: ApiConverter<MetadataRequest, MetadataResponse> = {
  apiKey: 3,
  // Not v10+: platformatic takes Metadata v10+'s topic ids for names in Fetch v12, so Metadata stays at 9 while Fetch stays at 12.
  served: { min: 0, max: 9 },

  requestFromWire(body, version, correlationId) {
    const wire = body as WireMetadataRequest;
    const all = wire.topics === null || (version < NULLABLE_TOPICS_VERSION && wire.topics.length === 0);
    return {
      api: 'Metadata',
      kind: 'request',
      correlationId,
      topics: all ? null : wire.topics!.map(topicNameFromWire),
      allowAutoTopicCreation: wire.allowAutoTopicCreation,
    };
  },

  // At v0 an empty list cannot ask for no topic: it asks for all of them, as null does.
  requestToWire(req, version) {
    const wire: WireMetadataRequest = {
      topics: req.topics === null && version < NULLABLE_TOPICS_VERSION ? [] : (req.topics?.map((name) => ({ topicId: ZERO_UUID, name })) ?? null),
      allowAutoTopicCreation: req.allowAutoTopicCreation,
    };
    return wire;
  },

  responseToWire(res, _version, ctx) {
    const wire: WireMetadataResponse = {
      throttleTimeMs: 0,
      brokers: res.brokers.map((b) => ({ nodeId: ctx.ids.toWire(b.nodeId), host: b.host, port: b.port, rack: b.rack })),
      clusterId: res.clusterId,
      controllerId: ctx.ids.toWire(res.controllerId),
      topics: res.topics.map((t) => ({
        errorCode: t.errorCode,
        name: t.name,
        topicId: t.topicId ?? ZERO_UUID,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => partitionToWire(p, ctx)),
      })),
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireMetadataResponse;
    const brokers: MetadataResponse['brokers'] = [];
    for (const b of wire.brokers) {
      const nodeId = ctx.ids.fromWire(b.nodeId);
      // A broker without a valid id cannot be addressed.
      if (nodeId !== null) brokers.push({ nodeId, host: b.host, port: b.port, rack: b.rack });
    }
    return {
      api: 'Metadata',
      kind: 'response',
      correlationId,
      brokers,
      clusterId: wire.clusterId ?? '',
      controllerId: ctx.ids.fromWire(wire.controllerId),
      topics: wire.topics.map((t) => topicFromWire(t, ctx)),
    };
  },

  errorResponse(body, _version, errorCode) {
    const wire = body as WireMetadataRequest;
    const response: WireMetadataResponse = {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: (wire.topics ?? []).map((t) => ({ errorCode, name: t.name, topicId: t.topicId, isInternal: false, partitions: [] })),
    };
    return response;
  },
};
