// A local cluster of broker processes (`samsa cluster`): one `samsa broker` process per node, each a
// combined broker and controller with its own server.properties and log dir under the data dir, all on
// 127.0.0.1. A second start over the same data dir reuses the files, so the brokers recover their logs.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultLayout, faultLayoutPorts, proxiedAddresses, type FaultLayout, type NamedPort, type NodeAddresses } from './fault-network.ts';
import { rollBackToDurable, type PowerLossOptions, type PowerLossReport } from './power-loss.ts';
import { wireRequests } from './wire-request.ts';
import {
  adminSecurity,
  hasClusterSecurity,
  loadClusterSecurity,
  makeClusterSecurity,
  secureServerProperties,
  SECURE_CLIENT_LISTENER,
  type ClusterSecurity,
} from './cluster-security.ts';
import type { ClientSecurity } from './outbound-connection.ts';

const SAMSA_BIN = fileURLToPath(new URL('../bin/samsa.js', import.meta.url));
const HOST = '127.0.0.1';

export interface LocalClusterOptions {
  brokers: number;
  dataDir: string;
  /** The first client port (brokers take the next ones, controllers follow); 0 picks free ports. */
  basePort: number;
  /** More broker configs, Kafka's names, written into every server.properties of a new cluster. */
  config?: Readonly<Record<string, string | number | boolean>>;
  /** Puts a fault proxy on every link (net/fault-network.ts); the caller starts the FaultNetwork of `faultLayout`. */
  faults?: boolean;
  /** Each broker traces to `<traceDir>/b<id>.jsonl` (net/node-trace.ts; a restart writes the next incarnation's file). */
  traceDir?: string;
  /** Node.js flags for every broker process (e.g. `--cpu-prof`, `--cpu-prof-dir=DIR` to profile them). */
  nodeArgs?: readonly string[];
  /**
   * SASL_SSL listeners (client, inter-broker and controller) with a CA and certificates made under
   * <dataDir>/security, the StandardAuthorizer, and an admin with a random password (net/cluster-security.ts).
   */
  secure?: boolean;
}

export interface LocalBroker {
  id: number;
  dir: string;
  propertiesFile: string;
  logFile: string;
  /** Its log.dirs. */
  logDir: string;
  /** The port clients are given (with faults, the client proxy's). */
  port: number;
  controllerPort: number;
  process: ChildProcess | null;
  /** Stopped by SIGSTOP (a paused process): it holds its sockets but runs nothing until SIGCONT. */
  paused: boolean;
}

/** Ports the system says are free right now (bound together, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** The addresses of broker `id` in a cluster without proxies: one client listener, peers dial each other directly. */
function directAddresses(id: number, clientPort: number, controllerPorts: readonly number[], clientListener: string): NodeAddresses {
  return {
    listeners: [
      { name: clientListener, port: clientPort },
      { name: 'CONTROLLER', port: controllerPorts[id - 1]! },
    ],
    advertised: [{ name: clientListener, port: clientPort }],
    interBrokerListener: clientListener,
    voters: controllerPorts.map((port, i) => ({ id: i + 1, port })),
  };
}

