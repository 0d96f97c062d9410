// DeleteTopics (key 20) between the wire and the core: topics by name (v0-5) or, from v6, by name or
// topic id (KIP-516); error messages from v5 (KIP-599).

import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/controller.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ZERO_UUID } from '../message-codec.ts';
import { responseTopicId, topicIdErrorCode, topicNameOfId, unknownTopicIdOf, uuidOrNull } from './common.ts';
import { WireRequestError, type ApiConverter, type WireContext } from './converter.ts';

type WireTopicState = { name: string | null; topicId: string };

type WireDeleteTopicsRequest = {
  topics: WireTopicState[];
  topicNames: string[];
  timeoutMs: number;
};

type WireDeletableTopicResult = { name: string | null; topicId: string; errorCode: number; errorMessage: string | null };

type WireDeleteTopicsResponse = {
  throttleTimeMs: number;
  responses: WireDeletableTopicResult[];
};

/** The first version that names topics in `topics[{name, topicId}]` rather than `topicNames`. */
const TOPIC_ID_VERSION = 6;

/** The core's name of a v6 topic entry: its name, or the name its id has in the image (a stand-in when unknown). */
function topicNameFromWire(t: WireTopicState, ctx: WireContext): string {
  const byId = t.topicId !== ZERO_UUID;
  // Kafka answers these per topic with INVALID_REQUEST; a converter can only fail the whole request.
  if (t.name !== null && byId) throw new WireRequestError(ErrorCode.INVALID_REQUEST, `topic ${t.name} is named by both name and id ${t.topicId}`);
  if (t.name !== null) return t.name;
  if (!byId) throw new WireRequestError(ErrorCode.INVALID_REQUEST, 'a topic named by neither name nor id');
  return topicNameOfId(ctx.topics, t.topicId);
}

/** A v6 request entry: a stand-in for an unknown id goes back to that id, every other name by name (which v6 allows). */
function topicStateToWire(name: string): WireTopicState {
  const id = unknownTopicIdOf(name);
  return id !== null ? { name: null, topicId: id } : { name, topicId: ZERO_UUID };
}

export const deleteTopicsConverter: ApiConverter<DeleteTopicsRequest, DeleteTopicsResponse> = {
  apiKey: 20,
  served: { min: 0, max: 6 },

  requestFromWire(body, version, correlationId, ctx) {
    const wire = body as WireDeleteTopicsRequest;
    return {
      api: 'DeleteTopics',
      kind: 'request',
      correlationId,
      topicNames: version >= TOPIC_ID_VERSION ? wire.topics.map((t) => topicNameFromWire(t, ctx)) : wire.topicNames,
      timeoutMs: wire.timeoutMs,
    };
  },

  requestToWire(req, version) {
    const byId = version >= TOPIC_ID_VERSION;
    const wire: WireDeleteTopicsRequest = {
      topics: byId ? req.topicNames.map(topicStateToWire) : [],
      topicNames: byId ? [] : req.topicNames,
      timeoutMs: req.timeoutMs,
    };
    return wire;
  },

  responseToWire(res, version, ctx) {
    const byId = version >= TOPIC_ID_VERSION;
    const wire: WireDeleteTopicsResponse = {
      throttleTimeMs: 0,
      responses: res.responses.map((r) => {
        if (!byId) return { name: r.name, topicId: ZERO_UUID, errorCode: r.errorCode, errorMessage: r.errorMessage };
        // A topic asked for by an id nobody knows has no name to give back: v6 answers it by id alone.
        const unknownId = unknownTopicIdOf(r.name);
        return {
          name: unknownId !== null ? null : r.name,
          // A topic the principal may not describe keeps its id to itself (Kafka answers the zero id).
          topicId: r.topicId ?? (r.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED ? ZERO_UUID : responseTopicId(ctx.topics, r.name)),
          errorCode: topicIdErrorCode(r.name, r.errorCode),
          errorMessage: r.errorMessage,
        };
      }),
    };
    return wire;
  },

  responseFromWire(body, version, correlationId, ctx) {
    const wire = body as WireDeleteTopicsResponse;
    const byId = version >= TOPIC_ID_VERSION;
    return {
      api: 'DeleteTopics',
      kind: 'response',
      correlationId,
      responses: wire.responses.map((r) => {
        const topicId = byId ? uuidOrNull(r.topicId) : null;
        return {
          name: r.name ?? (topicId !== null ? topicNameOfId(ctx.topics, topicId) : ''),
          topicId,
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
        };
      }),
    };
  },

  errorResponse(body, version, errorCode, message) {
    const wire = body as WireDeleteTopicsRequest;
    const named: WireTopicState[] = version >= TOPIC_ID_VERSION ? wire.topics : wire.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const response: WireDeleteTopicsResponse = {
      throttleTimeMs: 0,
      responses: named.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: message })),
    };
    return response;
  },
};
