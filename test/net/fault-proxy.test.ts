// Each fault of the TCP proxy does what it says: a cut link carries nothing either way and heal delivers
// what was held; a one-way cut carries one way only; delay adds latency and keeps order; bandwidth caps
// throughput; many connections pass at once; closing the proxy closes its sockets. 127.0.0.1, free ports.

import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../net/fault-proxy.ts';

/** A target that keeps every accepted socket and what each received. */
interface Target {
  server: Server;
  port: number;
  accepted: Array<{ socket: Socket; received: () => string }>;
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startTarget(echo = false): Promise<Target> {
  const accepted: Target['accepted'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (echo) socket.write(chunk);
    });
    socket.on('error', () => {});
    accepted.push({ socket, received: () => text });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

async function startProxy(target: Target): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ targetHost: '127.0.0.1', targetPort: target.port });
  closers.push(() => proxy.close());
  return proxy;
}

/** A client connection to the proxy and what it has received so far. */
async function client(port: number): Promise<{ socket: Socket; received: () => string; bytes: () => number; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  let bytes = 0;
  socket.on('data', (chunk) => {
    text += chunk.toString();
    bytes += chunk.length;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  closers.push(() => {
    socket.destroy();
  });
  return { socket, received: () => text, bytes: () => bytes, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('FaultProxy', () => {
  it('pipes both ways and counts the bytes per direction', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const c = await client(proxy.port);
    c.socket.write('hello');
    await until('the target to receive', () => target.accepted[0]?.received() === 'hello');
    target.accepted[0]!.socket.write('world!');
    await until('the client to receive', () => c.received() === 'world!');
    const stats = proxy.stats();
    expect(stats.toTarget).toEqual({ received: 5, delivered: 5 });
    expect(stats.fromTarget).toEqual({ received: 6, delivered: 6 });
    expect(stats.connections).toBe(1);
  });

  it('a cut link carries nothing either way, new connections never reach the target, and heal delivers what was held', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const c = await client(proxy.port);
    c.socket.write('before');
    await until('the target to receive', () => target.accepted[0]?.received() === 'before');
    proxy.cut();
    c.socket.write('-up');
    target.accepted[0]!.socket.write('down');
    const late = await client(proxy.port); // accepted by the proxy, as a partition neither delivers nor refuses
    late.socket.write('late');
    await sleep(300);
    expect(target.accepted[0]!.received()).toBe('before');
    expect(c.received()).toBe('');
    expect(target.accepted).toHaveLength(1);
    expect(c.socket.destroyed).toBe(false);
    expect(proxy.stats().toTarget).toEqual({ received: 'before-up'.length + 'late'.length, delivered: 'before'.length });
    proxy.heal();
    await until('the held bytes to flow', () => target.accepted[0]!.received() === 'before-up' && c.received() === 'down');
    await until('the late connection to reach the target', () => target.accepted[1]?.received() === 'late');
  });

  it('a reset behind a cut reaches the other side only when the link heals', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const c = await client(proxy.port);
    await until('the connection at the target', () => target.accepted.length === 1);
    proxy.cut();
    target.accepted[0]!.socket.resetAndDestroy();
    await sleep(200);
    expect(c.socket.destroyed).toBe(false);
    expect(proxy.stats().open).toBe(1);
    proxy.heal();
    await c.closed;
    await until('the connection forgotten', () => proxy.stats().open === 0);
  });

  it('a refused connect to a target that is down closes the accepted connection', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    await new Promise<void>((resolve) => target.server.close(() => resolve()));
    const c = await client(proxy.port);
    await c.closed;
    expect(proxy.stats()).toMatchObject({ connections: 1, open: 0 });
  });

  it('a one-way cut carries one way only, and heal resumes the other', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const c = await client(proxy.port);
    c.socket.write('x');
    await until('the target to receive', () => target.accepted[0]?.received() === 'x');
    proxy.cut('toTarget');
    c.socket.write('held');
    target.accepted[0]!.socket.write('flows');
    await until('the open direction to carry', () => c.received() === 'flows');
    await sleep(200);
    expect(target.accepted[0]!.received()).toBe('x');
    proxy.heal();
    await until('the held direction to carry', () => target.accepted[0]!.received() === 'xheld');

    proxy.cut('fromTarget');
    c.socket.write('-up');
    target.accepted[0]!.socket.write('-held');
    await until('the open direction to carry', () => target.accepted[0]!.received() === 'xheld-up');
    await sleep(200);
    expect(c.received()).toBe('flows');
    proxy.heal();
    await until('the held direction to carry', () => c.received() === 'flows-held');
  });

  it('delay adds at least the set latency to each chunk and keeps their order', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const c = await client(proxy.port);
    proxy.delay(300, 'toTarget');
    const sent: number[] = [];
    const arrived: number[] = [];
    const expected = Array.from({ length: 10 }, (_, i) => `<${i}>`).join('');
    for (let i = 0; i < 10; i++) {
      sent.push(Date.now());
      c.socket.write(`<${i}>`);
      await sleep(20);
    }
    // Time of arrival of each chunk's closing bracket.
    await until('every chunk to arrive', () => {
      const got = target.accepted[0]?.received() ?? '';
      while (arrived.length < (got.match(/>/g) ?? []).length) arrived.push(Date.now());
      return got.length === expected.length;
    });
    expect(target.accepted[0]!.received()).toBe(expected);
    for (let i = 0; i < 10; i++) expect(arrived[i]! - sent[i]!).toBeGreaterThanOrEqual(295);
    // The other direction is untouched.
    const t0 = Date.now();
    target.accepted[0]!.socket.write('back');
    await until('the answer', () => c.received() === 'back');
    expect(Date.now() - t0).toBeLessThan(200);
  });

  it('bandwidth caps the throughput of a direction within a tolerance', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const c = await client(proxy.port);
    const rate = 100_000;
    proxy.bandwidth(rate, 'fromTarget');
    const payload = Buffer.alloc(200_000, 'z');
    const t0 = Date.now();
    await until('the connection to reach the target', () => target.accepted.length === 1);
    target.accepted[0]!.socket.write(payload);
    await until('every byte', () => c.bytes() === payload.length, 10_000);
    const seconds = (Date.now() - t0) / 1000;
    const observed = payload.length / seconds;
    expect(observed).toBeLessThanOrEqual(rate * 1.15);
    expect(observed).toBeGreaterThanOrEqual(rate * 0.7);
    expect(proxy.stats().fromTarget.delivered).toBe(payload.length);
  });

  it('carries many connections at once, each to its own target connection', async () => {
    const target = await startTarget(true);
    const proxy = await startProxy(target);
    proxy.delay(20);
    const clients = await Promise.all(Array.from({ length: 50 }, () => client(proxy.port)));
    clients.forEach((c, i) => c.socket.write(`message ${i};`));
    await until('every echo', () => clients.every((c, i) => c.received() === `message ${i};`));
    expect(proxy.stats()).toMatchObject({ connections: 50, open: 50 });
  });

  it('closing a client passes the close on; closing the proxy closes every socket it carries', async () => {
    const target = await startTarget();
    const proxy = await startProxy(target);
    const a = await client(proxy.port);
    const b = await client(proxy.port);
    await until('both connections at the target', () => target.accepted.length === 2);
    const targetClosed = new Promise<void>((resolve) => target.accepted[0]!.socket.once('end', () => resolve()));
    a.socket.end();
    await targetClosed;
    await until('the closed connection to be forgotten', () => proxy.stats().open === 1);
    proxy.cut();
    await proxy.close();
    await b.closed;
    expect(proxy.stats().open).toBe(0);
    await expect(client(proxy.port)).rejects.toThrow();
  });
});
