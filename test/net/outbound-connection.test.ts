// A client connection's matching of responses to requests: in order, by correlation id; an answer to a
// request that gets none (Produce with acks=0, which librdkafka's mock answers anyway) is passed over
// and the connection carries on; any other response out of order breaks the connection.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboundConnection } from '../../net/outbound-connection.ts';

/** A server that answers each frame it gets with a frame of the ids `answer` gives for that request's id. */
async function server(answer: (id: number) => number[]): Promise<Server> {
  const s = createServer((socket: Socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const size = buffered.readInt32BE(0);
        // Request header: api key (2), version (2), correlation id (4).
        const id = buffered.readInt32BE(8);
        buffered = buffered.subarray(4 + size);
        for (const reply of answer(id)) {
          const frame = Buffer.alloc(8);
          frame.writeInt32BE(4, 0);
          frame.writeInt32BE(reply, 4);
          socket.write(frame);
        }
      }
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return s;
}

/** A request frame (a header only) with `id`. */
function request(id: number): Uint8Array {
  const frame = Buffer.alloc(12);
  frame.writeInt32BE(8, 0);
  frame.writeInt16BE(0, 4);
  frame.writeInt16BE(3, 6);
  frame.writeInt32BE(id, 8);
  return frame;
}

describe('OutboundConnection', () => {
  let running: Server | null = null;
  afterEach(() => running?.close());

  const open = (s: Server) => {
    const closed: string[] = [];
    const connection = new OutboundConnection({
      host: '127.0.0.1',
      port: (s.address() as AddressInfo).port,
      maxFrameBytes: 1024,
      connectTimeoutMs: 2000,
      onClose: (reason) => closed.push(reason),
    });
    return { connection, closed };
  };
  const answered = (connection: OutboundConnection) => {
    const id = connection.takeCorrelationId();
    return new Promise<number>((resolve) => connection.send(request(id), id, (body) => resolve(Buffer.from(body).readInt32BE(0))));
  };

  it('passes over an answer to a request sent without awaiting one, and matches the next response', async () => {
    running = await server((id) => [id]); // answers everything, acks=0 produce included
    const { connection, closed } = open(running);
    const unasked = connection.takeCorrelationId();
    connection.send(request(unasked), unasked, null);
    expect(await answered(connection)).toBe(unasked + 1);
    expect(await answered(connection)).toBe(unasked + 2);
    expect(closed).toEqual([]);
    expect(connection.isClosed).toBe(false);
    connection.close('done');
  });

  it('still matches when the server does not answer the unawaited request, as Kafka does', async () => {
    let first = true;
    running = await server((id) => (first ? ((first = false), []) : [id]));
    const { connection, closed } = open(running);
    const unasked = connection.takeCorrelationId();
    connection.send(request(unasked), unasked, null);
    expect(await answered(connection)).toBe(unasked + 1);
    expect(closed).toEqual([]);
    connection.close('done');
  });

  it('breaks the connection on a response that answers no request in order', async () => {
    running = await server((id) => [id + 100]);
    const { connection, closed } = open(running);
    const id = connection.takeCorrelationId();
    connection.send(request(id), id, () => {});
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (connection.isClosed) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    expect(closed[0]).toMatch(/response with correlation id 101 .* expected 1/);
  });
});
