// A Kafka node in KRaft mode: a replica of the metadata quorum (a voter when it is a controller,
// an observer otherwise), the controller that is active while it leads the quorum, and the broker
// (its lifecycle, its replica manager and its group coordinator); all of them read one metadata
// image built from the committed log. With an authorizer configured, a request that carries the
// session its transport authenticated passes the request gate (core/security/request-gate.ts) first.

import type { Env, Node, NodeId, TimerTag } from '../env.ts';
import type { LogBug } from '../log/bugs.ts';
import type { BrokerBug } from '../broker/bugs.ts';
import { BrokerLifecycle } from '../broker/lifecycle.ts';
import { ReplicaManager } from '../broker/replica-manager.ts';
import type { ControllerBug } from '../controller/bugs.ts';
import type { GroupBug } from '../group/bugs.ts';
import { GroupCoordinator } from '../group/coordinator.ts';
import { OFFSETS_TOPIC } from '../group/offsets-topic.ts';
import { CoordinatorType, GROUP_APIS, groupErrorResponse, type GroupMessage, type GroupRequest } from '../protocol/group.ts';
import { TXN_COORDINATOR_APIS, type TxnMessage } from '../protocol/txn.ts';
import type { TxnBug } from '../txn/bugs.ts';
import { TransactionCoordinator, txnCoordinatorErrorResponse, type TxnCoordinatorRequest } from '../txn/coordinator.ts';
import { TRANSACTION_STATE_TOPIC } from '../txn/transaction-topic.ts';
import { MetadataImage } from '../controller/image.ts';
import { QuorumController, rejectNotController } from '../controller/quorum-controller.ts';
import type { MetadataRecord } from '../controller/records.ts';
import type { Config } from '../protocol/configs.ts';
import type { Compressors } from '../wire/compression.ts';
import { CONTROLLER_APIS, type BrokerListener, type ControllerMessage, type ControllerRequest } from '../protocol/controller.ts';
import type { DataMessage, DataRequest } from '../protocol/data.ts';
import { errorResponse } from '../protocol/error-response.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { isQuorumMessage, type LeaderHint, type OffsetAndEpoch, type QuorumMessage, type RaftEntry } from '../protocol/quorum.ts';
import { RaftReplica, type RaftSettings, type StateMachine } from '../raft/raft-replica.ts';
import { SECURITY_BROKER_APIS, SECURITY_CONTROLLER_APIS, type SecurityMessage, type SecurityRequest } from '../protocol/security.ts';
import type { Session } from '../security/session.ts';
import { Authorizer } from '../security/authorizer.ts';
import type { SecurityBug } from '../security/bugs.ts';
import { gateRequest } from '../security/request-gate.ts';
import { describeAcls, describeUserScramCredentials } from '../controller/security-admin.ts';

export type KafkaMessage = QuorumMessage<MetadataRecord> | ControllerMessage | DataMessage | GroupMessage | TxnMessage | SecurityMessage;

const DATA_APIS: ReadonlySet<string> = new Set([
  'Produce',
  'Fetch',
  'ListOffsets',
  'OffsetForLeaderEpoch',
  'Metadata',
  'InitProducerId',
  'DescribeConfigs',
  'DeleteRecords',
]);

/** Requests a broker holds while it catches up with the metadata log (with an authorizer); the quorum's and the controller's are served at once. */
const MAX_WAITING_FOR_CATCH_UP = 1000;

function servedByTheBroker(msg: KafkaMessage): boolean {
  return !isQuorumMessage<MetadataRecord>(msg) && !CONTROLLER_APIS.has(msg.api) && !SECURITY_CONTROLLER_APIS.has(msg.api);
}

/** Requests the transaction coordinator serves: its APIs, FindCoordinator for transactional ids, and InitProducerId with a transactional id. */
function isForTxnCoordinator(
  msg: KafkaMessage,
): msg is TxnCoordinatorRequest | Extract<KafkaMessage, { api: 'InitProducerId' | 'FindCoordinator'; kind: 'request' }> {
  if (msg.kind !== 'request') return false;
  if (msg.api === 'FindCoordinator') return msg.keyType === CoordinatorType.TRANSACTION;
  if (msg.api === 'InitProducerId') return msg.transactionalId !== null;
  return TXN_COORDINATOR_APIS.has(msg.api);
}

