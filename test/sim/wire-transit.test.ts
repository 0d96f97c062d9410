// The codec switch (sim/wire-transit.ts): with every message through Kafka's wire codec, every
// scenario runs exactly as without it; a planted converter bug then trips the checkers under faults;
// the ids and correlation ids survive the trip; the scenario field and `samsa run --wire` parse.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import type { NodeId } from '../../core/env.ts';
import type { QuorumFetchResponse, VoteRequest, VoteResponse } from '../../core/protocol/quorum.ts';
import { WireRequestError } from '../../core/wire/convert/converter.ts';
import { quorumFetchConverter } from '../../core/wire/convert/quorum-fetch.ts';
import { voteConverter } from '../../core/wire/convert/vote.ts';
import { NodeFailure } from '../../sim/kernel.ts';
import { loadScenario, parseScenario, ScenarioError } from '../../sim/scenario/parse.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { SimWireIds, WireTransitError, wireTransit } from '../../sim/wire-transit.ts';
import { MemorySink, type TraceSink } from '../../trace/sink.ts';
import { root, samsa } from '../cli/samsa.ts';
import { recordingCluster } from './helpers.ts';

/** Every trip the codec switch makes, seen from here: what was sent against what arrived. */
const trips = vi.hoisted(() => ({ observe: null as null | ((from: string, to: string, sent: unknown, received: unknown) => void) }));

vi.mock('../../sim/wire-transit.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../sim/wire-transit.ts')>();
  const observed: typeof real.wireTransit = (sim, options) => {
    const trip = real.wireTransit(sim, options);
    return (from, to, msg) => {
      const received = trip(from, to, msg);
      trips.observe?.(from, to, msg, received);
      return received;
    };
  };
  return { ...real, wireTransit: observed };
});

afterEach(() => {
  trips.observe = null;
  vi.restoreAllMocks();
});

const load = (path: string) => loadScenario(join(root, path), { knownBugs: KNOWN_BUGS });

/** Every scenario file, the bug, config and regression scenarios included. */
const SCENARIOS = ['scenarios', 'scenarios/bugs', 'scenarios/configs', 'scenarios/regressions'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `${dir}/${f}`),
);

type Json = Record<string, unknown>;

/**
 * A message (or a trace line's message) as the wire may legitimately change it, and in no other way:
 * - Metadata answers clients at v9, the highest Samsa serves (platformatic would take v10's topic ids
 *   for names in Fetch v12), and v9 has no topic ids: they arrive as null (no client reads them);
 * - Produce answers at v8, the highest served, which has no KIP-951 leader hint (v10 has): it arrives
 *   as null (the producer does not read it);
 * - a record batch read off the wire keeps its bytes beside its fields (`wireBytes`, as from a socket);
 * - objects are values: their key order is not compared.
 */
function asTheWireHasIt(msg: Json): Json {
  if (msg['api'] === 'Metadata' && msg['kind'] === 'response') {
    return { ...msg, topics: (msg['topics'] as Json[]).map((t) => ({ ...t, topicId: null })) };
  }
  if (msg['api'] === 'Produce' && msg['kind'] === 'response') {
    const responses = (msg['responses'] as Json[]).map((t) => ({
      ...t,
      partitionResponses: (t['partitionResponses'] as Json[]).map((p) => ({ ...p, currentLeader: null })),
    }));
    return { ...msg, responses };
  }
  return msg;
}

/** Where two values differ (a path like `.topics[0].partitions[2].records[0].baseOffset`), or null; `wireBytes` and key order aside. */
function difference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path || '(the message)'}: ${shown(a)} against ${shown(b)}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    return ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && x.length === y.length && x.every((v, i) => v === y[i]) ? null : `${path}: bytes differ`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: a list against a mapping`;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return `${path}: ${a.length} items against ${y.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], y[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const x = a as Json;
  const y = b as Json;
  const keys = (o: Json) => Object.keys(o).filter((k) => k !== 'wireBytes' && o[k] !== undefined);
  const kx = keys(x);
  const ky = keys(y);
  const missing = [...kx.filter((k) => !(k in y) || y[k] === undefined), ...ky.filter((k) => !(k in x) || x[k] === undefined)];
  if (missing.length > 0) return `${path}: keys ${missing.join(', ')} on one side only`;
  for (const k of kx) {
    const d = difference(x[k], y[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

function shown(value: unknown): string {
  return typeof value === 'object' && value !== null ? (JSON.stringify(value) ?? '?').slice(0, 200) : String(value);
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Json;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortedKeys(v[k])]),
  );
}

/** A trace line as compared: a send line's message as `asTheWireHasIt` has it; the summary without its hash (the header differs). */
function comparable(line: string): string {
  const event = JSON.parse(line) as Json;
  if (event['kind'] === 'send') event['msg'] = asTheWireHasIt(event['msg'] as Json);
  if (event['kind'] === 'summary') delete event['traceHash'];
  return JSON.stringify(sortedKeys(event));
}

class LinesSink implements TraceSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  close(): string {
    return '';
  }
}

