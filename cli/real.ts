// The real-network commands: `samsa broker` runs one node from a server.properties, `samsa cluster`
// runs a local cluster of broker processes and prints its bootstrap servers.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { startBroker } from '../net/broker.ts';
import { NodeTraceFile, RunTraceFile } from '../net/node-trace.ts';
import { faultLines } from '../net/fault-trace.ts';
import { LocalCluster } from '../net/local-cluster.ts';
import { FaultNetwork } from '../net/fault-network.ts';
import { ClusterFaults } from '../net/cluster-faults.ts';
import { describeApplied, readFaultLines, serveFaultControl } from '../net/fault-control.ts';
import type { AppliedFault } from '../net/cluster-faults.ts';
import { PropertiesError, readServerProperties } from '../net/server-properties.ts';
import { LogDirInUseError } from '../net/file-storage.ts';
import { UserError } from './output.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { parseBootstrap } from '../net/broker-pool.ts';
import { adminSecurity, ADMIN_USER, connectionSnippets, writeClientProperties, type ClusterSecurity } from '../net/cluster-security.ts';
import type { SaslMechanismName } from '../net/client-properties.ts';
import { KafkaAdmin } from '../net/kafka-admin.ts';
import { DEFAULT_SCRAM_ITERATIONS, scramUpsertion } from '../net/scram-credential.ts';
import { collect, keyValues } from './tool-options.ts';

function timestamped(prefix: string): (line: string) => void {
  return (line) => process.stdout.write(`[${new Date().toISOString()}] ${prefix}${line}\n`);
}

/** The run lines of a fault, and the pauses and resumes that no node trace can show, into DIR/faults.jsonl. */
function recordFaultLines(trace: RunTraceFile, applied: AppliedFault, undoes: AppliedFault | null): void {
  for (const line of faultLines(applied, undoes, ['clients'], () => 0)) {
    if (line.node === null) trace.record(line.event);
    else if (line.event.kind === 'pause' || line.event.kind === 'resume') trace.recordNode(line.node, line.event);
  }
}

/**
 * Resolves when the process is asked to stop (Ctrl-C or SIGTERM) or, for a broker `samsa cluster`
 * started (with an IPC channel), when that parent is gone: SIGHUP's old meaning, reported as such.
 */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    if (process.channel !== undefined) {
      process.channel.unref();
      process.once('disconnect', () => resolve('SIGHUP'));
    }
  });
}

/**
 * Gives the admin SCRAM credentials (over its PLAIN login), writes DATA/security/client.properties and
 * prints what a client needs: the CA, the login, and settings for the common Kafka clients.
 */
