// DNS-rebinding defence: the visualizer answers only requests addressed to itself on the loopback
// (Host 127.0.0.1, localhost or [::1], or the address it was bound to, with its own port) and, when
// a browser says where a request comes from (Origin), only pages it served itself. A web page
// elsewhere whose name resolves to 127.0.0.1 sends its own name as Host and is refused.

import type { NextFunction, Request, Response } from 'express';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/** How a host is written in a Host header: IPv6 literals in brackets, names in lower case. */
function hostForm(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/** The hosts a Host header may name: the loopback names, and `boundHost` when it is one address (not a wildcard). */
export function allowedHosts(boundHost: string): string[] {
  const bound = hostForm(boundHost);
  return WILDCARDS.has(bound) || LOOPBACK.includes(bound) ? [...LOOPBACK] : [...LOOPBACK, bound];
}

/** Whether `authority` ("host:port", or "host" for port 80) names one of `hosts` at `port`. */
function isOwnAuthority(authority: string, hosts: readonly string[], port: number): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(authority);
  if (match === null) return false;
  const named = Number(match[2] ?? 80);
  return hosts.includes(match[1]!.toLowerCase()) && named === port;
}

/** Express middleware that refuses, with 403 and a JSON error, any request not addressed to this server on `hosts`. */
export function localOnly(hosts: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const port = req.socket.localPort ?? 0;
    const host = req.headers.host ?? '';
    const origin = req.headers.origin;
    let refusal: string | null = null;
    if (!isOwnAuthority(host, hosts, port)) {
      refusal = `Host ${JSON.stringify(host)} is not this server: open it as http://127.0.0.1:${port}/ (or localhost, [::1])`;
    } else if (origin !== undefined && !(origin.startsWith('http://') && isOwnAuthority(origin.slice('http://'.length), hosts, port))) {
      refusal = `requests from ${JSON.stringify(origin)} are not served: only pages of http://127.0.0.1:${port}/ (or localhost, [::1]) may call this server`;
    }
    if (refusal === null) return next();
    res.status(403).json({ error: `refused: ${refusal}` });
  };
}
