// `samsa delete-records`: deletes a partition's records below an offset on any Kafka cluster (what
// kafka-delete-records.sh does for Apache Kafka): the leader moves the partition's log start there.

import type { Command } from 'commander';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { intOption, OperationError, printJson } from './output.ts';
import { connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

interface DeleteRecordsOptions extends ConnectionOptions {
  topic: string;
  partition: number;
  offset: number;
  json?: boolean;
}

export function registerDeleteRecords(program: Command): void {
  connectionOptions(
    program.command('delete-records').description("delete a partition's records below an offset (its log start moves there), as kafka-delete-records.sh does"),
  )
    .requiredOption('--topic <name>', 'the topic')
    .requiredOption('--partition <n>', 'the partition', intOption('--partition', 0))
    .requiredOption('--offset <n>', 'delete the records below this offset; -1 deletes up to the high watermark', intOption('--offset', -1))
    .option('--json', 'print the outcome as one JSON line')
    .action(async (opts: DeleteRecordsOptions) => {
      const [result] = await withAdmin(opts, (admin) => admin.deleteRecords([{ topic: opts.topic, partition: opts.partition, offset: opts.offset }]));
      const where = `${opts.topic}-${opts.partition}`;
      if (result === undefined || result.errorCode !== ErrorCode.NONE) {
        throw new OperationError(`delete records of ${where}: ${errorName(result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR)}`);
      }
      if (opts.json === true) return printJson({ topic: result.topic, partition: result.partition, lowWatermark: result.lowWatermark });
      process.stdout.write(`Records delete operation completed:\npartition: ${where}\tlow_watermark: ${result.lowWatermark}\n`);
    });
}
