// CreateTopics (key 19) between the wire and the core: -1 partitions or replication factor is the broker
// default (KIP-464), the v5+ response echoes the topic's layout (KIP-525) and v7 its topic id (KIP-516).

import type { CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/controller.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ZERO_UUID } from '../message-codec.ts';
import { uuidOrNull } from './common.ts';
import { WireRequestError, type ApiConverter } from './converter.ts';

type WireCreatableTopic = {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
};

type WireCreateTopicsRequest = {
  topics: WireCreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
};

type WireCreatableTopicResult = {
  name: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  topicConfigErrorCode: number;
  numPartitions: number;
  replicationFactor: number;
  configs: Array<{ name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }> | null;
};

type WireCreateTopicsResponse = {
  throttleTimeMs: number;
  topics: WireCreatableTopicResult[];
};

const VALIDATE_ONLY_VERSION = 1;
const ERROR_MESSAGE_VERSION = 1;
const TOPIC_ID_VERSION = 7;

function topicFromWire(t: WireCreatableTopic): CreateTopicsRequest['topics'][number] {
  // The core places replicas itself; silently ignoring a placement the admin asked for would be worse than refusing it.
  if (t.assignments.length > 0) throw new WireRequestError(ErrorCode.INVALID_REQUEST, 'manual replica assignments are not supported');
  const configs: Array<{ name: string; value: string }> = [];
  for (const c of t.configs) {
    // Kafka refuses a null config value at creation (there is nothing to reset to yet) with InvalidConfigurationException.
    if (c.value === null) throw new WireRequestError(ErrorCode.INVALID_CONFIG, `null value for config ${c.name} of topic ${t.name}`);
    configs.push({ name: c.name, value: c.value });
  }
  // Before v4, -1 (with no assignments) is not a defined request, but Kafka's broker reads it as the default at
  // every version and kafkajs relies on that, so the core gets -1 whatever the version.
  return { name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, configs };
}

export const createTopicsConverter: ApiConverter<CreateTopicsRequest, CreateTopicsResponse> = {
  apiKey: 19,
  served: { min: 0, max: 7 },

  requestFromWire(body, _version, correlationId) {
    const wire = body as WireCreateTopicsRequest;
    return {
      api: 'CreateTopics',
      kind: 'request',
      correlationId,
      topics: wire.topics.map(topicFromWire),
      timeoutMs: wire.timeoutMs,
      validateOnly: wire.validateOnly,
    };
  },

  requestToWire(req, version) {
    // v0 cannot say "validate only": sending it would create the topics the caller only wanted checked.
    if (req.validateOnly && version < VALIDATE_ONLY_VERSION) {
      throw new WireRequestError(ErrorCode.UNSUPPORTED_VERSION, `CreateTopics v${version} cannot carry validateOnly`);
    }
    const wire: WireCreateTopicsRequest = {
      topics: req.topics.map((t) => ({
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: [],
        configs: t.configs.map((c) => ({ name: c.name, value: c.value })),
      })),
      timeoutMs: req.timeoutMs,
      validateOnly: req.validateOnly,
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireCreateTopicsResponse = {
      throttleTimeMs: 0,
      topics: res.topics.map((t) => ({
        name: t.name,
        topicId: t.topicId ?? ZERO_UUID,
        errorCode: t.errorCode,
        errorMessage: t.errorMessage,
        topicConfigErrorCode: ErrorCode.NONE,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        // The core keeps no per-topic config listing to echo; an empty list is a valid "nothing to report".
        configs: [],
      })),
    };
    return wire;
  },

  responseFromWire(body, version, correlationId) {
    const wire = body as WireCreateTopicsResponse;
    return {
      api: 'CreateTopics',
      kind: 'response',
      correlationId,
      topics: wire.topics.map((t) => ({
        name: t.name,
        topicId: version >= TOPIC_ID_VERSION ? uuidOrNull(t.topicId) : null,
        errorCode: t.errorCode,
        // The codec decodes the absent v0 field as "", which is not a message.
        errorMessage: version >= ERROR_MESSAGE_VERSION ? t.errorMessage : null,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
      })),
    };
  },

  errorResponse(body, _version, errorCode, message) {
    const wire = body as WireCreateTopicsRequest;
    const response: WireCreateTopicsResponse = {
      throttleTimeMs: 0,
      topics: wire.topics.map((t) => ({
        name: t.name,
        topicId: ZERO_UUID,
        errorCode,
        errorMessage: message,
        topicConfigErrorCode: ErrorCode.NONE,
        numPartitions: -1,
        replicationFactor: -1,
        configs: [],
      })),
    };
    return response;
  },
};
