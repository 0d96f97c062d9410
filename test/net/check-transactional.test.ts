// `samsa check --transactional` as a user runs it: against a clean three-broker `samsa cluster` the
// producers commit and abort transactions, the read_committed consumers read every committed value and
// no aborted one, and the transaction checkers hold; the same checkers find an aborted read in the same
// real history with an aborted value put into a poll (`samsa cluster` takes no seeded bugs, so a cluster
// that breaks read_committed cannot be started); bad transactional arguments are refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLine } from '../../core/trace/schema.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { readEventLines } from '../../trace/reader.ts';
import { samsa, threeBrokerCluster, type Run } from './real-helpers.ts';

interface CheckJson {
  violations: Array<{ name: string; message: string }>;
  violationCounts: Record<string, number>;
  counts: { sends: number; acknowledged: number; failed: number; unknown: number; consumed: number };
  transactions?: Record<string, { committed: number; aborted: number; unknown: number }>;
  finalReadComplete: boolean;
  valid: boolean | 'unknown';
}

const lastJson = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!) as CheckJson;

type ClientLine = Extract<EventLine, { kind: 'client' }>;
type PollRecord = [string, number, number, string | null, string];
interface Written {
  value: string;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
}

/** The values written to the log (produce ok) by transactions that committed and that were aborted on purpose, and the values each consumer polled. */
function transactionFates(lines: readonly ClientLine[]): { committed: Written[]; aborted: Written[]; readBy: Map<string, Set<string>> } {
  const sends = new Map<string, { value: string; topic: string; key: string | null; txn: number }>();
  const written: Array<Written & { txn: string }> = [];
  const ends = new Map<string, { txn: string; commit: boolean }>();
  const fates = new Map<string, 'committed' | 'aborted'>();
  const readBy = new Map<string, Set<string>>();
  for (const l of lines) {
    const v = l.value as Record<string, unknown>;
    if (l.op === 'produce' && l.type === 'invoke') {
      for (const [id, topic, , key, value] of v['sends'] as Array<[number, string, number, string | null, string]>) {
        sends.set(`${l.node}/${id}`, { value, topic, key, txn: v['txn'] as number });
      }
    } else if (l.op === 'produce' && l.type === 'ok') {
      for (const [id, partition, offset] of v['sends'] as Array<[number, number, number]>) {
        const s = sends.get(`${l.node}/${id}`)!;
        written.push({ value: s.value, topic: s.topic, key: s.key, partition, offset, txn: `${l.node}/${s.txn}` });
      }
    } else if (l.op === 'end-txn' && l.type === 'invoke') {
      ends.set(`${l.node}/${l.id}`, { txn: `${l.node}/${v['txn'] as number}`, commit: v['commit'] === true });
    } else if (l.op === 'end-txn' && l.type === 'ok') {
      const end = ends.get(`${l.node}/${l.id}`)!;
      fates.set(end.txn, end.commit ? 'committed' : 'aborted');
    } else if (l.op === 'poll' && l.type === 'ok') {
      const seen = readBy.get(l.node) ?? new Set<string>();
      for (const r of v['records'] as PollRecord[]) seen.add(r[4]);
      readBy.set(l.node, seen);
    }
  }
  const withFate = (fate: string) => written.filter((w) => fates.get(w.txn) === fate);
  return { committed: withFate('committed'), aborted: withFate('aborted'), readBy };
}

/** The history checkers' verdict on recorded lines, fed as `samsa check` feeds them. */
function judge(lines: readonly EventLine[]): string[] {
  const suite = new CheckerSuite({ replicaEvents: false });
  for (const l of lines) suite.observe(l.i, l.node ?? null, l as never);
  suite.finish(true);
  return suite.violations.map((v) => `${v.name}: ${v.message}`);
}

