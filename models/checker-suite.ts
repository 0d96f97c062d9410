// Wires the invariant checkers to a simulation: every trace event goes to the quorum ghost and
// the partition-state checkers, every kernel step ends with the step-end checks, and every
// violation is collected and written to the trace as a `violation` line.

import type { NodeId } from '../core/env.ts';
import type { ObservedEvent } from '../core/trace/schema.ts';
import type { CheckerHost } from './checker-host.ts';
import { ISR_NEVER_EMPTY, LEADER_IN_ISR, METADATA_LOG_PREFIX, MetadataLogPrefix, PartitionStateCheckers } from './checkers/metadata.ts';
import { IMAGE_AGREEMENT, ImageAgreement } from './checkers/image-agreement.ts';
import { ISR_FRESHNESS, IsrFreshness } from './checkers/isr-freshness.ts';
import { LeaderStable, QUORUM_LEADER_STABLE } from './checkers/leader-stable.ts';
import {
  COMMITTED_DATA_CONSISTENT,
  CommittedDataConsistent,
  HW_MONOTONIC,
  HwMonotonic,
  LEADER_COMPLETENESS,
  LeaderCompleteness,
  MAJORITY_REACHED_HW,
  MajorityReachedHw,
} from './checkers/quorum-commit.ts';
import { ELECTION_SAFETY, ElectionSafety, EPOCH_MONOTONIC, EpochMonotonic, LOG_MATCHING, LogMatching } from './checkers/quorum-safety.ts';
import { QuorumGhost } from './quorum-ghost.ts';
import { PartitionGhost } from './partition-ghost.ts';
import { HISTORY_CHECKERS, HistoryCheckers, type TopicPolicies } from './history/history-checkers.ts';
import { CommitFacts } from './history/commit-facts.ts';
import {
  HW_LE_LEO,
  HwLeLeo,
  HW_MIN_ISR,
  HwMinIsr,
  LEADER_EPOCH_UNIQUE,
  LeaderEpochUnique,
  PartitionHwMonotonic,
  PartitionLeaderCompleteness,
  REPLICA_LOG_MATCHING,
  ReplicaLogMatching,
  STRONG_ISR,
  StrongIsr,
} from './checkers/partition.ts';
import { PRODUCER_STATE_CONSISTENT, ProducerStateConsistent } from './checkers/producer-state.ts';
import { LSO_MONOTONIC, LsoMonotonic } from './checkers/lso-monotonic.ts';
import { TRACE_VALIDATION } from './trace-validation.ts';
import { LIVENESS_CHECKERS } from './checkers/liveness.ts';
import type { CheckerInfo, Report, Violation, ViolationClass } from './violation.ts';

/** Every safety checker that runs during a simulation, in report order. */
export const SAFETY_CHECKERS: readonly CheckerInfo[] = [
  ELECTION_SAFETY,
  EPOCH_MONOTONIC,
  HW_MONOTONIC,
  MAJORITY_REACHED_HW,
  LOG_MATCHING,
  LEADER_COMPLETENESS,
  COMMITTED_DATA_CONSISTENT,
  METADATA_LOG_PREFIX,
  IMAGE_AGREEMENT,
  LEADER_IN_ISR,
  ISR_NEVER_EMPTY,
  LEADER_EPOCH_UNIQUE,
  REPLICA_LOG_MATCHING,
  STRONG_ISR,
  HW_LE_LEO,
  HW_MIN_ISR,
  PRODUCER_STATE_CONSISTENT,
  LSO_MONOTONIC,
  ...HISTORY_CHECKERS,
  // Run beside the suite by the scenario runner (not on runs that allow unclean elections).
  TRACE_VALIDATION,
];

/** The name of every checker, safety and liveness: what a scenario's `expect` may name. */
export const CHECKER_NAMES: readonly string[] = [...new Set([...SAFETY_CHECKERS, ...LIVENESS_CHECKERS].map((c) => c.name))];

