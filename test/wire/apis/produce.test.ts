// Produce against kafkajs's captured bodies (byte-exact, values as kafkajs's specs hold them; the
// records stay opaque bytes), and the flexible versions (v9+, KIP-951 tags in v10+) built by hand.
import { describe, expect, it } from 'vitest';
import { ProduceRequestSpec, ProduceResponseSpec } from '../../../core/wire/apis/produce.ts';
import { encodeMessage } from '../../../core/wire/message-codec.ts';
import { Bytes, decodeExactly, expectSameBytes, fixture, fixturesOf, sized } from './helpers.ts';

interface Req {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Uint8Array | null }[] }[];
}
interface Resp {
  responses: { name: string; partitionResponses: Record<string, unknown>[] }[];
  throttleTimeMs: number;
}

/** The magic byte of the first batch or message in a record set (offset 16 in every format). */
const magicOf = (records: Uint8Array | null) => records![16];

describe('Produce: kafkajs fixtures', () => {
  it.each(fixturesOf('produce').map((f) => [f.file, f] as const))('%s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? ProduceRequestSpec : ProduceResponseSpec, f.version, f.bytes);
  });

  it('v2 requests: acks -1, timeout 30000, one partition holding a magic-1 message set (plain and gzip)', () => {
    const plain = decodeExactly(ProduceRequestSpec, 2, fixture('produce', 'v2_request.json')) as unknown as Req;
    expect(plain).toMatchObject({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'test-topic-9f825c3f60bb0b4db583', partitionData: [{ index: 0 }] }],
    });
    expect(magicOf(plain.topicData[0]!.partitionData[0]!.records)).toBe(1);
    const gzip = decodeExactly(ProduceRequestSpec, 2, fixture('produce', 'v2_request_gzip_linux.json')) as unknown as Req;
    expect(gzip.topicData[0]!.name).toBe('test-topic-43395f618a885920238c');
  });

  it('v3-v7 requests: transactional id null and a magic-2 batch (v7 carries producer id 4004)', () => {
    const topics: Record<number, string> = {
      3: 'test-topic-ebba68879c6f5081d8c2',
      4: 'test-topic-5370ce2c813663fce3ca-99758-4d9ea731-5a23-4d5b-abbd-8390588d655d',
      5: 'test-topic-1c8ace0ecfb3cb281243-706-b9f24ac1-6a1e-4458-ba5f-5fc0c51a46c7',
      6: 'test-topic-390850453b1c004039ea-1417-1c32a507-edbb-481d-9d9c-e287743f4b74',
      7: 'test-topic-923030b997a626c23158-517-bdaf87ff-6ab3-4ba6-ac23-ad463d5230cd',
    };
    for (const version of [3, 4, 5, 6, 7]) {
      const decoded = decodeExactly(ProduceRequestSpec, version, fixture('produce', `v${version}_request.json`)) as unknown as Req;
      expect(decoded).toMatchObject({ transactionalId: null, acks: version === 6 ? 1 : -1, timeoutMs: 30000, topicData: [{ name: topics[version] }] });
      const records = decoded.topicData[0]!.partitionData[0]!.records!;
      expect(magicOf(records)).toBe(2);
      if (version === 7) expect(Buffer.from(records).readBigInt64BE(43)).toBe(4004n);
    }
  });

  it('responses: offsets, log append time -1, log start offset (v5+), throttle time after the topics', () => {
    const v2 = decodeExactly(ProduceResponseSpec, 2, fixture('produce', 'v2_response.json')) as unknown as Resp;
    expect(v2).toEqual({
      responses: [
        {
          name: 'test-topic-919fb44e912ac0dc2693',
          partitionResponses: [expect.objectContaining({ index: 0, errorCode: 0, baseOffset: 3, logAppendTimeMs: -1 })],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    });
    const v3 = decodeExactly(ProduceResponseSpec, 3, fixture('produce', 'v3_response.json')) as unknown as Resp;
    expect(v3.responses[0]!.partitionResponses[0]).toMatchObject({ index: 0, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: -1 });
    const v7 = decodeExactly(ProduceResponseSpec, 7, fixture('produce', 'v7_response.json')) as unknown as Resp;
    expect(v7.responses[0]!.name).toBe('test-topic-923030b997a626c23158-517-bdaf87ff-6ab3-4ba6-ac23-ad463d5230cd');
    expect(v7.responses[0]!.partitionResponses[0]).toEqual({
      index: 0,
      errorCode: 0,
      baseOffset: 0,
      logAppendTimeMs: -1,
      logStartOffset: 0,
      recordErrors: [],
      errorMessage: null,
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
    });
  });
});

