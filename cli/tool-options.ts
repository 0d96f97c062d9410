// What the admin tools (topics, produce, consume, groups, configs) share: the --bootstrap and --timeout
// options, and the mapping of a cluster's refusals and timeouts to one-line errors (exit 1).

import type { Command } from 'commander';
import { ConnectionLostError, UnsupportedApiError } from '../net/broker-connection.ts';
import { parseBootstrap } from '../net/broker-pool.ts';
import { connectionSecurity, readClientProperties } from '../net/client-properties.ts';
import { KafkaAdmin } from '../net/kafka-admin.ts';
import type { ClientSecurity } from '../net/outbound-connection.ts';
import { PropertiesError } from '../net/server-properties.ts';
import { KafkaError, KafkaTimeoutError } from '../net/kafka-error.ts';
import type { Address } from '../net/node-runtime.ts';
import { SendError } from '../net/kafka-producer.ts';
import { durationOption, OperationError, UserError } from './output.ts';

export interface ConnectionOptions {
  bootstrap: string;
  timeout: number;
  /** A Kafka client properties file: how to secure the connections (TLS, SASL). */
  commandConfig?: string;
}

/**
 * Adds --bootstrap (or Kafka tools' --bootstrap-server; one is required), --command-config and
 * --timeout to a tool's command.
 */
export function connectionOptions(command: Command): Command {
  return command
    .option('--bootstrap <servers>', 'the cluster to talk to: host:port[,host:port…] (any Kafka cluster)')
    .option('--bootstrap-server <servers>', 'the same as --bootstrap (the Kafka tools’ name)')
    .option('--command-config <file>', 'a Kafka client properties file: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location (PEM), …')
    .option('--timeout <duration>', 'how long one operation may take, retries included', durationOption('--timeout'), 30_000)
    .hook('preAction', (_command, action) => {
      const opts = action.opts<{ bootstrap?: string; bootstrapServer?: string }>();
      if (opts.bootstrap !== undefined && opts.bootstrapServer !== undefined) throw new UserError('give --bootstrap or --bootstrap-server, not both');
      const servers = opts.bootstrap ?? opts.bootstrapServer;
      if (servers === undefined) throw new UserError("required option '--bootstrap <servers>' not specified");
      action.setOptionValue('bootstrap', servers);
    });
}

/** The security of --command-config (undefined without one, or for PLAINTEXT), or a UserError naming the file, line and key. */
export function securityOf(opts: Pick<ConnectionOptions, 'commandConfig'>): ClientSecurity | undefined {
  if (opts.commandConfig === undefined) return undefined;
  try {
    return connectionSecurity(readClientProperties(opts.commandConfig).security);
  } catch (err) {
    if (err instanceof PropertiesError) throw new UserError(`--command-config: ${err.message}`);
    throw err;
  }
}

/** The bootstrap servers, or a UserError naming the bad entry. */
export function bootstrapOf(opts: ConnectionOptions): Address[] {
  try {
    return parseBootstrap(opts.bootstrap);
  } catch (err) {
    throw new UserError(`--bootstrap: ${(err as Error).message}`);
  }
}

/** Turns what the cluster answered (or did not) into an OperationError the CLI prints as one line. */
export function asOperationError(err: unknown): unknown {
  if (err instanceof UnsupportedApiError) return new OperationError(`${err.message}: the cluster cannot serve this operation`);
  if (err instanceof KafkaError || err instanceof KafkaTimeoutError || err instanceof ConnectionLostError || err instanceof SendError) {
    return new OperationError(err.message);
  }
  return err;
}

/** Runs `use` with an admin client for the cluster, closing it afterwards. */
export async function withAdmin<T>(opts: ConnectionOptions, use: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const security = securityOf(opts);
  const admin = new KafkaAdmin(bootstrapOf(opts), { timeoutMs: opts.timeout, ...(security !== undefined ? { security } : {}) });
  try {
    return await use(admin);
  } catch (err) {
    throw asOperationError(err);
  } finally {
    admin.close();
  }
}

/** Parses repeated name=value options (--config, --property) into pairs, naming the option on a bad one. */
export function keyValues(option: string, values: readonly string[] = []): Array<{ name: string; value: string }> {
  return values.map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UserError(`${option}: expected name=value, got "${entry}"`);
    return { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
