// unauthorized-access: nothing an intruder (a principal without rights) sent was appended, read or
// changed. Judged from its `intrude` attempts (no answer may grant anything), from every read (no
// client may see a value it produced), from the cluster's events (no topic it named created, no
// group offset it sent committed) and from the final metadata (no ACL for it, no config or SCRAM
// credential it set, no topic of the scenario deleted).

import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import { INTRUDER_MARK, INTRUDER_OFFSET, INTRUDER_RETENTION_MS, INTRUDER_TOPIC_PREFIX, type IntrudeOk } from './types.ts';

export const UNAUTHORIZED_ACCESS: CheckerInfo = {
  name: 'unauthorized-access',
  statement:
    'A principal without rights gets nothing through: every request it sends is refused (an authorization error) or not decided (a routing or availability error), and nothing it sent is appended, read or changed.',
  source: "Kafka's StandardAuthorizer (KIP-801) and per-API authorization (KIP-11)",
};

/** The refusals: the authorizer said no. */
export const REFUSED: ReadonlySet<string> = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/**
 * Answers of a request that was never decided: it reached a node that does not serve it (not the
 * controller, not the coordinator or the leader), or one that could not yet (a coordinator loading,
 * no leader, a topic not yet in its metadata, a timeout). They grant nothing and reveal nothing.
 * Every other code (NONE, or an error only a request past the authorizer could earn, like
 * UNKNOWN_MEMBER_ID or INVALID_PRODUCER_EPOCH) means the request got through.
 */
export const NOT_DECIDED: ReadonlySet<string> = new Set([
  'NOT_CONTROLLER',
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'REQUEST_TIMED_OUT',
]);

/** The metadata as the run ended (any node's image that has applied the most): what the intruder might have changed. */
export interface FinalSecurityState {
  /** Principals that some ALLOW ACL names (a DENY for the intruder is the scenario's own). */
  allowedPrincipals: readonly string[];
  /** Per topic, its config overrides. */
  topicConfigs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Users with a SCRAM credential. */
  scramUsers: readonly string[];
}

export class UnauthorizedAccess implements HistoryChecker {
  readonly info = UNAUTHORIZED_ACCESS;
  /** Intruder process -> its principal (from its attempts). */
  private readonly intruders = new Map<NodeId, string>();
  private lastStep = 0;

  /** `scenarioTopics`: topics the scenario created, which the intruder may not delete (checked with the final state). */
  constructor(
    private readonly report: Report,
    private readonly scenarioTopics: readonly string[] = [],
  ) {}

  observe(read: ReadOp): void {
    const op = read.op;
    if (op.step > this.lastStep) this.lastStep = op.step;
    if (op.op === 'intrude') return this.attempt(op.process, op.step, op.type, op.value);
    for (const [topic, partition, offset, , value] of read.records ?? []) {
      if (value === null || !value.includes(INTRUDER_MARK)) continue;
      this.report({
        step: op.step,
        message: `${op.process} read ${quote(value)} at ${tp(topic, partition)} offset ${offset}: the intruder's write was appended`,
        nodes: involved(op.process),
        values: { value, topic, partition, offset, reader: op.process },
      });
    }
  }

  private attempt(process: NodeId, step: number, type: string, value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const v = value as Partial<IntrudeOk>;
    if (typeof v.principal === 'string') this.intruders.set(process, v.principal);
    if (type !== 'ok' || !Array.isArray(v.errors) || !Array.isArray(v.gained)) return;
    const granted = v.errors.filter((e) => !REFUSED.has(e) && !NOT_DECIDED.has(e));
    if (granted.length === 0 && v.gained.length === 0) return;
    const what = [...granted.map((e) => `answered ${e}`), ...v.gained].join(', ');
    this.report({
      step,
      message: `${process} (${v.principal}) sent ${v.api} about ${v.resource} to ${v.broker} and got through: ${what}`,
      nodes: involved(process, String(v.broker)),
      values: { intruder: process, principal: v.principal, api: v.api, resource: v.resource, broker: v.broker, errors: v.errors, gained: v.gained },
    });
  }

  /** A cluster event: a topic the intruder named came to exist, or a group committed the offset only the intruder sends. */
  observeEvent(step: number, node: NodeId | null, event: ObservedEvent): void {
    if (event.kind === 'partition-change' && event.topic.startsWith(INTRUDER_TOPIC_PREFIX) && event.partition === 0) {
      this.report({
        step,
        message: `topic ${event.topic}, which only the intruder asked for, was created (seen on ${node ?? '-'})`,
        nodes: node === null ? [] : [node],
        values: { topic: event.topic },
      });
    } else if (event.kind === 'group-commit') {
      for (const [topic, partition, offset] of event.offsets) {
        if (offset !== INTRUDER_OFFSET) continue;
        this.report({
          step,
          message: `group ${event.group} committed offset ${offset} of ${tp(topic, partition)}, which only the intruder sends (coordinator ${node ?? '-'})`,
          nodes: node === null ? [] : [node],
          values: { group: event.group, topic, partition, offset },
        });
      }
    }
  }

  /** The metadata as the run ended: no ACL for an intruder, no config or credential it set, every scenario topic still there. */
  finalState(state: FinalSecurityState): void {
    const step = this.lastStep;
    const principals = new Set(this.intruders.values());
    for (const p of state.allowedPrincipals) {
      if (principals.has(p))
        this.report({ step, message: `an ALLOW ACL for ${p}, which only the intruder asked for, is in the metadata`, nodes: [], values: { principal: p } });
    }
    for (const [topic, config] of state.topicConfigs) {
      if (config['retention.ms'] === String(INTRUDER_RETENTION_MS))
        this.report({ step, message: `topic ${topic} has retention.ms ${INTRUDER_RETENTION_MS}, which only the intruder sets`, nodes: [], values: { topic } });
    }
    for (const user of state.scramUsers) {
      if (this.intruders.has(user))
        this.report({ step, message: `user ${user} has a SCRAM credential, which only the intruder asked for`, nodes: [], values: { user } });
    }
    if (this.intruders.size === 0) return;
    for (const topic of this.scenarioTopics) {
      if (!state.topicConfigs.has(topic))
        this.report({ step, message: `topic ${topic} is gone, and only the intruder asked to delete it`, nodes: [], values: { topic } });
    }
  }

  /** Everything is judged as it comes (finalState is the runner's). */
  finish(): void {}
}