interface Mismatch {
  from: string;
  to: string;
  api: string;
  kind: string;
  /** Where the message that arrived differs from the one sent. */
  where: string;
}

/** Runs a scenario with the switch on, comparing every message that arrives with the one sent. */
function runWired(scenario: Scenario, seed: number, trace: TraceSink | null): { run: RunResult; trips: number; mismatches: Mismatch[] } {
  let count = 0;
  const mismatches: Mismatch[] = [];
  trips.observe = (from, to, sent, received) => {
    count++;
    const where = difference(asTheWireHasIt(sent as Json), received);
    const m = sent as Json;
    if (where !== null && mismatches.length < 5) mismatches.push({ from, to, api: String(m['api']), kind: String(m['kind']), where });
  };
  try {
    return { run: runScenario(scenario, { seed, trace, wire: true }), trips: count, mismatches };
  } finally {
    trips.observe = null;
  }
}

/** The first trace line (after the header) that differs beyond `asTheWireHasIt`, or null. */
function firstDifference(off: readonly string[], on: readonly string[]): string | null {
  const n = Math.min(off.length, on.length);
  for (let i = 1; i < n; i++) {
    if (off[i] !== on[i] && comparable(off[i]!) !== comparable(on[i]!)) return `line ${i + 1}:\n  off: ${off[i]}\n  on:  ${on[i]}`;
  }
  return off.length === on.length ? null : `${off.length} lines without the switch, ${on.length} with it`;
}

// SAMSA_DEEP=1 (npm run test:deep) adds two more seeds per scenario.
const EXTRA_SEEDS = process.env['SAMSA_DEEP'] === '1' ? [2, 3] : [];

describe('every scenario runs exactly the same with every message through the wire codec', () => {
  for (const file of SCENARIOS) {
    it(file, () => {
      const scenario = load(file);
      for (const seed of [scenario.seed, ...EXTRA_SEEDS]) {
        const off = new LinesSink();
        const plain = runScenario(scenario, { seed, trace: off });
        const on = new LinesSink();
        const wired = runWired(scenario, seed, on);
        expect(wired.mismatches, `${file} seed ${seed}: messages changed by the trip`).toEqual([]);
        expect(wired.trips).toBe(wired.run.stats.messagesSent);
        expect(wired.trips).toBeGreaterThan(0);
        // The header records the switch, and nothing else differs.
        const header = JSON.parse(off.lines[0]!) as { config: { scenario: Json } };
        header.config.scenario['wire'] = true;
        expect(JSON.parse(on.lines[0]!)).toEqual(header);
        expect(firstDifference(off.lines, on.lines), `${file} seed ${seed}`).toBeNull();
        expect(wired.run.violationCounts).toEqual(plain.violationCounts);
      }
    });
  }
});

