// `samsa bench net`'s figures on a tiny load: every load measured on both targets, ratios, targets with
// whether each was met, and Kreps 2014's figure beside Samsa's. Skipped without kcat or the mock's
// build tools, unless SAMSA_REQUIRE_KAFKA_CLIENTS=1 (CI) makes that a failure.
import { describe, expect, it } from 'vitest';
import { NET_LOADS, netBenchMissing, runNetBench } from '../../bench/net.ts';

const missing = netBenchMissing();
if (process.env.SAMSA_REQUIRE_KAFKA_CLIENTS === '1' && missing !== null) throw new Error(`SAMSA_REQUIRE_KAFKA_CLIENTS=1 but ${missing}`);

describe.skipIf(missing !== null)('bench net', () => {
  it('measures every load against samsa and the mock and reports ratios and targets', { timeout: 180_000 }, async () => {
    const result = await runNetBench({ records: 5_000, runs: 1, latencyRatePerSec: 1_000, latencySeconds: 1, progress: () => {} });
    expect(result.loads.map((l) => l.name)).toEqual([...NET_LOADS]);
    for (const load of result.loads) {
      for (const figure of [load.samsa, load.mock]) {
        if (load.kind === 'throughput') expect(figure).toMatchObject({ records: 5_000, recordsPerSec: expect.any(Number), mbPerSec: expect.any(Number) });
        else
          expect(figure).toMatchObject({
            records: 1_000,
            delivered: 1_000,
            failed: 0,
            p50Ms: expect.any(Number),
            p99Ms: expect.any(Number),
            p999Ms: expect.any(Number),
          });
      }
      expect(load.ratio).toBeGreaterThan(0);
    }
    expect(result.targets.map((t) => t.name.split(' ')[0])).toEqual(['produce-rf1', 'produce-rf3', 'latency-rf1', 'latency-rf3']);
    expect(result.allTargetsMet).toBe(result.targets.every((t) => t.met));
    expect(result.kreps2014).toMatchObject({ recordsPerSec: 421_823, samsaRecordsPerSec: expect.any(Number) });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
