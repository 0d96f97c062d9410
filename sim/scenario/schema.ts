// Zod schemas for scenario files, version 1: shape, units and cross-references (node names,
// declared topics, known bugs), producing the normalised `Scenario` with errors carrying paths.

import * as z from 'zod';
import { clientConfigEntryProblem, parseConsumerConfig, parseProducerConfig, PRODUCER_CONFIG_DEFS } from '../../core/client/client-config.ts';
import type { NodeId } from '../../core/env.ts';
import { Config, CONFIG_DEFS, ConfigError, TOPIC_CONFIG_DEFS, topicConfigProblem } from '../../core/protocol/configs.ts';
import { topicConfigsConflict } from '../../core/controller/alter-configs.ts';
import { didYouMean } from '../../core/protocol/nearest-name.ts';
import { CHECKER_NAMES } from '../../models/checker-suite.ts';
import { OFFSETS_TOPIC } from '../../core/group/offsets-topic.ts';
import { TRANSACTION_STATE_TOPIC } from '../../core/txn/transaction-topic.ts';
import { DEFAULT_LINK, type LinkConfig } from '../network.ts';
import { NO_DISK_FAULTS } from '../disk.ts';
import type { Latency } from '../latency.ts';
import {
  clusterNodeIds,
  takenNodeName,
  NEMESIS_FAULTS,
  type ClientSpec,
  type ConfigValue,
  type Fault,
  type KafkaConfig,
  type Scenario,
  type Selector,
  type SecuritySpec,
  ADMIN_PRINCIPAL,
  BROKER_PRINCIPAL,
} from './types.ts';
import { describeValue, parseDuration, parseProbability, parseRate, type UnitResult } from './units.ts';
import { withKindHint } from './config-kinds.ts';
import { processorConfigKeyProblem, processorConfigs } from './processor.ts';
import { parseAclEntry, PRINCIPAL } from './acl-entries.ts';
import type { AclBinding } from '../../core/security/acl.ts';

/** One problem found in a scenario, located by its path in the document. */
export interface SchemaIssue {
  path: Array<string | number>;
  /** "expected ..., got ..." for a value; for an unknown key, the keys that are allowed. */
  message: string;
  /** Set when the problem is keys that the mapping at `path` does not allow. */
  unknownKeys?: string[];
}

export interface SchemaContext {
  knownBugs: readonly string[];
  /** Internal topics a leader-of selector may name, with their partition counts. */
  internalTopics?: ReadonlyMap<string, number>;
  /** The cluster's node ids, when the cluster section is valid; selectors are checked against them. */
  nodeIds?: readonly NodeId[];
  /** The scenario's group consumers: faults may crash, restart, stop, stall or cut them off too. */
  groupConsumers?: readonly NodeId[];
  /** Partition count per declared topic, when the topics section is valid. */
  topics?: ReadonlyMap<string, number>;
}

export const FAULT_ACTIONS = [
  'partition',
  'partition-oneway',
  'heal',
  'crash',
  'stop',
  'restart',
  'restart-wiped',
  'power-loss',
  'pause',
  'resume',
  'stall',
  'slow-link',
  'network',
  'clock-skew',
  'delete-records',
  'alter-config',
] as const;
type FaultAction = (typeof FAULT_ACTIONS)[number];

// A heal, a restart of either kind, a resume and the admin's actions leave nothing that a later step could undo.
const NOT_UNDOABLE: ReadonlySet<FaultAction> = new Set(['heal', 'restart', 'restart-wiped', 'resume', 'delete-records', 'alter-config']);

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const CONFIG_KEY = /^[a-zA-Z][a-zA-Z0-9._-]*$/;
const NODE_NAME = /^[bc][1-9][0-9]*$/;

type Report = (message: string, path?: Array<string | number>) => void;
const FAIL: unique symbol = Symbol('fail');

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expected(what: string) {
  return (iss: { input?: unknown }) => `expected ${what}, got ${describeValue(iss.input)}`;
}

/** Messages for issues raised by zod itself where a schema gave none; schemas below give their own. */
export function fallbackMessage(iss: { code?: string; input?: unknown; expected?: unknown }): string {
  if (iss.code === 'invalid_type') return `expected ${String(iss.expected)}, got ${describeValue(iss.input)}`;
  return `unexpected ${describeValue(iss.input)}`;
}

/** A schema from a hand-written parser that reports problems with paths relative to its value. */
function custom<T>(parse: (input: unknown, report: Report) => T | typeof FAIL): z.ZodType<T> {
  return z.unknown().transform((input, ctx) => {
    let failed = false;
    const report: Report = (message, path = []) => {
      failed = true;
      ctx.addIssue({ code: 'custom', message, path, input });
    };
    const out = parse(input, report);
    return failed || out === FAIL ? z.NEVER : out;
  });
}

/** Chooses a schema by looking at the value (or refuses it with a message), then applies it. */
function pick<T>(choose: (input: unknown) => z.ZodType<T> | string): z.ZodType<T> {
  return z.unknown().transform((input, ctx) => {
    const chosen = choose(input);
    if (typeof chosen === 'string') {
      ctx.addIssue({ code: 'custom', message: chosen, input });
      return z.NEVER;
    }
    const result = chosen.safeParse(input, { error: fallbackMessage });
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(issue as unknown as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  });
}

function unit(parse: (input: unknown) => UnitResult): z.ZodType<number> {
  return custom((input, report) => {
    const r = parse(input);
    if (r.ok) return r.value;
    report(r.message);
    return FAIL;
  });
}

const duration = unit((v) => parseDuration(v));
const positiveDuration = unit((v) => parseDuration(v, { positive: true }));
const rate = unit(parseRate);
const probability = unit(parseProbability);

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  const what = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const error = expected(what);
  return z.int({ error }).min(min, { error }).max(max, { error });
}

