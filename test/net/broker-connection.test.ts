// A client's broker connection against scripted brokers on real sockets: KIP-511's ApiVersions fallback
// (and a broker whose refusal is unreadable), the highest version both sides speak, an API the broker
// lacks named in the error, a response layout the broker gets wrong (the connection steps that API down),
// and requests lost with the connection.

import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameReader } from '../../core/wire/frame.ts';
import { API_VERSIONS_KEY } from '../../core/wire/header.ts';
import { decodeRequestBody, decodeRequestHeader, encodeResponseFrame } from '../../core/wire/messages.ts';
import { BrokerConnection, ConnectionLostError, UnsupportedApiError } from '../../net/broker-connection.ts';

interface Seen {
  apiKey: number;
  version: number;
}

type Answer = (req: { apiKey: number; version: number; correlationId: number; body: Record<string, unknown> }) => Uint8Array | null;

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A broker on 127.0.0.1 that answers each request frame with `answer`'s bytes (null: close the connection). */
async function scriptedBroker(answer: Answer): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((socket) => {
    const frames = new FrameReader(1 << 20);
    socket.on('data', (chunk) => {
      for (const frame of frames.push(chunk)) {
        const { header, reader } = decodeRequestHeader(frame);
        seen.push({ apiKey: header.apiKey, version: header.apiVersion });
        const body = header.apiKey === API_VERSIONS_KEY && header.apiVersion > 3 ? {} : decodeRequestBody(header, reader).body;
        const out = answer({ apiKey: header.apiKey, version: header.apiVersion, correlationId: header.correlationId, body });
        if (out === null) socket.destroy();
        else socket.write(out);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, seen };
}

const apiKeys = (ranges: Array<[number, number, number]>) => ranges.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion }));

function versionsAnswer(version: number, correlationId: number, ranges: Array<[number, number, number]>): Uint8Array {
  return encodeResponseFrame(API_VERSIONS_KEY, version, correlationId, { errorCode: 0, apiKeys: apiKeys(ranges), throttleTimeMs: 0 }, version);
}

const METADATA = 3;
const LIST_OFFSETS = 2;
const metadataCall = { apiKey: METADATA, versions: { min: 0, max: 9 }, body: () => ({ topics: [], allowAutoTopicCreation: false }) };

function connect(port: number): BrokerConnection {
  return new BrokerConnection({ host: '127.0.0.1', port, clientId: 'test', onClose: () => {} });
}

