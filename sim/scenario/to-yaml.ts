// Writes a parsed scenario back as a scenario file (version 1) that parses to the same scenario:
// how the explorer hands over a shrunk failure, ready for `samsa run` and `samsa viz`.

import { Document, isCollection, isMap, isSeq } from 'yaml';
import type { Latency } from '../latency.ts';
import type { LinkConfig } from '../network.ts';
import { aclEntryOf } from './acl-entries.ts';
import type { ClientSpec, Fault, Scenario, SecuritySpec, Selector } from './types.ts';

const ms = (value: number) => `${value}ms`;

function latencyYaml(latency: Latency): Record<string, string> {
  if ('constant' in latency) return { constant: ms(latency.constant) };
  const out: Record<string, string> = {};
  if ('mean' in latency) out['mean'] = ms(latency.mean);
  if (latency.min !== undefined) out['min'] = ms(latency.min);
  if (latency.max !== undefined) out['max'] = ms(latency.max);
  return out;
}

function linkYaml(link: Partial<LinkConfig>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (link.latency !== undefined) out['latency'] = latencyYaml(link.latency);
  for (const key of ['loss', 'duplicate', 'reorder'] as const) if (link[key] !== undefined) out[key] = link[key];
  return out;
}

function selectorYaml(s: Selector): unknown {
  switch (s.kind) {
    case 'node':
      return s.id;
    case 'leader-of':
      return { 'leader-of': `${s.topic}/${s.partition}` };
    default:
      return s.kind;
  }
}

function faultYaml(f: Fault): Record<string, unknown> {
  const timing: Record<string, unknown> = f.forMs === undefined ? { at: ms(f.atMs) } : { at: ms(f.atMs), for: ms(f.forMs) };
  const selectors = (list: readonly Selector[]) => list.map(selectorYaml);
  switch (f.kind) {
    case 'partition':
      return { ...timing, partition: f.groups.map(selectors) };
    case 'partition-oneway':
      return { ...timing, 'partition-oneway': { from: selectors(f.from), to: selectors(f.to) } };
    case 'heal':
    case 'crash':
    case 'stop':
    case 'restart':
    case 'restart-wiped':
    case 'power-loss':
    case 'pause':
    case 'resume':
    case 'stall':
      return { ...timing, [f.kind]: selectors(f.nodes) };
    case 'slow-link':
      return { ...timing, 'slow-link': { between: selectors(f.between), latency: latencyYaml(f.latency) } };
    case 'network':
      return { ...timing, network: linkYaml(f.change) };
    case 'clock-skew':
      return { ...timing, 'clock-skew': { node: selectorYaml(f.node), offsetMs: f.offsetMs } };
    case 'delete-records':
      return { ...timing, 'delete-records': { partition: `${f.topic}/${f.partition}`, offset: f.offset } };
    case 'alter-config': {
      const change: Record<string, unknown> = { topic: f.topic };
      if (Object.keys(f.set).length > 0) change['set'] = f.set;
      if (f.delete.length > 0) change['delete'] = f.delete;
      return { ...timing, 'alter-config': change };
    }
  }
}

function clientYaml(c: ClientSpec): Record<string, unknown> {
  if (c.kind === 'intruder') return { intruder: c.id, principal: c.principal, rate: `${c.ratePerSec}/s` };
  const principal = c.principal === undefined ? {} : { principal: c.principal };
  if (c.kind === 'producer') {
    const tombstones = c.tombstones === undefined ? {} : { tombstones: c.tombstones };
    const transactions = c.transactions === undefined ? {} : { transactions: { ...c.transactions } };
    return { producer: c.id, topic: c.topic, rate: `${c.ratePerSec}/s`, keys: c.keys, ...tombstones, ...transactions, config: c.config, ...principal };
  }
  if (c.kind === 'processor') return { processor: c.id, from: c.from, to: c.to, group: c.group, config: c.config, ...principal };
  const reread = c.rereadMs === undefined ? {} : { reread: `${c.rereadMs}ms` };
  return c.mode === 'group'
    ? { consumer: c.id, topic: c.topic, mode: 'group', group: c.group, ...reread, config: c.config, ...principal }
    : { consumer: c.id, topic: c.topic, mode: 'assign', ...reread, config: c.config, ...principal };
}

function securityYaml(security: SecuritySpec): Record<string, unknown> {
  return {
    authorizer: security.authorizer,
    'super.users': security.superUsers,
    'allow.everyone.if.no.acl.found': security.allowEveryoneIfNoAclFound,
    acls: security.acls.map(aclEntryOf),
  };
}

export function scenarioToYaml(s: Scenario): string {
  const doc: Record<string, unknown> = {
    samsa: 1,
    name: s.name,
    description: s.description,
    seed: s.seed,
    duration: ms(s.durationMs),
    cluster: { nodes: s.cluster.nodes, controllers: s.cluster.controllers, config: s.cluster.config },
    network: linkYaml(s.network),
    disk: { ...s.disk },
    topics: s.topics.map((t) => ({ name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor, config: t.config })),
    clients: s.clients.map(clientYaml),
    faults: s.faults.map(faultYaml),
  };
  if (s.nemesis !== null)
    doc['nemesis'] = {
      faults: s.nemesis.faults,
      interval: ms(s.nemesis.intervalMs),
      ...(s.nemesis.clients === undefined ? {} : { clients: s.nemesis.clients }),
    };
  doc['bugs'] = s.bugs;
  doc['expect'] = { violations: s.expect.violations.length === 0 ? 'none' : s.expect.violations, liveness: s.expect.liveness };
  if (s.wire === true) doc['wire'] = true;
  if (s.buggify === true) doc['buggify'] = true;
  if (s.security !== undefined) doc['security'] = securityYaml(s.security);
  return formatScenarioDocument(doc);
}

/**
 * A scenario document (file-format data) as text laid out as hand-written files are: one line
 * per topic, client and fault, and the small sections on one line each.
 */
export function formatScenarioDocument(doc: Record<string, unknown>): string {
  // No anchors: a crash and its restart naming the same list read better spelled out twice.
  const yaml = new Document(doc, { aliasDuplicateObjects: false });
  const security = yaml.get('security', true);
  const acls = isMap(security) ? security.get('acls', true) : null;
  if (isSeq(acls)) for (const item of acls.items) if (isCollection(item)) item.flow = true;
  for (const key of ['topics', 'clients', 'faults']) {
    const list = yaml.get(key, true);
    if (isSeq(list)) for (const item of list.items) if (isCollection(item)) item.flow = true;
  }
  for (const key of ['cluster', 'network', 'disk', 'expect']) {
    const map = yaml.get(key, true);
    if (isMap(map)) map.flow = true;
  }
  return yaml.toString({ lineWidth: 0 });
}
