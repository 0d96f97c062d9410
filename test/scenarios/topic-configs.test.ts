// scenarios/topic-configs.yaml: topic configs set at creation and altered at run time (alter-config, the
// admin client's IncrementalAlterConfigs) shape what the leaders store and accept, and the run stays clean.
// Each effect is checked against the trace, and the run-time alteration against a run without it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario, parseScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { MemorySink } from '../../trace/sink.ts';

const root = join(import.meta.dirname, '..', '..');
const scenario = loadScenario(join(root, 'scenarios/topic-configs.yaml'), { knownBugs: KNOWN_BUGS });

type Event = Record<string, unknown> & { t: number; kind: string; node: string };

function run(s: Scenario): { events: Event[]; violations: string[]; converged: boolean } {
  const sink = new MemorySink();
  const result = runScenario(s, { trace: sink });
  return {
    events: sink.events().filter((e) => 'kind' in e) as Event[],
    violations: result.violations.map((v) => `${v.name}: ${v.message}`),
    converged: result.convergedAtMs !== null,
  };
}

/** The producer's sends with this outcome between the two times, one entry per record (a `produce` event lists a request's). */
const sends = (events: Event[], producer: string, type: string, from: number, to: number) =>
  events
    .filter((e) => e.kind === 'client' && e.op === 'produce' && e.node === producer && e.type === type && e.t >= from && e.t < to)
    .flatMap((e) => (e.value as { sends: unknown[] }).sends.map(() => ({ t: e.t, error: e.error })));

describe('scenarios/topic-configs.yaml', () => {
  const clean = run(scenario);

  it('runs clean and converges', () => {
    expect(clean.violations).toEqual([]);
    expect(clean.converged).toBe(true);
  });

  it('max.message.bytes 100 refuses batches with MESSAGE_TOO_LARGE (reported, not retried) until it is deleted at 8 s', () => {
    // At 300/s with linger.ms 10 every batch has three records or more: each is refused until the change reaches the leader.
    const refused = sends(clean.events, 'p2', 'fail', 0, 8_000);
    expect(refused.length).toBeGreaterThan(100);
    for (const e of refused) expect(e.error).toMatch(/^MESSAGE_TOO_LARGE: the batch of \d+ bytes is larger than max\.message\.bytes \(100\)$/);
    expect(sends(clean.events, 'p2', 'ok', 0, 8_000)).toEqual([]);
    expect(sends(clean.events, 'p2', 'fail', 9_000, 60_000)).toEqual([]);
    expect(sends(clean.events, 'p2', 'ok', 8_000, 10_000).length).toBeGreaterThan(100);
  });

  it('every batch stored on "stamped" carries LogAppendTime in its attributes (bit 3); plain ones none', () => {
    const appends = clean.events.filter((e) => e.kind === 'partition-append') as Array<Event & { topic: string; batches: number[][] }>;
    const stamped = appends.filter((e) => e.topic === 'stamped').flatMap((e) => e.batches);
    expect(stamped.length).toBeGreaterThan(100);
    for (const b of stamped) expect(b[4]).toBe(8);
    for (const b of appends.filter((e) => e.topic === 'small').flatMap((e) => e.batches)) expect(b).toHaveLength(4);
  });

  it('min.insync.replicas altered to 3 at run time holds acks=all writes while the fenced broker is out, where 2 would let them on', () => {
    const alters = clean.events.filter((e) => e.kind === 'client' && e.op === 'alter-configs' && e.type === 'ok');
    expect(alters.map((e) => e.value)).toEqual([['stamped'], ['small']]);
    expect(sends(clean.events, 'p1', 'ok', 20_000, 25_000)).toEqual([]);
    const unaltered = run({ ...scenario, faults: scenario.faults.filter((f) => !(f.kind === 'alter-config' && f.topic === 'stamped')) });
    expect(unaltered.violations).toEqual([]);
    expect(sends(unaltered.events, 'p1', 'ok', 20_000, 25_000).length).toBeGreaterThan(100);
  });

  it('with the wire codec on, a compression.type the simulator has no codec for is a setup error, not a crash', () => {
    const lz4 = { ...scenario, topics: scenario.topics.map((t) => (t.name === 'stamped' ? { ...t, config: { ...t.config, 'compression.type': 'lz4' } } : t)) };
    expect(() => runScenario(lz4, { wire: true })).toThrow(
      "topic-configs: topics[0] (stamped): compression.type lz4 needs a codec the simulator's wire codec does not have; run it without wire",
    );
    const later = {
      ...scenario,
      faults: [...scenario.faults, { kind: 'alter-config' as const, atMs: 30_000, topic: 'small', set: { 'compression.type': 'gzip' }, delete: [] }],
    };
    expect(() => runScenario(later, { wire: true })).toThrow(/faults\[4\]: compression.type gzip needs a codec/);
  });

  it('alter-config entries are checked where they stand (file, line, field) and written back as read', () => {
    const base = 'samsa: 1\nname: x\nduration: 10s\ncluster: { nodes: 1 }\ntopics: [{ name: t, partitions: 1, replicationFactor: 1 }]\nfaults:\n';
    const read = (fault: string) => () => parseScenario(base + fault, 'x.yaml', { knownBugs: KNOWN_BUGS });
    expect(read('  - { at: 1s, alter-config: { topic: u, set: { flush.ms: 1 } } }')).toThrow(
      /^x\.yaml:7:\d+: faults\[0\]\.alter-config\.topic: expected a topic declared in topics \(declared: t\), got "u"/,
    );
    expect(read('  - { at: 1s, alter-config: { topic: t, set: { segment.bytes: 10 } } }')).toThrow(
      /^x\.yaml:7:\d+: faults\[0\]\.alter-config\.set\["segment\.bytes"\]: "segment\.bytes" must be at least 1048576/,
    );
    expect(read('  - { at: 1s, alter-config: { topic: t, delete: [retention.msx] } }')).toThrow(
      /^x\.yaml:7:\d+: faults\[0\]\.alter-config\.delete\[0\]: unknown topic config "retention\.msx"/,
    );
    expect(read('  - { at: 1s, alter-config: { topic: t } }')).toThrow(
      /^x\.yaml:7:\d+: faults\[0\]\.alter-config: expected at least one config to set or delete/,
    );
    expect(read('  - { at: 1s, alter-config: { topic: t, set: { flush.ms: 1 }, delete: [flush.ms] } }')).toThrow(/in both/);
    expect(read('  - { at: 1s, for: 2s, alter-config: { topic: t, set: { flush.ms: 1 } } }')).toThrow(/expected no "for" on alter-config/);
    const again = parseScenario(scenarioToYaml(scenario), 'again.yaml', { knownBugs: KNOWN_BUGS });
    expect(again.faults).toEqual(scenario.faults);
  });
});
