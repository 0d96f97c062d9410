// Generated scenarios for property tests (issue 5, part 4): fast-check arbitraries that draw a
// cluster shape, broker and topic configs, a workload and a fault schedule, all within what Kafka
// promises to survive without losing an acknowledged write (acks=all, min.insync.replicas >= 2 from
// replication factor 3, no unclean election, power loss only when every write is fsynced, at most
// a minority of controller voters down at once). A generated scenario is a plain document in the
// file format, so it prints as YAML that `samsa run` replays, and it goes through the same parser
// and validation as a file does. Left out on purpose: lost disks (restart-wiped), failing fsyncs and
// reads, and power loss without flush.messages 1 (scenarios/configs/ shows the documented losses;
// without KIP-966 Kafka does not promise to survive them). Uses fast-check, a dev dependency: for
// tests and tooling, not for the runtime.

import fc from 'fast-check';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { parseScenario } from '../../sim/scenario/parse.ts';
import { maxVotersDown } from '../../sim/scenario/nemesis.ts';
import { formatScenarioDocument } from '../../sim/scenario/to-yaml.ts';
import { clusterNodeIds, type Scenario } from '../../sim/scenario/types.ts';

/** A selector, a config or a fault as written in a scenario file. */
export type Doc = Record<string, unknown>;
type SelectorDoc = string | { 'leader-of': string };

export interface GenerateOptions {
  /** Seconds of the safety phase (the run's `duration`), inclusive. */
  durationS?: readonly [number, number];
  /** Faults drawn at most (some are dropped again to keep the voters' majority up). */
  maxFaults?: number;
  /** Highest producer rate, per second. */
  maxRate?: number;
}

/** The shape of the cluster: brokers b1..bN, and either combined voters or dedicated c1..cM. */
export interface Shape {
  brokers: number;
  controllers: 'combined' | 1 | 3;
}

interface TopicDoc {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Doc;
}

/** Everything the fault generator needs to know about the rest of the scenario. */
interface FaultContext {
  nodes: string[];
  voters: string[];
  combined: boolean;
  topics: TopicDoc[];
  durationMs: number;
  /** Every topic fsyncs every write (flush.messages 1): only then is power loss survivable. */
  powerLoss: boolean;
}

