// Hostile frames against one in-process broker, each on a fresh socket: answers must stay well-formed and in order, and the broker must keep serving.
import { fc, test } from '@fast-check/vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../core/protocol/records.ts';
import { API_VERSIONS_SERVED, CLIENT_LISTENER_APIS, converterForRequest, readableVersions } from '../../core/wire/convert/index.ts';
import { FrameReader, FrameTooLargeError } from '../../core/wire/frame.ts';
import { decodeResponseBody, encodeRequestFrame } from '../../core/wire/messages.ts';
import { encodeRecordBatch } from '../../core/wire/record-batch.ts';
import { startBroker, type RunningBroker } from '../../net/broker.ts';
import { freePorts } from '../../net/local-cluster.ts';
import { parseServerProperties } from '../../net/server-properties.ts';
import { wireRequests, type WireRequest } from '../../net/wire-request.ts';

const HOST = '127.0.0.1';
const MAX_REQUEST_BYTES = 1048576;
/** The topic the valid requests produce to, fetch from and list offsets of (created before the fuzzing). */
const TOPIC = 'fuzz';
/** How long a connection may stay quiet before the case stops listening (an idle local broker answers in a few ms). */
const IDLE_MS = 80;
/** The longest one case listens. */
const LIMIT_MS = 1500;
const API_VERSIONS = 18;
const METADATA = 3;
const UNSUPPORTED_VERSION = 35;

/** SAMSA_DEEP=1 (npm run test:deep) runs ten times as many cases. */
const DEEP = process.env['SAMSA_DEEP'] !== undefined && process.env['SAMSA_DEEP'] !== '' && process.env['SAMSA_DEEP'] !== '0';

/** The fast-check seed, printed first: SAMSA_PROPERTY_SEED replays a run (SAMSA_PROPERTY_PATH, with -t naming the property, a shrunk case). */
function fuzzSeed(): { seed: number; path: string | undefined } {
  const fromEnv = process.env['SAMSA_PROPERTY_SEED'];
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 1;
  const path = process.env['SAMSA_PROPERTY_PATH'] || undefined;
  console.log(
    `[fuzz-frames] fast-check seed ${seed}${path ? ` path ${path}` : ''} (replay: SAMSA_PROPERTY_SEED=${seed}${DEEP ? ' SAMSA_DEEP=1' : ''} npx vitest run test/net/fuzz-frames.test.ts)`,
  );
  return { seed, path };
}
const { seed, path } = fuzzSeed();
const fcOptions = (numRuns: number) => ({ numRuns: DEEP ? numRuns * 10 : numRuns, seed, path, endOnFailure: true });

// ---- bytes on a raw socket ----

/** What came back on one connection. */
interface Outcome {
  /** Response frame bodies, in arrival order. */
  frames: Uint8Array[];
  /** Whether the broker closed (or reset) the connection, rather than the case giving up listening. */
  closedByBroker: boolean;
  /** A problem with the bytes that came back (a bad size prefix): they are not Kafka's framing. */
  garbled: string | null;
}

/** Writes `chunks` on a fresh connection and reads until the broker closes it, `expectFrames` frames came, or it stays quiet for `idleMs`. */
function exchange(chunks: readonly Uint8Array[], options: { idleMs?: number; expectFrames?: number; port?: number } = {}): Promise<Outcome> {
  const idleMs = options.idleMs ?? IDLE_MS;
  return new Promise((resolve) => {
    const reader = new FrameReader(64 * 1024 * 1024);
    const outcome: Outcome = { frames: [], closedByBroker: false, garbled: null };
    let done = false;
    const socket = connect({ host: HOST, port: options.port ?? port });
    const finish = (closedByBroker: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(limit);
      outcome.closedByBroker = closedByBroker;
      socket.destroy();
      resolve(outcome);
    };
    let idle = setTimeout(() => finish(false), idleMs + 200);
    const limit = setTimeout(() => finish(false), LIMIT_MS);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (data: Buffer) => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(false), idleMs);
      try {
        outcome.frames.push(...reader.push(new Uint8Array(data)));
      } catch (err) {
        if (!(err instanceof FrameTooLargeError)) throw err;
        outcome.garbled = err.message;
        return finish(false);
      }
      if (options.expectFrames !== undefined && outcome.frames.length >= options.expectFrames) finish(false);
    });
    // A reset (the broker closed with our bytes unread) or a write into a closed connection: the broker closed it.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

