// Log compaction on a real three-broker cluster (files, wire bytes): a compacted topic with small
// segments is cleaned on every broker, so a read from the beginning finds fewer records than were
// written, each key's last value at its offset, offsets rising; a keyless record is refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../net/local-cluster.ts';
import { samsa } from './real-helpers.ts';

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('log compaction on a samsa cluster', () => {
  let dir: string;
  let cluster: LocalCluster;
  const tool = (args: string[], input?: string) => samsa([...args, '--bootstrap', cluster.bootstrapServers], { input, timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-compaction-'));
    cluster = await LocalCluster.prepare({ brokers: 3, dataDir: dir, basePort: 0, config: { 'log.cleaner.backoff.ms': 300 } });
    cluster.startAll();
    await cluster.waitReady(60_000);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("keeps each key's last value at its offset and drops what later writes superseded; refuses a keyless record", async () => {
    const configs = ['cleanup.policy=compact', 'internal.segment.bytes=2048', 'min.cleanable.dirty.ratio=0.01', 'min.insync.replicas=2'];
    const create = ['topics', 'create', '--topic', 'state', '--partitions', '1', '--replication-factor', '3', ...configs.flatMap((c) => ['--config', c])];
    expect((await tool(create)).code).toBe(0);
    const padding = 'x'.repeat(100);
    const input = Array.from({ length: 300 }, (_, i) => `k${i % 10}:v${i}-${padding}`).join('\n') + '\n';
    expect((await tool(['produce', '--topic', 'state', '--key-separator', ':', '--acks', 'all'], input)).code).toBe(0);
    type Rec = { offset: number; key: string; value: string };
    const readAll = async (): Promise<Rec[]> =>
      lines((await tool(['consume', '--topic', 'state', '--from-beginning', '--until-end', '--json'])).stdout).map((l) => JSON.parse(l) as Rec);
    let records = await readAll();
    for (let i = 0; i < 40 && records.length >= 300; i++) {
      await new Promise((r) => setTimeout(r, 250));
      records = await readAll();
    }
    expect(records.length).toBeLessThan(300);
    const offsets = records.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    // Every record sits at the offset it was written at (value i at offset i), and each key's last value is there.
    for (const r of records) expect(Number(r.value.slice(1, r.value.indexOf('-')))).toBe(r.offset);
    for (let k = 0; k < 10; k++) expect(records.find((r) => r.offset === 290 + k)?.key).toBe(`k${k}`);

    const keyless = await tool(['produce', '--topic', 'state', '--acks', 'all'], 'no key\n');
    expect(keyless.code).not.toBe(0);
    expect(keyless.stderr).toContain('INVALID_RECORD');
  }, 120_000);
});