/** Violations kept per checker; later ones are only counted (one bug tends to trip a checker often). */
export const KEPT_PER_CHECKER = 50;

export class CheckerSuite {
  readonly violations: Violation[] = [];
  /** Per checker, how many violations were found in all (kept or not). */
  readonly counts = new Map<string, number>();
  readonly ghost = new QuorumGhost();
  readonly partitionGhost = new PartitionGhost();
  readonly history: HistoryCheckers;
  private readonly partitions: PartitionStateCheckers;
  /** Judged against time, so only when attached to a run that tells it (a host). */
  private readonly isrFreshness: IsrFreshness;
  private readonly leaderStable: LeaderStable;
  private readonly lso: LsoMonotonic;
  private host: CheckerHost | null = null;

  /**
   * `minInsyncReplicas` tells each topic's min.insync.replicas (hw-min-isr needs it); without it
   * every topic counts as 1, and that checker has nothing to check. `replicaLagTimeMaxMs` is the
   * brokers' replica.lag.time.max.ms (Kafka's default, 30 s, without it), for isr-freshness.
   * `quorumTimeouts` are controller.quorum.fetch.timeout.ms and controller.quorum.election.timeout.ms
   * (Kafka's defaults without them) and `lossyNetwork` whether messages are lost from the start, for
   * quorum-leader-stable. `nonIdempotentProducers` names producers whose retries may write a value
   * twice by design, for duplicate. `replicaEvents: false` says no replica's events will come (a
   * real cluster judged black-box from its clients' history): commitment is then not tracked, and
   * every read counts as committed (lost-write and dirty-read judge by the reads alone).
   * `topics` tells each topic's cleanup.policy and delete.retention.ms (every topic
   * cleanup.policy=delete without it), for the compaction checkers.
   */
  constructor(
    options: {
      minInsyncReplicas?: (topic: string) => number;
      replicaLagTimeMaxMs?: number;
      quorumTimeouts?: { fetchTimeoutMs: number; electionTimeoutMs: number };
      lossyNetwork?: boolean;
      nonIdempotentProducers?: ReadonlySet<string>;
      replicaEvents?: boolean;
      topics?: TopicPolicies;
      /** The topics the scenario creates (unauthorized-access: an intruder may not delete them). */
      scenarioTopics?: readonly string[];
    } = {},
  ) {
    const g = this.ghost;
    g.addHooks(new ElectionSafety(this.reporter(ELECTION_SAFETY)));
    g.addHooks(new EpochMonotonic(this.reporter(EPOCH_MONOTONIC)));
    g.addHooks(new LogMatching(this.reporter(LOG_MATCHING)));
    g.addHooks(new HwMonotonic(this.reporter(HW_MONOTONIC)));
    g.addHooks(new MajorityReachedHw(g, this.reporter(MAJORITY_REACHED_HW)));
    g.addHooks(new LeaderCompleteness(g, this.reporter(LEADER_COMPLETENESS)));
    g.addHooks(new CommittedDataConsistent(g, this.reporter(COMMITTED_DATA_CONSISTENT)));
    g.addHooks(new MetadataLogPrefix(g, this.reporter(METADATA_LOG_PREFIX)));
    g.addHooks(new ImageAgreement(this.reporter(IMAGE_AGREEMENT)));
    this.partitions = new PartitionStateCheckers(this.reporter(LEADER_IN_ISR), this.reporter(ISR_NEVER_EMPTY));
    // Partition replication: hw-monotonic and leader-completeness keep their names for partitions.
    const pg = this.partitionGhost;
    pg.addHooks(new LeaderEpochUnique(this.reporter(LEADER_EPOCH_UNIQUE)));
    pg.addHooks(new ReplicaLogMatching(this.reporter(REPLICA_LOG_MATCHING)));
    pg.addHooks(new StrongIsr(pg, this.reporter(STRONG_ISR)));
    pg.addHooks(new PartitionLeaderCompleteness(this.reporter(LEADER_COMPLETENESS)));
    pg.addHooks(new PartitionHwMonotonic(this.reporter(HW_MONOTONIC)));
    pg.addHooks(new HwLeLeo(this.reporter(HW_LE_LEO)));
    pg.addHooks(new HwMinIsr(options.minInsyncReplicas ?? (() => 1), this.reporter(HW_MIN_ISR)));
    pg.addHooks(new ProducerStateConsistent(this.reporter(PRODUCER_STATE_CONSISTENT)));
    // What the replicas committed when, for lost-write and dirty-read (hooked in after the partition checkers).
    const commitFacts = new CommitFacts();
    if (options.replicaEvents !== false) commitFacts.attach(pg);
    this.lso = new LsoMonotonic(this.reporter(LSO_MONOTONIC));
    this.history = new HistoryCheckers((info) => this.reporter(info), commitFacts, options.nonIdempotentProducers, options.topics, options.scenarioTopics);
    this.isrFreshness = new IsrFreshness(options.replicaLagTimeMaxMs ?? 30_000, this.reporter(ISR_FRESHNESS, 'liveness'));
    const quorumTimeouts = options.quorumTimeouts ?? { fetchTimeoutMs: 2_000, electionTimeoutMs: 1_000 };
    this.leaderStable = new LeaderStable(quorumTimeouts, options.lossyNetwork ?? false, this.reporter(QUORUM_LEADER_STABLE, 'liveness'));
  }

