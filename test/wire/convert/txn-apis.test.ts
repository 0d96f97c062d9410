// The transaction coordinator's converters (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
// DescribeTransactions, ListTransactions): core messages survive the wire at every served version,
// a client's one-transaction AddPartitionsToTxn maps onto the batched shape, EndTxn v5 is the epoch
// bump, PRODUCER_FENCED reaches old clients as INVALID_PRODUCER_EPOCH (InitProducerId too), the
// client listener advertises them, and kafkajs's captured bodies read as the messages they are.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  DescribeTransactionsResponse,
  EndTxnRequest,
  EndTxnResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
} from '../../../core/protocol/txn.ts';
import { apiSpecs } from '../../../core/wire/apis/index.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, WireRequestError, type ApiConverter, type WireContext, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { CLIENT_LISTENER_APIS, converterForMessage } from '../../../core/wire/convert/index.ts';
import { initProducerIdConverter } from '../../../core/wire/convert/init-producer-id.ts';
import {
  addOffsetsToTxnConverter,
  addPartitionsToTxnConverter,
  describeTransactionsConverter,
  endTxnConverter,
  listTransactionsConverter,
} from '../../../core/wire/convert/txn-apis.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { fixture } from '../apis/helpers.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };
const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConverter = ApiConverter<any, any>;

function requestViaBytes<R>(converter: AnyConverter, req: R & { correlationId: number }, version: number): R {
  const spec = apiSpecs(converter.apiKey)!.request;
  const body = decodeMessage(spec, version, encodeMessage(spec, version, converter.requestToWire(req, version, ctx)));
  return converter.requestFromWire(body, version, req.correlationId, ctx) as R;
}

function responseViaBytes<R>(converter: AnyConverter, res: R & { correlationId: number }, version: number): R {
  const spec = apiSpecs(converter.apiKey)!.response;
  const body = decodeMessage(spec, version, encodeMessage(spec, version, converter.responseToWire(res, version, ctx)));
  return converter.responseFromWire(body, version, res.correlationId, ctx) as R;
}

function errorResponseOf(converter: AnyConverter, request: WireStruct, version: number, errorCode: number): WireStruct {
  const spec = apiSpecs(converter.apiKey)!.response;
  return decodeMessage(spec, version, encodeMessage(spec, version, converter.errorResponse(request, version, errorCode, null)));
}

const CLIENT_ADD: AddPartitionsToTxnRequest = {
  api: 'AddPartitionsToTxn',
  kind: 'request',
  correlationId: 3,
  transactions: [{ transactionalId: 't1', producerId: 1000, producerEpoch: 2, verifyOnly: false, topics: [{ name: 'orders', partitions: [0, 1] }] }],
};

const ADD_RESULT = (errorCode: number): AddPartitionsToTxnResponse => ({
  api: 'AddPartitionsToTxn',
  kind: 'response',
  correlationId: 3,
  errorCode: ErrorCode.NONE,
  resultsByTransaction: [
    {
      transactionalId: 't1',
      topicResults: [
        {
          name: 'orders',
          resultsByPartition: [
            { partitionIndex: 0, partitionErrorCode: errorCode },
            { partitionIndex: 1, partitionErrorCode: errorCode },
          ],
        },
      ],
    },
  ],
});

