// Kafka's server.properties for the real runtime: Java properties syntax, KRaft's node settings with
// Kafka's cross-field rules, broker configs handed to the core's Config, and a writer for the cluster command.

import { readFileSync } from 'node:fs';
import { CONFIG_DEFS, Config, ConfigError, type ConfigValue } from '../core/protocol/configs.ts';
import { readNodeSecurity, SECURITY_KEYS, type NodeSecurity } from './security-properties.ts';

// ---- Java properties ----

/** One key=value line of a properties file, escapes resolved; `line` is where its logical line starts. */
export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

/** A problem in a properties file; the message reads `file:line: key: what was expected`. */
export class PropertiesError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly key: string | null,
    readonly detail: string,
  ) {
    super(`${where(file, line)}: ${key === null ? '' : `${key}: `}${detail}`);
    this.name = 'PropertiesError';
  }
}

function where(file: string, line: number | null): string {
  return line === null ? file : `${file}:${line}`;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\f';

/** Parses properties text as java.util.Properties.load does, keeping every entry (duplicates too) in file order. */
export function parseProperties(text: string, file = 'server.properties'): PropertyEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i + 1;
    let natural = skipBlanks(lines[i++]!);
    // Only the first natural line of a logical line can be a comment.
    if (natural === '' || natural[0] === '#' || natural[0] === '!') continue;
    let logical = '';
    for (;;) {
      if (!endsInContinuation(natural)) {
        logical += natural;
        break;
      }
      logical += natural.slice(0, -1);
      // At the end of the file the dangling backslash is dropped; a blank continuation ends the line.
      if (i >= lines.length) break;
      natural = skipBlanks(lines[i++]!);
      if (natural === '') break;
    }
    entries.push(splitEntry(logical, file, start));
  }
  return entries;
}

function skipBlanks(line: string): string {
  let k = 0;
  while (isBlank(line[k])) k++;
  return line.slice(k);
}

function endsInContinuation(line: string): boolean {
  let backslashes = 0;
  for (let k = line.length - 1; k >= 0 && line[k] === '\\'; k--) backslashes++;
  return backslashes % 2 === 1;
}

function splitEntry(line: string, file: string, lineNo: number): PropertyEntry {
  let keyEnd = 0;
  let valueStart = line.length;
  let separated = false;
  let escaped = false;
  while (keyEnd < line.length) {
    const c = line[keyEnd]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      separated = true;
      break;
    }
    if (!escaped && isBlank(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
    keyEnd++;
  }
  // `key = value` and `key value`: blanks around one separator belong to neither side.
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!isBlank(c)) {
      if (!separated && (c === '=' || c === ':')) separated = true;
      else break;
    }
    valueStart++;
  }
  return { key: unescape(line.slice(0, keyEnd), file, lineNo), value: unescape(line.slice(valueStart), file, lineNo), line: lineNo };
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', r: '\r', n: '\n', f: '\f' };