function text(what: string, pattern?: RegExp) {
  const error = expected(what);
  const s = z.string({ error });
  return pattern ? s.regex(pattern, { error }) : s;
}

function list<T>(item: z.ZodType<T>, what: string, min = 0) {
  const error = expected(what);
  return z.array(item, { error }).min(min, { error });
}

/** A mapping that refuses keys it does not know; the issue lists the ones it does. */
function strict<S extends z.ZodRawShape>(shape: S, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `allowed keys: ${allowed}` : `expected ${what}, got ${describeValue(iss.input)}`),
  });
}

/**
 * A mapping of Kafka config names to scalar values, each entry checked by `problem` where it
 * stands, and the whole by `whole` (rules between entries), reported at the mapping.
 */
function configMap(
  problem: (name: string, value: ConfigValue) => string | null,
  whole: (config: KafkaConfig) => string | null = () => null,
): z.ZodType<KafkaConfig> {
  return custom((input, report) => {
    if (!isMapping(input)) {
      report(`expected a mapping of Kafka config names to values, like { min.insync.replicas: 2 }, got ${describeValue(input)}`);
      return FAIL;
    }
    const config: KafkaConfig = {};
    for (const [key, value] of Object.entries(input)) {
      if (!CONFIG_KEY.test(key)) report(`expected a Kafka config name like "min.insync.replicas", got ${describeValue(key)}`, [key]);
      else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
        config[key] = value satisfies ConfigValue;
      } else report(`expected a string, number or boolean, got ${describeValue(value)}`, [key]);
    }
    let entriesFine = true;
    for (const [key, value] of Object.entries(config)) {
      const message = problem(key, value);
      if (message !== null) {
        report(message, [key]);
        entriesFine = false;
      }
    }
    const message = entriesFine ? whole(config) : null;
    if (message !== null) report(message);
    return config;
  });
}

