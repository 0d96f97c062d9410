// The visualizer's server defends itself: requests must name it on the loopback with its own port
// (Host), pages of other origins may not call it (Origin), both refused with 403 (DNS rebinding);
// a dropped trace over the upload cap is refused with 413 and a message that says what to do,
// whether its size is declared or not, and nothing of it is kept.

import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedHosts } from '../../viz/server/local-only.ts';
import { startVizServer, type VizServer } from '../../viz/server/start.ts';
import type { TraceListing } from '../../viz/shared/contract.ts';

interface Answer {
  status: number;
  body: string;
}

/** A request with exactly these headers (fetch would not let a test set Host). */
function send(server: VizServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string[] } = {}): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const chunk of options.body ?? []) req.write(chunk);
    req.end();
  });
}

const TRACE = `${JSON.stringify({ samsa: 1, scenario: 'tiny', seed: 1, config: {} })}\n${JSON.stringify({ t: 0, i: 0, node: 'b1', kind: 'start', incarnation: 1 })}\n`;

describe('the visualizer server refuses what is not for it', () => {
  let dir: string;
  let server: VizServer;
  let port: number;
  const error = (a: Answer) => (JSON.parse(a.body) as { error: string }).error;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-viz-guard-'));
    writeFileSync(join(dir, 'tiny.jsonl'), TRACE);
    server = await startVizServer({ traces: ['tiny.jsonl'], cwd: dir, host: '127.0.0.1', port: 0, maxUploadBytes: 1000 });
    port = Number(new URL(server.url).port);
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers requests that name it on the loopback with its port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await send(server, '/api/traces', { headers: { host } })).status, host).toBe(200);
    }
    const sameOrigin = await send(server, '/api/traces', { headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` } });
    expect(sameOrigin.status).toBe(200);
  });

  it('refuses another Host or another port with 403, pages and API alike', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`, `localhost:${port}@evil`]) {
      for (const path of ['/', '/app.js', '/api/traces']) {
        const answer = await send(server, path, { headers: { host } });
        expect(answer.status, `${host} ${path}`).toBe(403);
        expect(error(answer)).toMatch(/^refused: Host .* is not this server: open it as http:\/\/127\.0\.0\.1:\d+\//);
      }
    }
    // No Host at all: node's HTTP server refuses an HTTP/1.1 request without one before any route.
    expect((await send(server, '/api/traces')).status).toBe(400);
  });

  it('refuses pages of another origin with 403, an upload included', async () => {
    for (const origin of [`http://evil.example:${port}`, 'null', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]) {
      const answer = await send(server, '/api/traces', { headers: { host: `127.0.0.1:${port}`, origin } });
      expect(answer.status, origin).toBe(403);
      expect(error(answer)).toMatch(/^refused: requests from .* are not served/);
    }
    const upload = await send(server, '/api/traces?name=x.jsonl', {
      method: 'POST',
      headers: { host: `127.0.0.1:${port}`, origin: 'http://evil.example', 'content-length': String(TRACE.length) },
      body: [TRACE],
    });
    expect(upload.status).toBe(403);
    const list = JSON.parse((await send(server, '/api/traces', { headers: { host: `127.0.0.1:${port}` } })).body) as TraceListing[];
    expect(list.map((t) => t.source)).toEqual(['given']);
  });

  it('takes an upload under the cap and refuses one over it with 413, declared or streamed', async () => {
    const host = `127.0.0.1:${port}`;
    const ok = await send(server, '/api/traces?name=small.jsonl', { method: 'POST', headers: { host, 'content-length': String(TRACE.length) }, body: [TRACE] });
    expect(ok.status).toBe(201);

    const big = TRACE + 'x'.repeat(2000) + '\n';
    const declared = await send(server, '/api/traces?name=big.jsonl', { method: 'POST', headers: { host, 'content-length': String(big.length) }, body: [big] });
    expect(declared.status).toBe(413);
    expect(error(declared)).toBe(
      `the trace is ${(big.length / 1048576).toFixed(3)} MiB, more than the upload limit of 0.001 MiB: open it with \`samsa viz <its path>\` instead of dropping it`,
    );

    const streamed = await send(server, '/api/traces?name=big.jsonl', {
      method: 'POST',
      headers: { host, 'transfer-encoding': 'chunked' },
      body: [TRACE, 'x'.repeat(700), 'y'.repeat(700)],
    });
    expect(streamed.status).toBe(413);
    expect(error(streamed)).toMatch(/^the trace is larger than the upload limit of 0\.001 MiB/);

    const list = JSON.parse((await send(server, '/api/traces', { headers: { host } })).body) as TraceListing[];
    expect(list.filter((t) => t.source === 'uploaded').map((t) => t.name)).toEqual(['small.jsonl']);
  });

  it('lets a request name the address the server was bound to, unless that is a wildcard', () => {
    expect(allowedHosts('127.0.0.1')).toEqual(['127.0.0.1', 'localhost', '[::1]']);
    expect(allowedHosts('0.0.0.0')).toEqual(['127.0.0.1', 'localhost', '[::1]']);
    expect(allowedHosts('::')).toEqual(['127.0.0.1', 'localhost', '[::1]']);
    expect(allowedHosts('192.168.1.5')).toEqual(['127.0.0.1', 'localhost', '[::1]', '192.168.1.5']);
    expect(allowedHosts('fe80::1')).toEqual(['127.0.0.1', 'localhost', '[::1]', '[fe80::1]']);
  });
});
