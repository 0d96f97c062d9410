// How a running `samsa cluster --faults` is told which faults to apply: a small HTTP endpoint on
// 127.0.0.1 (for `samsa check --nemesis` and scripts) and lines on stdin (for a person), both taking one
// JSON fault per request or line, in the scenario file's words (see parseFaultCommand).

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { FaultCommandError, parseFaultCommand, type FaultNetwork } from './fault-network.ts';

export interface FaultControl {
  port: number;
  close(): Promise<void>;
}

/** Applies one fault given as JSON text; returns what to answer, and whether it was applied. */
export function applyFaultText(network: FaultNetwork, text: string): { ok: boolean; message: string } {
  try {
    const command = parseFaultCommand(text, network.layout.nodes.length);
    network.apply(command);
    return { ok: true, message: `applied ${JSON.stringify(command)}` };
  } catch (err) {
    if (err instanceof FaultCommandError) return { ok: false, message: err.message };
    throw err;
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/**
 * Serves `POST /faults` (a JSON fault; 200 when applied, 400 with the error) and `GET /faults` (every
 * link: its ends, ports, faults per direction and byte counts) on 127.0.0.1:`port` (0 picks one).
 */
export async function serveFaultControl(network: FaultNetwork, port: number, log: (line: string) => void): Promise<FaultControl> {
  const server = createServer((req, res) => {
    const answer = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value) + '\n');
    };
    if (req.url !== '/faults') return answer(404, { error: 'expected /faults' });
    if (req.method === 'GET') return answer(200, network.state());
    if (req.method !== 'POST') return answer(405, { error: 'expected GET or POST' });
    body(req).then(
      (text) => {
        const result = applyFaultText(network, text);
        log(result.message);
        answer(result.ok ? 200 : 400, result.ok ? { applied: result.message } : { error: result.message });
      },
      (err: Error) => answer(400, { error: err.message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Applies each non-empty stdin line as a fault, logging the outcome; returns a function that stops reading. */
export function readFaultLines(network: FaultNetwork, input: NodeJS.ReadableStream, log: (line: string) => void): () => void {
  const lines = createInterface({ input, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() !== '') log(applyFaultText(network, line).message);
  });
  return () => lines.close();
}
