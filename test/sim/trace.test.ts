import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { describeMessage } from '../../sim/describe.ts';
import { formatMs } from '../../trace/writer.ts';
import { DEFAULT_KERNEL_WORKLOAD, runKernelWorkload, type KernelWorkload } from '../../sim/kernel-workload.ts';
import { replayTrace } from '../../sim/replay.ts';
import { TraceFormatError, TraceLineReader } from '../../trace/reader.ts';
import { FileSink, HashOnlySink, MemorySink } from '../../trace/sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-trace-'));
const small: KernelWorkload = { ...DEFAULT_KERNEL_WORKLOAD, durationMs: 3_000, faultEveryMs: 300 };

function recordTrace(name: string, seed: number, workload = small) {
  const path = join(dir, name);
  const summary = runKernelWorkload(workload, seed, new FileSink(path));
  return { path, summary };
}

describe('traces', () => {
  it('are JSON Lines: a header, numbered steps in time order, and a summary carrying the hash', () => {
    // Seed 8 of this workload draws every fault family; the kinds below all show up.
    const { path, summary } = recordTrace('format.jsonl', 8);
    const text = readFileSync(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({ samsa: 1, scenario: 'kernel-workload/5', seed: 8, config: { setup: 'kernel-workload' } });
    const events = lines.slice(1, -1).map((l) => JSON.parse(l));
    events.forEach((e, i) => {
      expect(e.i).toBe(i);
      expect(typeof e.kind).toBe('string');
      if (i > 0) expect(e.t).toBeGreaterThanOrEqual(events[i - 1].t);
    });
    const kinds = new Set(events.map((e) => e.kind));
    for (const kind of ['start', 'send', 'timer', 'note', 'crash', 'restart', 'partition', 'heal', 'link', 'disk', 'drop']) {
      expect(kinds).toContain(kind);
    }
    const last = JSON.parse(lines.at(-1)!);
    expect(last).toMatchObject({ kind: 'summary', steps: events.length, simMs: 3000 });
    const hashed = text.slice(0, text.length - lines.at(-1)!.length - 1);
    expect(last.traceHash).toBe(createHash('sha256').update(hashed).digest('hex'));
    expect(summary.traceHash).toBe(last.traceHash);
  });

  it('two runs with the same seed write byte-identical files, and replay proves it', () => {
    const a = recordTrace('same-a.jsonl', 11);
    const b = recordTrace('same-b.jsonl', 11);
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
    const result = replayTrace(a.path);
    expect(result).toMatchObject({ identical: true, difference: null, recordedHash: a.summary.traceHash, replayedHash: a.summary.traceHash });
    expect(result.steps).toBe(a.summary.steps);
  });

  it('the hash is the same whether the trace goes to a file, to memory or nowhere but the hash', () => {
    const file = recordTrace('sinks.jsonl', 5).summary.traceHash;
    const memory = runKernelWorkload(small, 5, new MemorySink()).traceHash;
    const hashOnly = runKernelWorkload(small, 5, new HashOnlySink()).traceHash;
    expect(memory).toBe(file);
    expect(hashOnly).toBe(file);
  });

  it('replay names the first step that differs from a tampered recording', () => {
    const { path } = recordTrace('tampered.jsonl', 12);
    const lines = readFileSync(path, 'utf8').split('\n');
    const target = lines.findIndex((l, i) => i > 100 && l.includes('"kind":"send"'));
    const step = JSON.parse(lines[target]!).i;
    lines[target] = lines[target]!.replace(/"at":[0-9.]+/, '"at":99999');
    writeFileSync(path, lines.join('\n'));
    const result = replayTrace(path);
    expect(result.identical).toBe(false);
    expect(result.difference).toMatchObject({ step, line: target + 1 });
    expect(result.difference!.expected).toContain('"at":99999');
    expect(result.difference!.actual).not.toContain('"at":99999');
  });

  it('replay reports a recording that was cut short as damaged, naming the line it ends at', () => {
    const { path } = recordTrace('short.jsonl', 13);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, lines.slice(0, 50).join('\n') + '\n');
    expect(() => replayTrace(path)).toThrow(TraceFormatError);
    expect(() => replayTrace(path)).toThrow(/trace truncated at line 50 \(it ends without its summary line\)/);
    writeFileSync(path, lines.slice(0, 50).join('\n') + '\n' + lines[50]!.slice(0, 10));
    expect(() => replayTrace(path)).toThrow(/trace truncated at line 51\b/);
  });

  it('replay of a trace made with a different config replays that config', () => {
    const other: KernelWorkload = { ...small, nodes: 3, network: { latency: { mean: 4 }, loss: 0.05 } };
    const { path } = recordTrace('other-config.jsonl', 2, other);
    expect(replayTrace(path).identical).toBe(true);
  });

  it('the line reader copes with lines split across chunks and multi-byte characters', () => {
    const path = join(dir, 'lines.txt');
    const long = 'é'.repeat(700_000); // 1.4 MB of two-byte characters in one line
    writeFileSync(path, `first\n${long}\nlast`);
    const reader = new TraceLineReader(path);
    expect(reader.read()).toBe('first');
    expect(reader.read()).toBe(long);
    expect(reader.read()).toBe('last');
    expect(reader.read()).toBeNull();
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 45 })])('times print exactly as JavaScript prints milliseconds', (us) => {
    expect(formatMs(us)).toBe(String(us / 1000));
  });
});

describe('messages in traces', () => {
  const batch = {
    baseOffset: 7,
    partitionLeaderEpoch: 2,
    attributes: 0,
    lastOffsetDelta: 1,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: 5,
    producerEpoch: 0,
    baseSequence: 3,
    records: [{ value: 'a' }, { value: 'b' }],
  };

  it('record batches of Produce requests and data Fetch responses appear as headers with a record count', () => {
    const produce = describeMessage({ api: 'Produce', kind: 'request', topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }] }) as {
      topicData: Array<{ partitionData: Array<{ records: unknown }> }>;
    };
    expect(produce.topicData[0]!.partitionData[0]!.records).toEqual({ ...batch, records: undefined, recordCount: 2 } as unknown);
    const fetch = describeMessage({ api: 'Fetch', kind: 'response', topics: [{ topic: 't', partitions: [{ partitionIndex: 0, records: [batch] }] }] });
    expect(JSON.stringify(fetch)).not.toContain('"value"');
    expect(JSON.stringify(fetch)).toContain('"recordCount":2');
  });

  it("leaves the quorum's flattened Fetch response (no topics) and other messages alone", () => {
    const raftFetch = { api: 'Fetch', kind: 'response', records: [], highWatermark: 3 };
    expect(describeMessage(raftFetch)).toBe(raftFetch);
    const metadata = { api: 'Metadata', kind: 'response', topics: [] };
    expect(describeMessage(metadata)).toBe(metadata);
  });
});