describe('AddPartitionsToTxn', () => {
  it.each(range(0, 5))('v%i: a client’s transaction survives the wire', (version) => {
    expect(requestViaBytes(addPartitionsToTxnConverter, CLIENT_ADD, version)).toEqual(CLIENT_ADD);
  });

  it('v4+: a leader’s batched verification survives the wire; older versions cannot carry it', () => {
    const verify: AddPartitionsToTxnRequest = {
      ...CLIENT_ADD,
      transactions: [
        { ...CLIENT_ADD.transactions[0]!, verifyOnly: true },
        { transactionalId: 't2', producerId: 7, producerEpoch: 0, verifyOnly: true, topics: [{ name: 'orders', partitions: [3] }] },
      ],
    };
    expect(requestViaBytes(addPartitionsToTxnConverter, verify, 4)).toEqual(verify);
    expect(requestViaBytes(addPartitionsToTxnConverter, verify, 5)).toEqual(verify);
    expect(() => addPartitionsToTxnConverter.requestToWire(verify, 3, ctx)).toThrow(WireRequestError);
  });

  it.each(range(0, 5))('v%i: results survive the wire, PRODUCER_FENCED downgraded before v2', (version) => {
    const back = responseViaBytes(addPartitionsToTxnConverter, ADD_RESULT(ErrorCode.PRODUCER_FENCED), version);
    const expected = ADD_RESULT(version < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED);
    // Before v4 the response does not name the transaction.
    if (version < 4) expected.resultsByTransaction[0]!.transactionalId = '';
    expect(back).toEqual(expected);
  });

  it('error responses: every partition before v4, the top-level code from v4', () => {
    const v1 = errorResponseOf(addPartitionsToTxnConverter, addPartitionsToTxnConverter.requestToWire(CLIENT_ADD, 1, ctx), 1, ErrorCode.NOT_COORDINATOR);
    expect(v1.resultsByTopicV3AndBelow).toEqual(ADD_RESULT(ErrorCode.NOT_COORDINATOR).resultsByTransaction[0]!.topicResults);
    const v4 = errorResponseOf(addPartitionsToTxnConverter, addPartitionsToTxnConverter.requestToWire(CLIENT_ADD, 4, ctx), 4, ErrorCode.NOT_COORDINATOR);
    expect(v4).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, resultsByTransaction: [] });
  });
});

describe('EndTxn', () => {
  const end = (bumpEpoch: boolean): EndTxnRequest => ({
    api: 'EndTxn',
    kind: 'request',
    correlationId: 4,
    transactionalId: 't1',
    producerId: 1000,
    producerEpoch: 3,
    committed: true,
    bumpEpoch,
  });

  it.each(range(0, 5))('v%i: the request survives the wire; v5 and only v5 bumps the epoch', (version) => {
    expect(requestViaBytes(endTxnConverter, end(version >= 5), version)).toEqual(end(version >= 5));
    // A bump asked of a broker without v5 goes as the classic EndTxn (its answer names no new epoch); v5 cannot say "no bump".
    if (version < 5) expect(requestViaBytes(endTxnConverter, end(true), version)).toEqual(end(false));
    else expect(() => endTxnConverter.requestToWire(end(false), version, ctx)).toThrow(WireRequestError);
  });

  it('goes at v4 without an epoch bump and at v5 with one', () => {
    expect(endTxnConverter.versionFor!(end(false), 5)).toBe(4);
    expect(endTxnConverter.versionFor!(end(true), 5)).toBe(5);
  });

  it.each(range(0, 5))('v%i: the response carries the new id and epoch from v5, PRODUCER_FENCED downgraded before v2', (version) => {
    const res: EndTxnResponse = { api: 'EndTxn', kind: 'response', correlationId: 4, errorCode: ErrorCode.PRODUCER_FENCED, producerId: 1000, producerEpoch: 4 };
    expect(responseViaBytes(endTxnConverter, res, version)).toEqual({
      ...res,
      errorCode: version < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED,
      producerId: version >= 5 ? 1000 : -1,
      producerEpoch: version >= 5 ? 4 : -1,
    });
  });
});

describe('AddOffsetsToTxn', () => {
  it.each(range(0, 4))('v%i: survives the wire, PRODUCER_FENCED downgraded before v2', (version) => {
    const req = { api: 'AddOffsetsToTxn', kind: 'request', correlationId: 5, transactionalId: 't1', producerId: 1, producerEpoch: 0, groupId: 'g' } as const;
    expect(requestViaBytes(addOffsetsToTxnConverter, req, version)).toEqual(req);
    const res = { api: 'AddOffsetsToTxn', kind: 'response', correlationId: 5, errorCode: ErrorCode.PRODUCER_FENCED } as const;
    expect(responseViaBytes(addOffsetsToTxnConverter, res, version).errorCode).toBe(version < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED);
  });
});

describe('InitProducerId', () => {
  it.each(range(0, 4))('v%i: PRODUCER_FENCED downgraded before v4', (version) => {
    const res = { api: 'InitProducerId', kind: 'response', correlationId: 6, errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 } as const;
    expect(responseViaBytes(initProducerIdConverter, res, version).errorCode).toBe(version < 4 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED);
  });
});

