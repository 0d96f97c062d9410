// `samsa bench sim`'s parts that do not need its minutes: the shapes it scales over are real
// scenarios of that many brokers and partitions, and --profile writes CPU profiles that summarize.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfTimeByFolder, summarizeCpuProfile } from '../../bench/cpu-profile.ts';
import { benchScenarios, DEFAULT_SHAPE, profileSaturation, SCALING_SHAPES } from '../../bench/sim.ts';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { parseScenario } from '../../sim/scenario/parse.ts';

describe('bench sim', () => {
  it('scales over 3, 5 and 9 brokers and 1, 3, 10 and 100 partitions, each a scenario of that shape', () => {
    const shapes = [DEFAULT_SHAPE, ...SCALING_SHAPES];
    expect(shapes.map((s) => `${s.brokers}x${s.partitions}`)).toEqual(['3x3', '5x3', '9x3', '3x1', '3x10', '3x100']);
    for (const shape of shapes) {
      const { saturation, steady } = benchScenarios(1, shape);
      for (const text of [saturation, steady]) {
        const scenario = parseScenario(text, 'bench.yaml', { knownBugs: KNOWN_BUGS });
        expect(scenario.cluster.nodes).toBe(shape.brokers);
        expect(scenario.topics[0]).toMatchObject({ partitions: shape.partitions, replicationFactor: 3 });
      }
    }
  });

  it('--profile writes a traced and an untraced profile of the saturated run, whose time lands in the core and the checkers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-simprof-'));
    try {
      const files = await profileSaturation(dir, 0.1);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['sim-saturation-untraced.cpuprofile', 'sim-saturation-traced.cpuprofile']);
      for (const file of files) {
        const summary = summarizeCpuProfile(file, 10);
        expect(summary.totalMs).toBeGreaterThan(100);
        expect(summary.top.length).toBe(10);
        const folders = selfTimeByFolder(file).map((f) => f.folder);
        expect(folders).toContain('core/client');
        expect(folders).toContain('models/history');
      }
      expect(selfTimeByFolder(files[1]!).map((f) => f.folder)).toContain('trace/writer.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