export interface KafkaNodeSpec {
  id: NodeId;
  broker: boolean;
  controller: boolean;
  config: Config;
  raft: RaftSettings;
  controllerBugs: ReadonlySet<ControllerBug>;
  brokerBugs: ReadonlySet<BrokerBug>;
  /** The log cleaner's seeded bugs. */
  logBugs?: ReadonlySet<LogBug>;
  groupBugs?: ReadonlySet<GroupBug>;
  /** The transaction coordinator's seeded bugs. */
  txnBugs?: ReadonlySet<TxnBug>;
  /** The runtime's record codecs (real mode): leaders re-encode batches for compression.type, the controller refuses a codec missing here. Absent in the simulator. */
  compressors?: Compressors;
  /** The listeners a broker registers (real mode); the simulator's brokers have none and are addressed by id. */
  advertisedListeners?: readonly BrokerListener[];
  /** The authorizer's seeded bugs (deny-not-checked). */
  securityBugs?: ReadonlySet<SecurityBug>;
}

type Response = Extract<KafkaMessage, { kind: 'response' }>;

export class KafkaNode implements Node<KafkaMessage> {
  readonly raft: RaftReplica<MetadataRecord>;
  readonly controller: QuorumController | null;
  readonly lifecycle: BrokerLifecycle | null;
  readonly replicas: ReplicaManager | null;
  readonly groups: GroupCoordinator | null;
  readonly txns: TransactionCoordinator | null;
  image: MetadataImage;
  /** The metadata log below this offset is in the image. */
  appliedEnd = 0;
  /** The image may have changed since its digest was last reported (each incarnation reports its first). */
  private imageChanged = true;
  private reportedDigest: string | null = null;
  private env: Env<KafkaMessage> | null = null;
  private shuttingDown = false;
  /** The authorizer (authorizer.class.name), reading this node's image; null: every request is served. */
  readonly authorizer: Authorizer | null;
  /**
   * With an authorizer: the answers still to complete with the parts of their requests the gate
   * denied, by the requester, API and correlation id; and the environment whose sends complete them.
   */
  private readonly merges = new Map<string, (response: Response) => Response>();
  private gated: { raw: Env<KafkaMessage>; env: Env<KafkaMessage> } | null = null;
  /**
   * With an authorizer: a broker judges requests only once it has caught up with the metadata log
   * (Kafka's BrokerServer enables request processing after its initial catch-up), so a restarted
   * broker never refuses a client with an image that lacks the ACLs granting it. Until then the
   * requests wait here, the oldest dropped past a bound (a lost message: the client's timeout retries it).
   */
  private waitingForCatchUp: Array<{ from: NodeId; msg: KafkaMessage; session: Session }> | null = [];