describe('the switch surfaces codec bugs', () => {
  /** A planted converter bug: the quorum's Fetch read off the wire loses its diverging epoch (KIP-595). */
  function plantDivergingEpochLoss(): void {
    const read = quorumFetchConverter.responseFromWire.bind(quorumFetchConverter);
    vi.spyOn(quorumFetchConverter, 'responseFromWire').mockImplementation((...args): QuorumFetchResponse<never> => ({
      ...(read(...args) as QuorumFetchResponse<never>),
      divergingEpoch: null,
    }));
  }

  it('a converter that drops a field trips the safety checkers under faults, and only with the switch on', () => {
    const scenario = load('scenarios/controller-failover.yaml');
    const clean = new LinesSink();
    const cleanRun = runWired(scenario, scenario.seed, clean);
    expect(cleanRun.run.violations).toEqual([]);
    plantDivergingEpochLoss();
    // Off, nothing is converted: the planted bug cannot show.
    expect(runScenario(scenario).violations).toEqual([]);
    const broken = new LinesSink();
    const brokenRun = runWired(scenario, scenario.seed, broken);
    // The deposed leader keeps its divergent tail of the metadata log (metadata-log-prefix and others trip).
    expect(brokenRun.run.violations.filter((v) => v.class === 'safety').map((v) => v.name)).toContain('metadata-log-prefix');
    expect(brokenRun.mismatches[0]).toMatchObject({
      api: 'Fetch',
      kind: 'response',
      where: expect.stringMatching(/^\.divergingEpoch: \{.*"endOffset":\d+.*\} against null$/) as unknown,
    });
    expect(firstDifference(clean.lines, broken.lines)).toMatch(/"divergingEpoch":null/);
  });

  it('a converter error on the way stops the run, naming the API, version, both nodes and the error', () => {
    vi.spyOn(voteConverter, 'requestFromWire').mockImplementation(() => {
      throw new WireRequestError(42, 'planted: the vote cannot be read');
    });
    let failure: unknown = null;
    try {
      runScenario(load('scenarios/controller-failover.yaml'), { wire: true, trace: null });
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(NodeFailure);
    const cause = (failure as NodeFailure).cause;
    expect(cause).toBeInstanceOf(WireTransitError);
    expect((cause as WireTransitError).cause).toBeInstanceOf(WireRequestError);
    expect((failure as Error).message).toMatch(
      /^node b\d failed at step \d+ \(t=[\d.]+ms\): the Vote v2 request from b\d to b\d cannot cross the wire codec: WireRequestError: planted: the vote cannot be read$/,
    );
  });
});

describe('the trip itself', () => {
  const nodes: NodeId[] = ['b1', 'b2', 'b3', 'p1'];
  const setup = () => {
    const { sim } = recordingCluster(nodes);
    return wireTransit(sim as never, { peers: ['b1', 'b2', 'b3'] }) as unknown as (from: NodeId, to: NodeId, msg: unknown) => unknown;
  };

  it('is applied by the kernel in send: the receiver and the trace get what the transit returns', () => {
    const trace = new MemorySink();
    const seen: string[] = [];
    const { sim, log, env } = recordingCluster(['a', 'b'], {
      trace,
      transit: (s) => {
        expect(s.nodeIds).toEqual([]); // built once, with the simulation, before any node is added
        return (from, to, msg) => {
          seen.push(`${from}>${to}:${msg}`);
          return msg.toUpperCase();
        };
      },
    });
    sim.at(0, () => env('a').send('b', 'hello'));
    sim.run(10);
    expect(seen).toEqual(['a>b:hello']);
    expect(log.map((r) => r.msg)).toEqual(['HELLO']);
    expect(trace.events().find((e) => e['kind'] === 'send')).toMatchObject({ node: 'a', to: 'b', msg: 'HELLO' });
  });

  it('numbers nodes by their place in the simulation, both ways', () => {
    const ids = new SimWireIds(() => nodes);
    expect(nodes.map((id) => ids.toWire(id))).toEqual([1, 2, 3, 4]);
    for (const id of nodes) expect(ids.fromWire(ids.toWire(id))).toBe(id);
    expect(ids.toWire(null)).toBe(-1);
    expect(ids.fromWire(-1)).toBeNull();
    // A name that is no node is no int32 (the writer refuses it); a number past the nodes stays a number.
    expect(ids.toWire('x9')).toBeNaN();
    expect(ids.fromWire(7)).toBe('7');
  });

  it('keeps correlation ids and node ids, requests and responses alike', () => {
    const trip = setup();
    const vote: VoteRequest = {
      api: 'Vote',
      kind: 'request',
      correlationId: 123456,
      clusterId: 'samsa-sim',
      candidateEpoch: 4,
      candidateId: 'b2',
      lastEpoch: 3,
      lastEpochEndOffset: 17,
      preVote: false,
    };
    const granted: VoteResponse = { api: 'Vote', kind: 'response', correlationId: 654321, errorCode: 0, leaderId: 'b3', leaderEpoch: 4, voteGranted: true };
    const sent = trip('b2', 'b1', vote);
    expect(sent).toEqual(vote);
    expect(sent).not.toBe(vote);
    expect(trip('b1', 'b2', granted)).toEqual(granted);
  });

  it('carries the admin APIs no scenario uses yet, from a client at the advertised versions', () => {
    const trip = setup();
    const messages = [
      { api: 'DeleteTopics', kind: 'request', correlationId: 7, topicNames: ['orders', 'audit'], timeoutMs: 30000 },
      {
        api: 'DeleteTopics',
        kind: 'response',
        correlationId: 7,
        responses: [{ name: 'orders', topicId: 'qVZqDbsRllP5MjSsi7IVNg', errorCode: 0, errorMessage: null }],
      },
      {
        api: 'CreatePartitions',
        kind: 'request',
        correlationId: 8,
        topics: [
          { name: 'orders', count: 5, assignments: [{ brokerIds: ['b1', 'b2'] }, { brokerIds: ['b3', 'b1'] }] },
          { name: 'audit', count: 2, assignments: null },
        ],
        timeoutMs: 30000,
        validateOnly: false,
      },
      { api: 'CreatePartitions', kind: 'response', correlationId: 8, results: [{ name: 'audit', errorCode: 37, errorMessage: 'no' }] },
      {
        api: 'DescribeConfigs',
        kind: 'request',
        correlationId: 9,
        resources: [
          { resourceType: 4, resourceName: 'b2', configurationKeys: null },
          { resourceType: 2, resourceName: 'orders', configurationKeys: ['min.insync.replicas'] },
        ],
        includeSynonyms: true,
        includeDocumentation: true,
      },
      {
        api: 'DescribeConfigs',
        kind: 'response',
        correlationId: 9,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 4,
            resourceName: 'b2',
            configs: [
              {
                name: 'min.insync.replicas',
                value: '2',
                readOnly: false,
                configSource: 4,
                isSensitive: false,
                synonyms: [{ name: 'min.insync.replicas', value: '2', source: 4 }],
                configType: 3,
                documentation: 'the least ISR',
              },
            ],
          },
        ],
      },
    ];
    for (const msg of messages) {
      const [from, to] = msg.kind === 'request' ? ['p1', 'b1'] : ['b1', 'p1'];
      expect(trip(from, to, msg)).toEqual(msg);
    }
  });

  it('refuses a message no converter writes, naming it', () => {
    const trip = setup();
    expect(() => trip('b1', 'b2', { api: 'Gossip', kind: 'request', correlationId: 1 })).toThrow(
      new WireTransitError('Gossip', 'request', 'b1', 'b2', null, new Error("no converter for the core's Gossip messages")),
    );
    expect(() => trip('b1', 'b2', { api: 'Gossip', kind: 'request', correlationId: 1 })).toThrow(
      'the Gossip request from b1 to b2 cannot cross the wire codec: Error: no converter for the core',
    );
  });

  it('reports what the codec refuses (a node id that names no node)', () => {
    const trip = setup();
    const vote = {
      api: 'Vote',
      kind: 'request',
      correlationId: 1,
      clusterId: 'c',
      candidateEpoch: 1,
      candidateId: 'nobody',
      lastEpoch: 0,
      lastEpochEndOffset: 0,
    };
    expect(() => trip('b1', 'b2', vote)).toThrow(
      /^the Vote v2 request from b1 to b2 cannot cross the wire codec: WireFormatError: cannot write number NaN as int32 at .*candidateId$/,
    );
  });
});

