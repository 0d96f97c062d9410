// The transaction coordinator's APIs between the wire and the core (AddPartitionsToTxn, AddOffsetsToTxn,
// EndTxn, DescribeTransactions, ListTransactions): a client's one-transaction AddPartitionsToTxn (v0-3)
// maps onto the batched shape (v4+), EndTxn v5 means an epoch bump (KIP-890 part 2), and
// PRODUCER_FENCED is downgraded to INVALID_PRODUCER_EPOCH for versions that predate it, as KafkaApis does.

import { ErrorCode } from '../../protocol/errors.ts';
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnResult,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  EndTxnRequest,
  EndTxnResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
} from '../../protocol/txn.ts';
import { AddOffsetsToTxnRequestSpec } from '../apis/add-offsets-to-txn.ts';
import { AddPartitionsToTxnRequestSpec } from '../apis/add-partitions-to-txn.ts';
import { DescribeTransactionsRequestSpec } from '../apis/describe-transactions.ts';
import { EndTxnRequestSpec } from '../apis/end-txn.ts';
import { ListTransactionsRequestSpec } from '../apis/list-transactions.ts';
import { WireRequestError, type ApiConverter } from './converter.ts';

/** The first version of AddPartitionsToTxn, AddOffsetsToTxn and EndTxn that knows PRODUCER_FENCED. */
const PRODUCER_FENCED_VERSION = 2;
/** AddPartitionsToTxn v4 batches transactions (brokers only) and adds VerifyOnly (KIP-890 part 1). */
const BATCHED_ADD_PARTITIONS_VERSION = 4;
/** EndTxn v5: the coordinator bumps the epoch per transaction and answers the new id and epoch (KIP-890 part 2). */
const EPOCH_BUMP_END_TXN_VERSION = 5;

/** PRODUCER_FENCED as a client of `version` understands it (KafkaApis: INVALID_PRODUCER_EPOCH before `since`). */
export function fencedFor(errorCode: number, version: number, since: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < since ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}

type WireTopic = { name: string; partitions: number[] };
type WireTopicResult = { name: string; resultsByPartition: Array<{ partitionIndex: number; partitionErrorCode: number }> };
type WireAddPartitionsRequest = {
  transactions: Array<{ transactionalId: string; producerId: number; producerEpoch: number; verifyOnly: boolean; topics: WireTopic[] }>;
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: number;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: WireTopic[];
};
type WireAddPartitionsResponse = {
  throttleTimeMs: number;
  errorCode: number;
  resultsByTransaction: Array<{ transactionalId: string; topicResults: WireTopicResult[] }>;
  resultsByTopicV3AndBelow: WireTopicResult[];
};

function resultsWith(topics: readonly WireTopic[], errorCode: number): WireTopicResult[] {
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })) }));
}

function downgradedResults(results: readonly WireTopicResult[], version: number): WireTopicResult[] {
  return results.map((t) => ({
    name: t.name,
    resultsByPartition: t.resultsByPartition.map((p) => ({ ...p, partitionErrorCode: fencedFor(p.partitionErrorCode, version, PRODUCER_FENCED_VERSION) })),
  }));
}