  constructor(readonly spec: KafkaNodeSpec) {
    this.image = new MetadataImage(spec.controllerBugs);
    this.authorizer = Authorizer.fromConfig(spec.config, () => this.image.acls(), spec.securityBugs);
    const machine: StateMachine<MetadataRecord> = {
      commit: (entries) => this.commit(entries),
      loadSnapshot: (state, id) => this.loadSnapshot(state, id),
      snapshot: () => this.image.toSnapshot(),
      leaderChanged: (leader, self) => this.leaderChanged(leader, self),
    };
    this.raft = new RaftReplica(spec.id, spec.raft, machine);
    this.controller = spec.controller
      ? new QuorumController(spec.id, spec.config, this.raft, () => this.image, spec.controllerBugs, spec.compressors ?? null)
      : null;
    this.lifecycle = spec.broker
      ? new BrokerLifecycle(
          spec.id,
          {
            clusterId: spec.raft.clusterId,
            heartbeatIntervalMs: spec.config.int('broker.heartbeat.interval.ms'),
            requestTimeoutMs: spec.config.int('controller.quorum.request.timeout.ms'),
            retryBackoffMs: spec.config.int('controller.quorum.retry.backoff.ms'),
            ...(spec.advertisedListeners !== undefined ? { advertisedListeners: spec.advertisedListeners } : {}),
          },
          () => this.raft.currentLeader,
          () => this.appliedEnd - 1,
          () => this.publishImage(),
        )
      : null;
    this.replicas = spec.broker
      ? new ReplicaManager(spec.id, spec.config, spec.brokerBugs, {
          controller: () => this.raft.currentLeader,
          brokerEpoch: () => this.lifecycle?.brokerEpoch ?? -1,
          clusterId: spec.raft.clusterId,
          ...(spec.compressors !== undefined ? { compressors: spec.compressors } : {}),
          ...(spec.logBugs !== undefined ? { logBugs: spec.logBugs } : {}),
          leadershipChanged: (env, topic, partition, leaderEpoch) => {
            if (topic === OFFSETS_TOPIC) this.groups?.leadershipChanged(env, partition, leaderEpoch);
            else if (topic === TRANSACTION_STATE_TOPIC) this.txns?.leadershipChanged(env, partition, leaderEpoch);
          },
          txnMarkerWritten: (env, topic, partition, producerId, committed, offset) => {
            if (topic === OFFSETS_TOPIC) this.groups?.completeTransaction(env, partition, producerId, committed, offset);
          },
        })
      : null;
    const replicas = this.replicas;
    this.groups =
      replicas === null
        ? null
        : new GroupCoordinator(spec.config, spec.groupBugs ?? new Set(), {
            image: () => this.image,
            ledLog: (topic, partition) => replicas.ledLog(topic, partition),
            appendCommitted: (env, topic, partition, records, timeoutMs, done, producer) =>
              replicas.appendCommitted(env, topic, partition, records, timeoutMs, done, producer),
            createTopic: (env, name, partitions, replicationFactor) => void replicas.createTopic(env, name, partitions, replicationFactor),
          });
    this.txns =
      replicas === null
        ? null
        : new TransactionCoordinator(spec.config, spec.txnBugs ?? new Set(), {
            image: () => this.image,
            ledLog: (topic, partition) => replicas.ledLog(topic, partition),
            appendCommitted: (env, topic, partition, records, timeoutMs, done) => replicas.appendCommitted(env, topic, partition, records, timeoutMs, done),
            createTopic: (env, name, partitions, replicationFactor, configs) => void replicas.createTopic(env, name, partitions, replicationFactor, configs),
            nextProducerId: (env) => replicas.nextProducerId(env),
          });
  }

  start(env: Env<KafkaMessage>): void {
    if (this.authorizer !== null) env = this.mergingEnv(env);
    this.env = env;
    this.replicas?.start(env);
    this.raft.start(env);
    this.lifecycle?.start(env);
  }