describe('samsa check --transactional against a clean three-broker samsa cluster', () => {
  const env = threeBrokerCluster('samsa-check-txn-');
  let dir: string;
  let history: string;
  let run: Run;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-check-txn-history-'));
    history = join(dir, 'history.jsonl');
    run = await samsa(
      [
        'check',
        '--bootstrap',
        env.bootstrap,
        '--topic',
        'txn-jepsen',
        '--partitions',
        '3',
        '--replication-factor',
        '3',
        '--duration',
        '8s',
        '--rate',
        '50',
        '--producers',
        '2',
        '--consumers',
        '2',
        '--transactional',
        '--txn-size',
        '5',
        '--txn-abort',
        '0.25',
        '--history',
        history,
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
  }, 150_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds nothing with transactions committed and aborted, exit 0, and says so', () => {
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson(run);
    expect(result).toMatchObject({ violations: [], valid: true, finalReadComplete: true });
    const figures = Object.values(result.transactions ?? {});
    expect(figures).toHaveLength(2);
    const sum = (k: 'committed' | 'aborted' | 'unknown') => figures.reduce((a, f) => a + f[k], 0);
    expect(sum('committed')).toBeGreaterThan(50);
    expect(sum('aborted')).toBeGreaterThan(0);
    expect(sum('unknown')).toBe(0);
    expect(run.stderr).toMatch(/transactions committed \/ aborted \/ unknown/);
    expect(run.stderr).toMatch(/allowed, as Kafka allows them/);
    expect(run.stderr).toMatch(/(\d+) of \1 history checkers held/);
  });

  it('every consumer read every committed value and no aborted one (read_committed)', () => {
    const { committed, aborted, readBy } = transactionFates([...readEventLines(history)].filter((l): l is ClientLine => l.kind === 'client'));
    expect(committed.length).toBeGreaterThan(250);
    expect(aborted.length).toBeGreaterThan(0);
    expect([...readBy.keys()].sort()).toEqual(['c1', 'c2']);
    for (const seen of readBy.values()) {
      expect(committed.filter((w) => !seen.has(w.value))).toEqual([]);
      expect(aborted.filter((w) => seen.has(w.value))).toEqual([]);
    }
  });

  it('the checkers find an aborted read in the same real history with an aborted value put into a poll', () => {
    const lines = [...readEventLines(history)];
    expect(judge(lines)).toEqual([]);
    const { aborted } = transactionFates(lines.filter((l): l is ClientLine => l.kind === 'client'));
    expect(aborted.length).toBeGreaterThan(0);
    const victim = aborted[0]!;
    let planted = false;
    const withVictim = lines.map((l) => {
      if (planted || l.kind !== 'client' || l.op !== 'poll' || l.type !== 'ok' || l.node !== 'c1') return l;
      const records = (l.value as { records: PollRecord[] }).records;
      // A poll that returned the victim's partition past its offset: it is put in its place, in offset order.
      const after = records.findIndex((r) => r[0] === victim.topic && r[1] === victim.partition && r[2] > victim.offset);
      if (after < 0) return l;
      planted = true;
      const record: PollRecord = [victim.topic, victim.partition, victim.offset, victim.key, victim.value];
      return { ...l, value: { ...(l.value as object), records: [...records.slice(0, after), record, ...records.slice(after)] } };
    });
    expect(planted).toBe(true);
    const found = judge(withVictim);
    expect(
      found.some((v) => v.startsWith('aborted-read:') && v.includes(`'${victim.value}'`)),
      found.join('\n'),
    ).toBe(true);
  });
});

describe('samsa check --transactional without a cluster', () => {
  it('refuses a transactional check with acks other than all, and a fraction out of range, exit 64', async () => {
    const acks = await samsa(['check', '--bootstrap', '127.0.0.1:9', '--transactional', '--acks', '1']);
    expect(acks.code).toBe(64);
    expect(acks.stderr).toMatch(/--transactional: needs --acks all/);
    const abort = await samsa(['check', '--bootstrap', '127.0.0.1:9', '--transactional', '--txn-abort', '1.5']);
    expect(abort.code).toBe(64);
    expect(abort.stderr).toMatch(/--txn-abort must be a number from 0 to 1, got "1.5"/);
  }, 30_000);

  it('has --help naming the transactional options', async () => {
    const help = await samsa(['check', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--transactional', '--txn-size', '--txn-abort', 'read_committed']) expect(help.stdout).toContain(option);
  }, 30_000);
});