/** The message of the ConfigError `check` throws, or null when it throws none. */
function configProblem(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

/** Broker configs the security section sets (the simulator gives requests a principal only with one). */
const SECURITY_CONFIGS: ReadonlySet<string> = new Set(['authorizer.class.name', 'super.users', 'allow.everyone.if.no.acl.found']);

const brokerConfig = configMap((name, value) =>
  SECURITY_CONFIGS.has(name)
    ? `expected ${name} under security: (security: { authorizer: true, super.users: [User:ops], allow.everyone.if.no.acl.found: false }), which also gives every client its principal`
    : withKindHint(
        'broker',
        name,
        configProblem(() => new Config({ [name]: value })),
      ),
);
const topicConfig = configMap(
  (name, value) => withKindHint('topic', name, topicConfigProblem(name, String(value))),
  (config) => topicConfigsConflict(Object.fromEntries(Object.entries(config).map(([name, value]) => [name, String(value)]))),
);
const producerConfig = configMap(
  (name, value) => withKindHint('producer', name, clientConfigEntryProblem('producer', name, value)),
  (config) => configProblem(() => parseProducerConfig(config)),
);
const consumerConfig = configMap(
  (name, value) => withKindHint('consumer', name, clientConfigEntryProblem('consumer', name, value)),
  (config) => configProblem(() => parseConsumerConfig(config)),
);
/** A processor's producer and consumer configs in one map; the rules between entries are checked with its group. */
const processorConfig = configMap(
  (name, value) => processorConfigKeyProblem(name, value) ?? clientConfigEntryProblem(name in PRODUCER_CONFIG_DEFS ? 'producer' : 'consumer', name, value),
);
const transactionsSchema = strict(
  { size: int(1), abort: probability.optional() },
  'a mapping like { size: 5, abort: 0.2 } (records per transaction, the chance the application aborts one)',
).transform((t) => ({ size: t.size, abort: t.abort ?? 0 }));

const latencyModel: z.ZodType<Latency> = pick((input) => {
  const like = 'a latency like { min: 1ms, max: 10ms }, { mean: 5ms } or { constant: 2ms }';
  if (!isMapping(input)) return `expected ${like}, got ${describeValue(input)}`;
  if (Object.hasOwn(input, 'constant')) return strict({ constant: duration }, like);
  const bounded = (v: { min?: number; max?: number }, ctx: z.RefinementCtx) => {
    if (v.max !== undefined && v.max < (v.min ?? 0)) {
      ctx.addIssue({ code: 'custom', message: `expected max >= min, got max ${v.max}ms below min ${v.min ?? 0}ms`, path: ['max'] });
    }
  };
  if (Object.hasOwn(input, 'mean')) {
    return strict({ mean: duration, min: duration.optional(), max: duration.optional() }, like)
      .superRefine(bounded)
      .transform((v) => v as Latency);
  }
  return strict({ min: duration, max: duration }, like)
    .superRefine(bounded)
    .transform((v) => v as Latency);
});

const linkShape = {
  latency: latencyModel.optional(),
  loss: probability.optional(),
  duplicate: probability.optional(),
  reorder: probability.optional(),
};

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function rangeOf(ids: readonly NodeId[], prefix: string): string | null {
  const n = ids.filter((id) => id.startsWith(prefix)).length;
  if (n === 0) return null;
  return n === 1 ? `${prefix}1` : `${prefix}1..${prefix}${n}`;
}

/** "topic/partition" of a declared topic (when the topics are known), as selectors and actions name partitions. */
function partitionRef(ctx: SchemaContext, ref: unknown, report: (message: string) => void, internal = true): { topic: string; partition: number } | null {
  const m = typeof ref === 'string' ? /^(.+)\/(0|[1-9][0-9]*)$/.exec(ref) : null;
  if (!m) {
    report(`expected "topic/partition" like "orders/0", got ${describeValue(ref)}`);
    return null;
  }
  const topic = m[1]!;
  const partition = Number(m[2]);
  if (ctx.topics) {
    const count = ctx.topics.get(topic) ?? (internal ? ctx.internalTopics?.get(topic) : undefined);
    if (count === undefined) {
      const declared = [...ctx.topics.keys()].join(', ') || 'none';
      report(`expected a topic declared in topics (declared: ${declared}), got "${topic}"`);
      return null;
    }
    if (!Number.isSafeInteger(partition) || partition >= count) {
      report(`expected a partition of ${topic} from 0 to ${count - 1}, got ${m[2]}`);
      return null;
    }
  }
  return { topic, partition };
}

function selector(ctx: SchemaContext, allowRest: boolean): z.ZodType<Selector> {
  const like = 'a node selector: a node name like "b1", a group consumer\'s name, all, random, controller-leader or { leader-of: topic/partition }';
  return custom((input, report) => {
    if (input === 'all' || input === 'random' || input === 'controller-leader') return { kind: input };
    if (input === 'rest') {
      if (allowRest) return { kind: 'rest' };
      report('expected a node selector other than "rest" here (rest is only valid inside partition groups), got "rest"');
      return FAIL;
    }
    if (typeof input === 'string' && ctx.groupConsumers?.includes(input) === true) return { kind: 'node', id: input };
    if (typeof input === 'string' && NODE_NAME.test(input)) {
      if (ctx.nodeIds && !ctx.nodeIds.includes(input)) {
        const exist = [rangeOf(ctx.nodeIds, 'b'), rangeOf(ctx.nodeIds, 'c')].filter((r) => r !== null).join(' and ');
        report(`expected a node of this cluster (${exist}), got "${input}"`);
        return FAIL;
      }
      return { kind: 'node', id: input };
    }
    if (isMapping(input) && Object.keys(input).length === 1 && Object.hasOwn(input, 'leader-of')) {
      const ref = partitionRef(ctx, input['leader-of'], (message) => report(message, ['leader-of']));
      return ref === null ? FAIL : { kind: 'leader-of', ...ref };
    }
    report(`expected ${like}, got ${describeValue(input)}`);
    return FAIL;
  });
}

/** One selector or a non-empty list of them; either way a list. */
function group(ctx: SchemaContext, allowRest: boolean): z.ZodType<Selector[]> {
  const one = selector(ctx, allowRest);
  const many = list(one, 'a non-empty list of node selectors', 1);
  return pick((input) => (Array.isArray(input) ? many : one.transform((s) => [s])));
}

function topicRef(ctx: SchemaContext): z.ZodType<string> {
  return custom((input, report) => {
    if (typeof input !== 'string' || !TOPIC_NAME.test(input)) {
      report(`expected the name of a topic declared in topics, got ${describeValue(input)}`);
      return FAIL;
    }
    if (ctx.topics && !ctx.topics.has(input)) {
      const declared = [...ctx.topics.keys()].join(', ') || 'none';
      report(`expected a topic declared in topics (declared: ${declared}), got "${input}"`);
      return FAIL;
    }
    return input;
  });
}

const clusterSchema = strict(
  {
    nodes: int(1, 64),
    controllers: pick<'combined' | number>((input) =>
      typeof input === 'number'
        ? int(1, 9)
        : input === 'combined'
          ? z.literal('combined')
          : expected('"combined" or a number of dedicated controllers from 1 to 9')({ input }),
    ).optional(),
    config: brokerConfig.optional(),
  },
  'a mapping like { nodes: 3 }',
).transform((c) => ({ nodes: c.nodes, controllers: c.controllers ?? ('combined' as const), config: c.config ?? {} }));

const topicSchema = strict(
  {
    name: text('a topic name of letters, digits, ".", "_" and "-" (1 to 249 characters)', TOPIC_NAME).refine((n) => n !== '.' && n !== '..', {
      error: expected('a topic name other than "." and ".."'),
    }),
    partitions: int(1),
    replicationFactor: int(1),
    config: topicConfig.optional(),
  },
  'a topic like { name: orders, partitions: 3, replicationFactor: 3 }',
).transform((t) => ({ ...t, config: t.config ?? {} }));

const clientName = text('a client name of lowercase letters, digits and dashes like "p1"', NAME);

/** A client's principal: `User:<name>`, not the cluster's own or the admin's (those are super users). */
const principal = custom<string>((input, report) => {
  if (typeof input !== 'string' || !PRINCIPAL.test(input)) {
    report(`expected a principal like User:alice, got ${describeValue(input)}`);
    return FAIL;
  }
  if (input === BROKER_PRINCIPAL || input === ADMIN_PRINCIPAL) {
    report(
      `expected a principal of the client's own, got ${input}, which the cluster's ${input === BROKER_PRINCIPAL ? 'nodes' : 'admin client'} authenticate as (a super user)`,
    );
    return FAIL;
  }
  return input;
});
const withPrincipal = (p: string | undefined) => (p === undefined ? {} : { principal: p });

const aclEntries = custom<AclBinding[]>((input, report) => {
  if (!Array.isArray(input)) {
    report(`expected a list of ACLs like [{ allow: User:alice, operations: [Write], topic: orders }], got ${describeValue(input)}`);
    return FAIL;
  }
  const out: AclBinding[] = [];
  input.forEach((entry, i) => out.push(...(parseAclEntry(entry, (message, path) => report(message, [i, ...path])) ?? [])));
  return out;
});

const superUsersSchema = custom<string[]>((input, report) => {
  const list =
    typeof input === 'string'
      ? input
          .split(';')
          .map((p) => p.trim())
          .filter((p) => p !== '')
      : input;
  if (!Array.isArray(list)) {
    report(`expected a list of principals like [User:ops] (or Kafka's "User:a;User:b"), got ${describeValue(input)}`);
    return FAIL;
  }
  list.forEach((p, i) => {
    if (typeof p !== 'string' || !PRINCIPAL.test(p))
      report(`expected a principal like User:ops, got ${describeValue(p)}`, typeof input === 'string' ? [] : [i]);
  });
  return list as string[];
});

const securitySchema = strict(
  {
    authorizer: z.boolean({ error: expected('true or false (StandardAuthorizer on every node)') }).optional(),
    'super.users': superUsersSchema.optional(),
    'allow.everyone.if.no.acl.found': z.boolean({ error: expected('true or false') }).optional(),
    acls: aclEntries.optional(),
  },
  'a mapping like { authorizer: true, acls: [{ allow: User:alice, operations: [Write], topic: orders }] }',
)
  .superRefine((v, rctx) => {
    // Without an authorizer Kafka answers CreateAcls with SECURITY_DISABLED: the ACLs could never be installed.
    if (v.authorizer === false && (v.acls ?? []).length > 0)
      rctx.addIssue({
        code: 'custom',
        message: 'expected no acls with authorizer: false (without an authorizer Kafka refuses ACLs: SECURITY_DISABLED)',
        path: ['acls'],
      });
  })
  .transform((v): SecuritySpec => ({
    authorizer: v.authorizer ?? true,
    superUsers: v['super.users'] ?? [],
    allowEveryoneIfNoAclFound: v['allow.everyone.if.no.acl.found'] ?? false,
    acls: v.acls ?? [],
  }));

function clientSchema(ctx: SchemaContext): z.ZodType<ClientSpec> {
  const producer = strict(
    {
      producer: clientName,
      topic: topicRef(ctx),
      rate,
      keys: int(0).optional(),
      tombstones: probability.optional(),
      transactions: transactionsSchema.optional(),
      config: producerConfig.optional(),
      principal: principal.optional(),
    },
    'a producer',
  )
    .superRefine((p, rctx) => {
      // A transactional producer needs its id, and a producer with one sends in transactions.
      const txnId = p.config?.['transactional.id'];
      if (p.transactions !== undefined && txnId === undefined)
        rctx.addIssue({
          code: 'custom',
          message: `expected a transactional.id with transactions, like config: { transactional.id: ${p.producer} }`,
          path: ['config', 'transactional.id'],
        });
      if (p.transactions === undefined && txnId !== undefined)
        rctx.addIssue({
          code: 'custom',
          message: 'expected transactions: { size: 5 } with config transactional.id (a transactional producer sends only in transactions)',
          path: ['transactions'],
        });
      // A tombstone deletes a key: without keys there is nothing to delete (and a compacted topic refuses keyless records).
      if ((p.tombstones ?? 0) > 0 && p.keys === 0)
        rctx.addIssue({
          code: 'custom',
          message: `expected keys of at least 1 with tombstones (a tombstone deletes a key), got keys: 0`,
          path: ['tombstones'],
        });
    })
    .transform((p): ClientSpec => ({
      kind: 'producer',
      id: p.producer,
      topic: p.topic,
      ratePerSec: p.rate,
      keys: p.keys ?? 10,
      ...(p.tombstones !== undefined && p.tombstones > 0 ? { tombstones: p.tombstones } : {}),
      ...(p.transactions !== undefined ? { transactions: p.transactions } : {}),
      config: p.config ?? {},
      ...withPrincipal(p.principal),
    }));
  const processor = strict(
    {
      processor: clientName,
      from: topicRef(ctx),
      to: topicRef(ctx),
      group: text('a group id like "g1"'),
      config: processorConfig,
      principal: principal.optional(),
    },
    'a processor like { processor: x1, from: input, to: output, group: copiers, config: { transactional.id: x1 } }',
  )
    .superRefine((x, rctx) => {
      const issue = (message: string, path: Array<string | number>) => rctx.addIssue({ code: 'custom', message, path });
      if (x.from === x.to) issue(`expected a topic other than from (${x.from}): a processor copying into its input never ends`, ['to']);
      if (x.config['transactional.id'] === undefined)
        issue(`expected a transactional.id: a processor writes in transactions, like config: { transactional.id: ${x.processor} }`, [
          'config',
          'transactional.id',
        ]);
      else {
        const { producer, consumer } = processorConfigs(x.config, x.group);
        const problem = configProblem(() => parseProducerConfig(producer)) ?? configProblem(() => parseConsumerConfig(consumer));
        if (problem !== null) issue(problem, ['config']);
      }
    })
    .transform((x): ClientSpec => ({
      kind: 'processor',
      id: x.processor,
      from: x.from,
      to: x.to,
      group: x.group,
      config: x.config,
      ...withPrincipal(x.principal),
    }));
  const consumer = strict(
    {
      consumer: clientName,
      topic: topicRef(ctx),
      mode: z.enum(['assign', 'group'], { error: expected('assign or group') }).optional(),
      group: text('a group id like "g1"').optional(),
      reread: positiveDuration.optional(),
      config: consumerConfig.optional(),
      principal: principal.optional(),
    },
    'a consumer',
  )
    .superRefine((c, rctx) => {
      // A group id makes a group member (mode: group may be left out); mode: group needs one.
      if (c.mode === 'group' && c.group === undefined)
        rctx.addIssue({ code: 'custom', message: 'expected a group id with mode: group, like group: g1', path: ['group'] });
      if (c.mode === 'assign' && c.group !== undefined) {
        rctx.addIssue({ code: 'custom', message: `expected no group with mode: assign (use mode: group), got "${c.group}"`, path: ['group'] });
      }
      // The rules between group settings (a heartbeat inside the session) hold once the group id is in.
      const groupProblem =
        c.group !== undefined && c.config?.['group.id'] === undefined ? configProblem(() => parseConsumerConfig({ ...c.config, 'group.id': c.group! })) : null;
      if (groupProblem !== null) rctx.addIssue({ code: 'custom', message: groupProblem, path: ['config'] });
      if (c.config?.['group.id'] !== undefined) {
        rctx.addIssue({
          code: 'custom',
          message: 'expected the group id as group: (not config group.id), so the scenario knows the group',
          path: ['config', 'group.id'],
        });
      }
    })
    .transform((c): ClientSpec => {
      const extra = { ...(c.reread === undefined ? {} : { rereadMs: c.reread }), ...withPrincipal(c.principal) };
      return c.group !== undefined
        ? { kind: 'consumer', id: c.consumer, topic: c.topic, mode: 'group', group: c.group, config: c.config ?? {}, ...extra }
        : { kind: 'consumer', id: c.consumer, topic: c.topic, mode: 'assign', config: c.config ?? {}, ...extra };
    });
  const intruder = strict(
    { intruder: clientName, principal: principal.optional(), rate: rate.optional() },
    'an intruder like { intruder: x, principal: User:intruder, rate: 20/s }',
  ).transform((x): ClientSpec => ({ kind: 'intruder', id: x.intruder, principal: x.principal ?? `User:${x.intruder}`, ratePerSec: x.rate ?? 20 }));
  return pick((input) => {
    const like = 'a client: { producer: p1, topic: t, rate: 100/s } or { consumer: c1, topic: t }';
    if (!isMapping(input)) return `expected ${like}, got ${describeValue(input)}`;
    if (Object.hasOwn(input, 'intruder')) return intruder;
    const isProducer = Object.hasOwn(input, 'producer');
    const isConsumer = Object.hasOwn(input, 'consumer');
    if (isProducer && isConsumer) return 'expected either producer or consumer, got both';
    if (Object.hasOwn(input, 'processor')) return isProducer || isConsumer ? 'expected a processor alone, got it with producer or consumer' : processor;
    if (isProducer) return producer;
    if (isConsumer) return consumer;
    return `expected ${like}, got a mapping without producer or consumer`;
  });
}

function actionSchema(action: FaultAction, ctx: SchemaContext) {
  switch (action) {
    case 'partition':
      return list(group(ctx, true), 'a list of at least 2 groups of nodes, like [[b1], rest]', 2);
    case 'partition-oneway':
      return strict({ from: group(ctx, true), to: group(ctx, true) }, 'a mapping like { from: [b1], to: [b2] }');
    case 'heal':
    case 'crash':
    case 'stop':
    case 'restart':
    case 'restart-wiped':
    case 'power-loss':
    case 'pause':
    case 'resume':
    case 'stall':
      return group(ctx, false);
    case 'slow-link':
      return strict(
        {
          between: list(selector(ctx, false), 'a list of two node selectors like [b1, b3]', 2).max(2, {
            error: expected('a list of two node selectors like [b1, b3]'),
          }),
          latency: pick<Latency>((input) => (isMapping(input) ? latencyModel : duration.transform((ms) => ({ constant: ms })))),
        },
        'a mapping like { between: [b1, b3], latency: 500ms }',
      );
    case 'network':
      return strict(linkShape, 'a mapping like { loss: 0.1 }').superRefine((n, rctx) => {
        if (Object.values(n).every((v) => v === undefined)) {
          rctx.addIssue({ code: 'custom', message: 'expected at least one of latency, loss, duplicate, reorder, got none' });
        }
      });
    case 'delete-records':
      return strict(
        {
          partition: custom((input, report) => partitionRef(ctx, input, report, false) ?? FAIL),
          offset: int(-1),
        },
        'a mapping like { partition: orders/0, offset: 100 } (offset -1: the high watermark)',
      );
    case 'clock-skew':
      return strict(
        {
          node: selector(ctx, false),
          offsetMs: z.number({ error: expected('a clock offset in ms (a number, may be negative)') }).refine(Number.isFinite, {
            error: expected('a finite number of ms'),
          }),
        },
        'a mapping like { node: b3, offsetMs: 2000 }',
      );
    case 'alter-config':
      return strict(
        {
          topic: topicRef(ctx),
          set: topicConfig.optional(),
          delete: list(
            custom<string>((input, report) => {
              if (typeof input === 'string' && TOPIC_CONFIG_DEFS[input] !== undefined) return input;
              // An unknown name: topicConfigProblem says why (a broker config, a near miss).
              report(typeof input === 'string' ? topicConfigProblem(input, '')! : `expected a topic config name, got ${describeValue(input)}`);
              return FAIL;
            }),
            'a list of topic config names like [retention.ms]',
          ).optional(),
        },
        'a mapping like { topic: orders, set: { min.insync.replicas: 3 }, delete: [flush.ms] }',
      ).superRefine((v, rctx) => {
        const set = Object.keys(v.set ?? {});
        if (set.length === 0 && (v.delete ?? []).length === 0)
          rctx.addIssue({ code: 'custom', message: 'expected at least one config to set or delete, got none' });
        const both = (v.delete ?? []).find((name) => set.includes(name));
        if (both !== undefined) rctx.addIssue({ code: 'custom', message: `expected each config set or deleted, got "${both}" in both`, path: ['delete'] });
      });
  }
}

function toFault(action: FaultAction, value: unknown, atMs: number, forMs: number | undefined): Fault {
  const timing = forMs === undefined ? { atMs } : { atMs, forMs };
  switch (action) {
    case 'partition':
      return { kind: action, ...timing, groups: value as Selector[][] };
    case 'partition-oneway': {
      const v = value as { from: Selector[]; to: Selector[] };
      return { kind: action, ...timing, from: v.from, to: v.to };
    }
    case 'heal':
    case 'crash':
    case 'stop':
    case 'restart':
    case 'restart-wiped':
    case 'power-loss':
    case 'pause':
    case 'resume':
    case 'stall':
      return { kind: action, ...timing, nodes: value as Selector[] };
    case 'slow-link': {
      const v = value as { between: Selector[]; latency: Latency };
      return { kind: action, ...timing, between: [v.between[0]!, v.between[1]!], latency: v.latency };
    }
    case 'network':
      return { kind: action, ...timing, change: withoutUndefined(value as Partial<LinkConfig>) };
    case 'clock-skew': {
      const v = value as { node: Selector; offsetMs: number };
      return { kind: action, ...timing, node: v.node, offsetMs: v.offsetMs };
    }
    case 'delete-records': {
      const v = value as { partition: { topic: string; partition: number }; offset: number };
      return { kind: action, ...timing, topic: v.partition.topic, partition: v.partition.partition, offset: v.offset };
    }
    case 'alter-config': {
      const v = value as { topic: string; set?: KafkaConfig; delete?: string[] };
      const set = Object.fromEntries(Object.entries(v.set ?? {}).map(([name, x]) => [name, String(x)]));
      return { kind: action, ...timing, topic: v.topic, set, delete: v.delete ?? [] };
    }
  }
}

/** Nodes named in a fault's groups, to find `rest` twice or a node in two groups. */
function checkGroups(groups: Selector[][], report: (message: string) => void): void {
  let rests = 0;
  const seen = new Set<string>();
  for (const g of groups) {
    for (const s of g) {
      if (s.kind === 'rest') rests++;
      if (s.kind === 'node') {
        if (seen.has(s.id)) report(`expected each node in at most one group, got ${s.id} twice`);
        seen.add(s.id);
      }
    }
  }
  if (rests > 1) report(`expected "rest" at most once per fault, got it ${rests} times`);
}

function faultSchema(ctx: SchemaContext): z.ZodType<Fault> {
  const timing = { at: duration, for: positiveDuration.optional() };
  const byAction = new Map(
    FAULT_ACTIONS.map((action) => [
      action,
      strict({ ...timing, [action]: actionSchema(action, ctx) }, 'a fault')
        .superRefine((f, rctx) => {
          const value = (f as Record<string, unknown>)[action];
          if (f.for !== undefined && NOT_UNDOABLE.has(action)) {
            rctx.addIssue({ code: 'custom', message: `expected no "for" on ${action}, which cannot be undone`, path: ['for'] });
          }
          const report = (message: string) => rctx.addIssue({ code: 'custom', message, path: [action] });
          if (action === 'partition') checkGroups(value as Selector[][], report);
          if (action === 'partition-oneway') {
            const v = value as { from: Selector[]; to: Selector[] };
            checkGroups([v.from, v.to], report);
          }
        })
        .transform((f) => toFault(action, (f as Record<string, unknown>)[action], f.at, f.for)),
    ]),
  );
  const actions = FAULT_ACTIONS.join(', ');
  return pick<Fault>((input) => {
    if (!isMapping(input)) return `expected a fault like { at: 5s, crash: b2 }, got ${describeValue(input)}`;
    const present = FAULT_ACTIONS.filter((a) => Object.hasOwn(input, a));
    if (present.length === 1) return byAction.get(present[0]!)!;
    if (present.length > 1) {
      return custom<Fault>((_, report) => {
        report(`expected exactly one action per fault, got ${present.join(' and ')}`, [present[1]!]);
        return FAIL;
      });
    }
    const unknown = Object.keys(input).filter((k) => k !== 'at' && k !== 'for');
    if (unknown.length === 0) return `expected one action (${actions}), got none`;
    return z.unknown().transform((_, rctx) => {
      rctx.addIssue({ code: 'unrecognized_keys', keys: unknown, message: `allowed keys: at, for and one action of: ${actions}` });
      return z.NEVER;
    });
  });
}

const nemesisSchema = strict(
  {
    faults: list(
      z.enum(NEMESIS_FAULTS, { error: expected(`one of: ${NEMESIS_FAULTS.join(', ')}`) }),
      `a non-empty list of fault kinds (${NEMESIS_FAULTS.join(', ')})`,
      1,
    ),
    interval: positiveDuration,
    clients: z.enum(['swarm'], { error: expected('swarm (each seed draws extra producers and readers)') }).optional(),
  },
  'a mapping like { faults: [partition, crash], interval: 5s, clients: swarm }',
).transform((n) => ({ faults: n.faults, intervalMs: n.interval, ...(n.clients === undefined ? {} : { clients: n.clients }) }));

function bugSchema(ctx: SchemaContext): z.ZodType<string> {
  return custom((input, report) => {
    if (typeof input === 'string' && ctx.knownBugs.includes(input)) return input;
    const known = ctx.knownBugs.length > 0 ? `one of the known bugs: ${ctx.knownBugs.join(', ')}` : 'a known bug (none are known yet)';
    report(`expected ${known}, got ${describeValue(input)}${typeof input === 'string' ? didYouMean(input, ctx.knownBugs) : ''}`);
    return FAIL;
  });
}

/** A checker named in `expect`: one that exists (a typo there would make the expectation unmeetable). */
const checkerNameSchema = custom<string>((input, report) => {
  if (typeof input === 'string' && CHECKER_NAMES.includes(input)) return input;
  const hint = typeof input === 'string' ? didYouMean(input, CHECKER_NAMES) : '';
  report(`expected the name of a checker, got ${describeValue(input)}${hint || ` (the checkers: ${CHECKER_NAMES.join(', ')})`}`);
  return FAIL;
});

const violationsSchema = pick<string[]>((input) => {
  if (input === 'none') return z.literal('none').transform(() => []);
  if (Array.isArray(input)) return list(checkerNameSchema, 'a non-empty list of checker names', 1);
  return expected('none or a non-empty list of checker names like [lost-write]')({ input });
});

const expectSchema = strict(
  {
    violations: violationsSchema.optional(),
    liveness: z.boolean({ error: expected('true or false') }).optional(),
  },
  'a mapping like { violations: none }',
).transform((e) => ({ violations: e.violations ?? [], liveness: e.liveness ?? true }));

function duplicates<T>(items: readonly T[], key: (item: T) => string): number[] {
  const seen = new Set<string>();
  const at: number[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) at.push(i);
    seen.add(k);
  });
  return at;
}

