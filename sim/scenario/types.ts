// The parsed, normalised scenario (DESIGN "Scenarios", version 1): what the runner consumes.
// Units are resolved here once (durations in ms, rates per second) so no consumer parses "5s".

import type { NodeId } from '../../core/env.ts';
import type { AclBinding } from '../../core/security/acl.ts';
import type { DiskFaults } from '../disk.ts';
import type { Latency } from '../latency.ts';
import type { LinkConfig } from '../network.ts';

/** A Kafka config value as written in the file; keys keep Kafka's names (`min.insync.replicas`). */
export type ConfigValue = string | number | boolean;
export type KafkaConfig = Record<string, ConfigValue>;

/** Who a fault acts on; resolved to concrete nodes only when the fault fires. */
export type Selector =
  | { kind: 'node'; id: NodeId }
  | { kind: 'all' }
  /** Every node not named elsewhere in the same fault (partition groups only). */
  | { kind: 'rest' }
  | { kind: 'random' }
  | { kind: 'controller-leader' }
  | { kind: 'leader-of'; topic: string; partition: number };

export interface ClusterSpec {
  /** Brokers b1..bN. */
  nodes: number;
  /** 'combined': every broker is also a controller voter; a number: dedicated controllers c1..cN. */
  controllers: 'combined' | number;
  config: KafkaConfig;
}

export type NetworkSpec = LinkConfig;
export type DiskSpec = DiskFaults;

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: KafkaConfig;
}

export interface ProducerSpec {
  kind: 'producer';
  id: NodeId;
  topic: string;
  ratePerSec: number;
  /** Distinct keys drawn from (k0..k<n-1>): the key space; 0 means null keys. */
  keys: number;
  /** The share of sends that are tombstones (a null value), from 0 to 1; absent: none. Needs keys. */
  tombstones?: number;
  /** A transactional producer (config transactional.id): `size` records per transaction, and the chance the application aborts one. */
  transactions?: TransactionsSpec;
  config: KafkaConfig;
  /** Who the client authenticates as (`User:<name>`), when the scenario has a security section; absent: User:ANONYMOUS. */
  principal?: string;
}

export interface TransactionsSpec {
  size: number;
  /** From 0 to 1. */
  abort: number;
}

/**
 * A consume-transform-produce application (sim/scenario/processor.ts): a member of `group` reading
 * `from` (read_committed) that copies each record to `to` in transactions with its offsets.
 * `config` holds producer and consumer configs; transactional.id is required.
 */
export interface ProcessorSpec {
  kind: 'processor';
  id: NodeId;
  from: string;
  to: string;
  group: string;
  config: KafkaConfig;
  principal?: string;
}

/** `rereadMs`: the consumer seeks back to the start of every partition it holds this often (an application rebuilding its state from a compacted topic). */
export type ConsumerSpec =
  | { kind: 'consumer'; id: NodeId; topic: string; mode: 'assign'; config: KafkaConfig; rereadMs?: number; principal?: string }
  | { kind: 'consumer'; id: NodeId; topic: string; mode: 'group'; group: string; config: KafkaConfig; rereadMs?: number; principal?: string };

/**
 * An attacker (sim/scenario/intruder.ts): authenticated as `principal`, which no ACL should let in,
 * it tries every API family against the scenario's topics, groups and transactional ids, `ratePerSec`
 * attempts a second, and records each attempt with its answer (`intrude` ops).
 */
export interface IntruderSpec {
  kind: 'intruder';
  id: NodeId;
  principal: string;
  ratePerSec: number;
}

export type ClientSpec = ProducerSpec | ConsumerSpec | ProcessorSpec | IntruderSpec;

/** The principal the cluster's nodes authenticate to each other as; always a super user. */
export const BROKER_PRINCIPAL = 'User:broker';
/** The principal of the scenario's admin client (topics, ACLs, admin actions); always a super user. */
export const ADMIN_PRINCIPAL = 'User:admin';
/** A client that does not authenticate (Kafka's PLAINTEXT listener). */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

/**
 * The scenario's security (a `security:` section): every node runs the authorizer when `authorizer`
 * is on; super.users always holds BROKER_PRINCIPAL and ADMIN_PRINCIPAL besides the scenario's own;
 * the admin client creates `acls` (CreateAcls) before any client starts.
 */
export interface SecuritySpec {
  authorizer: boolean;
  /** The scenario's own super users (the broker's and the admin's are added to them). */
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
  acls: AclBinding[];
}

/** `forMs`: the fault is undone that long after `atMs` (only on faults that can be undone). */
interface FaultTiming {
  atMs: number;
  forMs?: number;
}

