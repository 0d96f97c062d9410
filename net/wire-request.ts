// One-off requests to any Kafka server over a fresh connection, as plain wire structs: what the cluster
// command uses to see that its brokers are up, and tests use to speak to a broker directly.

import { decodeResponseBody, encodeRequestFrame } from '../core/wire/messages.ts';
import type { WireStruct } from '../core/wire/convert/converter.ts';
import { OutboundConnection, type ClientSecurity } from './outbound-connection.ts';

export interface WireRequest {
  apiKey: number;
  version: number;
  body: WireStruct;
}

/** Sends requests in order on one connection (secured by `security` if given) and resolves with their response bodies; rejects if the connection fails first or `timeoutMs` passes. */
export function wireRequests(host: string, port: number, requests: readonly WireRequest[], timeoutMs = 5000, security?: ClientSecurity): Promise<WireStruct[]> {
  return new Promise((resolve, reject) => {
    const responses: WireStruct[] = [];
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close('done');
      if (err === null) resolve(responses);
      else reject(err);
    };
    const connection = new OutboundConnection({
      host,
      port,
      maxFrameBytes: 100 * 1024 * 1024,
      connectTimeoutMs: timeoutMs,
      ...(security !== undefined ? { security } : {}),
      onClose: (reason) => finish(new Error(reason)),
    });
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    for (const request of requests) {
      const correlationId = connection.takeCorrelationId();
      const frame = encodeRequestFrame({ apiKey: request.apiKey, apiVersion: request.version, correlationId, clientId: 'samsa' }, request.body);
      connection.send(frame, correlationId, (body) => {
        try {
          responses.push(decodeResponseBody(body, request.apiKey, request.version));
        } catch (err) {
          return finish(err as Error);
        }
        if (responses.length === requests.length) finish(null);
      });
    }
  });
}
