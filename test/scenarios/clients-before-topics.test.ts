// A run whose topics exist only after its duration (faults slowed their creation down): the
// healing phase boots the group consumers, which were never started, and the clients start when
// the topics arrive. Found by test/cli/fuzz-inputs.test.ts: it used to throw "node g1a is already
// running" (exit 3).
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { parseScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const LATE_TOPICS = `samsa: 1
name: late-topics
duration: 2s
cluster: { nodes: 3, config: { offsets.topic.num.partitions: 2 } }
topics:
  - { name: orders, partitions: 2, replicationFactor: 3, config: { min.insync.replicas: 2 } }
clients:
  - { producer: p1, topic: orders, rate: 50/s, config: { acks: all } }
  - { consumer: g1a, topic: orders, group: g1 }
faults:
  - { at: 500ms, partition: [[leader-of: orders/0], rest], for: 500ms }
  - { at: 1s, crash: b2 }
  - { at: 1500ms, restart: b2 }
`;

describe('clients whose topics are created after the run', () => {
  it('start once, after the healing phase booted the group consumers', () => {
    const scenario = parseScenario(LATE_TOPICS, 'late-topics.yaml', { knownBugs: KNOWN_BUGS });
    const result = runScenario(scenario);
    expect(result.topicsCreatedAtMs).toBeGreaterThan(scenario.durationMs);
    expect(result.violations.filter((v) => v.class === 'safety')).toEqual([]);
  });
});