export const addPartitionsToTxnConverter: ApiConverter<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> = {
  apiKey: AddPartitionsToTxnRequestSpec.apiKey,
  served: { min: 0, max: 5 },
  requestFromWire(body, version, correlationId) {
    const wire = body as WireAddPartitionsRequest;
    const transactions =
      version >= BATCHED_ADD_PARTITIONS_VERSION
        ? wire.transactions
        : [
            {
              transactionalId: wire.v3AndBelowTransactionalId,
              producerId: wire.v3AndBelowProducerId,
              producerEpoch: wire.v3AndBelowProducerEpoch,
              verifyOnly: false,
              topics: wire.v3AndBelowTopics,
            },
          ];
    return { api: 'AddPartitionsToTxn', kind: 'request', correlationId, transactions };
  },
  requestToWire(req, version) {
    if (version >= BATCHED_ADD_PARTITIONS_VERSION) return { transactions: req.transactions };
    const [txn, ...rest] = req.transactions;
    if (txn === undefined || rest.length > 0 || txn.verifyOnly)
      throw new WireRequestError(ErrorCode.INVALID_REQUEST, `AddPartitionsToTxn v${version} carries one transaction, without verifyOnly`);
    return {
      v3AndBelowTransactionalId: txn.transactionalId,
      v3AndBelowProducerId: txn.producerId,
      v3AndBelowProducerEpoch: txn.producerEpoch,
      v3AndBelowTopics: txn.topics,
    };
  },
  responseToWire(res, version) {
    if (version >= BATCHED_ADD_PARTITIONS_VERSION) return { throttleTimeMs: 0, errorCode: res.errorCode, resultsByTransaction: res.resultsByTransaction };
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: downgradedResults(res.resultsByTransaction[0]?.topicResults ?? [], version) };
  },
  responseFromWire(body, version, correlationId) {
    const wire = body as WireAddPartitionsResponse;
    const resultsByTransaction: AddPartitionsToTxnResult[] =
      version >= BATCHED_ADD_PARTITIONS_VERSION ? wire.resultsByTransaction : [{ transactionalId: '', topicResults: wire.resultsByTopicV3AndBelow }];
    return {
      api: 'AddPartitionsToTxn',
      kind: 'response',
      correlationId,
      errorCode: version >= BATCHED_ADD_PARTITIONS_VERSION ? wire.errorCode : ErrorCode.NONE,
      resultsByTransaction,
    };
  },
  errorResponse(body, version, errorCode) {
    const wire = body as WireAddPartitionsRequest;
    // Kafka's AddPartitionsToTxnRequest.getErrorResponse: every partition before v4, the top-level code from v4.
    if (version >= BATCHED_ADD_PARTITIONS_VERSION) return { throttleTimeMs: 0, errorCode, resultsByTransaction: [] };
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: resultsWith(wire.v3AndBelowTopics ?? [], fencedFor(errorCode, version, PRODUCER_FENCED_VERSION)) };
  },
};

type WireAddOffsetsRequest = { transactionalId: string; producerId: number; producerEpoch: number; groupId: string };

export const addOffsetsToTxnConverter: ApiConverter<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = {
  apiKey: AddOffsetsToTxnRequestSpec.apiKey,
  served: { min: 0, max: 4 },
  requestFromWire(body, _version, correlationId) {
    const wire = body as WireAddOffsetsRequest;
    return { api: 'AddOffsetsToTxn', kind: 'request', correlationId, ...wire };
  },
  requestToWire(req) {
    const wire: WireAddOffsetsRequest = {
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      groupId: req.groupId,
    };
    return wire;
  },
  responseToWire(res, version) {
    return { throttleTimeMs: 0, errorCode: fencedFor(res.errorCode, version, PRODUCER_FENCED_VERSION) };
  },
  responseFromWire(body, _version, correlationId) {
    return { api: 'AddOffsetsToTxn', kind: 'response', correlationId, errorCode: (body as { errorCode: number }).errorCode };
  },
  errorResponse(_body, version, errorCode) {
    return { throttleTimeMs: 0, errorCode: fencedFor(errorCode, version, PRODUCER_FENCED_VERSION) };
  },
};

type WireEndTxnRequest = { transactionalId: string; producerId: number; producerEpoch: number; committed: boolean };
type WireEndTxnResponse = { throttleTimeMs: number; errorCode: number; producerId: number; producerEpoch: number };