/** The server.properties of broker `id` at `addresses`; with `security`, every listener is SASL_SSL. */
function serverProperties(
  id: number,
  addresses: NodeAddresses,
  logDir: string,
  config: LocalClusterOptions['config'],
  security: ClusterSecurity | null,
): string {
  const protocol = security === null ? 'PLAINTEXT' : 'SASL_SSL';
  const named = (ls: readonly NamedPort[]) => ls.map((l) => `${l.name}://${HOST}:${l.port}`).join(',');
  const lines = [
    '# Written by `samsa cluster`: one combined broker and controller of a local cluster.',
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${addresses.voters.map((v) => `${v.id}@${HOST}:${v.port}`).join(',')}`,
    `listeners=${named(addresses.listeners)}`,
    `advertised.listeners=${named(addresses.advertised)}`,
    'controller.listener.names=CONTROLLER',
    `inter.broker.listener.name=${addresses.interBrokerListener}`,
    `listener.security.protocol.map=${['CONTROLLER', ...addresses.listeners.map((l) => l.name).filter((n) => n !== 'CONTROLLER')].map((n) => `${n}:${protocol}`).join(',')}`,
    `log.dirs=${logDir}`,
    ...(security === null ? [] : secureServerProperties(security)),
    ...Object.entries(config ?? {}).map(([k, v]) => `${k}=${String(v)}`),
  ];
  return lines.join('\n') + '\n';
}

/** Reads a port back from a properties file written by serverProperties. */
function listenerPort(properties: string, key: 'listeners' | 'advertised.listeners', listener: string): number {
  const m = new RegExp(`^${key.replace('.', '\\.')}=.*\\b${listener}://[^:,]*:(\\d+)`, 'm').exec(properties);
  if (m === null) throw new Error(`no ${listener} listener in ${key} of server.properties`);
  return Number(m[1]);
}

/** The log dir in a properties file written by serverProperties. */
function logDirOf(properties: string): string {
  const m = /^log\.dirs=(.*)$/m.exec(properties);
  if (m === null) throw new Error('no log.dirs in server.properties');
  return m[1]!;
}

export class LocalCluster {
  readonly brokers: LocalBroker[] = [];
  /** With faults: every proxied link's ports, kept in the data dir's faults.json. */
  faultLayout: FaultLayout | null = null;
  /** A secure cluster's CA, certificates and passwords (null: every listener PLAINTEXT). */
  security: ClusterSecurity | null = null;

  private constructor(readonly options: LocalClusterOptions) {}

  /** Lays out (or finds) the brokers' directories and properties, without starting anything. */
  static async prepare(options: LocalClusterOptions): Promise<LocalCluster> {
    const cluster = new LocalCluster(options);
    mkdirSync(options.dataDir, { recursive: true });
    if (options.traceDir !== undefined) mkdirSync(options.traceDir, { recursive: true });
    const dirs = Array.from({ length: options.brokers }, (_, i) => join(options.dataDir, `broker-${i + 1}`));
    const files = dirs.map((d) => join(d, 'server.properties'));
    const existing = files.filter((f) => existsSync(f)).length;
    if (existing > 0 && existing !== options.brokers) {
      throw new Error(`${options.dataDir} holds a cluster of ${existing} brokers, not ${options.brokers}: use --brokers ${existing} or another --data dir`);
    }
    const layoutFile = join(options.dataDir, 'faults.json');
    if (existing > 0 && existsSync(layoutFile) !== (options.faults ?? false)) {
      throw new Error(
        options.faults
          ? `${options.dataDir} holds a cluster made without --faults: its nodes dial each other directly; use another --data dir`
          : `${options.dataDir} holds a cluster made with --faults: its nodes reach each other only through the proxies; add --faults`,
      );
    }
    if (options.secure === true && options.faults === true) throw new Error('a secure cluster cannot have fault proxies yet: use --secure or --faults');
    if (existing > 0 && hasClusterSecurity(options.dataDir) !== (options.secure ?? false)) {
      throw new Error(
        options.secure
          ? `${options.dataDir} holds a cluster made without --secure: its listeners are PLAINTEXT; use another --data dir`
          : `${options.dataDir} holds a cluster made with --secure: add --secure (its client settings are in ${join(options.dataDir, 'security')})`,
      );
    }
    if (existing === 0 && options.secure === true) cluster.security = makeClusterSecurity(options.dataDir);
    else if (options.secure === true) cluster.security = loadClusterSecurity(options.dataDir);
    const clientListener = cluster.security === null ? 'PLAINTEXT' : SECURE_CLIENT_LISTENER;
    if (existing === 0) {
      const count = options.faults ? faultLayoutPorts(options.brokers) : 2 * options.brokers;
      const ports = options.basePort === 0 ? await freePorts(count) : Array.from({ length: count }, (_, i) => options.basePort + i);
      const layout = options.faults ? faultLayout(options.brokers, ports) : null;
      const addresses = (id: number) =>
        layout !== null ? proxiedAddresses(layout, id) : directAddresses(id, ports[id - 1]!, ports.slice(options.brokers), clientListener);
      dirs.forEach((dir, i) => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(files[i]!, serverProperties(i + 1, addresses(i + 1), join(dir, 'data'), options.config, cluster.security));
      });
      if (layout !== null) writeFileSync(layoutFile, JSON.stringify(layout, null, 2) + '\n');
    }
    if (options.faults) cluster.faultLayout = JSON.parse(readFileSync(layoutFile, 'utf8')) as FaultLayout;
    dirs.forEach((dir, i) => {
      const properties = readFileSync(files[i]!, 'utf8');
      cluster.brokers.push({
        id: i + 1,
        dir,
        propertiesFile: files[i]!,
        logFile: join(dir, 'broker.log'),
        logDir: logDirOf(properties),
        port: listenerPort(properties, 'advertised.listeners', clientListener),
        controllerPort: listenerPort(properties, 'listeners', 'CONTROLLER'),
        process: null,
        paused: false,
      });
    });
    return cluster;
  }

  /** How a client connects as the admin (TLS and a PLAIN login) to a secure cluster; undefined for a PLAINTEXT one. */
  get adminSecurity(): ClientSecurity | undefined {
    return this.security === null ? undefined : adminSecurity(this.security);
  }

  /** host:port of every broker, comma-separated: every broker is a bootstrap server. */
  get bootstrapServers(): string {
    return this.brokers.map((b) => `${HOST}:${b.port}`).join(',');
  }

  /** Starts every broker that is not running. */
  startAll(): void {
    for (const broker of this.brokers) if (broker.process === null) this.startBroker(broker.id);
  }

  /** Starts one broker process; its output goes to its broker.log. */
  startBroker(id: number): void {
    const broker = this.broker(id);
    if (broker.process !== null) return;
    const log = openSync(broker.logFile, 'a');
    const trace = this.options.traceDir === undefined ? [] : ['--trace', this.traceFile(id)];
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), SAMSA_BIN, 'broker', '--config', broker.propertiesFile, ...trace], {
      // The IPC channel closes when this process dies, even by SIGKILL: the broker then stops (cli/real.ts).
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    child.channel?.unref();
    broker.process = child;
    child.once('exit', () => {
      if (broker.process !== child) return;
      broker.process = null;
      broker.paused = false;
    });
  }

  /** The trace file broker `id` is given (its first incarnation's; later ones write `b<id>.2.jsonl`, …). */
  traceFile(id: number): string {
    if (this.options.traceDir === undefined) throw new Error('this cluster is not traced');
    return join(this.options.traceDir, `b${id}.jsonl`);
  }

  /** Sends a signal to a broker's process (SIGKILL for a crash, SIGSTOP/SIGCONT for a pause) and, for a kill, waits for it to exit. */
  async signal(id: number, signal: NodeJS.Signals): Promise<void> {
    const broker = this.broker(id);
    const child = broker.process;
    if (child === null) return;
    const exited = signal === 'SIGKILL' || signal === 'SIGTERM' ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
    child.kill(signal);
    if (signal === 'SIGSTOP') broker.paused = true;
    if (signal === 'SIGCONT') broker.paused = false;
    await exited;
    if (broker.process === null) broker.paused = false;
  }

  /** A crash: SIGKILL (a paused process dies too); the page cache keeps what it wrote. */
  async crash(id: number): Promise<void> {
    await this.signal(id, 'SIGKILL');
    this.broker(id).paused = false;
  }

  /** A graceful stop: SIGTERM (after SIGCONT, if paused), SIGKILL if it has not exited within `graceMs`. */
  async stop(id: number, graceMs = 10_000): Promise<void> {
    const broker = this.broker(id);
    const child = broker.process;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (broker.paused) child.kill('SIGCONT');
    broker.paused = false;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Whether the broker's process is running and not paused. */
  isServing(id: number): boolean {
    const broker = this.broker(id);
    return broker.process !== null && !broker.paused;
  }

  /** The port of broker `id`'s client listener itself, behind its proxy if it has one. */
  directPort(id: number): number {
    return this.faultLayout?.nodes.find((n) => n.id === id)?.clientPort ?? this.broker(id).port;
  }

  /**
   * A power loss of a broker's machine: SIGKILL (which keeps the page cache), then its log dir rolled
   * back to what fsyncs made durable (net/power-loss.ts). Start it again with startBroker.
   */
  async powerLoss(id: number, options: PowerLossOptions = {}): Promise<PowerLossReport> {
    await this.signal(id, 'SIGKILL');
    return rollBackToDurable(this.broker(id).logDir, options);
  }

  /** Waits until every running broker answers Metadata listing all running brokers; throws after `timeoutMs`. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const running = () => this.brokers.filter((b) => b.process !== null);
    for (;;) {
      const expected = running().length;
      const ok = await Promise.all(running().map((b) => this.sees(b.port, expected)));
      if (ok.every(Boolean)) return;
      if (Date.now() > deadline) {
        const down = running().filter((_, i) => !ok[i]);
        const named = down.map((b) => `broker ${b.id} (log: ${b.logFile})`).join(', ');
        const tails = down.map((b) => `--- the end of broker ${b.id}'s log:\n${logTail(b.logFile, 20)}`).join('\n');
        throw new Error(`cluster not ready after ${timeoutMs} ms: ${named}\n${tails}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Stops every broker with SIGTERM (a clean shutdown), SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(this.brokers.map((b) => this.stop(b.id, graceMs)));
  }

  private broker(id: number): LocalBroker {
    const broker = this.brokers.find((b) => b.id === id);
    if (broker === undefined) throw new Error(`no broker ${id} in this cluster`);
    return broker;
  }

  /** Whether the broker at `port` answers Metadata with at least `brokers` brokers. */
  private async sees(port: number, brokers: number): Promise<boolean> {
    try {
      const [metadata] = await wireRequests(HOST, port, [{ apiKey: 3, version: 1, body: { topics: [] } }], 2000, this.adminSecurity);
      return ((metadata!.brokers as unknown[]) ?? []).length >= brokers;
    } catch {
      return false;
    }
  }
}

/** The last `lines` lines of a broker's log, so a failure far away (CI) says what the broker was doing. */
function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(unreadable: ${(err as Error).message})`;
  }
}
