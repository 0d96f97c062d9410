// `samsa transactions list|describe`: the transactions of any Kafka cluster as their coordinators see them
// (what kafka-transactions.sh list and describe show): state, producer id and epoch, timeout, partitions.

import type { Command } from 'commander';
import { TXN_STATES } from '../core/protocol/txn.ts';
import { printJson, table, UserError } from './output.ts';
import { connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

interface ListOptions extends ConnectionOptions {
  json?: boolean;
  state?: string[];
}

export function registerTransactions(program: Command): void {
  const transactions = program.command('transactions').description('list and describe the transactions of any Kafka cluster');

  connectionOptions(transactions.command('list').description('every transactional id the coordinators know, with its state'))
    .option('--state <state...>', `only transactions in these states (${TXN_STATES.join(', ')})`)
    .option('--json', 'print the transactions as one JSON line')
    .action(async (opts: ListOptions) => {
      const states = opts.state ?? [];
      const unknown = states.filter((s) => !(TXN_STATES as readonly string[]).includes(s));
      if (unknown.length > 0) throw new UserError(`--state: unknown transaction state ${unknown.join(', ')}; expected one of ${TXN_STATES.join(', ')}`);
      const listed = await withAdmin(opts, (admin) => admin.listTransactions(states));
      if (opts.json === true) return printJson({ transactions: listed });
      if (listed.length === 0) return void process.stdout.write('no transactions\n');
      process.stdout.write(
        table(
          ['transactional id', 'coordinator', 'producer id', 'state'],
          listed.map((t) => [t.transactionalId, t.coordinator, t.producerId, t.state]),
        ) + '\n',
      );
    });

  connectionOptions(transactions.command('describe').description("a transaction's state, producer, timeout and partitions at its coordinator"))
    .requiredOption('--transactional-id <id>', 'the transactional id')
    .option('--json', 'print the description as one JSON line')
    .action(async (opts: ConnectionOptions & { json?: boolean; transactionalId: string }) => {
      const t = await withAdmin(opts, (admin) => admin.describeTransaction(opts.transactionalId));
      if (opts.json === true) return printJson(t);
      const started = t.transactionStartTimeMs >= 0 ? new Date(t.transactionStartTimeMs).toISOString() : '-';
      process.stdout.write(
        table(
          ['coordinator', 'transactional id', 'producer id', 'epoch', 'state', 'timeout ms', 'started', 'partitions'],
          [
            [
              t.coordinator,
              t.transactionalId,
              t.producerId,
              t.producerEpoch,
              t.state,
              t.transactionTimeoutMs,
              started,
              t.partitions.map((p) => `${p.topic}-${p.partition}`).join(',') || '-',
            ],
          ],
        ) + '\n',
      );
    });
}