/** The full schema; node names and topic references are checked against `ctx` where it knows them. */
export function scenarioSchema(ctx: SchemaContext) {
  return strict(
    {
      samsa: z.literal(1, { error: expected('1 (the format version)') }),
      name: text('a name of lowercase letters, digits and dashes like "leader-isolated"', NAME),
      description: text('a line of text').optional(),
      seed: int(0).optional(),
      duration: positiveDuration,
      cluster: clusterSchema,
      network: strict(linkShape, 'a mapping like { loss: 0.01 }').optional(),
      disk: strict(
        {
          tornWrites: probability.optional(),
          fsyncFailure: probability.optional(),
          readError: probability.optional(),
          garbageTail: probability.optional(),
        },
        'a mapping like { tornWrites: 0.1 }',
      ).optional(),
      topics: list(topicSchema, 'a list of topics').optional(),
      clients: list(clientSchema(ctx), 'a list of clients').optional(),
      faults: list(faultSchema(ctx), 'a list of faults').optional(),
      nemesis: nemesisSchema.optional(),
      bugs: list(bugSchema(ctx), 'a list of bug names').optional(),
      expect: expectSchema.optional(),
      wire: z.boolean({ error: expected('true or false') }).optional(),
      buggify: z.boolean({ error: expected('true or false') }).optional(),
      security: securitySchema.optional(),
    },
    'a scenario mapping starting with samsa: 1',
  )
    .transform((s): Scenario => ({
      samsa: 1,
      name: s.name,
      description: s.description ?? '',
      seed: s.seed ?? 1,
      durationMs: s.duration,
      cluster: s.cluster,
      network: { ...DEFAULT_LINK, ...withoutUndefined(s.network ?? {}) },
      disk: { ...NO_DISK_FAULTS, ...withoutUndefined(s.disk ?? {}) },
      topics: s.topics ?? [],
      clients: s.clients ?? [],
      faults: s.faults ?? [],
      nemesis: s.nemesis ?? null,
      bugs: s.bugs ?? [],
      expect: s.expect ?? { violations: [], liveness: true },
      ...(s.wire === true ? { wire: true as const } : {}),
      ...(s.buggify === true ? { buggify: true as const } : {}),
      ...(s.security !== undefined ? { security: s.security } : {}),
    }))
    .superRefine((s, rctx) => {
      const issue = (message: string, path: Array<string | number>) => rctx.addIssue({ code: 'custom', message, path });
      s.faults.forEach((f, i) => {
        if (f.atMs >= s.durationMs) issue(`expected a time before the end of the run (duration ${s.durationMs}ms), got ${f.atMs}ms`, ['faults', i, 'at']);
      });
      for (const i of duplicates(s.topics, (t) => t.name)) issue(`expected a unique topic name, got "${s.topics[i]!.name}" again`, ['topics', i, 'name']);
      s.topics.forEach((t, i) => {
        if (t.replicationFactor > s.cluster.nodes) {
          issue(`expected a replication factor of at most ${s.cluster.nodes} (the number of brokers), got ${t.replicationFactor}`, [
            'topics',
            i,
            'replicationFactor',
          ]);
        }
      });
      const taken = duplicates(s.clients, (c) => c.id);
      s.clients.forEach((c, i) => {
        const clash = takenNodeName(c.id, s.cluster.nodes, s.cluster.controllers);
        if (clash !== null) issue(clash, ['clients', i, c.kind]);
        else if (taken.includes(i)) issue(`expected a unique client name, got "${c.id}" again`, ['clients', i, c.kind]);
      });
      s.clients.forEach((c, i) => {
        // Principals mean something only where the transport authenticates: the security section.
        if (s.security === undefined && c.kind === 'intruder')
          issue('expected a security section with an intruder (it tests the authorizer)', ['clients', i, c.kind]);
        else if (s.security === undefined && c.principal !== undefined)
          issue('expected a security section with client principals (security: { authorizer: true, acls: [...] })', ['clients', i, 'principal']);
      });
      for (const i of duplicates(s.bugs, (b) => b)) issue(`expected each bug once, got "${s.bugs[i]}" again`, ['bugs', i]);
      for (const i of duplicates(s.expect.violations, (v) => v)) {
        issue(`expected each checker once, got "${s.expect.violations[i]}" again`, ['expect', 'violations', i]);
      }
      if (s.nemesis) {
        for (const i of duplicates(s.nemesis.faults, (f) => f))
          issue(`expected each fault kind once, got "${s.nemesis.faults[i]}" again`, ['nemesis', 'faults', i]);
      }
    });
}

