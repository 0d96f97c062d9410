// Starts the visualizer's server on a host and port (0: any free port) over a catalog of traces,
// answering only requests addressed to itself (local-only.ts), and answers its URL and a way to
// close it; `samsa viz`, the tests and the benchmark share it.

import type { AddressInfo } from 'node:net';
import { TraceCatalog } from './catalog.ts';
import { vizApp } from './app.ts';
import { allowedHosts } from './local-only.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload-limit.ts';

export interface VizServerOptions {
  traces: readonly string[];
  cwd: string;
  host: string;
  port: number;
  /** The largest trace the page may upload (default DEFAULT_MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
}

export interface VizServer {
  url: string;
  catalog: TraceCatalog;
  close(): Promise<void>;
}

/** Fails with a message naming the address when the port is taken or the host cannot be bound. */
export async function startVizServer(options: VizServerOptions): Promise<VizServer> {
  const catalog = new TraceCatalog({ traces: options.traces, cwd: options.cwd });
  const app = vizApp(catalog, { hosts: allowedHosts(options.host), maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES });
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host);
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      catalog.close();
      const where = `${options.host}:${options.port}`;
      if (err.code === 'EADDRINUSE') reject(new Error(`${where} is already in use; pick another with --port`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new Error(`cannot listen on ${where}: no such address on this machine`));
      else reject(new Error(`cannot listen on ${where}: ${err.message}`));
    });
  });
  // Node closes an idle keep-alive connection after 5 s; a client whose event loop was busy that long
  // (a test checking 50,000 rows in the same process) then reuses a socket being closed and reads
  // ECONNRESET. A minute of grace costs a local server nothing.
  server.keepAliveTimeout = 60_000;
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    catalog,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          catalog.close();
          resolve();
        });
      }),
  };
}