export type Fault = FaultTiming &
  (
    | { kind: 'partition'; groups: Selector[][] }
    | { kind: 'partition-oneway'; from: Selector[]; to: Selector[] }
    | { kind: 'heal'; nodes: Selector[] }
    | { kind: 'crash'; nodes: Selector[] }
    /** A graceful stop (SIGTERM): a broker hands its leaderships over first (controlled shutdown). */
    | { kind: 'stop'; nodes: Selector[] }
    | { kind: 'restart'; nodes: Selector[] }
    | { kind: 'restart-wiped'; nodes: Selector[] }
    | { kind: 'power-loss'; nodes: Selector[] }
    /** SIGSTOP: the process freezes (no messages handled, no timers, nothing sent) until `for` ends or a `resume`. */
    | { kind: 'pause'; nodes: Selector[] }
    /** SIGCONT: a paused process goes on; what reached it meanwhile is handled first, timers that came due fire at once. */
    | { kind: 'resume'; nodes: Selector[] }
    /** A slow application: group consumers stop calling poll() (the client itself keeps running, as Kafka's heartbeat thread does). */
    | { kind: 'stall'; nodes: Selector[] }
    | { kind: 'slow-link'; between: [Selector, Selector]; latency: Latency }
    | { kind: 'network'; change: Partial<LinkConfig> }
    | { kind: 'clock-skew'; node: Selector; offsetMs: number }
    /** An admin action: the scenario's admin client deletes the partition's records below `offset` (-1: the high watermark). */
    | { kind: 'delete-records'; topic: string; partition: number; offset: number }
    /** An admin action, not a fault: the admin client alters a topic's configs (IncrementalAlterConfigs: SET each of `set`, DELETE each of `delete`). */
    | { kind: 'alter-config'; topic: string; set: Record<string, string>; delete: string[] }
  );

export type FaultKind = Fault['kind'];

export const NEMESIS_FAULTS = [
  'partition',
  'partition-oneway',
  'crash',
  'restart-wiped',
  'power-loss',
  'pause',
  'slow-link',
  'loss',
  'duplicate',
  'reorder',
  'clock-skew',
] as const;
export type NemesisFault = (typeof NEMESIS_FAULTS)[number];

export interface NemesisSpec {
  faults: NemesisFault[];
  intervalMs: number;
  /**
   * `swarm`: each seed also draws extra clients around the scenario's own (more producers on the
   * same partitions, eager readers), written out as plain clients like the faults.
   */
  clients?: 'swarm';
}

export interface ExpectSpec {
  /** Checker names that must trip, and only these; empty means no violation is expected. */
  violations: string[];
  liveness: boolean;
}

export interface Scenario {
  samsa: 1;
  name: string;
  description: string;
  seed: number;
  durationMs: number;
  cluster: ClusterSpec;
  network: NetworkSpec;
  disk: DiskSpec;
  topics: TopicSpec[];
  clients: ClientSpec[];
  /** In file order, which is also firing order for faults at the same time. */
  faults: Fault[];
  nemesis: NemesisSpec | null;
  bugs: string[];
  expect: ExpectSpec;
  /**
   * The codec switch: every message crosses Kafka's wire codec on its way (sim/wire-transit.ts).
   * Set only when on, so a run without it keeps the header (and trace hash) it always had.
   */
  wire?: true;
  /** BUGGIFY on (core/buggify.ts); set only when on, like `wire`. */
  buggify?: true;
  /** Principals, the authorizer and ACLs; set only when the file has a security section, so runs without one keep their header and trace hash. */
  security?: SecuritySpec;
}

/** Who a client authenticates as: its principal, User:ANONYMOUS without one. */
export function principalOf(client: ClientSpec): string {
  return client.principal ?? ANONYMOUS_PRINCIPAL;
}

/** The super.users value the cluster runs with: the broker's and the admin's principals, then the scenario's. */
export function superUsersOf(security: SecuritySpec): string {
  return [...new Set([BROKER_PRINCIPAL, ADMIN_PRINCIPAL, ...security.superUsers])].join(';');
}

/** Node ids of a cluster shape: brokers b1..bN, then dedicated controllers c1..cM. */
export function clusterNodeIds(nodes: number, controllers: 'combined' | number): NodeId[] {
  const ids: NodeId[] = [];
  for (let k = 1; k <= nodes; k++) ids.push(`b${k}`);
  if (controllers !== 'combined') for (let k = 1; k <= controllers; k++) ids.push(`c${k}`);
  return ids;
}

/** The node that creates the scenario's topics (an admin client); no client may take its name. */
export const ADMIN_ID: NodeId = 'admin';

/** Why a client may not be called `id` (a broker's, a controller's or the admin's name), or null when it may. */
export function takenNodeName(id: string, nodes: number, controllers: 'combined' | number): string | null {
  const range = (prefix: string, n: number) => (n === 1 ? `${prefix}1` : `${prefix}1..${prefix}${n}`);
  if (id === ADMIN_ID) return `"${id}" is taken by the admin client that creates the topics; pick another client name`;
  if (!clusterNodeIds(nodes, controllers).includes(id)) return null;
  const names =
    controllers === 'combined' ? `its brokers ${range('b', nodes)}` : `its brokers ${range('b', nodes)} and its controllers ${range('c', controllers)}`;
  return `"${id}" is taken: the cluster names ${names}; pick another client name`;
}

/** The scenario's broker and controller ids (clients are not included). */
export function nodeIdsOf(scenario: Scenario): NodeId[] {
  return clusterNodeIds(scenario.cluster.nodes, scenario.cluster.controllers);
}