const ms = (n: number): string => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`);

export function nodeNames(shape: Shape): string[] {
  return clusterNodeIds(shape.brokers, shape.controllers);
}

export function voterNames(shape: Shape): string[] {
  return shape.controllers === 'combined' ? nodeNames(shape) : nodeNames(shape).filter((n) => n.startsWith('c'));
}

export const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ brokers: fc.integer({ min: 1, max: 5 }), controllers: fc.constant('combined' as const) }) },
  { weight: 2, arbitrary: fc.record({ brokers: fc.integer({ min: 1, max: 5 }), controllers: fc.constantFrom(1 as const, 3 as const) }) },
);

/**
 * min.insync.replicas: 1 or 2 for two replicas (either way a write acknowledged by the ISR is on
 * every ISR member, and with no unclean election only an ISR member can lead), at least 2 from
 * three replicas up (Kafka's documented setting for durable acks=all), never above the replicas.
 */
function minIsrArb(rf: number): fc.Arbitrary<number> {
  if (rf === 1) return fc.constant(1);
  if (rf === 2) return fc.constantFrom(1, 2);
  return fc.integer({ min: 2, max: rf });
}

function topicArb(name: string, brokers: number): fc.Arbitrary<TopicDoc> {
  return fc.integer({ min: 1, max: brokers }).chain((rf) =>
    fc
      .record({
        partitions: fc.integer({ min: 1, max: 4 }),
        minIsr: minIsrArb(rf),
        // 1: fsync every write (power loss survivable); 100: batched fsyncs; null: Kafka's default, never.
        flush: fc.constantFrom(1, 1, 100, null),
        // Unclean election is always off (Kafka's default), sometimes spelled out.
        uncleanSpelled: fc.boolean(),
      })
      .map(({ partitions, minIsr, flush, uncleanSpelled }) => {
        const config: Doc = { 'min.insync.replicas': minIsr };
        if (flush !== null) config['flush.messages'] = flush;
        if (uncleanSpelled) config['unclean.leader.election.enable'] = false;
        return { name, partitions, replicationFactor: rf, config };
      }),
  );
}

function producerArb(id: string, topics: readonly TopicDoc[], maxRate: number): fc.Arbitrary<Doc> {
  return fc
    .record({
      topic: fc.constantFrom(...topics.map((t) => t.name)),
      rate: fc.integer({ min: 5, max: maxRate }),
      keys: fc.integer({ min: 0, max: 10 }),
      idempotence: fc.constantFrom(true, true, false),
      // Without idempotence: in-flight 1 keeps each partition in send order (Kafka's docs), 5 does not.
      inFlight: fc.constantFrom(1, 5),
    })
    .map(({ topic, rate, keys, idempotence, inFlight }) => {
      const config: Doc = { acks: 'all', 'enable.idempotence': idempotence };
      if (!idempotence) config['max.in.flight.requests.per.connection'] = inFlight;
      return { producer: id, topic, rate: `${rate}/s`, keys, config };
    });
}

/**
 * Zero to two assign-mode consumers per topic, but at least one on every topic a producer writes:
 * lost-write judges an acknowledged write that no poll ever returned as lost ("unseen", as in
 * Jepsen), so a topic nobody reads would fail every run whatever the brokers did.
 */
function consumersArb(topics: readonly TopicDoc[], producers: readonly Doc[]): fc.Arbitrary<Doc[]> {
  const written = new Set(producers.map((p) => p['topic']));
  return fc.tuple(...topics.map((t) => fc.integer({ min: written.has(t.name) ? 1 : 0, max: 2 }))).map((counts) => {
    const out: Doc[] = [];
    counts.forEach((n, i) => {
      for (let k = 0; k < n; k++) out.push({ consumer: `r${out.length + 1}`, topic: topics[i]!.name, mode: 'assign' });
    });
    return out;
  });
}

// ---- faults ----------------------------------------------------------------------------------

interface Drawn {
  at: number;
  forMs: number;
  /** The fault as written (without at/for). */
  body: Doc;
  /** Voters this fault may take down while it lasts (0 for faults that stop no process). */
  votersDown: number;
  /** Write as a crash and a separate restart fault instead of `for`. */
  splitRestart?: boolean;
}

function pick<T>(items: readonly T[]): fc.Arbitrary<T> {
  return fc.constantFrom(...items);
}

function leaderOfArb(topics: readonly TopicDoc[]): fc.Arbitrary<SelectorDoc> {
  return pick(topics).chain((t) => fc.integer({ min: 0, max: t.partitions - 1 }).map((p) => ({ 'leader-of': `${t.name}/${p}` })));
}

/** One node, however named: its name, the leader of a partition, the quorum leader, or a random one. */
function oneNodeArb(ctx: FaultContext): fc.Arbitrary<SelectorDoc> {
  return fc.oneof(
    { weight: 3, arbitrary: pick(ctx.nodes) },
    { weight: 2, arbitrary: leaderOfArb(ctx.topics) },
    { weight: 1, arbitrary: fc.constant('controller-leader') },
    { weight: 1, arbitrary: fc.constant('random') },
  );
}

/** How many voters a crash or power loss of these selectors may take down. */
function votersStruck(ctx: FaultContext, selectors: readonly SelectorDoc[]): number {
  let n = 0;
  for (const s of selectors) {
    if (typeof s === 'object') n += ctx.combined ? 1 : 0;
    else if (s === 'controller-leader' || s === 'random') n += 1;
    else if (ctx.voters.includes(s)) n += 1;
  }
  return n;
}

/** Groups of every node (two or three), optionally leaving one node out of all groups: a bridge. */
function splitArb(ctx: FaultContext): fc.Arbitrary<SelectorDoc[][] | null> {
  const n = ctx.nodes.length;
  return fc
    .record({
      k: fc.integer({ min: 2, max: 3 }),
      where: fc.array(fc.nat(), { minLength: n, maxLength: n }),
      bridge: fc.option(fc.nat({ max: n - 1 }), { nil: null }),
    })
    .map(({ k, where, bridge }) => {
      const groups: string[][] = Array.from({ length: k }, () => []);
      ctx.nodes.forEach((id, i) => {
        if (i !== bridge) groups[where[i]! % k]!.push(id);
      });
      const used = groups.filter((g) => g.length > 0);
      return used.length >= 2 ? used : null;
    });
}

function partitionArb(ctx: FaultContext): fc.Arbitrary<Doc | null> {
  return fc.oneof(
    // Isolate one node (by name, as leader of a partition, the quorum leader, or any) from the rest.
    oneNodeArb(ctx).map((s) => ({ partition: [[s], 'rest'] })),
    // Split into two or three groups of named nodes, maybe with a bridge node in none.
    splitArb(ctx).map((groups) => (groups === null ? null : { partition: groups })),
  );
}

function onewayArb(ctx: FaultContext): fc.Arbitrary<Doc | null> {
  return fc.oneof(
    oneNodeArb(ctx).chain((s) =>
      fc.boolean().map((outbound) => ({ 'partition-oneway': outbound ? { from: [s], to: ['rest'] } : { from: ['rest'], to: [s] } })),
    ),
    fc
      .shuffledSubarray(ctx.nodes, { minLength: 2 })
      .chain((sub) => fc.integer({ min: 1, max: sub.length - 1 }).map((cut) => ({ 'partition-oneway': { from: sub.slice(0, cut), to: sub.slice(cut) } }))),
  );
}

/** Crash (the process dies, the page cache survives) or power loss of one node or a set of named nodes. */
function stopArb(ctx: FaultContext, kind: 'crash' | 'power-loss'): fc.Arbitrary<{ body: Doc; votersDown: number; named: boolean }> {
  const one = oneNodeArb(ctx).map((s) => ({ body: { [kind]: s }, votersDown: votersStruck(ctx, [s]), named: typeof s === 'string' && ctx.nodes.includes(s) }));
  if (ctx.nodes.length < 2) return one;
  return fc.oneof(
    one,
    fc.subarray(ctx.nodes, { minLength: 2 }).map((set) => ({ body: { [kind]: set }, votersDown: votersStruck(ctx, set), named: true })),
  );
}

function faultArb(ctx: FaultContext): fc.Arbitrary<Drawn | null> {
  const at = fc.integer({ min: 10, max: Math.floor((ctx.durationMs - 100) / 100) }).map((t) => t * 100);
  const forMs = fc.integer({ min: 5, max: 100 }).map((t) => t * 100);
  const plain = (body: fc.Arbitrary<Doc | null>) =>
    fc.record({ at, forMs, body }).map(({ at, forMs, body }) => (body === null ? null : { at, forMs, body, votersDown: 0 }));
  const many = ctx.nodes.length >= 2;
  const kinds: Array<fc.WeightedArbitrary<Drawn | null>> = [
    {
      weight: 4,
      arbitrary: fc.record({ at, forMs, stop: stopArb(ctx, 'crash'), split: fc.boolean() }).map(({ at, forMs, stop, split }) => ({
        at,
        forMs,
        body: stop.body,
        votersDown: stop.votersDown,
        splitRestart: split && stop.named,
      })),
    },
    {
      weight: 1,
      arbitrary: plain(
        fc.record({ what: fc.constantFrom('loss', 'duplicate', 'reorder'), p: fc.integer({ min: 1, max: 30 }) }).map(({ what, p }) => ({
          network: { [what]: p / 100 },
        })),
      ),
    },
    {
      weight: 1,
      arbitrary: plain(
        fc
          .record({ node: pick(ctx.nodes), offsetMs: fc.integer({ min: -5000, max: 5000 }) })
          .filter(({ offsetMs }) => offsetMs !== 0)
          .map((skew) => ({ 'clock-skew': skew })),
      ),
    },
  ];
  if (many) {
    kinds.push(
      { weight: 4, arbitrary: plain(partitionArb(ctx)) },
      { weight: 2, arbitrary: plain(onewayArb(ctx)) },
      {
        weight: 2,
        arbitrary: plain(
          fc
            .record({ pair: fc.shuffledSubarray(ctx.nodes, { minLength: 2, maxLength: 2 }), latency: fc.integer({ min: 50, max: 1000 }) })
            .map(({ pair, latency }) => ({ 'slow-link': { between: pair, latency: `${latency}ms` } })),
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          .record({ t: at, nodes: fc.oneof(fc.constant('all'), pick(ctx.nodes)) })
          .map(({ t, nodes }) => ({ at: t, forMs: 0, body: { heal: nodes }, votersDown: 0 })),
      },
    );
  }
  if (ctx.powerLoss) {
    kinds.push({
      weight: 2,
      arbitrary: fc
        .record({ at, forMs, stop: stopArb(ctx, 'power-loss') })
        .map(({ at, forMs, stop }) => ({ at, forMs, body: stop.body, votersDown: stop.votersDown })),
    });
  }
  return fc.oneof(...kinds);
}

/**
 * Keeps the faults, in time order, whose stopped voters never exceed the allowed number at any
 * moment (a fault stops its nodes from `at` to `at + for`); drops the others.
 */
function withinVoterBudget(drawn: readonly Drawn[], budget: number): Drawn[] {
  const kept: Drawn[] = [];
  for (const f of [...drawn].sort((a, b) => a.at - b.at)) {
    if (f.votersDown > 0) {
      const overlapping = kept.filter((k) => k.votersDown > 0 && k.at < f.at + f.forMs && f.at < k.at + k.forMs);
      // Check the load at each start inside f's interval (the peak is at one of them).
      const starts = [f.at, ...overlapping.map((k) => k.at).filter((t) => t > f.at)];
      const peak = Math.max(...starts.map((t) => overlapping.filter((k) => k.at <= t && t < k.at + k.forMs).reduce((s, k) => s + k.votersDown, 0)));
      if (f.votersDown + peak > budget) continue;
    }
    kept.push(f);
  }
  return kept;
}

function faultDocs(drawn: readonly Drawn[], durationMs: number): Doc[] {
  const out: Array<{ at: number; doc: Doc }> = [];
  for (const f of drawn) {
    if (f.forMs === 0) out.push({ at: f.at, doc: { at: ms(f.at), ...f.body } });
    else if (f.splitRestart === true && f.at + f.forMs < durationMs) {
      out.push({ at: f.at, doc: { at: ms(f.at), ...f.body } });
      out.push({ at: f.at + f.forMs, doc: { at: ms(f.at + f.forMs), restart: f.body['crash'] } });
    } else out.push({ at: f.at, doc: { at: ms(f.at), ...f.body, for: ms(f.forMs) } });
  }
  // Stable: faults at the same time keep the order they were drawn in.
  return out.sort((a, b) => a.at - b.at).map((f) => f.doc);
}

// ---- the whole scenario ------------------------------------------------------------------------

/** A scenario document (the file format as data) whose configuration Kafka promises to survive. */
export function scenarioDocArb(options: GenerateOptions = {}): fc.Arbitrary<Doc> {
  const [minS, maxS] = options.durationS ?? [10, 20];
  const maxFaults = options.maxFaults ?? 6;
  const maxRate = options.maxRate ?? 80;
  return shapeArb.chain((shape) =>
    fc
      .record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        durationS: fc.integer({ min: minS, max: maxS }),
        lagMs: fc.option(fc.constantFrom(1000, 2000, 5000, 10000, 30000), { nil: null }),
        topics: fc.integer({ min: 1, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => topicArb(`t${i + 1}`, shape.brokers)))),
        latencyMax: fc.integer({ min: 2, max: 30 }),
        duplicate: fc.constantFrom(0, 0, 0.01, 0.03),
        reorder: fc.constantFrom(0, 0, 0.01, 0.03),
        tornWrites: fc.constantFrom(0, 0.5),
      })
      .chain((base) => {
        const topics = base.topics;
        const durationMs = base.durationS * 1000;
        const powerLoss = topics.every((t) => t.config['flush.messages'] === 1);
        const ctx: FaultContext = {
          nodes: nodeNames(shape),
          voters: voterNames(shape),
          combined: shape.controllers === 'combined',
          topics,
          durationMs,
          powerLoss,
        };
        return fc
          .record({
            clients: fc
              .integer({ min: 1, max: 3 })
              .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => producerArb(`p${i + 1}`, topics, maxRate))))
              .chain((producers) => consumersArb(topics, producers).map((consumers) => ({ producers, consumers }))),
            faults: fc.array(faultArb(ctx), { maxLength: maxFaults }),
          })
          .map(({ clients: { producers, consumers }, faults }): Doc => {
            const drawn = withinVoterBudget(
              faults.filter((f): f is Drawn => f !== null),
              maxVotersDown(ctx.voters.length),
            );
            const cluster: Doc = { nodes: shape.brokers, controllers: shape.controllers };
            if (base.lagMs !== null) cluster['config'] = { 'replica.lag.time.max.ms': base.lagMs };
            const network: Doc = { latency: { min: '1ms', max: `${base.latencyMax}ms` } };
            if (base.duplicate > 0) network['duplicate'] = base.duplicate;
            if (base.reorder > 0) network['reorder'] = base.reorder;
            const doc: Doc = {
              samsa: 1,
              name: 'generated',
              description: describeShape(shape, topics, producers.length, consumers.length, drawn.length),
              seed: base.seed,
              duration: `${base.durationS}s`,
              cluster,
              network,
            };
            // Torn writes only matter to a power loss, which only these scenarios have.
            if (powerLoss && base.tornWrites > 0) doc['disk'] = { tornWrites: base.tornWrites };
            doc['topics'] = topics;
            doc['clients'] = [...producers, ...consumers];
            const faultList = faultDocs(drawn, durationMs);
            if (faultList.length > 0) doc['faults'] = faultList;
            doc['expect'] = { violations: 'none' };
            return doc;
          });
      }),
  );
}

function describeShape(shape: Shape, topics: readonly TopicDoc[], producers: number, consumers: number, faults: number): string {
  const quorum = shape.controllers === 'combined' ? 'combined' : `${shape.controllers} dedicated controllers`;
  const ts = topics.map((t) => `${t.name} ${t.partitions}x${t.replicationFactor}`).join(', ');
  return `Generated by test/properties: ${shape.brokers} brokers (${quorum}), topics ${ts}, ${producers} producers, ${consumers} consumers, ${faults} faults.`;
}

/** The document as a scenario file, laid out as hand-written files are. */
export function scenarioYaml(doc: Doc): string {
  return formatScenarioDocument(doc);
}

/** Parses generated YAML as `samsa run` would a file; a problem here is a bug in the generator. */
export function parseGenerated(yaml: string, file = 'generated.yaml'): Scenario {
  return parseScenario(yaml, file, { knownBugs: KNOWN_BUGS });
}