/** The client a fault may name: a group consumer, a processor, a transactional producer. */
function faultableClient(c: Record<string, unknown>): string[] {
  if (typeof c['consumer'] === 'string' && c['group'] !== undefined) return [c['consumer']];
  if (typeof c['processor'] === 'string') return [c['processor']];
  if (typeof c['producer'] === 'string' && c['transactions'] !== undefined) return [c['producer']];
  return [];
}

/** What selectors are checked against, taken from the cluster and topics sections when they are valid. */
export function contextOf(raw: unknown, knownBugs: readonly string[]): SchemaContext {
  const ctx: SchemaContext = { knownBugs };
  if (!isMapping(raw)) return ctx;
  const cluster = clusterSchema.safeParse(raw['cluster'], { error: fallbackMessage });
  if (cluster.success) ctx.nodeIds = clusterNodeIds(cluster.data.nodes, cluster.data.controllers);
  const clients = Array.isArray(raw['clients']) ? raw['clients'] : [];
  ctx.groupConsumers = clients.flatMap((c) => (isMapping(c) ? faultableClient(c) : []));
  const topicsRaw = raw['topics'] ?? [];
  const topics = list(topicSchema, 'a list of topics').safeParse(topicsRaw, { error: fallbackMessage });
  if (topics.success) ctx.topics = new Map(topics.data.map((t) => [t.name, t.partitions]));
  // Faults may aim at the leader of a __consumer_offsets partition (a group's coordinator).
  const offsetsPartitions = cluster.success
    ? Number(cluster.data.config?.['offsets.topic.num.partitions'] ?? CONFIG_DEFS['offsets.topic.num.partitions'].default)
    : NaN;
  // And at the leader of a __transaction_state partition (a transactional id's coordinator).
  const txnPartitions = cluster.success
    ? Number(cluster.data.config?.['transaction.state.log.num.partitions'] ?? CONFIG_DEFS['transaction.state.log.num.partitions'].default)
    : NaN;
  const internal = new Map<string, number>();
  if (Number.isSafeInteger(offsetsPartitions)) internal.set(OFFSETS_TOPIC, offsetsPartitions);
  if (Number.isSafeInteger(txnPartitions)) internal.set(TRANSACTION_STATE_TOPIC, txnPartitions);
  if (internal.size > 0) ctx.internalTopics = internal;
  return ctx;
}

export type ValidationResult = { ok: true; scenario: Scenario } | { ok: false; issues: SchemaIssue[] };

/** Validates a plain value (the YAML document as data) and normalises it. */
export function validateScenario(raw: unknown, knownBugs: readonly string[]): ValidationResult {
  const result = scenarioSchema(contextOf(raw, knownBugs)).safeParse(raw, { error: fallbackMessage });
  if (result.success) return { ok: true, scenario: result.data };
  const issues = result.error.issues.map((iss): SchemaIssue => {
    const path = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
    return iss.code === 'unrecognized_keys' ? { path, message: iss.message, unknownKeys: iss.keys } : { path, message: iss.message };
  });
  return { ok: false, issues };
}