function int32At(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(at);
}

function int16At(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt16(at);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `body` with an int32 size prefix of `size` (its length unless told). */
function framed(body: Uint8Array, size = body.length): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setInt32(0, size);
  out.set(body, 4);
  return out;
}

/** A request header v1 (key, version, correlation id, client id) and `body`, framed: any key and version, known or not. */
function rawRequest(apiKey: number, version: number, correlationId: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const clientId = new TextEncoder().encode('fuzz');
  const header = new Uint8Array(10 + clientId.length);
  const view = new DataView(header.buffer);
  view.setInt16(0, apiKey);
  view.setInt16(2, version);
  view.setInt32(4, correlationId);
  view.setInt16(8, clientId.length);
  header.set(clientId, 10);
  return framed(concat([header, body]));
}

interface SentRequest {
  apiKey: number;
  version: number;
  correlationId: number;
}

/** The request frames the broker reads from `bytes`, as its FrameReader cuts them (up to a bad size prefix); headers too short to read end the list. */
function requestsIn(bytes: Uint8Array): SentRequest[] {
  let bodies: Uint8Array[];
  try {
    bodies = new FrameReader(MAX_REQUEST_BYTES).push(bytes.slice());
  } catch (err) {
    if (!(err instanceof FrameTooLargeError)) throw err;
    // Frames before the bad prefix may be read (when they came in an earlier chunk): cut again up to it.
    bodies = [];
    const reader = new FrameReader(MAX_REQUEST_BYTES);
    for (let i = 0; i < bytes.length; i++) {
      try {
        bodies.push(...reader.push(bytes.slice(i, i + 1)));
      } catch {
        break;
      }
    }
  }
  const out: SentRequest[] = [];
  for (const body of bodies) {
    if (body.length < 8) break;
    out.push({ apiKey: int16At(body, 0), version: int16At(body, 2), correlationId: int32At(body, 4) });
  }
  return out;
}

/**
 * Problems with what came back for `sent`: the bytes must be Kafka framing, and the responses, in order, answer a subsequence
 * of the requests (some get none: Produce acks=0, or a request the broker closes the connection on), each with its
 * request's correlation id and a body that decodes at its request's version (ApiVersions at an unsupported one: v0).
 */
function responseProblems(sent: Uint8Array, outcome: Outcome): string[] {
  const problems: string[] = [];
  if (outcome.garbled !== null) problems.push(`the response bytes are not framed: ${outcome.garbled}`);
  const requests = requestsIn(sent);
  let next = 0;
  for (const [i, frame] of outcome.frames.entries()) {
    if (frame.length < 4) {
      problems.push(`response ${i} has ${frame.length} bytes, no correlation id`);
      break;
    }
    const id = int32At(frame, 0);
    while (next < requests.length && requests[next]!.correlationId !== id) next++;
    if (next === requests.length) {
      problems.push(`response ${i} has correlation id ${id}, answering none of the requests left (ids ${requests.map((r) => r.correlationId).join(', ')})`);
      break;
    }
    const request = requests[next++]!;
    // With a duplicate correlation id the response may answer another request than the one matched.
    if (requests.filter((r) => r.correlationId === id).length === 1) {
      const { apiKey, version } = request;
      const asVersion = apiKey === API_VERSIONS && (version < API_VERSIONS_SERVED.min || version > API_VERSIONS_SERVED.max) ? 0 : version;
      try {
        decodeResponseBody(frame, apiKey, asVersion);
      } catch (err) {
        problems.push(`response ${i} (to API ${apiKey} v${version}, correlation id ${id}) does not decode: ${(err as Error).message}`);
      }
    }
  }
  if (outcome.frames.length > requests.length) problems.push(`${outcome.frames.length} responses to ${requests.length} requests`);
  return problems;
}

// ---- the broker ----

