// TxnOffsetCommit on the wire: kafkajs's captured v0 bodies byte for byte, and the converter's round
// trip core → wire → bytes → wire → core at every version (before v3 no generation or member travels:
// the coordinator reads -1 and "", and before v2 no leader epoch).
import { describe, expect, it } from 'vitest';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../../core/protocol/txn.ts';
import { TxnOffsetCommitRequestSpec, TxnOffsetCommitResponseSpec } from '../../../core/wire/apis/txn-offset-commit.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type WireContext } from '../../../core/wire/convert/converter.ts';
import { converterForMessage, converterForRequest, CLIENT_LISTENER_APIS } from '../../../core/wire/convert/index.ts';
import { txnOffsetCommitConverter } from '../../../core/wire/convert/txn-offset-commit.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { decodeExactly, fixturesOf } from './helpers.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };

const REQUEST: TxnOffsetCommitRequest = {
  api: 'TxnOffsetCommit',
  kind: 'request',
  correlationId: 9,
  transactionalId: 'x1',
  groupId: 'copiers',
  producerId: 5000,
  producerEpoch: 3,
  generationId: 7,
  memberId: 'm-1',
  groupInstanceId: 'static-1',
  topics: [{ name: 'input', partitions: [{ partitionIndex: 2, committedOffset: 42, committedLeaderEpoch: 4, committedMetadata: null }] }],
};

describe('TxnOffsetCommit on the wire', () => {
  it.each(fixturesOf('txnOffsetCommit').map((f) => [f.file, f] as const))('kafkajs %s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? TxnOffsetCommitRequestSpec : TxnOffsetCommitResponseSpec, f.version, f.bytes);
  });

  it('is served from v0 to v4 on the client listener and routed by key 28 and by name', () => {
    expect(txnOffsetCommitConverter.served).toEqual({ min: 0, max: 4 });
    expect(CLIENT_LISTENER_APIS.find((a) => a.apiKey === 28)?.served).toEqual({ min: 0, max: 4 });
    expect(converterForRequest(28, {})).toBe(txnOffsetCommitConverter);
    expect(converterForMessage({ api: 'TxnOffsetCommit' })).toBe(txnOffsetCommitConverter);
  });

  it.each([0, 1, 2, 3, 4])('v%i request and response round-trip through the bytes', (version) => {
    const wire = txnOffsetCommitConverter.requestToWire(REQUEST, version, ctx);
    const back = txnOffsetCommitConverter.requestFromWire(
      decodeMessage(TxnOffsetCommitRequestSpec, version, encodeMessage(TxnOffsetCommitRequestSpec, version, wire)),
      version,
      9,
      ctx,
    );
    const kip447 = version >= 3;
    expect(back).toEqual({
      ...REQUEST,
      generationId: kip447 ? 7 : -1,
      memberId: kip447 ? 'm-1' : '',
      groupInstanceId: kip447 ? 'static-1' : null,
      topics: [
        { name: 'input', partitions: [{ partitionIndex: 2, committedOffset: 42, committedLeaderEpoch: version >= 2 ? 4 : -1, committedMetadata: null }] },
      ],
    });
    const res: TxnOffsetCommitResponse = {
      api: 'TxnOffsetCommit',
      kind: 'response',
      correlationId: 9,
      topics: [{ name: 'input', partitions: [{ partitionIndex: 2, errorCode: 22 }] }],
    };
    const body = txnOffsetCommitConverter.responseToWire(res, version, ctx);
    expect(
      txnOffsetCommitConverter.responseFromWire(
        decodeMessage(TxnOffsetCommitResponseSpec, version, encodeMessage(TxnOffsetCommitResponseSpec, version, body)),
        version,
        9,
        ctx,
      ),
    ).toEqual(res);
    expect(txnOffsetCommitConverter.errorResponse(wire, version, 15, null)).toEqual({
      throttleTimeMs: 0,
      topics: [{ name: 'input', partitions: [{ partitionIndex: 2, errorCode: 15 }] }],
    });
  });
});
