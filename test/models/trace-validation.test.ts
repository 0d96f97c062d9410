// Trace validation: simulator traces of the real core, mapped onto the replication spec's actions
// (kip-320 with Kafka's ISR-join rule), must validate on clean scenarios and be rejected when a
// seeded bug breaks the protocol.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatValidationFailure,
  truncationPoint,
  validateTraceEvents,
  validateTraceFile,
  type Batch,
  type ValidationResult,
} from '../../models/trace-validation.ts';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { FileSink, MemorySink } from '../../trace/sink.ts';
import type { EventLine } from '../../core/trace/schema.ts';

function validate(file: string, seed?: number): ValidationResult {
  const scenario = loadScenario(file, { knownBugs: KNOWN_BUGS });
  const sink = new MemorySink();
  runScenario(scenario, { seed: seed ?? scenario.seed, trace: sink });
  return validateTraceEvents(sink.eventLines());
}

const explain = (r: ValidationResult) => (r.failure === null ? 'validated' : formatValidationFailure(r.failure));

describe('trace validation against the replication spec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-tv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the spec truncation point: one past the last batch both logs share', () => {
    const leader: Batch[] = [
      [0, 4, 0, 1],
      [5, 9, 0, 2],
      [10, 10, 2, 3],
    ];
    expect(
      truncationPoint(leader, [
        [0, 4, 0, 1],
        [5, 9, 0, 2],
        [10, 12, 1, 9],
      ]),
    ).toBe(10);
    expect(truncationPoint(leader, [[0, 4, 0, 1]])).toBe(5);
    expect(truncationPoint(leader, [[0, 4, 1, 7]])).toBe(0);
    expect(truncationPoint([], [[0, 4, 0, 1]])).toBe(0);
  });

  it('validates the quickstart trace, step by step', () => {
    const r = validate('scenarios/quickstart.yaml');
    expect(r.failure, explain(r)).toBeNull();
    for (const action of [
      'LeaderWrite',
      'FollowerFetch',
      'LeaderIncHighWatermark',
      'BecomeLeader',
      'BecomeFollowerAndTruncate',
      'ControllerElectLeader',
      'LeaderExpandIsr',
      'LeaderShrinkIsr',
    ]) {
      expect(r.actions[action] ?? 0, action).toBeGreaterThan(0);
    }
    expect(r.mappedEvents).toBeGreaterThan(5000);
  }, 30_000);

  for (const seed of [1, 2, 3, 4, 6]) {
    it(`validates nemesis seed ${seed}`, () => {
      const r = validate('scenarios/nemesis.yaml', seed);
      expect(r.failure, explain(r)).toBeNull();
      expect(r.actions['LeaderWrite'] ?? 0).toBeGreaterThan(0);
    }, 30_000);
  }

  it('validates a trace file as samsa run writes it', () => {
    const scenario = loadScenario('scenarios/nemesis.yaml', { knownBugs: KNOWN_BUGS });
    const path = join(dir, 'nemesis-5.jsonl');
    runScenario(scenario, { seed: 5, trace: new FileSink(path) });
    const r = validateTraceFile(path);
    expect(r.failure, explain(r)).toBeNull();
    expect(r.mappedEvents).toBeGreaterThan(0);
  }, 30_000);

  it('rejects the truncate-to-hw bug (pre-KIP-101 truncation) in its scenario', () => {
    const r = validate('scenarios/bugs/truncate-to-hw.yaml');
    expect(r.failure).not.toBeNull();
    expect(r.failure!.action).toMatch(/BecomeFollower/);
    expect(r.failure!.event.kind).toBe('partition-truncate');
    expect(formatValidationFailure(r.failure!)).toContain('projected state before the event');
  }, 30_000);

  it("validates retention and DeleteRecords: log starts below the high watermark, a follower starting its log at its leader's", () => {
    const actions = new Map<string, number>();
    for (const seed of [1, 102]) {
      const r = validate('scenarios/retention.yaml', seed);
      expect(r.failure, explain(r)).toBeNull();
      for (const [action, n] of Object.entries(r.actions)) actions.set(action, (actions.get(action) ?? 0) + n);
    }
    for (const action of ['LogStart (delete-records)', 'LogStart (retention)', 'LogStart (leader)', 'BecomeFollowerAndTruncate+FollowerFetch (log start)'])
      expect(actions.get(action) ?? 0, action).toBeGreaterThan(0);
  }, 30_000);

  it("validates a follower's late truncation while its whole log lies below its leader's log start (storage-nemesis seed 976)", () => {
    // b2, paused for 9 s, applies a divergence its leader computed before retention moved the leader's log start past all of b2's log.
    // The events of partition events/1 (and the crashes) as the core wrote them at seed 976 before the clients'
    // rebootstrap (KIP-899) changed that run; the situation is rare (none in 400 other seeds scanned), so the trace is kept.
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'traces', 'storage-nemesis-976-events-1.jsonl.gz');
    const lines = gunzipSync(readFileSync(fixture))
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as EventLine);
    const r = validateTraceEvents(lines);
    expect(r.failure, explain(r)).toBeNull();
    expect(r.actions["BecomeFollowerAndTruncate (below the leader's log start)"] ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('rejects a log start past the high watermark (retention-past-hw)', () => {
    const r = validate('scenarios/bugs/retention-past-hw.yaml');
    expect(r.failure?.action).toBe('LogStart (retention)');
    expect(r.failure?.reason).toMatch(/past its high watermark/);
  }, 30_000);

  it('rejects an ISR join before the leader epoch start (KAFKA-7128) and a high watermark over the committed ISR only', () => {
    const join = validate('scenarios/bugs/isr-join-before-epoch-start.yaml');
    expect(join.failure?.action).toBe('LeaderExpandIsr');
    const maximal = validate('scenarios/bugs/no-maximal-isr.yaml');
    expect(maximal.failure?.action).toBe('LeaderIncHighWatermark');
  }, 30_000);

  it('validates log compaction: cleans keep batches at their offsets, followers copy a cleaned log past its gaps; a clean that moves a batch is rejected', () => {
    const scenario = loadScenario('scenarios/compaction.yaml', { knownBugs: KNOWN_BUGS });
    const sink = new MemorySink();
    runScenario(scenario, { seed: scenario.seed, trace: sink });
    const lines = [...sink.eventLines()];
    const r = validateTraceEvents(lines);
    expect(r.failure, explain(r)).toBeNull();
    expect(r.actions['Clean (environment)'] ?? 0).toBeGreaterThan(10);
    // The same trace with one clean keeping a batch one epoch later than the replica wrote it.
    const at = lines.findIndex((l) => l.kind === 'partition-clean' && l.batches.length > 0);
    const clean = lines[at] as Extract<(typeof lines)[number], { kind: 'partition-clean' }>;
    const [first, ...rest] = clean.batches;
    const forged = { ...clean, batches: [[first![0], first![1], first![2] + 1, first![3]] as typeof first, ...rest] };
    const bad = validateTraceEvents([...lines.slice(0, at), forged, ...lines.slice(at + 1)]);
    expect(bad.failure?.action).toBe('Clean (environment)');
    expect(bad.failure?.reason).toMatch(/is no batch the replica held/);
  }, 30_000);
});