let broker: RunningBroker;
let port: number;
let dir: string;
/** Log lines of steps that threw (caught by the runtime's guard, so the broker goes on: still a bug in the node). */
const stepErrors: string[] = [];
/** Exceptions nothing caught: in a `samsa broker` process each would have killed the broker. */
const uncaught: string[] = [];
const onUncaught = (err: unknown) => void uncaught.push(err instanceof Error ? (err.stack ?? err.message) : String(err));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fails unless a fresh connection gets Metadata v1 listing broker 1 and ApiVersions v3 answered with error 0, and nothing went wrong inside. */
async function expectServing(what: string): Promise<void> {
  const [metadata, versions] = await wireRequests(HOST, port, [
    { apiKey: METADATA, version: 1, body: { topics: [] } },
    { apiKey: API_VERSIONS, version: 3, body: { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' } },
  ]).catch((err: Error) => {
    throw new Error(`the broker stopped serving after ${what}: ${err.message}`);
  });
  expect(
    (metadata!.brokers as Array<{ nodeId: number }>).map((b) => b.nodeId),
    `Metadata after ${what}`,
  ).toContain(1);
  expect(versions!.errorCode, `ApiVersions after ${what}`).toBe(0);
  expect(uncaught, `uncaught exceptions after ${what}`).toEqual([]);
  expect(stepErrors, `steps that threw after ${what}`).toEqual([]);
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  dir = mkdtempSync(join(tmpdir(), 'samsa-fuzz-'));
  const [controllerPort] = await freePorts(1);
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://${HOST}:0,CONTROLLER://${HOST}:${controllerPort}`,
    `controller.quorum.voters=1@${HOST}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:0`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dir}`,
    `socket.request.max.bytes=${MAX_REQUEST_BYTES}`,
  ].join('\n');
  broker = await startBroker(parseServerProperties(properties), (line) => {
    if (line.startsWith('error in ')) stepErrors.push(line);
  });
  port = broker.runtime.bound.get('PLAINTEXT')!.port;
  await until(
    'Metadata v1 to list broker 1',
    async () => {
      const [metadata] = await wireRequests(HOST, port, [{ apiKey: METADATA, version: 1, body: { topics: [] } }], 1000);
      return (metadata!.brokers as unknown[]).length === 1;
    },
    20_000,
  );
  const [created] = await wireRequests(HOST, port, [{ apiKey: 19, version: 4, body: { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1 }] } }]);
  expect((created!.topics as Array<{ errorCode: number }>)[0]!.errorCode).toBe(0);
  await until(
    `a leader for ${TOPIC}-0`,
    async () => {
      const [metadata] = await wireRequests(HOST, port, [{ apiKey: METADATA, version: 1, body: { topics: [{ name: TOPIC }] } }], 1000);
      const partitions = (metadata!.topics as Array<{ partitions: Array<{ leaderId: number }> }>)[0]?.partitions ?? [];
      return partitions.length === 1 && partitions[0]!.leaderId === 1;
    },
    10_000,
  );
}, 40_000);

afterAll(async () => {
  await broker?.stop();
  process.off('uncaughtException', onUncaught);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 20_000);

// ---- valid requests ----

/** How a drawn batch differs from a plain producer's: its attribute bits (timestamp type, transactional, control) and idempotence fields. */
interface BatchShape {
  attributes: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

const PLAIN: BatchShape = { attributes: 0, producerId: -1, producerEpoch: -1, baseSequence: -1 };

function batch(values: readonly string[], shape: BatchShape = PLAIN): Uint8Array {
  const records: KafkaRecord[] = values.map((value, i) => ({ offsetDelta: i, timestampDelta: i, key: i % 2 === 0 ? `k${i}` : null, value, headers: [] }));
  return encodeRecordBatch({
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    lastOffsetDelta: records.length - 1,
    baseTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000 + records.length - 1,
    ...shape,
    records,
  });
}

const batchShape: fc.Arbitrary<BatchShape> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(PLAIN) },
  {
    weight: 1,
    arbitrary: fc.record({
      attributes: fc.constantFrom(0, 0x08, 0x10, 0x20, 0x30),
      producerId: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 5 })),
      producerEpoch: fc.integer({ min: -1, max: 2 }),
      baseSequence: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant(0x7fffffff)),
    }),
  },
);

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
/** Samsa carries int64s as numbers: the safe range. */
const int64 = fc.maxSafeInteger();
const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/);

/**
 * Valid requests of the APIs clients send most, with drawn field values. None can create more than a few partitions (a
 * mutated numPartitions could ask for millions: see the CreateTopics template), and every Fetch waits at most 50 ms.
 */
const validRequest: fc.Arbitrary<WireRequest> = fc.oneof(
  fc.record({
    apiKey: fc.constant(API_VERSIONS),
    version: fc.integer({ min: 0, max: 3 }),
    body: fc.constant({ clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' }),
  }),
  fc.record({
    apiKey: fc.constant(METADATA),
    version: fc.integer({ min: 0, max: 9 }),
    body: fc.record({
      topics: fc.array(fc.record({ name: fc.oneof(fc.constant(TOPIC), topicName) }), { maxLength: 3 }),
      allowAutoTopicCreation: fc.constant(false),
    }),
  }),
  fc.record({
    apiKey: fc.constant(0),
    version: fc.integer({ min: 3, max: 8 }),
    body: fc.record({
      acks: fc.constantFrom(1, -1, 0, 2),
      timeoutMs: fc.integer({ min: -1, max: 1000 }),
      topicData: fc
        .record({ values: fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 3 }), shape: batchShape, index: fc.integer({ min: -1, max: 1 }) })
        .map(({ values, shape, index }) => [{ name: TOPIC, partitionData: [{ index, records: batch(values, shape) }] }]),
    }),
  }),
  fc.record({
    apiKey: fc.constant(1),
    version: fc.integer({ min: 4, max: 12 }),
    body: fc.record({
      maxWaitMs: fc.integer({ min: 0, max: 50 }),
      minBytes: fc.oneof(fc.integer({ min: 0, max: 2 }), int32),
      maxBytes: fc.oneof(fc.constant(0x7fffffff), int32),
      isolationLevel: fc.constantFrom(0, 1),
      topics: fc
        .record({
          fetchOffset: fc.oneof(fc.integer({ min: -1, max: 20 }), int64),
          partitionMaxBytes: fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), int32),
          partition: fc.integer({ min: -1, max: 2 }),
          currentLeaderEpoch: fc.integer({ min: -1, max: 2 }),
          logStartOffset: fc.oneof(fc.constant(-1), int64),
        })
        .map((p) => [{ topic: TOPIC, partitions: [p] }]),
    }),
  }),
  fc.record({
    apiKey: fc.constant(2),
    version: fc.integer({ min: 1, max: 5 }),
    body: fc.record({
      replicaId: fc.constant(-1),
      isolationLevel: fc.constantFrom(0, 1),
      topics: fc
        .record({ partitionIndex: fc.integer({ min: -1, max: 1 }), timestamp: fc.oneof(fc.constantFrom(-1, -2, -3, 0, 1_700_000_000_000), int64) })
        .map((partition) => [{ name: TOPIC, partitions: [partition] }]),
    }),
  }),
  fc.record({
    apiKey: fc.constant(19),
    version: fc.integer({ min: 0, max: 7 }),
    body: fc.record({
      topics: fc
        .record({ name: topicName, numPartitions: fc.integer({ min: -1, max: 3 }), replicationFactor: fc.integer({ min: -1, max: 2 }) })
        .map((t) => [{ ...t, assignments: [], configs: [] }]),
      timeoutMs: fc.constant(5000),
      validateOnly: fc.boolean(),
    }),
  }),
);

/**
 * Templates to mutate: no single byte change can make them create a topic of many partitions (CreateTopics asks for 3
 * replicas of 1 broker and only validates, so a change to numPartitions meets two more refusals). Known bug: the
 * controller's CreateTopics has no MAX_RECORDS_PER_USER_OP bound (CreatePartitions has), so a topic of millions of
 * partitions is placed and written in one step that blocks the broker's event loop for minutes.
 */
const mutableRequest: fc.Arbitrary<WireRequest> = fc.oneof(
  validRequest.filter((r) => r.apiKey !== 19),
  fc.record({
    apiKey: fc.constant(19),
    version: fc.integer({ min: 1, max: 7 }),
    body: fc.constant({
      topics: [{ name: 'fuzz-new', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: true,
    }),
  }),
);

function requestFrame(request: WireRequest, correlationId: number): Uint8Array {
  return encodeRequestFrame({ apiKey: request.apiKey, apiVersion: request.version, correlationId, clientId: 'fuzz' }, request.body);
}

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }) },
);

function mutate(body: Uint8Array, m: Mutation): Uint8Array {
  const at = body.length === 0 ? 0 : ('at' in m ? m.at : 0) % body.length;
  switch (m.kind) {
    case 'set': {
      const out = body.slice();
      if (out.length > 0) out[at] = m.byte;
      return out;
    }
    case 'truncate':
      return body.slice(0, at);
    case 'extend':
      return concat([body, m.bytes]);
    case 'insert':
      return concat([body.subarray(0, at), m.bytes, body.subarray(at)]);
    case 'delete':
      return concat([body.subarray(0, at), body.subarray(at + m.length)]);
  }
}

const correlationId = fc.integer({ min: 0, max: 0x7fffffff });

// ---- the cases ----

describe('a broker under hostile frames', () => {
  it('answers ApiVersions at an unknown version (v127) in v0 with UNSUPPORTED_VERSION and only its own range, and keeps the connection', async () => {
    const request = rawRequest(API_VERSIONS, 127, 4242, new Uint8Array([1, 2, 3]));
    const followUp = requestFrame({ apiKey: API_VERSIONS, version: 3, body: { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' } }, 4243);
    const outcome = await exchange([request, followUp], { expectFrames: 2, idleMs: 1000 });
    expect(outcome.frames).toHaveLength(2);
    expect(int32At(outcome.frames[0]!, 0)).toBe(4242);
    const fallback = decodeResponseBody(outcome.frames[0]!, API_VERSIONS, 0);
    expect(fallback.errorCode).toBe(UNSUPPORTED_VERSION);
    expect(fallback.apiKeys).toEqual([{ apiKey: API_VERSIONS, minVersion: API_VERSIONS_SERVED.min, maxVersion: API_VERSIONS_SERVED.max }]);
    expect(int32At(outcome.frames[1]!, 0)).toBe(4243);
    expect(decodeResponseBody(outcome.frames[1]!, API_VERSIONS, 3).errorCode).toBe(0);
    await expectServing('ApiVersions v127');
  });

  it('closes the connection on an unknown API key, without an answer', async () => {
    for (const apiKey of [-1, 99, 1000, 0x7fff, -0x8000]) {
      const outcome = await exchange([rawRequest(apiKey, 0, 77)], { idleMs: 1000 });
      expect(outcome.closedByBroker, `API key ${apiKey}`).toBe(true);
      expect(outcome.frames, `API key ${apiKey}`).toEqual([]);
    }
    // A valid request before the unknown key is answered; nothing after it is read.
    const metadata = requestFrame({ apiKey: METADATA, version: 1, body: { topics: [] } }, 1);
    const apiVersions = requestFrame({ apiKey: API_VERSIONS, version: 0, body: {} }, 3);
    const outcome = await exchange([concat([metadata, rawRequest(99, 0, 2), apiVersions])], { idleMs: 1000 });
    expect(outcome.closedByBroker).toBe(true);
    expect(outcome.frames.map((f) => int32At(f, 0))).toEqual([1]);
    await expectServing('unknown API keys');
  });

  it('closes the connection on an API its listener does not serve: a Vote from a client cannot unseat the leader', async () => {
    const vote = {
      topics: [
        {
          topicName: '__cluster_metadata',
          partitions: [{ partitionIndex: 0, candidateEpoch: 1_000_000, candidateId: 7, lastOffsetEpoch: 1_000_000, lastOffset: 1_000_000 }],
        },
      ],
    };
    const outcome = await exchange([requestFrame({ apiKey: 52, version: 0, body: vote }, 11)], { idleMs: 1000 });
    expect(outcome.closedByBroker).toBe(true);
    expect(outcome.frames).toEqual([]);
    const [metadata] = await wireRequests(HOST, port, [{ apiKey: METADATA, version: 1, body: { topics: [] } }]);
    expect(metadata!.controllerId, 'the controller after a Vote on the client listener').toBe(1);
    // And the other way round: the controller listener serves no client API.
    const controller = broker.runtime.bound.get('CONTROLLER')!.port;
    const onController = await exchange([requestFrame({ apiKey: METADATA, version: 1, body: { topics: [] } }, 12)], { idleMs: 1000, port: controller });
    expect(onController.closedByBroker).toBe(true);
    expect(onController.frames).toEqual([]);
    await expectServing('a Vote on the client listener');
  });

  it('closes the connection on a version it does not read, of every API it serves', async () => {
    for (const { apiKey } of CLIENT_LISTENER_APIS) {
      if (apiKey === API_VERSIONS) continue;
      const readable = readableVersions(converterForRequest(apiKey, {})!);
      const versions = [readable.max + 1, 0x7fff, -1, ...(readable.min > 0 ? [readable.min - 1] : [])];
      for (const version of versions) {
        const outcome = await exchange([rawRequest(apiKey, version, 5, new Uint8Array(16))], { idleMs: 1000 });
        expect(outcome.closedByBroker, `API ${apiKey} v${version}`).toBe(true);
        expect(outcome.frames, `API ${apiKey} v${version}`).toEqual([]);
      }
    }
    await expectServing('unsupported versions');
  });

  it('answers requests pipelined on one connection in order, each with its own correlation id', async () => {
    const requests: WireRequest[] = [
      { apiKey: METADATA, version: 1, body: { topics: [] } },
      { apiKey: METADATA, version: 1, body: { topics: [] } },
      { apiKey: API_VERSIONS, version: 3, body: { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' } },
      { apiKey: 0, version: 8, body: { acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch(['a', 'b']) }] }] } },
      { apiKey: METADATA, version: 9, body: { topics: null } },
    ];
    const ids = [1001, 7, 0x7fffffff, 0, 1002];
    const outcome = await exchange([concat(requests.map((r, i) => requestFrame(r, ids[i]!)))], { expectFrames: requests.length, idleMs: 2000 });
    expect(outcome.frames.map((f) => int32At(f, 0))).toEqual(ids);
    outcome.frames.forEach((f, i) => expect(() => decodeResponseBody(f, requests[i]!.apiKey, requests[i]!.version)).not.toThrow());
    // The same request twice, each in its own write.
    const twice = requestFrame(requests[0]!, 55);
    const again = requestFrame(requests[0]!, 56);
    const second = await exchange([twice, again], { expectFrames: 2, idleMs: 2000 });
    expect(second.frames.map((f) => int32At(f, 0))).toEqual([55, 56]);
    await expectServing('pipelined requests');
  });

  it('closes the connection on a frame above socket.request.max.bytes, and reads one of exactly that size', async () => {
    // ApiVersions is answered without reading its body: padding makes a frame of any size.
    const header = rawRequest(API_VERSIONS, 0, 9).subarray(4);
    const exactly = framed(concat([header, new Uint8Array(MAX_REQUEST_BYTES - header.length)]));
    const atMax = await exchange([exactly], { expectFrames: 1, idleMs: 3000 });
    expect(atMax.frames.map((f) => int32At(f, 0))).toEqual([9]);
    const over = framed(concat([header, new Uint8Array(MAX_REQUEST_BYTES + 1 - header.length)]));
    const above = await exchange([over], { idleMs: 3000 });
    expect(above.closedByBroker).toBe(true);
    expect(above.frames).toEqual([]);
    // The prefix alone is enough.
    const prefixOnly = await exchange([framed(new Uint8Array(0), MAX_REQUEST_BYTES + 1)], { idleMs: 1000 });
    expect(prefixOnly.closedByBroker).toBe(true);
    await expectServing('oversized frames');
  });

  test.prop([fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 3 })], fcOptions(50))(
    'random bytes in frames of their own size: well-formed answers or a close, and the broker serves on',
    async (bodies) => {
      const sent = concat(bodies.map((b) => framed(b)));
      const outcome = await exchange([sent]);
      expect(responseProblems(sent, outcome)).toEqual([]);
      await expectServing(`random frames ${JSON.stringify(bodies.map((b) => Buffer.from(b).toString('hex')))}`);
    },
  );

  test.prop(
    [
      fc.constantFrom(...CLIENT_LISTENER_APIS.map((a) => a.apiKey), 52, 53, 54, 55, 56, 62, 63, 1000),
      fc.integer({ min: -1, max: 20 }),
      correlationId,
      fc.uint8Array({ maxLength: 120 }),
    ],
    fcOptions(40),
  )('a known header and a random body: well-formed answers or a close, and the broker serves on', async (apiKey, version, id, body) => {
    const sent = rawRequest(apiKey, version, id, body);
    const outcome = await exchange([sent]);
    expect(responseProblems(sent, outcome)).toEqual([]);
    await expectServing(`API ${apiKey} v${version} with body ${Buffer.from(body).toString('hex')}`);
  });

  test.prop([mutableRequest, correlationId, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean()], fcOptions(70))(
    'valid requests with bytes changed, cut or added: well-formed answers or a close, and the broker serves on',
    async (request, id, mutations, resize) => {
      const original = requestFrame(request, id);
      const body = mutations.reduce(mutate, original.subarray(4));
      // Resized, the prefix tells the new length; otherwise it keeps the old one (the broker waits for bytes, or reads the rest as a frame).
      const sent = framed(body, resize ? body.length : original.length - 4);
      const outcome = await exchange([sent]);
      expect(responseProblems(sent, outcome)).toEqual([]);
      await expectServing(`API ${request.apiKey} v${request.version} mutated to ${Buffer.from(sent).toString('hex')}`);
    },
  );

  test.prop(
    [
      fc.oneof(fc.integer({ min: -0x80000000, max: -1 }), fc.integer({ min: MAX_REQUEST_BYTES + 1, max: 0x7fffffff })),
      fc.uint8Array({ maxLength: 64 }),
      fc.boolean(),
    ],
    fcOptions(20),
  )('a size prefix that is negative or above socket.request.max.bytes closes the connection', async (size, tail, afterValid) => {
    const valid = requestFrame({ apiKey: METADATA, version: 1, body: { topics: [] } }, 31);
    const bad = framed(tail, size);
    const sent = afterValid ? concat([valid, bad]) : bad;
    const outcome = await exchange([sent], { idleMs: 1000 });
    expect(outcome.closedByBroker).toBe(true);
    expect(responseProblems(sent, outcome)).toEqual([]);
    expect(outcome.frames.length).toBeLessThanOrEqual(afterValid ? 1 : 0);
    await expectServing(`size prefix ${size}`);
  });

  test.prop([validRequest, correlationId, fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.boolean()], fcOptions(40))(
    'garbage pipelined after a valid request: the request is answered first, the garbage gets a close or well-formed answers',
    async (request, id, garbage, separateWrite) => {
      const valid = requestFrame(request, id);
      const sent = concat([valid, garbage]);
      const outcome = await exchange(separateWrite ? [valid, garbage] : [sent]);
      expect(responseProblems(sent, outcome)).toEqual([]);
      const answeredFirst = outcome.frames.length === 0 || int32At(outcome.frames[0]!, 0) === id;
      expect(answeredFirst, "the first answer is the valid request's").toBe(true);
      // A request the broker answers at once is answered before the garbage is read (Produce acks=0 gets no answer; a Fetch may wait),
      // unless the garbage starts with a bad size prefix: a chunk that holds one is dropped whole (FrameReader.push throws, losing the frames before it).
      const badPrefix = garbage.length >= 4 && (int32At(garbage, 0) < 0 || int32At(garbage, 0) > MAX_REQUEST_BYTES);
      if ((request.apiKey === API_VERSIONS || request.apiKey === METADATA) && !badPrefix) expect(outcome.frames.length).toBeGreaterThan(0);
      await expectServing(`API ${request.apiKey} v${request.version} followed by ${Buffer.from(garbage).toString('hex')}`);
    },
  );
});