  /** Feeds the checkers from a run's events and steps; violations are written to its trace. */
  attach(host: CheckerHost): void {
    this.host = host;
    host.observe((step, node, event) => this.observe(step, node, event));
    host.onStep(() => this.endStep(host.step));
  }

  /** Takes in one trace event (from a simulation, or from a trace file being checked again). */
  observe(step: number, node: NodeId | null, event: ObservedEvent): void {
    this.ghost.observe(step, node, event);
    this.partitionGhost.observe(step, node, event);
    if (event.kind === 'client' || event.kind === 'crash' || event.kind === 'stop' || event.kind === 'restart')
      this.history.observeTrace(step, node, event, this.host?.now);
    else if (event.kind === 'partition-change' && node !== null) this.partitions.observe(step, node, event);
    if (event.kind === 'partition-change' || event.kind === 'group-commit') this.history.unauthorizedAccess.observeEvent(step, node, event);
    this.lso.observe(step, node, event);
    if (this.host !== null) {
      this.isrFreshness.observe(this.host.now, node, event);
      this.leaderStable.observe(this.host.now, step, node, event);
    }
  }

  /** Marks the end of one kernel event (the step-end checks run here). */
  endStep(step: number): void {
    this.ghost.endStep(step);
    this.partitionGhost.endStep(step);
    this.lso.endStep();
    if (this.host !== null) this.isrFreshness.endStep(this.host.now, step);
  }

  /** The run is over: the history checkers judge what only the whole history can tell. */
  finish(finalRead: boolean): void {
    this.history.finish(finalRead);
  }

  /** Records a violation found outside the event stream (the liveness checks at the end of a run). */
  add(info: CheckerInfo, cls: ViolationClass, v: Omit<Violation, 'name' | 'class'>): void {
    this.reporter(info, cls)(v);
  }

  /** Names of the checkers that reported at least one violation. */
  tripped(): string[] {
    return [...new Set(this.violations.map((v) => v.name))];
  }

  private reporter(info: CheckerInfo, cls: ViolationClass = 'safety'): Report {
    return (v) => {
      const count = (this.counts.get(info.name) ?? 0) + 1;
      this.counts.set(info.name, count);
      if (count > KEPT_PER_CHECKER) return;
      const violation: Violation = { name: info.name, class: cls, ...v };
      this.violations.push(violation);
      const nodes: NodeId[] = v.nodes;
      this.host?.record({ kind: 'violation', name: info.name, class: cls, atStep: v.step, message: v.message, nodes, values: v.values });
    };
  }
}