  receive(env: Env<KafkaMessage>, from: NodeId, msg: KafkaMessage, session?: Session): void {
    if (this.authorizer !== null) {
      env = this.mergingEnv(env);
      if (session !== undefined && msg.kind === 'request') {
        if (this.waitingForCatchUp !== null && this.replicas !== null && servedByTheBroker(msg)) {
          if (this.waitingForCatchUp.push({ from, msg, session }) > MAX_WAITING_FOR_CATCH_UP) this.waitingForCatchUp.shift();
          return;
        }
        const decision = gateRequest(this.authorizer, this.image, session, msg);
        if (decision !== null) {
          if ('deny' in decision) {
            if (decision.deny !== null) env.send(from, decision.deny);
            return;
          }
          msg = decision.request;
          if (decision.merge !== null) this.merges.set(mergeKey(from, msg.api, msg.correlationId), decision.merge);
        }
      }
    }
    if (isQuorumMessage<MetadataRecord>(msg)) return this.raft.receive(env, from, msg);
    if (msg.kind === 'request') {
      if (CONTROLLER_APIS.has(msg.api)) {
        if (this.controller !== null) this.controller.handle(env, from, msg as ControllerRequest);
        else rejectNotController(env, from, msg as ControllerRequest);
      } else if (SECURITY_CONTROLLER_APIS.has(msg.api)) {
        if (this.controller !== null) this.controller.handleSecurity(env, from, msg as SecurityRequest);
        else rejectNotController(env, from, msg as SecurityRequest);
      } else if (SECURITY_BROKER_APIS.has(msg.api)) {
        this.describeSecurity(env, from, msg as SecurityRequest);
      } else if (isForTxnCoordinator(msg)) {
        if (this.txns !== null) this.txns.handle(env, from, msg);
        else env.send(from, txnCoordinatorErrorResponse(msg, ErrorCode.NOT_COORDINATOR));
      } else if (GROUP_APIS.has(msg.api)) {
        if (this.groups !== null) this.groups.handle(env, from, msg as GroupRequest);
        else env.send(from, groupErrorResponse(msg as GroupRequest, ErrorCode.NOT_COORDINATOR));
      } else if (DATA_APIS.has(msg.api)) {
        if (this.replicas !== null) this.replicas.handle(env, from, msg as DataRequest);
        // A dedicated controller serves no data APIs: it answers as Kafka's request handlers
        // answer an API key they have no handler for, never with silence.
        else
          env.send(
            from,
            errorResponse(msg as DataRequest, ErrorCode.UNKNOWN_SERVER_ERROR, `${this.spec.id} is a controller only and does not serve ${msg.api}`),
          );
      } else if (msg.api === 'WriteTxnMarkers') {
        // A transaction coordinator's markers, for the partitions this broker leads.
        this.replicas?.writeTxnMarkers(env, from, msg);
      }
      return;
    }
    switch (msg.api) {
      case 'BrokerRegistration':
      case 'BrokerHeartbeat':
        return this.lifecycle?.receive(env, msg);
      case 'Fetch':
        return this.replicas?.fetchResponse(env, from, msg);
      case 'ListOffsets':
        return this.replicas?.listOffsetsResponse(env, from, msg);
      case 'AlterPartition':
        return this.replicas?.alterPartitionResponse(env, msg);
      case 'AllocateProducerIds':
        return this.replicas?.allocateProducerIdsResponse(env, msg);
      case 'AddPartitionsToTxn':
        // A coordinator's answer to a leader's KIP-890 verification.
        return this.replicas?.addPartitionsToTxnResponse(env, from, msg);
      case 'WriteTxnMarkers':
        return this.txns?.writeTxnMarkersResponse(env, msg);
    }
  }

  /** DescribeAcls and DescribeUserScramCredentials, answered from this node's image. */
  private describeSecurity(env: Env<KafkaMessage>, from: NodeId, req: SecurityRequest): void {
    if (req.api === 'DescribeAcls') env.send(from, describeAcls(this.image, req, this.spec.config.string('authorizer.class.name') !== ''));
    else if (req.api === 'DescribeUserScramCredentials') env.send(from, describeUserScramCredentials(this.image, req));
  }

  /**
   * `env` with sends that complete an answer the gate split (one per incarnation's environment): a
   * handler may answer long after the request (a Produce waits for its acks), from any callback.
   */
  private mergingEnv(raw: Env<KafkaMessage>): Env<KafkaMessage> {
    if (this.gated?.raw === raw) return this.gated.env;
    const send = (to: NodeId, msg: KafkaMessage) => {
      if (this.merges.size > 0 && msg.kind === 'response') {
        const key = mergeKey(to, msg.api, msg.correlationId);
        const merge = this.merges.get(key);
        if (merge !== undefined) {
          this.merges.delete(key);
          msg = merge(msg);
        }
      }
      raw.send(to, msg);
    };
    this.gated = { raw, env: withSend(raw, send) };
    return this.gated.env;
  }