export const endTxnConverter: ApiConverter<EndTxnRequest, EndTxnResponse> = {
  apiKey: EndTxnRequestSpec.apiKey,
  served: { min: 0, max: 5 },
  requestFromWire(body, version, correlationId) {
    const wire = body as WireEndTxnRequest;
    return { api: 'EndTxn', kind: 'request', correlationId, ...wire, bumpEpoch: version >= EPOCH_BUMP_END_TXN_VERSION };
  },
  versionFor(req, max) {
    return req.bumpEpoch ? max : Math.min(max, EPOCH_BUMP_END_TXN_VERSION - 1);
  },
  requestToWire(req, version) {
    // The version is what says whether the epoch is bumped. A broker without v5 (transaction.version 1)
    // gets the classic EndTxn, as Kafka's client sends it when the feature is not finalized: its answer
    // carries no new epoch, and the producer keeps the one it has. v5 cannot say "no bump".
    if (!req.bumpEpoch && version >= EPOCH_BUMP_END_TXN_VERSION)
      throw new WireRequestError(ErrorCode.INVALID_REQUEST, `EndTxn v${version} cannot carry bumpEpoch ${req.bumpEpoch}`);
    const wire: WireEndTxnRequest = {
      transactionalId: req.transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      committed: req.committed,
    };
    return wire;
  },
  responseToWire(res, version) {
    const wire: WireEndTxnResponse = {
      throttleTimeMs: 0,
      errorCode: fencedFor(res.errorCode, version, PRODUCER_FENCED_VERSION),
      producerId: res.producerId,
      producerEpoch: res.producerEpoch,
    };
    return wire;
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as WireEndTxnResponse;
    return { api: 'EndTxn', kind: 'response', correlationId, errorCode: wire.errorCode, producerId: wire.producerId, producerEpoch: wire.producerEpoch };
  },
  errorResponse(_body, version, errorCode) {
    const wire: WireEndTxnResponse = {
      throttleTimeMs: 0,
      errorCode: fencedFor(errorCode, version, PRODUCER_FENCED_VERSION),
      producerId: -1,
      producerEpoch: -1,
    };
    return wire;
  },
};

export const describeTransactionsConverter: ApiConverter<DescribeTransactionsRequest, DescribeTransactionsResponse> = {
  apiKey: DescribeTransactionsRequestSpec.apiKey,
  served: { min: 0, max: 0 },
  requestFromWire(body, _version, correlationId) {
    return { api: 'DescribeTransactions', kind: 'request', correlationId, transactionalIds: (body as { transactionalIds: string[] }).transactionalIds };
  },
  requestToWire(req) {
    return { transactionalIds: req.transactionalIds };
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, transactionStates: res.transactionStates };
  },
  responseFromWire(body, _version, correlationId) {
    return {
      api: 'DescribeTransactions',
      kind: 'response',
      correlationId,
      transactionStates: (body as Pick<DescribeTransactionsResponse, 'transactionStates'>).transactionStates,
    };
  },
  errorResponse(body, _version, errorCode) {
    const ids = (body as { transactionalIds?: string[] }).transactionalIds ?? [];
    return {
      throttleTimeMs: 0,
      transactionStates: ids.map((transactionalId) => ({
        errorCode,
        transactionalId,
        transactionState: '',
        transactionTimeoutMs: 0,
        transactionStartTimeMs: -1,
        producerId: -1,
        producerEpoch: -1,
        topics: [],
      })),
    };
  },
};

type WireListTransactionsRequest = { stateFilters: string[]; producerIdFilters: number[]; durationFilter: number };

export const listTransactionsConverter: ApiConverter<ListTransactionsRequest, ListTransactionsResponse> = {
  apiKey: ListTransactionsRequestSpec.apiKey,
  served: { min: 0, max: 1 },
  requestFromWire(body, _version, correlationId) {
    const wire = body as WireListTransactionsRequest;
    return {
      api: 'ListTransactions',
      kind: 'request',
      correlationId,
      stateFilters: wire.stateFilters,
      producerIdFilters: wire.producerIdFilters,
      durationFilter: wire.durationFilter,
    };
  },
  requestToWire(req) {
    const wire: WireListTransactionsRequest = { stateFilters: req.stateFilters, producerIdFilters: req.producerIdFilters, durationFilter: req.durationFilter };
    return wire;
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, errorCode: res.errorCode, unknownStateFilters: res.unknownStateFilters, transactionStates: res.transactionStates };
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as Pick<ListTransactionsResponse, 'errorCode' | 'unknownStateFilters' | 'transactionStates'>;
    return {
      api: 'ListTransactions',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      unknownStateFilters: wire.unknownStateFilters,
      transactionStates: wire.transactionStates,
    };
  },
  errorResponse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] };
  },
};

/** The transaction coordinator's converters, as a client listener advertises them. */
export const TXN_COORDINATOR_CONVERTERS = [
  addPartitionsToTxnConverter,
  addOffsetsToTxnConverter,
  endTxnConverter,
  describeTransactionsConverter,
  listTransactionsConverter,
] as const;