function unescape(text: string, file: string, line: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (c !== '\\' || k === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[++k]!;
    if (next === 'u') {
      const hex = text.slice(k + 1, k + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesError(file, line, null, `malformed \\uXXXX escape "\\u${hex}"`);
      out += String.fromCharCode(parseInt(hex, 16));
      k += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}

function escapeText(text: string, isKey: boolean): string {
  let out = '';
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    const code = c.charCodeAt(0);
    if (c === '\\') out += '\\\\';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (c === ' ' && (isKey || k === 0)) out += '\\ ';
    else if ((c === '=' || c === ':') && isKey) out += `\\${c}`;
    else if ((c === '#' || c === '!') && k === 0) out += `\\${c}`;
    // Kafka reads the file as ISO-8859-1: anything else must be escaped to survive.
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

// ---- the broker's properties ----

export type ProcessRole = 'broker' | 'controller';
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export interface HostPort {
  host: string;
  port: number;
}

/** A listener as written: NAME://host:port. An empty host binds every interface; port 0 lets the system pick. */
export interface ListenerAddress extends HostPort {
  name: string;
}

/** A listener with its role (the shape of the runtime's ListenerSpec). */
export interface Listener extends ListenerAddress {
  /** Named in controller.listener.names: it serves the quorum, never clients. */
  controller: boolean;
}

export interface QuorumVoter extends HostPort {
  id: number;
}

/** How the node finds the controllers: a static voter set, or endpoints to ask (KIP-853). */
export type ControllerQuorum = { kind: 'voters'; voters: readonly QuorumVoter[] } | { kind: 'bootstrap'; servers: readonly HostPort[] };

/** What writeServerProperties renders; the optional parts take Kafka's defaults when absent. */
export interface ServerPropertiesSpec {
  nodeId: number;
  roles: readonly ProcessRole[];
  listeners: readonly ListenerAddress[];
  advertisedListeners?: readonly ListenerAddress[];
  securityProtocols?: Readonly<Record<string, SecurityProtocol>>;
  controllerListenerNames: readonly string[];
  interBrokerListenerName?: string;
  quorum: ControllerQuorum;
  logDir: string;
  /** Samsa's own key: Kafka keeps the cluster id in meta.properties, which `kafka-storage format` writes. */
  clusterId?: string | null;
  socketRequestMaxBytes?: number;
  /** Broker configs (those of core/protocol/configs.ts). */
  config?: Config;
}

export interface BrokerProperties extends ServerPropertiesSpec {
  broker: boolean;
  controller: boolean;
  /** What to bind. */
  listeners: readonly Listener[];
  /** Every advertised endpoint, controller ones included (they are a voter's address, not for clients). */
  advertisedListeners: readonly Listener[];
  /** The advertised broker listeners: what Metadata may hand to clients. */
  brokerEndpoints: readonly Listener[];
  securityProtocols: Readonly<Record<string, SecurityProtocol>>;
  interBrokerListenerName: string;
  clusterId: string | null;
  socketRequestMaxBytes: number;
  config: Config;
  /** TLS and SASL per listener, and how this node's own connections to its peers secure themselves. */
  security: NodeSecurity;
  /** Lines Samsa accepted but does not act on, as `file:line: key: why`. */
  warnings: readonly string[];
}

export const DEFAULT_LOG_DIR = '/tmp/kraft-combined-logs';
export const DEFAULT_LISTENERS = 'PLAINTEXT://:9092';
export const DEFAULT_SOCKET_REQUEST_MAX_BYTES = 104857600;
const DEFAULT_INTER_BROKER_LISTENER = 'PLAINTEXT';
const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
/** Kafka's default map, plus CONTROLLER:PLAINTEXT as its example configs write it. */
const DEFAULT_SECURITY_PROTOCOLS: Readonly<Record<string, SecurityProtocol>> = {
  PLAINTEXT: 'PLAINTEXT',
  SSL: 'SSL',
  SASL_PLAINTEXT: 'SASL_PLAINTEXT',
  SASL_SSL: 'SASL_SSL',
  CONTROLLER: 'PLAINTEXT',
};
/** What an advertised wildcard or empty host becomes: Samsa's clusters run on one machine. */
const LOCAL_HOST = '127.0.0.1';
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);
const LONG_MAX = 9223372036854775807;

/** The keys this module reads itself rather than handing to Config. */
const NODE_KEYS = [
  'process.roles',
  'node.id',
  'broker.id',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'controller.listener.names',
  'inter.broker.listener.name',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
  'cluster.id',
  'socket.request.max.bytes',
] as const;
type NodeKey = (typeof NODE_KEYS)[number];
const NODE_KEY_SET: ReadonlySet<string> = new Set(NODE_KEYS);

/** Kafka broker configs Samsa accepts and does not act on, grouped by why. */
const IGNORED: readonly { why: string; keys: readonly string[]; prefixes?: readonly string[] }[] = [
  {
    why: 'Samsa runs on one thread',
    keys: [
      'num.network.threads',
      'num.io.threads',
      'num.replica.fetchers',
      'background.threads',
      'num.recovery.threads.per.data.dir',
      'num.replica.alter.log.dirs.threads',
    ],
  },
  {
    why: 'Samsa leaves socket and request tuning to the system',
    keys: [
      'socket.send.buffer.bytes',
      'socket.receive.buffer.bytes',
      'socket.listen.backlog.size',
      'socket.connection.setup.timeout.ms',
      'socket.connection.setup.timeout.max.ms',
      'replica.socket.receive.buffer.bytes',
      'connections.max.idle.ms',
      'max.connections',
      'max.connections.per.ip',
      'max.connections.per.ip.overrides',
      'max.connection.creation.rate',
      'queued.max.requests',
      'queued.max.request.bytes',
      'request.timeout.ms',
      'controller.socket.timeout.ms',
      'early.start.listeners',
      'fetch.max.bytes',
      'replica.fetch.response.max.bytes',
      'max.incremental.fetch.session.cache.slots',
      'max.request.partition.size.limit',
      'fetch.purgatory.purge.interval.requests',
      'producer.purgatory.purge.interval.requests',
      'delete.records.purgatory.purge.interval.requests',
    ],
  },
  {
    why: 'Samsa does not build it (segment jitter, preallocation, timestamp bounds, old message formats, codec levels, remote storage, metadata log segments)',
    keys: [
      'log.local.retention.bytes',
      'log.local.retention.ms',
      'log.roll.jitter.hours',
      'log.roll.jitter.ms',
      'log.preallocate',
      'log.message.timestamp.before.max.ms',
      'log.message.timestamp.after.max.ms',
      'log.message.timestamp.difference.max.ms',
      'log.message.format.version',
      'log.message.downconversion.enable',
      'log.flush.offset.checkpoint.interval.ms',
      'log.dir.failure.timeout.ms',
      'log.initial.task.delay.ms',
      'compression.gzip.level',
      'compression.lz4.level',
      'compression.zstd.level',
      'metadata.log.segment.bytes',
      'metadata.log.segment.ms',
      'metadata.log.segment.min.bytes',
      'metadata.max.retention.bytes',
      'metadata.max.retention.ms',
      'metadata.log.max.snapshot.interval.ms',
      'remote.fetch.max.wait.ms',
      'remote.list.offsets.request.timeout.ms',
    ],
    prefixes: ['remote.log.'],
  },
  {
    // The ones it does use (log.cleaner.enable, log.cleaner.min.cleanable.ratio, ...) are configs and read first.
    why: 'Samsa runs one cleaner on its one thread and sizes no buffers',
    keys: [],
    prefixes: ['log.cleaner.'],
  },
  {
    // The ones it does use (transaction.state.log.*, transaction.max.timeout.ms, ...) are configs and read first.
    why: "Samsa's transaction coordinator does not use it",
    keys: ['producer.id.expiration.check.interval.ms'],
    prefixes: ['transaction.'],
  },
  {
    why: 'Samsa has no share groups (KIP-932)',
    keys: [],
    prefixes: ['share.'],
  },
  {
    // The ones it does use (offsets.topic.num.partitions, group.initial.rebalance.delay.ms, ...) are configs and read first.
    why: "Samsa's group coordinator does not use it (offset expiry, the consumer group protocol of KIP-848)",
    keys: [],
    prefixes: ['offsets.', 'group.'],
  },
  {
    why: 'Samsa does not act on this security setting (it reads the PEM keystore and truststore, ssl.client.auth, ssl.enabled.protocols, ssl.principal.mapping.rules, the SASL mechanisms and JAAS entries)',
    keys: ['security.inter.broker.protocol', 'principal.builder.class', 'security.providers', 'config.providers'],
    prefixes: ['ssl.', 'sasl.', 'listener.name.', 'delegation.token.', 'password.encoder.', 'config.providers.'],
  },
  {
    why: 'Samsa has no quotas or metrics reporters',
    keys: [
      'quota.window.num',
      'quota.window.size.seconds',
      'replication.quota.window.num',
      'replication.quota.window.size.seconds',
      'alter.log.dirs.replication.quota.window.num',
      'alter.log.dirs.replication.quota.window.size.seconds',
      'controller.quota.window.num',
      'controller.quota.window.size.seconds',
      'client.quota.callback.class',
      'metric.reporters',
      'metrics.num.samples',
      'metrics.recording.level',
      'metrics.sample.window.ms',
      'kafka.metrics.polling.interval.secs',
      'kafka.metrics.reporters',
      'auto.include.jmx.reporter',
      'telemetry.max.bytes',
      'controller.performance.sample.period.ms',
      'controller.performance.always.log.threshold.ms',
    ],
  },
  {
    why: 'Samsa does not use it',
    keys: [
      'auto.leader.rebalance.enable',
      'leader.imbalance.check.interval.seconds',
      'leader.imbalance.per.broker.percentage',
      'delete.topic.enable',
      'controlled.shutdown.enable',
      'controlled.shutdown.max.retries',
      'controlled.shutdown.retry.backoff.ms',
      'broker.rack',
      'replica.selector.class',
      'initial.broker.registration.timeout.ms',
      'controller.quorum.append.linger.ms',
      'controller.quorum.auto.join.enable',
      'create.topic.policy.class.name',
      'alter.config.policy.class.name',
      'unstable.api.versions.enable',
      'unstable.feature.versions.enable',
      'inter.broker.protocol.version',
      'reserved.broker.max.id',
      'broker.id.generation.enable',
    ],
  },
];

function ignoredReason(key: string): string | null {
  for (const group of IGNORED) {
    if (group.keys.includes(key) || (group.prefixes ?? []).some((p) => key.startsWith(p))) return group.why;
  }
  return null;
}

const KNOWN_KEYS: readonly string[] = [...NODE_KEYS, ...Object.keys(CONFIG_DEFS), ...IGNORED.flatMap((g) => g.keys)];

/** Reads and parses a server.properties file; error messages name the path as given. */
export function readServerProperties(path: string): BrokerProperties {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PropertiesError(path, null, null, `cannot read the file: ${(err as Error).message}`);
  }
  return parseServerProperties(text, path);
}

/** Parses and validates a server.properties text. Throws PropertiesError at the first problem. */
export function parseServerProperties(text: string, file = 'server.properties'): BrokerProperties {
  return new Reader(file, parseProperties(text, file)).read();
}

class Reader {
  private readonly entries = new Map<string, PropertyEntry>();
  private readonly warnings: string[] = [];

  constructor(
    private readonly file: string,
    all: readonly PropertyEntry[],
  ) {
    for (const entry of all) {
      const earlier = this.entries.get(entry.key);
      if (earlier !== undefined) this.warn(entry, `set again (first on line ${earlier.line}); the last value wins`);
      // Deleting first keeps the map in the order of each key's last line, as the values were read.
      this.entries.delete(entry.key);
      this.entries.set(entry.key, entry);
    }
  }

  read(): BrokerProperties {
    const overrides: Record<string, ConfigValue> = {};
    for (const entry of this.entries.values()) {
      const { key } = entry;
      if (NODE_KEY_SET.has(key) || isSecurityKey(key)) continue;
      if (key in CONFIG_DEFS) {
        overrides[key] = this.configValue(entry);
        continue;
      }
      if (key.startsWith('zookeeper.')) this.fail(entry, 'ZooKeeper mode is gone (Kafka 4 and Samsa run in KRaft mode only); remove this line');
      const why = ignoredReason(key);
      if (why !== null) {
        this.warn(entry, `ignored: ${why}`);
        continue;
      }
      const near = suggestion(key);
      this.fail(entry, `unknown setting${near === null ? '' : `; did you mean ${near}?`}`);
    }
    const config = new Config(overrides);

    const nodeId = this.nodeId();
    const roles = this.roles();
    const broker = roles.includes('broker');
    const controller = roles.includes('controller');
    const controllerNames = this.controllerListenerNames();
    const bound = this.listenerList('listeners', this.value('listeners') ?? DEFAULT_LISTENERS);
    const listeners = bound.map((l): Listener => ({ ...l, controller: controllerNames.includes(l.name) }));
    const securityProtocols = this.securityProtocols(listeners, controllerNames);
    const interBroker = (this.value('inter.broker.listener.name') ?? DEFAULT_INTER_BROKER_LISTENER).toUpperCase();

    this.checkRoles(broker, controller, listeners, controllerNames, interBroker);
    const advertisedListeners = this.advertised(listeners);
    const brokerEndpoints = advertisedListeners.filter((l) => !l.controller);
    if (broker) {
      if (brokerEndpoints.length === 0) {
        this.fail('advertised.listeners', 'there must be at least one advertised broker listener (every advertised listener is in controller.listener.names)');
      }
      if (!brokerEndpoints.some((l) => l.name === interBroker)) {
        this.fail(
          this.has('inter.broker.listener.name') ? 'inter.broker.listener.name' : 'listeners',
          `inter-broker listener ${interBroker} must be an advertised broker listener; expected one of ${brokerEndpoints.map((l) => l.name).join(', ')}`,
        );
      }
    }
    const security = this.security(listeners, securityProtocols, broker ? interBroker : null, controllerNames[0]!);
    const quorum = this.quorum(nodeId, controller);
    const logDir = this.logDir();
    this.checkConfig(config);

    return {
      nodeId,
      roles,
      broker,
      controller,
      listeners,
      advertisedListeners,
      brokerEndpoints,
      securityProtocols,
      controllerListenerNames: controllerNames,
      interBrokerListenerName: interBroker,
      quorum,
      logDir,
      clusterId: this.clusterId(),
      socketRequestMaxBytes: this.socketRequestMaxBytes(),
      config,
      security,
      warnings: this.warnings,
    };
  }

  private security(
    listeners: readonly Listener[],
    protocols: Readonly<Record<string, SecurityProtocol>>,
    interBroker: string | null,
    controllerName: string,
  ): NodeSecurity {
    const source = {
      value: (key: string) => this.entries.get(key)?.value,
      fail: (key: string, detail: string) => this.fail(key, detail),
      warn: (key: string, detail: string) => this.warn(key, detail),
    };
    const named = (name: string) => ({ name, protocol: protocols[name] ?? 'PLAINTEXT' });
    return readNodeSecurity(
      source,
      listeners.map((l) => named(l.name)),
      { interBroker: interBroker === null ? null : named(interBroker), controller: named(controllerName) },
    );
  }

  // ---- one key at a time ----

  private nodeId(): number {
    const node = this.entries.get('node.id');
    const legacy = this.entries.get('broker.id');
    const id = node === undefined ? null : this.nonNegativeInt(node);
    const brokerId = legacy === undefined ? null : this.nonNegativeInt(legacy);
    // Kafka treats the two as synonyms: either may be set, and both must agree.
    if (id !== null && brokerId !== null && id !== brokerId) this.fail(legacy!, `must equal node.id (${id}) when both are set, got "${legacy!.value.trim()}"`);
    const result = id ?? brokerId;
    if (result === null) this.fail('node.id', 'required: the id of this node, a non-negative integer');
    return result;
  }

  private roles(): ProcessRole[] {
    const entry = this.entries.get('process.roles');
    if (entry === undefined) this.fail('process.roles', 'required: broker, controller or broker,controller (Samsa runs in KRaft mode only)');
    const roles: ProcessRole[] = [];
    const items = list(entry.value);
    if (items.length === 0) this.fail(entry, 'expected broker, controller or broker,controller, got ""');
    for (const item of items) {
      if (item !== 'broker' && item !== 'controller') this.fail(entry, `expected broker, controller or broker,controller, got "${item}"`);
      if (roles.includes(item)) this.fail(entry, `role "${item}" appears twice`);
      roles.push(item);
    }
    return roles;
  }

  private controllerListenerNames(): string[] {
    const entry = this.entries.get('controller.listener.names');
    if (entry === undefined) this.fail('controller.listener.names', 'required: the name of the listener the controllers serve the quorum on (e.g. CONTROLLER)');
    const names = list(entry.value).map((n) => n.toUpperCase());
    if (names.length === 0) this.fail(entry, 'expected at least one listener name (e.g. CONTROLLER), got ""');
    for (const name of names) if (!/^[A-Z0-9_-]+$/.test(name)) this.fail(entry, `expected listener names, got "${name}"`);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) this.fail(entry, `listener ${twice} appears twice`);
    return names;
  }

  private listenerList(key: 'listeners' | 'advertised.listeners', value: string): ListenerAddress[] {
    const out: ListenerAddress[] = [];
    for (const item of list(value)) {
      const m = /^([A-Za-z0-9_-]+):\/\/(?:\[([0-9A-Za-z:.%]*)\]|([0-9A-Za-z\-%._]*)):(\d{1,5})$/.exec(item);
      const port = m === null ? NaN : Number(m[4]);
      if (m === null || port > 65535) this.fail(key, `expected NAME://host:port entries (e.g. PLAINTEXT://127.0.0.1:9092), got "${item}"`);
      const listener = { name: m[1]!.toUpperCase(), host: m[2] ?? m[3]!, port };
      if (out.some((l) => l.name === listener.name)) this.fail(key, `listener ${listener.name} appears twice`);
      if (key === 'listeners' && port !== 0) {
        const clash = out.find((l) => l.port === port && (l.host === listener.host || WILDCARD_HOSTS.has(l.host) || WILDCARD_HOSTS.has(listener.host)));
        if (clash !== undefined) this.fail(key, `listeners ${clash.name} and ${listener.name} both use port ${port}`);
      }
      out.push(listener);
    }
    if (out.length === 0) this.fail(key, 'expected at least one NAME://host:port entry, got ""');
    return out;
  }

  private securityProtocols(listeners: readonly Listener[], controllerNames: readonly string[]): Record<string, SecurityProtocol> {
    const entry = this.entries.get('listener.security.protocol.map');
    let map: Record<string, SecurityProtocol>;
    if (entry === undefined) {
      // Kafka maps an unmapped controller listener to PLAINTEXT while the map is left at its default.
      map = { ...DEFAULT_SECURITY_PROTOCOLS };
      for (const name of controllerNames) map[name] ??= 'PLAINTEXT';
    } else {
      map = {};
      for (const item of list(entry.value)) {
        const m = /^([A-Za-z0-9_-]+):([A-Za-z_]+)$/.exec(item);
        const protocol = m?.[2]!.toUpperCase() as SecurityProtocol | undefined;
        if (m === null || !SECURITY_PROTOCOLS.includes(protocol!)) {
          this.fail(entry, `expected NAME:PROTOCOL entries with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}, got "${item}"`);
        }
        const name = m[1]!.toUpperCase();
        if (name in map) this.fail(entry, `listener ${name} is mapped twice`);
        map[name] = protocol!;
      }
    }
    const mapKey = entry === undefined ? 'listeners' : 'listener.security.protocol.map';
    for (const name of [...listeners.map((l) => l.name), ...controllerNames]) {
      const protocol = map[name];
      if (protocol === undefined)
        this.fail(mapKey, `no security protocol for listener ${name}; expected an entry ${name}:PLAINTEXT in listener.security.protocol.map`);
    }
    return map;
  }

  private checkRoles(broker: boolean, controller: boolean, listeners: readonly Listener[], controllerNames: readonly string[], interBroker: string): void {
    const names = listeners.map((l) => l.name);
    if (controller) {
      const missing = controllerNames.find((n) => !names.includes(n));
      if (missing !== undefined) {
        this.fail(
          'controller.listener.names',
          `a controller must listen on its controller listener, but ${missing} is not in listeners; expected one of ${names.join(', ')}`,
        );
      }
    } else {
      const bound = controllerNames.find((n) => names.includes(n));
      if (bound !== undefined) this.fail('listeners', `${bound} is a controller listener, which a broker-only node must not bind`);
    }
    if (broker && listeners.every((l) => l.controller)) {
      this.fail('listeners', 'a broker needs a listener that is not in controller.listener.names (e.g. PLAINTEXT://:9092)');
    }
    if (!broker) {
      const other = listeners.find((l) => !l.controller);
      if (other !== undefined)
        this.fail('listeners', `a controller-only node binds only controller listeners, but ${other.name} is not in controller.listener.names`);
      if (this.has('inter.broker.listener.name') && controllerNames.includes(interBroker)) {
        this.fail('inter.broker.listener.name', `must not name a controller listener, got "${interBroker}"`);
      }
    }
  }

  private advertised(listeners: readonly Listener[]): Listener[] {
    const defaults = listeners.map((l) => ({ ...l, host: WILDCARD_HOSTS.has(l.host) ? LOCAL_HOST : l.host }));
    const text = this.value('advertised.listeners');
    if (text === undefined) return defaults;
    const given = this.listenerList('advertised.listeners', text);
    for (const l of given) {
      if (!listeners.some((b) => b.name === l.name)) {
        this.fail('advertised.listeners', `listener ${l.name} is not in listeners; expected one of ${listeners.map((b) => b.name).join(', ')}`);
      }
      if (l.host === '0.0.0.0' || l.host === '::')
        this.fail('advertised.listeners', `${l.name} cannot advertise the meta-address ${l.host}; use a routable address`);
    }
    const out: Listener[] = [];
    for (const l of listeners) {
      const entry = given.find((g) => g.name === l.name);
      if (entry !== undefined) out.push({ ...entry, host: entry.host === '' ? LOCAL_HOST : entry.host, controller: l.controller });
      // A controller listener missing from advertised.listeners is still the voter's address, as in Kafka.
      else if (l.controller) out.push(defaults.find((d) => d.name === l.name)!);
    }
    return out;
  }

  private quorum(nodeId: number, controller: boolean): ControllerQuorum {
    const votersEntry = this.entries.get('controller.quorum.voters');
    const bootstrapEntry = this.entries.get('controller.quorum.bootstrap.servers');
    if (votersEntry !== undefined) {
      const voters: QuorumVoter[] = [];
      for (const item of list(votersEntry.value)) {
        const m = /^(\d{1,10})@(?:\[([0-9A-Za-z:.%]+)\]|([0-9A-Za-z\-%._]+)):(\d{1,5})$/.exec(item);
        const port = m === null ? NaN : Number(m[4]);
        if (m === null || Number(m[1]) > 2147483647 || port < 1 || port > 65535)
          this.fail(votersEntry, `expected id@host:port entries (e.g. 1@localhost:9093), got "${item}"`);
        const id = Number(m[1]);
        if (voters.some((v) => v.id === id)) this.fail(votersEntry, `voter ${id} appears twice`);
        voters.push({ id, host: m[2] ?? m[3]!, port });
      }
      if (voters.length === 0) this.fail(votersEntry, 'expected id@host:port entries (e.g. 1@localhost:9093), got ""');
      const ids = voters.map((v) => v.id).join(', ');
      const isVoter = voters.some((v) => v.id === nodeId);
      if (controller && !isVoter) this.fail(votersEntry, `node ${nodeId} is a controller, so it must be one of the voters; expected it among ${ids}`);
      if (!controller && isVoter) this.fail(votersEntry, `node ${nodeId} is only a broker, so it must not be a voter (voters: ${ids})`);
      if (bootstrapEntry !== undefined) this.warn(bootstrapEntry, 'ignored: controller.quorum.voters names the voters');
      return { kind: 'voters', voters };
    }
    if (bootstrapEntry !== undefined) {
      const servers: HostPort[] = [];
      for (const item of list(bootstrapEntry.value)) {
        const m = /^(?:\[([0-9A-Za-z:.%]+)\]|([0-9A-Za-z\-%._]+)):(\d{1,5})$/.exec(item);
        const port = m === null ? NaN : Number(m[3]);
        if (m === null || port < 1 || port > 65535) this.fail(bootstrapEntry, `expected host:port entries (e.g. localhost:9093), got "${item}"`);
        servers.push({ host: m[1] ?? m[2]!, port });
      }
      if (servers.length === 0) this.fail(bootstrapEntry, 'expected host:port entries (e.g. localhost:9093), got ""');
      return { kind: 'bootstrap', servers };
    }
    return this.fail(
      'controller.quorum.voters',
      'required: either controller.quorum.voters (id@host:port,...) or controller.quorum.bootstrap.servers (host:port,...) must name the controllers',
    );
  }

  private logDir(): string {
    const entry = this.entries.get('log.dirs') ?? this.entries.get('log.dir');
    let dir = DEFAULT_LOG_DIR;
    if (entry !== undefined) {
      const dirs = list(entry.value);
      if (dirs.length === 0) this.fail(entry, 'expected a directory, got ""');
      if (dirs.length > 1) this.fail(entry, `Samsa supports one log directory, got ${dirs.length} (${dirs.join(', ')})`);
      dir = dirs[0]!;
    }
    const metadata = this.entries.get('metadata.log.dir');
    if (metadata !== undefined && metadata.value.trim() !== '' && metadata.value.trim() !== dir) {
      this.fail(metadata, `Samsa keeps the metadata log in the log directory (${dir}); expected that directory or no setting, got "${metadata.value.trim()}"`);
    }
    return dir;
  }

  private clusterId(): string | null {
    const entry = this.entries.get('cluster.id');
    if (entry === undefined) return null;
    const id = entry.value.trim();
    if (!/^[A-Za-z0-9_-]+$/.test(id)) this.fail(entry, `expected letters, digits, '-' and '_' (e.g. a base64 UUID), got "${id}"`);
    return id;
  }

  private socketRequestMaxBytes(): number {
    const entry = this.entries.get('socket.request.max.bytes');
    if (entry === undefined) return DEFAULT_SOCKET_REQUEST_MAX_BYTES;
    const n = this.nonNegativeInt(entry, 'a positive integer');
    if (n < 1) this.fail(entry, `expected a positive integer, got "${entry.value.trim()}"`);
    return n;
  }

  private configValue(entry: PropertyEntry): ConfigValue {
    const def = (CONFIG_DEFS as Record<string, { type: string; valid?: readonly string[]; min?: number; max?: number }>)[entry.key]!;
    const value = entry.value.trim();
    const expected =
      def.type === 'int' || def.type === 'long'
        ? 'an integer'
        : def.type === 'boolean'
          ? 'true or false'
          : def.type === 'double'
            ? `a number${def.min !== undefined && def.max !== undefined ? ` between ${def.min} and ${def.max}` : ''}`
            : def.valid !== undefined
              ? `${def.type === 'list' ? 'a comma-separated list of' : 'one of'} ${def.valid.join(', ')}`
              : 'a value';
    // Config takes what Number() takes ("1e3", "0x10"); Kafka, like this check, only decimal digits.
    if ((def.type === 'int' || def.type === 'long') && !/^-?\d+$/.test(value)) this.fail(entry, `expected ${expected}, got "${value}"`);
    try {
      return new Config({ [entry.key]: value }).overrides()[entry.key]!;
    } catch (err) {
      // A decimal integer that Config refuses is below the key's minimum.
      const min = (def as { min?: number }).min ?? 0;
      if (err instanceof ConfigError) this.fail(entry, `expected ${expected}${/^-?\d+$/.test(value) ? ` >= ${min}` : ''}, got "${value}"`);
      throw err;
    }
  }

  /** Kafka's checks across broker configs (KafkaConfig.validateValues) that apply to what Samsa runs. */
  private checkConfig(config: Config): void {
    const wait = config.int('replica.fetch.wait.max.ms');
    const culprit = (...keys: string[]) => keys.find((k) => this.has(k)) ?? keys[0]!;
    if (wait > config.int('replica.socket.timeout.ms')) {
      this.fail(
        culprit('replica.fetch.wait.max.ms', 'replica.socket.timeout.ms'),
        `replica.socket.timeout.ms (${config.int('replica.socket.timeout.ms')}) must be at least replica.fetch.wait.max.ms (${wait}), or every follower fetch times out`,
      );
    }
    if (wait > config.int('replica.lag.time.max.ms')) {
      this.fail(
        culprit('replica.fetch.wait.max.ms', 'replica.lag.time.max.ms'),
        `replica.fetch.wait.max.ms (${wait}) must be at most replica.lag.time.max.ms (${config.int('replica.lag.time.max.ms')}), or followers keep leaving the ISR`,
      );
    }
    const heartbeat = config.int('broker.heartbeat.interval.ms');
    const session = config.int('broker.session.timeout.ms');
    if (heartbeat * 2 > session) {
      const key = culprit('broker.heartbeat.interval.ms', 'broker.session.timeout.ms');
      this.warn(
        this.entries.get(key) ?? key,
        `broker.heartbeat.interval.ms (${heartbeat}) should be at most half of broker.session.timeout.ms (${session}), or brokers get fenced between heartbeats`,
      );
    }
  }

  // ---- helpers ----

  private nonNegativeInt(entry: PropertyEntry, expected = 'a non-negative integer'): number {
    const value = entry.value.trim();
    if (!/^\d+$/.test(value) || Number(value) > 2147483647) this.fail(entry, `expected ${expected}, got "${value}"`);
    return Number(value);
  }

  private has(key: string): boolean {
    return this.entries.has(key);
  }

  private value(key: NodeKey): string | undefined {
    return this.entries.get(key)?.value;
  }

  private fail(at: PropertyEntry | string, detail: string): never {
    const entry = typeof at === 'string' ? this.entries.get(at) : at;
    throw new PropertiesError(this.file, entry?.line ?? null, typeof at === 'string' ? at : at.key, detail);
  }

  private warn(at: PropertyEntry | string, detail: string): void {
    const entry = typeof at === 'string' ? this.entries.get(at) : at;
    this.warnings.push(`${where(this.file, entry?.line ?? null)}: ${typeof at === 'string' ? at : at.key}: ${detail}`);
  }
}

/** Kafka's list syntax: comma-separated, blanks around items dropped, empty items skipped. */
const SECURITY_KEY_SET: ReadonlySet<string> = new Set(SECURITY_KEYS);

/** A key security-properties.ts reads: one of SECURITY_KEYS, alone or after `listener.name.<listener>.`, or a listener's per-mechanism JAAS entry. */
function isSecurityKey(key: string): boolean {
  if (SECURITY_KEY_SET.has(key)) return true;
  const m = /^listener\.name\.[a-z0-9_-]+\.(.+)$/.exec(key);
  return m !== null && (SECURITY_KEY_SET.has(m[1]!) || /^[a-z0-9-]+\.sasl\.jaas\.config$/.test(m[1]!));
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function suggestion(key: string): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase(), known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 5)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

// ---- writing ----

/** Renders a server.properties that parseServerProperties reads back to the same settings. */
export function writeServerProperties(props: ServerPropertiesSpec): string {
  const lines: string[] = [`# Node ${props.nodeId} (${props.roles.join(', ')}), written by Samsa.`];
  const put = (key: string, value: string) => lines.push(`${escapeText(key, true)}=${escapeText(value, false)}`);
  const listeners = (ls: readonly ListenerAddress[]) => ls.map((l) => `${l.name}://${hostText(l.host)}:${l.port}`).join(',');
  put('process.roles', props.roles.join(','));
  put('node.id', String(props.nodeId));
  put('listeners', listeners(props.listeners));
  if (props.advertisedListeners !== undefined) put('advertised.listeners', listeners(props.advertisedListeners));
  if (props.securityProtocols !== undefined) {
    put(
      'listener.security.protocol.map',
      Object.entries(props.securityProtocols)
        .map(([name, protocol]) => `${name}:${protocol}`)
        .join(','),
    );
  }
  put('controller.listener.names', props.controllerListenerNames.join(','));
  if (props.interBrokerListenerName !== undefined) put('inter.broker.listener.name', props.interBrokerListenerName);
  if (props.quorum.kind === 'voters') put('controller.quorum.voters', props.quorum.voters.map((v) => `${v.id}@${hostText(v.host)}:${v.port}`).join(','));
  else put('controller.quorum.bootstrap.servers', props.quorum.servers.map((s) => `${hostText(s.host)}:${s.port}`).join(','));
  put('log.dirs', props.logDir);
  if (props.clusterId !== undefined && props.clusterId !== null) put('cluster.id', props.clusterId);
  if (props.socketRequestMaxBytes !== undefined) put('socket.request.max.bytes', String(props.socketRequestMaxBytes));
  const overrides = Object.entries(props.config?.overrides() ?? {});
  if (overrides.length > 0) {
    lines.push('', '# Broker configs');
    for (const [key, value] of overrides) {
      // A double cannot spell Long.MAX_VALUE: it prints 9223372036854776000, which Kafka's parser refuses.
      put(key, typeof value === 'number' && value >= LONG_MAX ? '9223372036854775807' : String(value));
    }
  }
  return lines.join('\n') + '\n';
}

function hostText(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