describe('Produce: flexible versions by hand', () => {
  const batch = Uint8Array.from({ length: 70 }, (_, i) => (i * 7) & 0xff);

  it('v9 request: compact strings, compact records, tag buffers', () => {
    const bytes = new Bytes()
      .compactString('txn-1')
      .int16(-1)
      .int32(1500)
      .compactArrayLength(1)
      .compactString('events')
      .compactArrayLength(2)
      .int32(0)
      .compactBytes(batch)
      .noTags()
      .int32(1)
      .compactBytes(null)
      .noTags()
      .noTags()
      .noTags()
      .build();
    const value = {
      transactionalId: 'txn-1',
      acks: -1,
      timeoutMs: 1500,
      topicData: [
        {
          name: 'events',
          partitionData: [
            { index: 0, records: batch },
            { index: 1, records: null },
          ],
        },
      ],
    };
    for (const version of [9, 10, 11]) {
      expect(decodeExactly(ProduceRequestSpec, version, bytes)).toMatchObject(value);
      expectSameBytes(encodeMessage(ProduceRequestSpec, version, value), bytes);
    }
  });

  it('v10 response: record errors, current leader (partition tag 0) and node endpoints (top-level tag 0)', () => {
    const leader = sized((b) => b.int32(2).int32(5).noTags());
    const endpoints = sized((b) => b.compactArrayLength(1).int32(2).compactString('broker-2').int32(9093).compactString('rack-b').noTags());
    const bytes = new Bytes()
      .compactArrayLength(1)
      .compactString('events')
      .compactArrayLength(1)
      .int32(0)
      .int16(6) // NOT_LEADER_OR_FOLLOWER
      .int64(-1)
      .int64(-1)
      .int64(-1)
      .compactArrayLength(1)
      .int32(3)
      .compactString(null)
      .noTags()
      .compactString('not the leader')
      .uvarint(1)
      .uvarint(0)
      .uvarint(leader.length)
      .raw(leader)
      .noTags()
      .int32(25)
      .uvarint(1)
      .uvarint(0)
      .uvarint(endpoints.length)
      .raw(endpoints)
      .build();
    const value = {
      responses: [
        {
          name: 'events',
          partitionResponses: [
            {
              index: 0,
              errorCode: 6,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: -1,
              recordErrors: [{ batchIndex: 3, batchIndexErrorMessage: null }],
              errorMessage: 'not the leader',
              currentLeader: { leaderId: 2, leaderEpoch: 5 },
            },
          ],
        },
      ],
      throttleTimeMs: 25,
      nodeEndpoints: [{ nodeId: 2, host: 'broker-2', port: 9093, rack: 'rack-b' }],
    };
    expect(decodeExactly(ProduceResponseSpec, 10, bytes)).toMatchObject(value);
    expectSameBytes(encodeMessage(ProduceResponseSpec, 10, value), bytes);
  });

  it('v9 response has no KIP-951 tags: a current leader given at v9 is not written', () => {
    const value = {
      responses: [
        {
          name: 't',
          partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null }],
        },
      ],
      throttleTimeMs: 0,
    };
    const bytes = new Bytes()
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int32(0)
      .int16(0)
      .int64(5)
      .int64(-1)
      .int64(0)
      .compactArrayLength(0)
      .compactString(null)
      .noTags()
      .noTags()
      .int32(0)
      .noTags()
      .build();
    expectSameBytes(encodeMessage(ProduceResponseSpec, 9, value), bytes);
    expect(decodeExactly(ProduceResponseSpec, 9, bytes)).toMatchObject(value);
  });
});