describe('DescribeTransactions and ListTransactions', () => {
  it('survive the wire', () => {
    const req = { api: 'DescribeTransactions', kind: 'request', correlationId: 8, transactionalIds: ['t1', 't2'] } as const;
    expect(requestViaBytes(describeTransactionsConverter, req, 0)).toEqual(req);
    const res: DescribeTransactionsResponse = {
      api: 'DescribeTransactions',
      kind: 'response',
      correlationId: 8,
      transactionStates: [
        {
          errorCode: 0,
          transactionalId: 't1',
          transactionState: 'Ongoing',
          transactionTimeoutMs: 60000,
          transactionStartTimeMs: 12,
          producerId: 1000,
          producerEpoch: 3,
          topics: [{ topic: 'orders', partitions: [0, 2] }],
        },
      ],
    };
    expect(responseViaBytes(describeTransactionsConverter, res, 0)).toEqual(res);
    expect(errorResponseOf(describeTransactionsConverter, { transactionalIds: ['t1'] }, 0, ErrorCode.NOT_COORDINATOR)).toMatchObject({
      transactionStates: [{ transactionalId: 't1', errorCode: ErrorCode.NOT_COORDINATOR }],
    });
    for (const version of [0, 1]) {
      const list: ListTransactionsRequest = {
        api: 'ListTransactions',
        kind: 'request',
        correlationId: 9,
        stateFilters: ['Ongoing'],
        producerIdFilters: [1000],
        durationFilter: version >= 1 ? 5000 : -1,
      };
      expect(requestViaBytes(listTransactionsConverter, list, version)).toEqual(list);
      const listed: ListTransactionsResponse = {
        api: 'ListTransactions',
        kind: 'response',
        correlationId: 9,
        errorCode: 0,
        unknownStateFilters: ['Bogus'],
        transactionStates: [{ transactionalId: 't1', producerId: 1000, transactionState: 'Ongoing' }],
      };
      expect(responseViaBytes(listTransactionsConverter, listed, version)).toEqual(listed);
    }
  });
});

describe('registration', () => {
  it('the client listener advertises the coordinator’s APIs, and core messages find their converters', () => {
    const advertised = new Map(CLIENT_LISTENER_APIS.map((a) => [a.apiKey, a.served]));
    expect(advertised.get(24)).toEqual({ min: 0, max: 5 });
    expect(advertised.get(25)).toEqual({ min: 0, max: 4 });
    expect(advertised.get(26)).toEqual({ min: 0, max: 5 });
    expect(advertised.get(65)).toEqual({ min: 0, max: 0 });
    expect(advertised.get(66)).toEqual({ min: 0, max: 1 });
    for (const api of ['AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'DescribeTransactions', 'ListTransactions'])
      expect(converterForMessage({ api })?.apiKey).toBe(apiSpecs(converterForMessage({ api })!.apiKey)!.apiKey);
  });
});

describe('kafkajs’s captured bodies', () => {
  const read = (api: string, key: number, kind: 'request' | 'response') => decodeMessage(apiSpecs(key)![kind], 0, fixture(api, `v0_${kind}.json`));

  it('AddPartitionsToTxn v0', () => {
    expect(addPartitionsToTxnConverter.requestFromWire(read('addPartitionsToTxn', 24, 'request'), 0, 1, ctx)).toEqual({
      api: 'AddPartitionsToTxn',
      kind: 'request',
      correlationId: 1,
      transactions: [
        {
          transactionalId: 'test-transactional-id',
          producerId: 1001,
          producerEpoch: 0,
          verifyOnly: false,
          topics: [{ name: 'test-topic', partitions: [0, 1, 2, 3] }],
        },
      ],
    });
    const res = addPartitionsToTxnConverter.responseFromWire(read('addPartitionsToTxn', 24, 'response'), 0, 1, ctx);
    expect(res.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition).toEqual([
      { partitionIndex: 1, partitionErrorCode: 0 },
      { partitionIndex: 2, partitionErrorCode: 0 },
    ]);
  });

  it('AddOffsetsToTxn v0 and EndTxn v0', () => {
    expect(addOffsetsToTxnConverter.requestFromWire(read('addOffsetsToTxn', 25, 'request'), 0, 1, ctx)).toMatchObject({
      transactionalId: 'test-transactional-id',
      producerId: 1001,
      producerEpoch: 0,
      groupId: 'foobar',
    });
    expect(endTxnConverter.requestFromWire(read('endTxn', 26, 'request'), 0, 1, ctx)).toMatchObject({ committed: true, bumpEpoch: false, producerId: 1001 });
    expect(endTxnConverter.responseFromWire(read('endTxn', 26, 'response'), 0, 1, ctx)).toMatchObject({ errorCode: 0, producerId: -1, producerEpoch: -1 });
  });
});
