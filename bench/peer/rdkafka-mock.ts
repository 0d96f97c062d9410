// librdkafka's mock cluster as a second, independent Kafka: built from rdkafka-mock.c with the system's
// C compiler and librdkafka-dev, started with N brokers, its bootstrap servers read from its first line.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MOCK_SOURCE = fileURLToPath(new URL('./rdkafka-mock.c', import.meta.url));

/** Why the mock cannot be built on this machine, or null when it can. */
export function rdkafkaMockMissing(): string | null {
  if (spawnSync('cc', ['--version']).status !== 0) return 'no C compiler to build the mock cluster (apt-get install gcc)';
  if (spawnSync('sh', ['-c', 'printf "#include <librdkafka/rdkafka.h>\\n#include <librdkafka/rdkafka_mock.h>\\n" | cc -E -x c - >/dev/null']).status !== 0) {
    return "librdkafka's headers are missing (apt-get install librdkafka-dev)";
  }
  return null;
}

export interface RunningMock {
  child: ChildProcess;
  bootstrap: string;
  stop(): void;
}

/**
 * Builds the mock cluster into `dir` and starts it with `brokers` brokers and the `topics` given as
 * `name:partitions:replicationFactor` (others are created on first use with the mock's defaults); resolves once it prints its bootstrap servers.
 */
export async function startRdkafkaMock(dir: string, brokers = 3, topics: readonly string[] = []): Promise<RunningMock> {
  const binary = join(dir, 'rdkafka-mock');
  execFileSync('cc', ['-O2', '-o', binary, MOCK_SOURCE, '-lrdkafka']);
  const child = spawn(binary, [String(brokers), ...topics], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline).trim());
    });
    child.once('exit', (code) => reject(new Error(`the mock cluster exited (${code}) before printing its bootstrap servers`)));
  });
  return { child, bootstrap, stop: () => child.kill('SIGTERM') };
}
