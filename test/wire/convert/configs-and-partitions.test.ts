// DescribeConfigs and CreatePartitions converters: core ↔ wire ↔ bytes at every served version, broker
// resources named by int32 id, error responses that encode, and kafkajs's captured bodies through the converters.
import { describe, expect, it } from 'vitest';
import { describeConfigs } from '../../../core/broker/describe-configs.ts';
import { MetadataImage } from '../../../core/controller/image.ts';
import { Config } from '../../../core/protocol/configs.ts';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../../core/protocol/controller.ts';
import { ConfigSource, ConfigType, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../../core/protocol/data.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { CreatePartitionsRequestSpec, CreatePartitionsResponseSpec } from '../../../core/wire/apis/create-partitions.ts';
import { DescribeConfigsRequestSpec, DescribeConfigsResponseSpec } from '../../../core/wire/apis/describe-configs.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type WireContext, type WireIds, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { createPartitionsConverter } from '../../../core/wire/convert/create-partitions.ts';
import { describeConfigsConverter } from '../../../core/wire/convert/describe-configs.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import type { MessageSpec } from '../../../core/wire/spec.ts';
import { expectSameBytes, fixturesOf, versionsOf } from '../apis/helpers.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };
/** The simulator's names: broker b3 is Kafka's broker 3. */
const SIM_IDS: WireIds = {
  toWire: (id) => (id === null ? -1 : /^b\d+$/.test(id) ? Number(id.slice(1)) : Number.NaN),
  fromWire: (id) => (id < 0 ? null : `b${id}`),
};
const simCtx: WireContext = { ...ctx, ids: SIM_IDS };

function viaBytes(spec: MessageSpec, version: number, body: WireStruct): WireStruct {
  return decodeMessage(spec, version, encodeMessage(spec, version, body));
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

// ---- DescribeConfigs -----------------------------------------------------------------------------------

function describeRequest(version: number, brokerName = '3'): DescribeConfigsRequest {
  return {
    api: 'DescribeConfigs',
    kind: 'request',
    correlationId: 7,
    resources: [
      { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'flush.ms'] },
      { resourceType: 4, resourceName: brokerName, configurationKeys: null },
      { resourceType: 4, resourceName: '', configurationKeys: [] },
    ],
    includeSynonyms: version >= 1,
    includeDocumentation: version >= 3,
  };
}

/** A response whose every field survives `version` (v0 knows sources only as "default or not"). */
function describeResponse(version: number, brokerName = '3'): DescribeConfigsResponse {
  const rich = version >= 1;
  const typed = version >= 3;
  return {
    api: 'DescribeConfigs',
    kind: 'response',
    correlationId: 7,
    results: [
      {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: 2,
        resourceName: 'orders',
        configs: [
          {
            name: 'flush.ms',
            value: '100',
            readOnly: false,
            configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
            isSensitive: false,
            synonyms: rich
              ? [
                  { name: 'flush.ms', value: '100', source: ConfigSource.DYNAMIC_TOPIC_CONFIG },
                  { name: 'log.flush.interval.ms', value: null, source: ConfigSource.DEFAULT_CONFIG },
                ]
              : [],
            configType: typed ? ConfigType.LONG : ConfigType.UNKNOWN,
            documentation: typed ? 'Milliseconds the partition log may stay unsynced.' : null,
          },
          {
            name: 'retention.ms',
            value: '604800000',
            readOnly: true,
            configSource: ConfigSource.DEFAULT_CONFIG,
            isSensitive: false,
            synonyms: [],
            configType: typed ? ConfigType.LONG : ConfigType.UNKNOWN,
            documentation: null,
          },
        ],
      },
      {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: 4,
        resourceName: brokerName,
        configs: [
          {
            name: 'min.insync.replicas',
            value: '2',
            readOnly: true,
            configSource: ConfigSource.STATIC_BROKER_CONFIG,
            isSensitive: false,
            synonyms: [],
            configType: typed ? ConfigType.INT : ConfigType.UNKNOWN,
            documentation: null,
          },
        ],
      },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic "gone"', resourceType: 2, resourceName: 'gone', configs: [] },
    ],
  };
}

describe('DescribeConfigs converter', () => {
  const served = range(describeConfigsConverter.served.min, describeConfigsConverter.served.max);

  it('serves 0..4, every version of the spec', () => {
    expect(describeConfigsConverter.served).toEqual({ min: 0, max: 4 });
    expect(describeConfigsConverter.apiKey).toBe(DescribeConfigsRequestSpec.apiKey);
    expect(served).toEqual(versionsOf(DescribeConfigsRequestSpec));
  });

  it.each(served)('v%i request: core → wire → bytes → wire → core is the identity', (version) => {
    const req = describeRequest(version);
    const wire = viaBytes(DescribeConfigsRequestSpec, version, describeConfigsConverter.requestToWire(req, version, ctx));
    expect(describeConfigsConverter.requestFromWire(wire, version, 7, ctx)).toEqual(req);
  });

  it.each(served)('v%i request: what an older version cannot ask for is left out, never an error', (version) => {
    const req = { ...describeRequest(version), includeSynonyms: true, includeDocumentation: true };
    const wire = viaBytes(DescribeConfigsRequestSpec, version, describeConfigsConverter.requestToWire(req, version, ctx));
    expect(describeConfigsConverter.requestFromWire(wire, version, 7, ctx)).toMatchObject({
      includeSynonyms: version >= 1,
      includeDocumentation: version >= 3,
    });
  });

  it.each(served)('v%i response: core → wire → bytes → wire → core keeps what the version carries', (version) => {
    const res = describeResponse(version);
    const wire = viaBytes(DescribeConfigsResponseSpec, version, describeConfigsConverter.responseToWire(res, version, ctx));
    expect(describeConfigsConverter.responseFromWire(wire, version, 7, ctx)).toEqual(res);
  });

  it('v0 says only whether a value is a default: isDefault on the wire, read back by resource type', () => {
    const wire = describeConfigsConverter.responseToWire(describeResponse(0), 0, ctx) as { results: Array<{ configs: Array<Record<string, unknown>> }> };
    expect(wire.results[0]!.configs.map((c) => c['isDefault'])).toEqual([false, true]);
    expect(wire.results[1]!.configs.map((c) => c['isDefault'])).toEqual([false]);
    // A broker-sourced topic value has no v0 spelling: it reads back as the topic's own.
    const lossy = describeResponse(0);
    lossy.results[0]!.configs[1]!.configSource = ConfigSource.STATIC_BROKER_CONFIG;
    const back = describeConfigsConverter.responseFromWire(
      viaBytes(DescribeConfigsResponseSpec, 0, describeConfigsConverter.responseToWire(lossy, 0, ctx)),
      0,
      7,
      ctx,
    );
    expect(back.results[0]!.configs[1]!.configSource).toBe(ConfigSource.DYNAMIC_TOPIC_CONFIG);
  });

  it('broker resources are named by int32 id on the wire and by NodeId in the core; other names pass unchanged', () => {
    const req = describeRequest(4, 'b3');
    const wire = describeConfigsConverter.requestToWire(req, 4, simCtx) as { resources: Array<{ resourceName: string }> };
    expect(wire.resources.map((r) => r.resourceName)).toEqual(['orders', '3', '']);
    expect(describeConfigsConverter.requestFromWire(wire as WireStruct, 4, 7, simCtx)).toEqual(req);
    const res = describeResponse(4, 'b3');
    const wireRes = describeConfigsConverter.responseToWire(res, 4, simCtx) as { results: Array<{ resourceName: string }> };
    expect(wireRes.results.map((r) => r.resourceName)).toEqual(['orders', '3', 'gone']);
    expect(describeConfigsConverter.responseFromWire(wireRes as WireStruct, 4, 7, simCtx)).toEqual(res);
    // Names that are no canonical id reach the core as sent (it refuses them) and go back the same.
    for (const name of ['03', '-1', 'abc', '99999999999']) {
      const odd = describeConfigsConverter.requestFromWire({ resources: [{ resourceType: 4, resourceName: name, configurationKeys: null }] }, 4, 7, simCtx);
      expect(odd.resources[0]!.resourceName).toBe(name);
      const answer = describeConfigs(odd, { brokerId: 'b3', config: new Config(), image: null });
      expect(answer.results[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      const echoed = describeConfigsConverter.responseToWire(answer, 4, simCtx) as { results: Array<{ resourceName: string }> };
      expect(echoed.results[0]!.resourceName).toBe(name);
    }
  });

  it.each(served)('v%i: what the core answers encodes, synonyms, documentation and all', (version) => {
    const image = new MetadataImage();
    image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'T1' });
    image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'flush.ms', value: '100' });
    const req: DescribeConfigsRequest = {
      ...describeRequest(version),
      resources: [
        { resourceType: 2, resourceName: 'orders', configurationKeys: null },
        { resourceType: 4, resourceName: '3', configurationKeys: null },
        { resourceType: 2, resourceName: 'nope', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    };
    const res = describeConfigs(req, { brokerId: '3', config: new Config({ 'min.insync.replicas': 2 }), image });
    const wire = viaBytes(DescribeConfigsResponseSpec, version, describeConfigsConverter.responseToWire(res, version, ctx));
    const back = describeConfigsConverter.responseFromWire(wire, version, 7, ctx);
    expect(back.results.map((r) => [r.resourceName, r.errorCode, r.configs.length])).toEqual(
      res.results.map((r) => [r.resourceName, r.errorCode, r.configs.length]),
    );
    const flush = back.results[0]!.configs.find((c) => c.name === 'flush.ms')!;
    expect(flush).toMatchObject({ value: '100', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(flush.synonyms.length > 0).toBe(version >= 1);
    expect(flush.documentation !== null).toBe(version >= 3);
  });

  it.each(served)('v%i errorResponse puts the error on every resource and encodes', (version) => {
    const body = describeConfigsConverter.requestToWire(describeRequest(version), version, ctx);
    const wire = viaBytes(DescribeConfigsResponseSpec, version, describeConfigsConverter.errorResponse(body, version, ErrorCode.UNSUPPORTED_VERSION, 'no'));
    const res = describeConfigsConverter.responseFromWire(wire, version, 7, ctx);
    expect(res.results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.errorMessage, r.configs])).toEqual([
      [2, 'orders', ErrorCode.UNSUPPORTED_VERSION, 'no', []],
      [4, '3', ErrorCode.UNSUPPORTED_VERSION, 'no', []],
      [4, '', ErrorCode.UNSUPPORTED_VERSION, 'no', []],
    ]);
  });

  it.each(fixturesOf('describeConfigs').map((f) => [f.file, f] as const))(
    'kafkajs %s decodes through the converter and re-encodes byte for byte',
    (_file, f) => {
      const spec = f.kind === 'request' ? DescribeConfigsRequestSpec : DescribeConfigsResponseSpec;
      const body = decodeMessage(spec, f.version, f.bytes);
      if (f.kind === 'request') {
        const req = describeConfigsConverter.requestFromWire(body, f.version, 1, ctx);
        expect(req.resources.length).toBeGreaterThan(0);
        expectSameBytes(encodeMessage(spec, f.version, describeConfigsConverter.requestToWire(req, f.version, ctx)), f.bytes, f.file);
      } else {
        const res = describeConfigsConverter.responseFromWire(body, f.version, 1, ctx);
        expect(res.results.every((r) => r.errorCode === ErrorCode.NONE && r.configs.length > 0)).toBe(true);
        expectSameBytes(encodeMessage(spec, f.version, describeConfigsConverter.responseToWire(res, f.version, ctx)), f.bytes, f.file);
      }
    },
  );

  it('kafkajs captures read as Kafka reads them: v0 defaults, set topic values, a set broker value', () => {
    const read = (file: string) => {
      const f = fixturesOf('describeConfigs').find((x) => x.file === file)!;
      return describeConfigsConverter.responseFromWire(decodeMessage(DescribeConfigsResponseSpec, f.version, f.bytes), f.version, 1, ctx);
    };
    expect(read('v0_response.json').results[0]!.configs.map((c) => [c.name, c.configSource])).toEqual([
      ['compression.type', ConfigSource.DEFAULT_CONFIG],
      ['retention.ms', ConfigSource.DEFAULT_CONFIG],
    ]);
    expect(read('v0_response_topic_config.json').results[0]!.configs[0]).toMatchObject({ value: '123456789', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(read('v0_response_broker_config.json').results[0]).toMatchObject({
      resourceName: '0',
      configs: [{ configSource: ConfigSource.STATIC_BROKER_CONFIG }],
    });
    expect(read('v1_response.json').results[0]!.configs[0]!.synonyms).toEqual([
      { name: 'compression.type', value: 'producer', source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });
});

// ---- CreatePartitions ----------------------------------------------------------------------------------

describe('CreatePartitions converter', () => {
  const served = range(createPartitionsConverter.served.min, createPartitionsConverter.served.max);
  const req: CreatePartitionsRequest = {
    api: 'CreatePartitions',
    kind: 'request',
    correlationId: 7,
    topics: [
      { name: 'placed', count: 6, assignments: null },
      { name: 'assigned', count: 3, assignments: [{ brokerIds: ['1', '2'] }, { brokerIds: ['2', '0'] }] },
    ],
    timeoutMs: 5000,
    validateOnly: true,
  };

  it('serves 0..3, every version of the spec', () => {
    expect(createPartitionsConverter.served).toEqual({ min: 0, max: 3 });
    expect(createPartitionsConverter.apiKey).toBe(CreatePartitionsRequestSpec.apiKey);
    expect(served).toEqual(versionsOf(CreatePartitionsRequestSpec));
  });

  it.each(served)('v%i request: core → wire → bytes → wire → core is the identity', (version) => {
    const wire = viaBytes(CreatePartitionsRequestSpec, version, createPartitionsConverter.requestToWire(req, version, ctx));
    expect(createPartitionsConverter.requestFromWire(wire, version, 7, ctx)).toEqual(req);
  });

  it('assigned brokers travel as int32 ids; one naming no node reaches the core as its number, for the controller to refuse', () => {
    const sim = { ...req, topics: [{ name: 'assigned', count: 2, assignments: [{ brokerIds: ['b3', 'b1'] }] }] };
    const wire = createPartitionsConverter.requestToWire(sim, 3, simCtx) as { topics: Array<{ assignments: Array<{ brokerIds: number[] }> }> };
    expect(wire.topics[0]!.assignments[0]!.brokerIds).toEqual([3, 1]);
    expect(createPartitionsConverter.requestFromWire(wire as WireStruct, 3, 7, simCtx)).toEqual(sim);
    const negative = createPartitionsConverter.requestFromWire(
      { topics: [{ name: 't', count: 2, assignments: [{ brokerIds: [1, -1] }] }], timeoutMs: 1, validateOnly: false },
      3,
      7,
      simCtx,
    );
    expect(negative.topics[0]!.assignments).toEqual([{ brokerIds: ['b1', '-1'] }]);
  });

  it.each(served)('v%i response: core → wire → bytes → wire → core is the identity', (version) => {
    const res: CreatePartitionsResponse = {
      api: 'CreatePartitions',
      kind: 'response',
      correlationId: 7,
      results: [
        { name: 'placed', errorCode: ErrorCode.NONE, errorMessage: null },
        { name: 'assigned', errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes an empty replica list.' },
      ],
    };
    const wire = viaBytes(CreatePartitionsResponseSpec, version, createPartitionsConverter.responseToWire(res, version, ctx));
    expect(createPartitionsConverter.responseFromWire(wire, version, 7, ctx)).toEqual(res);
  });

  it.each(served)('v%i errorResponse puts the error on every topic and encodes', (version) => {
    const body = createPartitionsConverter.requestToWire(req, version, ctx);
    const wire = viaBytes(CreatePartitionsResponseSpec, version, createPartitionsConverter.errorResponse(body, version, ErrorCode.NOT_CONTROLLER, 'elsewhere'));
    expect(createPartitionsConverter.responseFromWire(wire, version, 7, ctx).results).toEqual([
      { name: 'placed', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'elsewhere' },
      { name: 'assigned', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'elsewhere' },
    ]);
  });

  it.each(fixturesOf('createPartitions').map((f) => [f.file, f] as const))(
    'kafkajs %s decodes through the converter and re-encodes byte for byte',
    (_file, f) => {
      const spec = f.kind === 'request' ? CreatePartitionsRequestSpec : CreatePartitionsResponseSpec;
      const body = decodeMessage(spec, f.version, f.bytes);
      if (f.kind === 'request') {
        const core = createPartitionsConverter.requestFromWire(body, f.version, 1, ctx);
        expect(core.topics.map((t) => [t.count, t.assignments])).toEqual([
          [3, null],
          [5, [{ brokerIds: ['0'] }, { brokerIds: ['1'] }, { brokerIds: ['2'] }]],
        ]);
        expectSameBytes(encodeMessage(spec, f.version, createPartitionsConverter.requestToWire(core, f.version, ctx)), f.bytes, f.file);
      } else {
        const core = createPartitionsConverter.responseFromWire(body, f.version, 1, ctx);
        expect(core.results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
        expectSameBytes(encodeMessage(spec, f.version, createPartitionsConverter.responseToWire(core, f.version, ctx)), f.bytes, f.file);
      }
    },
  );
});
