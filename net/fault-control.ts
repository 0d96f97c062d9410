// How a running `samsa cluster --faults` is told which faults to apply: a small HTTP endpoint on
// 127.0.0.1 (for `samsa check --nemesis` and scripts) and lines on stdin (for a person), both taking one
// JSON fault per request or line, in the scenario file's words (net/cluster-faults.ts).

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { ClusterFaults, type AppliedFault } from './cluster-faults.ts';
import { FaultCommandError } from './fault-network.ts';

export interface FaultControl {
  port: number;
  close(): Promise<void>;
}

/** Applies one fault given as JSON text; returns what to answer, and whether it was applied. */
export async function applyFaultText(
  faults: ClusterFaults,
  text: string,
): Promise<{ ok: true; applied: AppliedFault; message: string } | { ok: false; message: string }> {
  try {
    const applied = await faults.apply(text);
    return { ok: true, applied, message: describeApplied(applied) };
  } catch (err) {
    if (err instanceof FaultCommandError) return { ok: false, message: err.message };
    throw err;
  }
}

/** One line about an applied fault, for the cluster's log. */
export function describeApplied(a: AppliedFault): string {
  const { kind, ...rest } = a.fault;
  const what = `${kind} ${JSON.stringify(rest)}`;
  const unmatched = a.unmatched.length > 0 ? `; matched no node: ${a.unmatched.join(', ')}` : '';
  if (a.noop === true) return `not applied: ${JSON.stringify(a.fault)}${unmatched}`;
  if (a.undoes !== undefined)
    return `undid fault #${a.undoes}: ${kind === 'heal' ? 'its links healed' : `${kind}${a.nodes.length > 0 ? ` b${a.nodes.join(', b')}` : ' (nothing to do)'}`}`;
  const lost = Object.values(a.disk ?? {})
    .flat()
    .reduce((n, f) => n + (f.size - f.kept), 0);
  const disk = a.disk !== undefined ? `; ${lost} unsynced bytes lost` : '';
  return `#${a.id} applied ${what}${disk}${a.forMs !== null ? ` for ${a.forMs} ms` : ''}${a.nodes.length > 0 ? ` (struck b${a.nodes.join(', b')})` : ''}${unmatched}`;
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
 * Serves `POST /faults` (a JSON fault; 200 with the fault as applied, 400 with the error), `GET /faults`
 * (every link: its ends, ports, faults per direction and byte counts) and `GET /brokers` (each broker's
 * process: running, paused) on 127.0.0.1:`port` (0 picks one).
 */
export async function serveFaultControl(faults: ClusterFaults, port: number, log: (line: string) => void): Promise<FaultControl> {
  const server = createServer((req, res) => {
    const answer = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value) + '\n');
    };
    if (req.url === '/brokers' && req.method === 'GET') {
      return answer(
        200,
        faults.cluster.brokers.map((b) => ({ id: b.id, running: b.process !== null, paused: b.paused })),
      );
    }
    if (req.url !== '/faults') return answer(404, { error: 'expected /faults or /brokers' });
    if (req.method === 'GET') return answer(200, faults.network.state());
    if (req.method !== 'POST') return answer(405, { error: 'expected GET or POST' });
    body(req)
      .then(async (text) => {
        const result = await applyFaultText(faults, text);
        if (!result.ok) log(`refused: ${result.message}`);
        answer(result.ok ? 200 : 400, result.ok ? { applied: result.applied, message: result.message } : { error: result.message });
      })
      .catch((err: Error) => answer(500, { error: err.message }));
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

/** Applies each non-empty stdin line as a fault, logging refusals (applied faults reach the ClusterFaults' listeners); returns a function that stops reading. */
export function readFaultLines(faults: ClusterFaults, input: NodeJS.ReadableStream, log: (line: string) => void): () => void {
  const lines = createInterface({ input, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() !== '')
      void applyFaultText(faults, line).then(
        (r) => (r.ok ? undefined : log(`refused: ${r.message}`)),
        (err: Error) => log(`failed: ${err.message}`),
      );
  });
  return () => lines.close();
}
