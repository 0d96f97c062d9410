// The child process `samsa bench storage` kills: appends batches to a partition log on a broker's file
// storage until it holds the bytes asked for, says so on stdout, then waits, never flushing or closing,
// for its SIGKILL. Its argument: WriterArgs as JSON.

import { openBrokerStorage } from '../net/broker.ts';
import { BENCH_PARTITION, makeBatch, openLog, valueOf, WRITTEN, type WriterArgs } from './storage-log.ts';

const args = JSON.parse(process.argv[2]!) as WriterArgs;
const storage = openBrokerStorage(args.logDir);
const log = openLog(storage, BENCH_PARTITION);
const value = valueOf(args.shape.valueBytes);
const start = performance.now();
let batches = 0;
while (log.sizeInBytes < args.bytes) {
  log.append([makeBatch(args.shape, log.logEndOffset, value)]);
  batches++;
}
process.stdout.write(`${WRITTEN} ${batches} ${log.logEndOffset} ${log.sizeInBytes} ${Math.round(performance.now() - start)}\n`);
// No flush, no close: the page cache holds the writes, as after a broker killed mid-run. Should the
// bench itself die first (this process is then adopted by another), the writer goes too.
setInterval(() => {
  if (process.ppid !== args.benchPid) process.exit(1);
}, 500);
