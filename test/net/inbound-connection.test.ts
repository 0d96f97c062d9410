// InboundConnection over a real socket pair: response order, oversized frames, back-pressure on outstanding responses, and chunking.
import { fc, test } from '@fast-check/vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameReader } from '../../core/wire/frame.ts';
import { InboundConnection, type ResponseSlot } from '../../net/inbound-connection.ts';

const HOST = '127.0.0.1';

/** A server-side InboundConnection and the client socket it serves. */
interface Pair {
  connection: InboundConnection;
  client: Socket;
  /** Request frame bodies as onFrame got them (copied). */
  frames: Uint8Array[];
  /** The slot reserved for each frame, when the pair reserves. */
  slots: ResponseSlot[];
  /** onClose's reasons. */
  closes: Array<string | null>;
  /** Response frame bodies the client read. */
  received: Uint8Array[];
  /** 'data' chunks the server socket got. */
  chunks: number;
  clientClosed: boolean;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Opens a connection on a fresh server; onFrame records each frame and, with `reserve`, reserves its response slot. */
async function pair(options: { maxFrameBytes?: number; maxQueuedResponses?: number; reserve?: boolean } = {}): Promise<Pair> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const client = connect({ host: HOST, port: (server.address() as { port: number }).port });
  client.setNoDelay(true);
  cleanups.push(async () => void client.destroy());
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const socket = await accepted;
  const p = { frames: [], slots: [], closes: [], received: [], chunks: 0, clientClosed: false } as unknown as Pair;
  socket.on('data', () => p.chunks++);
  p.connection = new InboundConnection('test-1', socket, {
    maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024,
    maxQueuedResponses: options.maxQueuedResponses ?? 100,
    onFrame: (connection, frame) => {
      p.frames.push(new Uint8Array(frame));
      if (options.reserve === true) p.slots.push(connection.reserve());
    },
    onClose: (_connection, reason) => void p.closes.push(reason),
  });
  cleanups.push(async () => p.connection.close('test over'));
  p.client = client;
  const responses = new FrameReader(1024 * 1024);
  client.on('data', (chunk: Buffer) => p.received.push(...responses.push(new Uint8Array(chunk)).map((f) => new Uint8Array(f))));
  client.on('error', () => {});
  client.on('close', () => (p.clientClosed = true));
  return p;
}

function framed(body: Uint8Array | string): Uint8Array {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setInt32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

function prefix(size: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, size);
  return out;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

describe('InboundConnection', () => {
  it('writes responses in reservation order whatever order they are filled in', async () => {
    const p = await pair({ reserve: true });
    p.client.write(Buffer.concat([framed('q0'), framed('q1'), framed('q2'), framed('q3')]));
    await until('4 frames', () => p.slots.length === 4);
    expect(p.frames.map(text)).toEqual(['q0', 'q1', 'q2', 'q3']);
    p.connection.fill(p.slots[2]!, framed('r2'));
    p.connection.fill(p.slots[3]!, framed('r3'));
    await sleep(50);
    expect(p.received, 'nothing leaves before the first response').toEqual([]);
    p.connection.fill(p.slots[0]!, framed('r0'));
    await until('r0', () => p.received.length === 1);
    await sleep(30);
    expect(p.received.map(text)).toEqual(['r0']);
    // A slot filled twice keeps its first response.
    p.connection.fill(p.slots[0]!, framed('r0 again'));
    p.connection.fill(p.slots[1]!, framed('r1'));
    p.connection.fill(p.slots[1]!, framed('r1 again'));
    await until('r1-r3', () => p.received.length === 4);
    await sleep(30);
    expect(p.received.map(text)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(p.closes).toEqual([]);
  });

  it('closes on a frame over maxFrameBytes, calling onClose once with the reason', async () => {
    const p = await pair({ maxFrameBytes: 100, reserve: true });
    p.client.write(framed(new Uint8Array(100)));
    await until('the frame of exactly maxFrameBytes', () => p.frames.length === 1);
    p.client.write(Buffer.concat([prefix(101), new Uint8Array(101)]));
    await until('the close', () => p.clientClosed && p.closes.length > 0);
    await sleep(20);
    expect(p.closes).toEqual(['frame of 101 bytes exceeds the maximum of 100']);
    expect(p.connection.isClosed).toBe(true);
    expect(p.frames).toHaveLength(1);
    // A response filled after the close is dropped.
    p.connection.fill(p.slots[0]!, framed('late'));
    await sleep(20);
    expect(p.received).toEqual([]);
  });

  it('closes on a negative size prefix, even one whose bytes come one at a time', async () => {
    const p = await pair();
    for (const byte of prefix(-2)) {
      p.client.write(new Uint8Array([byte]));
      await sleep(5);
    }
    await until('the close', () => p.clientClosed && p.closes.length > 0);
    await sleep(20);
    expect(p.closes).toEqual(['invalid frame size -2']);
    expect(p.frames).toEqual([]);
  });

  it('calls onClose with null when the peer closes in order', async () => {
    const p = await pair();
    p.client.end();
    await until('the close', () => p.closes.length > 0);
    await sleep(20);
    expect(p.closes).toEqual([null]);
    expect(p.connection.isClosed).toBe(true);
  });

  it('pauses reading while maxQueuedResponses responses are outstanding, and resumes as they are filled', async () => {
    const p = await pair({ maxQueuedResponses: 2, reserve: true });
    p.client.write(framed('q0'));
    await until('q0', () => p.frames.length === 1);
    p.client.write(framed('q1'));
    await until('q1', () => p.frames.length === 2);
    for (const q of ['q2', 'q3', 'q4']) {
      p.client.write(framed(q));
      await sleep(20);
    }
    await sleep(100);
    expect(p.frames.map(text), 'no frame is read while 2 responses are outstanding').toEqual(['q0', 'q1']);
    p.connection.fill(p.slots[0]!, framed('r0'));
    await until('reading to resume', () => p.frames.length > 2);
    // Filled one by one, the head first: every frame is read, and every response leaves in order.
    for (let i = 1; i < 5; i++) {
      await until(`q${i}`, () => p.slots.length > i);
      p.connection.fill(p.slots[i]!, framed(`r${i}`));
    }
    await until('5 responses', () => p.received.length === 5);
    expect(p.frames.map(text)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(p.received.map(text)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(p.closes).toEqual([]);
  });

  test.prop([fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 })], { numRuns: 25 })(
    'split and coalesced chunks produce the same frames',
    async (bodies, cuts) => {
      const stream = Buffer.concat(bodies.map((b) => framed(b)));
      // Coalesced: the whole stream in one write.
      const whole = await pair();
      whole.client.write(stream);
      await until('every frame, coalesced', () => whole.frames.length === bodies.length);
      // Split: at the drawn cut points, each piece waited for on the server side so it arrives as a chunk of its own.
      const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const pieces = [0, ...at, stream.length].slice(1).map((end, i, ends) => stream.subarray(i === 0 ? 0 : ends[i - 1]!, end));
      const split = await pair();
      for (const piece of pieces.filter((q) => q.length > 0)) {
        const before = split.chunks;
        split.client.write(piece);
        await until('the piece to arrive', () => split.chunks > before);
      }
      await until('every frame, split', () => split.frames.length === bodies.length);
      await sleep(5);
      expect(whole.frames).toEqual(bodies);
      expect(split.frames).toEqual(bodies);
      expect([...whole.closes, ...split.closes]).toEqual([]);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  );
});