  /**
   * A graceful stop, as Kafka's BrokerServer and ControllerServer shut down: the broker first
   * hands its leaderships over (controlled shutdown); then a quorum leader resigns and tells the
   * other voters (EndQuorumEpoch), and the process exits with its files flushed.
   */
  shutdown(env: Env<KafkaMessage>): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.authorizer !== null) env = this.mergingEnv(env);
    env.trace({ kind: 'note', text: 'controlled shutdown begins' });
    const finish = () => {
      this.raft.resign(env);
      env.exit?.();
    };
    if (this.lifecycle !== null) this.lifecycle.beginControlledShutdown(env, finish);
    else finish();
  }

  fire(env: Env<KafkaMessage>, tag: TimerTag): void {
    if (this.authorizer !== null) env = this.mergingEnv(env);
    if (this.raft.fire(env, tag)) return;
    if (this.controller?.fire(env, tag)) return;
    if (this.replicas?.fire(env, tag)) return;
    if (this.groups?.fire(env, tag)) return;
    if (this.txns?.fire(env, tag)) return;
    this.lifecycle?.fire(env, tag);
  }

  /**
   * Hands the image to the replica manager. It serves partitions only once this broker is
   * registered and its image holds its own registration (Kafka starts the replica manager after
   * the broker has caught up), so a restarted broker never acts on its previous incarnation's roles.
   */
  private publishImage(): void {
    if (this.replicas === null || this.env === null) return;
    const epoch = this.lifecycle?.brokerEpoch ?? -1;
    const ready = (this.lifecycle?.isRegistered ?? false) && epoch >= 0 && this.appliedEnd > epoch;
    this.replicas.applyImage(this.env, this.image, ready);
    if (ready && this.waitingForCatchUp !== null) {
      const waiting = this.waitingForCatchUp;
      this.waitingForCatchUp = null;
      for (const w of waiting) this.receive(this.env, w.from, w.msg, w.session);
    }
  }

  private commit(entries: RaftEntry<MetadataRecord>[]): void {
    const env = this.env!;
    for (const entry of entries) {
      if (entry.record.type === 'data') {
        if (entry.record.value.type !== 'NoOpRecord') this.imageChanged = true;
        this.image.apply(entry.record.value, (p) =>
          env.trace({
            kind: 'partition-change',
            topic: p.topic,
            partition: p.partition,
            leader: p.leader,
            isr: [...p.isr],
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: p.partitionEpoch,
          }),
        );
      }
      this.appliedEnd = entry.offset + 1;
    }
    env.trace({ kind: 'metadata-apply', endOffset: this.appliedEnd, ...this.changedDigest() });
    this.controller?.committedEntries(env, entries);
    this.publishImage();
  }

  private loadSnapshot(state: unknown, id: OffsetAndEpoch): void {
    this.image = MetadataImage.fromSnapshot(state, this.spec.controllerBugs);
    this.appliedEnd = id.endOffset;
    // A loaded snapshot always reports its image's digest.
    this.imageChanged = true;
    this.reportedDigest = null;
    this.env!.trace({ kind: 'metadata-apply', endOffset: this.appliedEnd, ...this.changedDigest() });
    this.controller?.snapshotLoaded(id.endOffset);
    this.publishImage();
  }

  /**
   * The image's digest for a `metadata-apply` event, when it differs from the last one this
   * incarnation reported (its first, and one after loading a snapshot, are always reported);
   * absent, the image is the same as at the node's previous `metadata-apply`.
   */
  private changedDigest(): { digest?: string } {
    if (!this.imageChanged) return {};
    this.imageChanged = false;
    const digest = this.image.digest();
    if (digest === this.reportedDigest) return {};
    this.reportedDigest = digest;
    return { digest };
  }

  private leaderChanged(_leader: LeaderHint, self: boolean): void {
    this.controller?.leaderChanged(this.env!, self);
  }
}

function mergeKey(from: NodeId, api: string, correlationId: number): string {
  return `${from}\u0000${api}\u0000${correlationId}`;
}

/** `env` with its sends going through `send`; everything else is env's own. */
function withSend<M>(env: Env<M>, send: (to: NodeId, msg: M) => void): Env<M> {
  const wrapped: Env<M> = {
    get self() {
      return env.self;
    },
    get storage() {
      return env.storage;
    },
    get untraced() {
      return env.untraced;
    },
    now: () => env.now(),
    random: () => env.random(),
    send,
    setTimer: (delayMs, tag) => env.setTimer(delayMs, tag),
    cancelTimer: (tag) => env.cancelTimer(tag),
    trace: (event) => env.trace(event),
  };
  if (env.buggify !== undefined) wrapped.buggify = (site) => env.buggify!(site);
  if (env.exit !== undefined) wrapped.exit = () => env.exit!();
  return wrapped;
}