describe('the switch', () => {
  const FILE = 'scenarios/x.yaml';
  const BASE = 'samsa: 1\nname: wired\nduration: 10s\ncluster: { nodes: 1 }\n';
  const parse = (text: string) => parseScenario(text, FILE, { knownBugs: KNOWN_BUGS });

  it('is a scenario field: `wire: true` on, `wire: false` or none off (and then absent, so old headers stay as they were)', () => {
    expect(parse(`${BASE}wire: true\n`).wire).toBe(true);
    expect('wire' in parse(`${BASE}wire: false\n`)).toBe(false);
    expect('wire' in parse(BASE)).toBe(false);
    const wired = parse(`${BASE}wire: true\n`);
    expect(parse(scenarioToYaml(wired))).toEqual(wired);
  });

  it('refuses anything but true or false, naming the file, line and field', () => {
    for (const [value, got] of [
      ['yes', '"yes"'],
      ['1', '1'],
      ['[on]', 'a list'],
    ]) {
      expect(() => parse(`${BASE}wire: ${value}\n`)).toThrow(ScenarioError);
      expect(() => parse(`${BASE}wire: ${value}\n`)).toThrow(`${FILE}:5:7: wire: expected true or false, got ${got}`);
    }
  });

  it('is `samsa run --wire`, recorded in the trace header so replay reproduces it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-wire-'));
    const trace = join(dir, 'failover.jsonl');
    const run = samsa(root, 'run', 'scenarios/controller-failover.yaml', '--wire', '--trace', trace, '--json');
    expect(run.code).toBe(0);
    const header = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!) as { config: { scenario: Scenario } };
    expect(header.config.scenario.wire).toBe(true);
    const replay = samsa(root, 'replay', trace, '--json');
    expect(replay.json()).toMatchObject({ identical: true, replayedHash: run.json()['traceHash'] });
    const bad = samsa(root, 'run', 'scenarios/controller-failover.yaml', '--wire=yes');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("unknown option '--wire=yes'");
  });
});