describe('BrokerConnection', () => {
  it('falls back as KIP-511 says when the broker refuses its ApiVersions version, then speaks the highest common version', async () => {
    const broker = await scriptedBroker(({ apiKey, version, correlationId }) => {
      if (apiKey === API_VERSIONS_KEY && version > 2) {
        // An older broker: the refusal in v0's layout, naming the versions of ApiVersions it knows.
        return encodeResponseFrame(API_VERSIONS_KEY, 0, correlationId, { errorCode: 35, apiKeys: apiKeys([[18, 0, 2]]) }, version);
      }
      if (apiKey === API_VERSIONS_KEY)
        return versionsAnswer(version, correlationId, [
          [18, 0, 2],
          [METADATA, 0, 4],
        ]);
      return encodeResponseFrame(apiKey, version, correlationId, { brokers: [], topics: [], controllerId: 1, clusterId: 'c' });
    });
    const connection = connect(broker.port);
    const answer = await connection.request(metadataCall);
    connection.close();
    expect(broker.seen).toEqual([
      { apiKey: 18, version: 3 },
      { apiKey: 18, version: 2 },
      { apiKey: METADATA, version: 4 },
    ]);
    expect(answer).toMatchObject({ version: 4, body: { controllerId: 1 } });
  });

  it('asks again at v0 when a refusal of its version cannot even be read (as librdkafka 2.0.2 mock answers)', async () => {
    const broker = await scriptedBroker(({ apiKey, version, correlationId }) => {
      if (apiKey === API_VERSIONS_KEY && version > 0) {
        // Size, correlation id, UNSUPPORTED_VERSION, then bytes that fit neither layout.
        return Uint8Array.from([0, 0, 0, 11, 0, 0, 0, correlationId, 0, 35, 1, 0, 18, 0, 0]);
      }
      if (apiKey === API_VERSIONS_KEY)
        return versionsAnswer(0, correlationId, [
          [18, 0, 2],
          [METADATA, 0, 1],
        ]);
      return encodeResponseFrame(apiKey, version, correlationId, { brokers: [], topics: [], controllerId: 2 });
    });
    const connection = connect(broker.port);
    expect(await connection.request(metadataCall)).toMatchObject({ version: 1, body: { controllerId: 2 } });
    connection.close();
    expect(broker.seen.map((s) => s.version)).toEqual([3, 0, 1]);
  });

  it('names the API a broker lacks, and the ranges when no version is common', async () => {
    const broker = await scriptedBroker(({ version, correlationId }) =>
      versionsAnswer(version, correlationId, [
        [18, 0, 3],
        [METADATA, 10, 12],
      ]),
    );
    const connection = connect(broker.port);
    const lacking = connection.request({ apiKey: 19, versions: { min: 0, max: 7 }, body: () => ({}) });
    await expect(lacking).rejects.toBeInstanceOf(UnsupportedApiError);
    await expect(lacking).rejects.toThrow(`the broker at 127.0.0.1:${broker.port} does not serve CreateTopics (API key 19)`);
    await expect(connection.request(metadataCall)).rejects.toThrow(/serves Metadata \(API key 3\) at versions 10-12, Samsa speaks 0-9/);
    connection.close();
  });

  it('steps an API down on this connection when the broker writes a response it advertises in a layout that cannot be read', async () => {
    const broker = await scriptedBroker(({ apiKey, version, correlationId }) => {
      if (apiKey === API_VERSIONS_KEY)
        return versionsAnswer(version, correlationId, [
          [18, 0, 3],
          [LIST_OFFSETS, 0, 5],
        ]);
      const partition = { partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 7, leaderEpoch: 3 };
      const good = encodeResponseFrame(apiKey, version, correlationId, { topics: [{ name: 't', partitions: [partition] }] });
      if (version < 4) return good;
      // Four bytes too many, as librdkafka 2.0.2's mock writes ListOffsets v4 and v5.
      const bad = new Uint8Array(good.length + 4);
      bad.set(good);
      new DataView(bad.buffer).setInt32(0, good.length + 4 - 4);
      return bad;
    });
    const connection = connect(broker.port);
    const call = {
      apiKey: LIST_OFFSETS,
      versions: { min: 1, max: 5 },
      body: () => ({ replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }),
    };
    expect(await connection.request(call)).toMatchObject({ version: 3, body: { topics: [{ partitions: [{ offset: 7 }] }] } });
    expect(await connection.request(call)).toMatchObject({ version: 3 });
    connection.close();
    expect(broker.seen.filter((s) => s.apiKey === LIST_OFFSETS).map((s) => s.version)).toEqual([5, 4, 3, 3]);
  });

  it('fails the requests in flight with ConnectionLostError when the broker goes away', async () => {
    const broker = await scriptedBroker(({ apiKey, version, correlationId }) =>
      apiKey === API_VERSIONS_KEY
        ? versionsAnswer(version, correlationId, [
            [18, 0, 3],
            [METADATA, 0, 9],
          ])
        : null,
    );
    const connection = connect(broker.port);
    await expect(connection.request(metadataCall)).rejects.toBeInstanceOf(ConnectionLostError);
    expect(connection.isClosed).toBe(true);
    await expect(connection.request(metadataCall)).rejects.toBeInstanceOf(ConnectionLostError);
  });

  it('fails at once when nothing listens', async () => {
    const broker = await scriptedBroker(() => null);
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(connect(broker.port).request(metadataCall)).rejects.toThrow(/ECONNREFUSED/);
  });
});
