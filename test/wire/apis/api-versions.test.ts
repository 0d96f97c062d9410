// ApiVersions against kafkajs's captured bodies (byte-exact round trip, values as kafkajs's specs
// read them), a librdkafka-style v3 request and a v3 response with tagged fields built by hand.
import { describe, expect, it } from 'vitest';
import { ApiVersionsRequestSpec, ApiVersionsResponseSpec } from '../../../core/wire/apis/api-versions.ts';
import { WireFormatError } from '../../../core/wire/errors.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { Bytes, decodeExactly, expectSameBytes, fixture, fixturesOf, sized } from './helpers.ts';

const MISSING_THROTTLE = 'v1_response_missing_throttle_time.json';

describe('ApiVersions: kafkajs fixtures', () => {
  const fixtures = fixturesOf('apiVersions').filter((f) => f.file !== MISSING_THROTTLE);
  it.each(fixtures.map((f) => [f.file, f] as const))('%s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? ApiVersionsRequestSpec : ApiVersionsResponseSpec, f.version, f.bytes);
  });

  it('the v0 request body is empty, and so are v1 and v2 (kafkajs reuses it)', () => {
    for (const version of [0, 1, 2]) {
      expect(decodeExactly(ApiVersionsRequestSpec, version, fixture('apiVersions', 'v0_request.json'))).toMatchObject({
        clientSoftwareName: '',
        clientSoftwareVersion: '',
      });
    }
  });

  it('v0 response: the 21 keys of a Kafka 0.10.0 broker', () => {
    const decoded = decodeExactly(ApiVersionsResponseSpec, 0, fixture('apiVersions', 'v0_response.json'));
    const apiKeys = decoded.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[];
    expect(decoded.errorCode).toBe(0);
    expect(apiKeys).toHaveLength(21);
    expect(apiKeys[0]).toEqual({ apiKey: 0, minVersion: 0, maxVersion: 2 });
    expect(apiKeys[7]).toEqual({ apiKey: 7, minVersion: 1, maxVersion: 1 });
    expect(apiKeys[20]).toEqual({ apiKey: 20, minVersion: 0, maxVersion: 0 });
    expect(decoded.throttleTimeMs).toBe(0);
  });

  it('v1 response: 34 keys then the throttle time; also valid as v2 (same layout)', () => {
    for (const version of [1, 2]) {
      const decoded = decodeExactly(ApiVersionsResponseSpec, version, fixture('apiVersions', 'v1_response.json'));
      const apiKeys = decoded.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[];
      expect(decoded.errorCode).toBe(0);
      expect(apiKeys).toHaveLength(34);
      expect(apiKeys[1]).toEqual({ apiKey: 1, minVersion: 0, maxVersion: 5 });
      expect(apiKeys[33]).toEqual({ apiKey: 33, minVersion: 0, maxVersion: 0 });
      expect(decoded.throttleTimeMs).toBe(0);
    }
  });

  // A broker (kafkajs issue #491) answered v1 without the trailing throttle_time_ms: kafkajs defaults
  // it to 0. We are the broker, so we never read ApiVersions responses from others; a strict decoder
  // rejects the short body as a wire-format error, and the same bytes are a valid v0 body.
  it('v1 response missing its throttle time is rejected at v1, and reads as v0', () => {
    const bytes = fixture('apiVersions', MISSING_THROTTLE);
    expect(() => decodeMessage(ApiVersionsResponseSpec, 1, bytes)).toThrow(WireFormatError);
    const asV0 = decodeExactly(ApiVersionsResponseSpec, 0, bytes);
    const full = decodeMessage(ApiVersionsResponseSpec, 1, fixture('apiVersions', 'v1_response.json'));
    expect(asV0.apiKeys).toEqual(full.apiKeys);
  });
});

describe('ApiVersions: flexible versions by hand', () => {
  it('v3 request as librdkafka sends it: two compact strings and an empty tag buffer', () => {
    const bytes = new Bytes().compactString('librdkafka').compactString('2.0.2').noTags().build();
    for (const version of [3, 4]) {
      expect(decodeExactly(ApiVersionsRequestSpec, version, bytes)).toMatchObject({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
      expectSameBytes(encodeMessage(ApiVersionsRequestSpec, version, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' }), bytes);
    }
  });

  it('v3 response with supported and finalized features in tags 0-2 (tag 3 left at its default)', () => {
    const supported = sized((b) => b.compactArrayLength(1).compactString('metadata.version').int16(1).int16(20).noTags());
    const epoch = sized((b) => b.int64(7));
    const finalized = sized((b) => b.compactArrayLength(1).compactString('metadata.version').int16(20).int16(1).noTags());
    const bytes = new Bytes()
      .int16(0)
      .compactArrayLength(2)
      .int16(0)
      .int16(0)
      .int16(11)
      .noTags()
      .int16(18)
      .int16(0)
      .int16(4)
      .noTags()
      .int32(0)
      .uvarint(3)
      .uvarint(0)
      .uvarint(supported.length)
      .raw(supported)
      .uvarint(1)
      .uvarint(epoch.length)
      .raw(epoch)
      .uvarint(2)
      .uvarint(finalized.length)
      .raw(finalized)
      .build();
    const value = {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 0, maxVersion: 11 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ],
      throttleTimeMs: 0,
      supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
      finalizedFeaturesEpoch: 7,
      finalizedFeatures: [{ name: 'metadata.version', maxVersionLevel: 20, minVersionLevel: 1 }],
      zkMigrationReady: false,
    };
    expect(decodeExactly(ApiVersionsResponseSpec, 3, bytes)).toMatchObject(value);
    expectSameBytes(encodeMessage(ApiVersionsResponseSpec, 3, value), bytes);
  });

  it('v3 response with no features: tagged fields at their defaults are not written', () => {
    const bytes = new Bytes().int16(35).compactArrayLength(0).int32(0).noTags().build();
    const decoded = decodeExactly(ApiVersionsResponseSpec, 3, bytes);
    expect(decoded).toMatchObject({
      errorCode: 35,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });
});