async function printSecureGuide(security: ClusterSecurity, bootstrapServers: string): Promise<void> {
  const admin = new KafkaAdmin(parseBootstrap(bootstrapServers), { timeoutMs: 30_000, security: adminSecurity(security) });
  let mechanism: SaslMechanismName = 'SCRAM-SHA-256';
  try {
    const upsertions = (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map((m) =>
      scramUpsertion(ADMIN_USER, m, security.adminPassword, DEFAULT_SCRAM_ITERATIONS),
    );
    const results = await admin.alterUserScramCredentials([], upsertions);
    const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
    if (failed !== undefined) throw new Error(`${errorName(failed.errorCode)}${failed.errorMessage ? ` (${failed.errorMessage})` : ''}`);
  } catch (err) {
    mechanism = 'PLAIN';
    process.stdout.write(`warning: the admin's SCRAM credentials could not be made (${(err as Error).message}): use PLAIN\n`);
  } finally {
    admin.close();
  }
  const clientProperties = writeClientProperties(security, mechanism);
  const guide = {
    bootstrapServers,
    caFile: security.caFile,
    securityProtocol: 'SASL_SSL' as const,
    mechanism,
    username: ADMIN_USER,
    password: security.adminPassword,
    clientProperties,
  };
  process.stdout.write('secure: every listener is SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); ACLs are on (StandardAuthorizer)\n');
  process.stdout.write(`  CA certificate: ${security.caFile}\n`);
  process.stdout.write(
    `  admin login (a super user): ${ADMIN_USER} / ${security.adminPassword} (${mechanism === 'PLAIN' ? 'PLAIN' : 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512'})\n`,
  );
  process.stdout.write(`  client.properties for samsa and Kafka tools (--command-config): ${clientProperties}\n`);
  process.stdout.write('  users and ACLs: samsa users add NAME --password PW …, samsa acls --add --allow-principal User:NAME … (both with --command-config)\n');
  for (const s of connectionSnippets(guide)) process.stdout.write(`  ${s.client}:\n    ${s.text}\n`);
}

function positiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${name}: expected a non-negative integer, got "${value}"`);
    return n;
  };
}

export function registerReal(program: Command): void {
  program
    .command('broker')
    .description("run one real Kafka node (broker, controller or both) from a server.properties with Kafka's config names")
    .requiredOption('--config <file>', 'the server.properties file')
    .option(
      '--trace <file>',
      "write the node's trace events (JSON Lines, wall-clock times) to this file; a restart writes FILE.2, FILE.3, … (before the extension)",
    )
    .action(async (opts: { config: string; trace?: string }) => {
      let props;
      try {
        props = readServerProperties(opts.config);
      } catch (err) {
        if (err instanceof PropertiesError) throw new UserError(err.message);
        throw err;
      }
      const log = timestamped(`node ${props.nodeId}: `);
      for (const warning of props.warnings) log(`warning: ${warning}`);
      let trace: NodeTraceFile | null = null;
      try {
        trace = opts.trace === undefined ? null : new NodeTraceFile(opts.trace, String(props.nodeId), { roles: props.roles, properties: resolve(opts.config) });
      } catch (err) {
        throw new UserError(`--trace: ${(err as Error).message}`);
      }
      if (trace !== null) log(`tracing to ${trace.file} (incarnation ${trace.incarnation})`);
      const halt = (reason: string) => {
        trace?.close(`halt: ${reason}`);
        process.exit(1);
      };
      let broker;
      try {
        broker = await startBroker(props, log, halt, trace);
      } catch (err) {
        trace?.close(`failed to start: ${(err as Error).message}`);
        if (err instanceof LogDirInUseError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError((err as Error).message);
        throw err;
      }
      log(`started (roles ${props.roles.join(',')}, log dir ${props.logDir})`);
      const signal = await stopSignal();
      log(`${signal}: stopping`);
      trace?.record({ kind: 'stop', graceful: true });
      await broker.stop();
      trace?.close('shutdown');
      log('stopped');
    });

  program
    .command('cluster')
    .description('run a local cluster of broker processes on 127.0.0.1 and print its bootstrap servers (Ctrl-C stops it; data stays)')
    .option('--brokers <n>', 'how many combined broker+controller nodes', positiveInt('--brokers'), 3)
    .option('--data <dir>', 'where the brokers keep their logs and server.properties', join(tmpdir(), 'samsa-cluster'))
    .option('--port <port>', 'first client port (controllers follow the brokers); 0 picks free ports', positiveInt('--port'), 9092)
    .option('--faults', 'put a fault-injecting proxy on every link (node to node, client to node), driven over HTTP and stdin (net/README.md)')
    .option('--fault-port <port>', 'with --faults, the port of the fault control endpoint on 127.0.0.1; 0 picks a free one', positiveInt('--fault-port'), 0)
    .option(
      '--config <name=value>',
      'a broker config (repeatable) written into every server.properties of a new cluster, e.g. --config unclean.leader.election.enable=true',
      collect,
      [],
    )
    .option('--trace <dir>', 'each broker writes its trace to DIR/b<id>.jsonl (a restart: b<id>.2.jsonl, …); `samsa viz DIR` shows the run')
    .option(
      '--secure',
      'SASL_SSL everywhere (PLAIN, SCRAM-SHA-256/512) with a CA made under DATA/security, ACLs on (StandardAuthorizer), and an admin user with a random password; prints how clients connect',
    )
    .action(
      async (opts: {
        brokers: number;
        data: string;
        port: number;
        faults?: boolean;
        faultPort: number;
        config: string[];
        trace?: string;
        secure?: boolean;
      }) => {
        if (opts.brokers < 1) throw new UserError('--brokers: expected at least 1');
        const config = Object.fromEntries(keyValues('--config', opts.config).map(({ name, value }) => [name, value]));
        if (opts.config.length > 0 && existsSync(join(opts.data, 'broker-1', 'server.properties'))) {
          throw new UserError(`--config: ${opts.data} holds a cluster already, whose server.properties are kept; edit them, or use another --data`);
        }
        if (opts.faultPort !== 0 && opts.faults !== true) throw new UserError('--fault-port: only with --faults');
        let cluster;
        let network: FaultNetwork | null = null;
        try {
          cluster = await LocalCluster.prepare({
            brokers: opts.brokers,
            dataDir: opts.data,
            basePort: opts.port,
            faults: opts.faults === true,
            secure: opts.secure === true,
            config,
            ...(opts.trace !== undefined ? { traceDir: resolve(opts.trace) } : {}),
          });
          if (cluster.faultLayout !== null) network = await FaultNetwork.start(cluster.faultLayout);
        } catch (err) {
          throw new UserError((err as Error).message);
        }
        const log = timestamped('faults: ');
        let control;
        let faults: ClusterFaults | null = null;
        try {
          faults = network === null ? null : new ClusterFaults(cluster, network);
          faults?.listeners.push((applied) => log(describeApplied(applied)));
          control = faults === null ? null : await serveFaultControl(faults, opts.faultPort, log);
        } catch (err) {
          await network?.close();
          throw new UserError(`--fault-port: ${(err as Error).message}`);
        }
        // With --trace, the faults applied go to DIR/faults.jsonl, merged with the nodes' traces (which show crashes and restarts themselves).
        const faultTrace = faults !== null && opts.trace !== undefined ? new RunTraceFile(join(resolve(opts.trace), 'faults.jsonl'), 'faults', {}) : null;
        if (faultTrace !== null) faults!.listeners.push((applied, undoes) => recordFaultLines(faultTrace, applied, undoes));
        const stopReading = faults === null ? () => {} : readFaultLines(faults, process.stdin, log);
        const shutDown = async () => {
          stopReading();
          faults?.cancelTimers();
          faultTrace?.close();
          await cluster.stopAll();
          await control?.close();
          await network?.close();
        };
        cluster.startAll();
        const stop = stopSignal();
        try {
          await Promise.race([cluster.waitReady(), stop.then(() => undefined)]);
        } catch (err) {
          await shutDown();
          throw new UserError((err as Error).message);
        }
        process.stdout.write(`samsa cluster: ${opts.brokers} brokers, data in ${opts.data}\n`);
        for (const b of cluster.brokers) process.stdout.write(`  broker ${b.id}: 127.0.0.1:${b.port} (controller :${b.controllerPort}, log ${b.logFile})\n`);
        if (opts.trace !== undefined) process.stdout.write(`traces in ${resolve(opts.trace)} (b1.jsonl, …); watch the run: npx samsa viz ${opts.trace}\n`);
        if (control !== null) {
          process.stdout.write(`every link proxied: clients and nodes reach the nodes only through fault proxies\n`);
          process.stdout.write(`fault control: http://127.0.0.1:${control.port}/faults (POST one JSON fault, GET the links; or one per line on stdin)\n`);
          process.stdout.write(`  e.g. {"partition": [["b1"], "rest"]}, {"partition-oneway": {"from": ["b1"], "to": ["b2"]}}, {"heal": "all"}\n`);
        }
        if (cluster.security !== null) await printSecureGuide(cluster.security, cluster.bootstrapServers);
        process.stdout.write(`bootstrap servers: ${cluster.bootstrapServers}\n`);
        process.stdout.write('Ctrl-C stops the cluster.\n');
        await stop;
        process.stdout.write('stopping…\n');
        await shutDown();
        process.stdout.write('stopped; a second start over the same --data recovers the logs.\n');
      },
    );
}
