// The brokers a client process knows and its open connections to them, shared by every client it runs:
// bootstrap servers under stand-in node ids until Metadata names the brokers, whose advertised
// addresses are learned from every Metadata answer (as Kafka's clients do), and the core's requests
// sent through the converters at the versions each broker speaks.

import type { NodeId } from '../core/env.ts';
import type { MetadataResponse } from '../core/protocol/data.ts';
import { ErrorCode } from '../core/protocol/errors.ts';
import type { FindCoordinatorResponse } from '../core/protocol/group.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type WireContext } from '../core/wire/convert/converter.ts';
import { converterForMessage } from '../core/wire/convert/index.ts';
import { BrokerConnection, ConnectionLostError, type WireAnswer, type WireCall } from './broker-connection.ts';
import type { ClientSecurity } from './outbound-connection.ts';
import { NODE_COMPRESSORS } from './compression.ts';
import type { Address } from './node-runtime.ts';

/** A core request or response as far as routing and conversion need it. */
export interface CoreMessage {
  api: string;
  kind: 'request' | 'response';
  correlationId: number;
  topic?: string;
}

/** Parses "host:port[,host:port…]" (Kafka's bootstrap.servers); throws an Error naming the bad entry. */
export function parseBootstrap(servers: string): Address[] {
  const entries = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new Error('no bootstrap servers given (expected host:port[,host:port…])');
  return entries.map((entry) => {
    const at = entry.lastIndexOf(':');
    const host = entry.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    const port = Number(entry.slice(at + 1));
    if (at <= 0 || !/^\d+$/.test(entry.slice(at + 1)) || port < 1 || port > 65535) throw new Error(`bad bootstrap server "${entry}" (expected host:port)`);
    return { host, port };
  });
}

/** A stand-in node id for the i-th bootstrap server; never numeric, so never mistaken for a broker id. */
function bootstrapId(i: number): NodeId {
  return `bootstrap-${i + 1}`;
}

export class BrokerPool {
  readonly bootstrapIds: readonly NodeId[];
  private readonly addresses = new Map<NodeId, Address>();
  private readonly connections = new Map<NodeId, BrokerConnection>();
  private readonly ctx: WireContext = { ids: NUMERIC_IDS, compressors: NODE_COMPRESSORS, topics: NO_TOPIC_IDS };
  private nextCorrelationId = 1;
  private closed = false;

  constructor(
    bootstrap: readonly Address[],
    private readonly clientId: string,
    /** TLS and SASL for every connection (a cluster's secure listeners); absent: PLAINTEXT. */
    private readonly security?: ClientSecurity,
  ) {
    if (bootstrap.length === 0) throw new Error('no bootstrap servers given');
    this.bootstrapIds = bootstrap.map((_, i) => bootstrapId(i));
    bootstrap.forEach((address, i) => this.addresses.set(bootstrapId(i), address));
  }

  /** The brokers Metadata has named so far, by node id. */
  brokers(): Map<NodeId, Address> {
    return new Map([...this.addresses].filter(([id]) => !this.bootstrapIds.includes(id)));
  }

  /** The address of node `id` (a broker Metadata named, or a bootstrap stand-in). */
  addressOf(id: NodeId): Address | undefined {
    return this.addresses.get(id);
  }

  /** Learns the broker at `address` as node `id` (a coordinator named by FindCoordinator). */
  learnBroker(id: NodeId, address: Address): void {
    const known = this.addresses.get(id);
    if (known !== undefined && known.host === address.host && known.port === address.port) return;
    this.addresses.set(id, address);
    this.connections.get(id)?.close('the broker moved');
  }

  /** A correlation id for a core request that a one-shot call sends. */
  takeCorrelationId(): number {
    return this.nextCorrelationId++;
  }

  /** Sends a wire request (one the core has no message for, like the group APIs) to node `to`. */
  request(to: NodeId, call: WireCall): Promise<WireAnswer | null> {
    if (this.closed) return Promise.reject(new ConnectionLostError('the client is closed'));
    const connection = this.connection(to);
    if (connection === null) return Promise.reject(new ConnectionLostError(`no address known for node ${to}`));
    return connection.request(call);
  }

  /**
   * Sends a core request to node `to` through its converter; resolves with the core response (null for a
   * request that gets none). Rejects with UnsupportedApiError, ConnectionLostError or a codec error.
   */
  async call<Res extends CoreMessage, Req extends CoreMessage = CoreMessage>(to: NodeId, msg: Req): Promise<Res | null> {
    const converter = converterForMessage(msg);
    if (converter === undefined) throw new Error(`no wire converter for ${msg.api}`);
    const call: WireCall = {
      apiKey: converter.apiKey,
      versions: converter.served,
      body: (version) => {
        const wire = converter.requestToWire(msg, version, this.ctx);
        call.expectsResponse = converter.expectsResponse?.(wire) ?? true;
        return wire;
      },
    };
    const answer = await this.request(to, call);
    if (answer === null) return null;
    const response = converter.responseFromWire(answer.body, answer.version, msg.correlationId, this.ctx) as Res;
    if (response.api === 'Metadata') {
      for (const b of (response as unknown as MetadataResponse).brokers) this.learnBroker(b.nodeId, { host: b.host, port: b.port });
    }
    // A core client (a transactional producer) sends to the coordinator FindCoordinator names, which Metadata may not have named yet.
    if (response.api === 'FindCoordinator') {
      for (const c of (response as unknown as FindCoordinatorResponse).coordinators) {
        if (c.errorCode === ErrorCode.NONE && c.nodeId !== null) this.learnBroker(c.nodeId, { host: c.host, port: c.port });
      }
    }
    return response;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close('client closed');
    this.connections.clear();
  }

  private connection(to: NodeId): BrokerConnection | null {
    const open = this.connections.get(to);
    if (open !== undefined && !open.isClosed) return open;
    const address = this.addresses.get(to);
    if (address === undefined) return null;
    const connection = new BrokerConnection({
      host: address.host,
      port: address.port,
      clientId: this.clientId,
      ...(this.security !== undefined ? { security: this.security } : {}),
      onClose: () => {
        if (this.connections.get(to) === connection) this.connections.delete(to);
      },
    });
    this.connections.set(to, connection);
    return connection;
  }
}
