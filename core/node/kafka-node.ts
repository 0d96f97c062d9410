// A Kafka node in KRaft mode: a replica of the metadata quorum (a voter when it is a controller,
// an observer otherwise), the controller that is active while it leads the quorum, and the broker
// that registers and heartbeats; all of them read one metadata image built from the committed log.

import type { Env, Node, NodeId, TimerTag } from '../env.ts';
import { BrokerLifecycle } from '../broker/lifecycle.ts';
import type { ControllerBug } from '../controller/bugs.ts';
import { MetadataImage } from '../controller/image.ts';
import { QuorumController, rejectNotController } from '../controller/quorum-controller.ts';
import type { MetadataRecord } from '../controller/records.ts';
import type { Config } from '../protocol/configs.ts';
import { CONTROLLER_APIS, type ControllerMessage, type ControllerRequest } from '../protocol/controller.ts';
import { isQuorumMessage, type LeaderHint, type OffsetAndEpoch, type QuorumMessage, type RaftEntry } from '../protocol/quorum.ts';
import { RaftReplica, type RaftSettings, type StateMachine } from '../raft/raft-replica.ts';

export type KafkaMessage = QuorumMessage<MetadataRecord> | ControllerMessage;

export interface KafkaNodeSpec {
  id: NodeId;
  broker: boolean;
  controller: boolean;
  config: Config;
  raft: RaftSettings;
  controllerBugs: ReadonlySet<ControllerBug>;
}

export class KafkaNode implements Node<KafkaMessage> {
  readonly raft: RaftReplica<MetadataRecord>;
  readonly controller: QuorumController | null;
  readonly lifecycle: BrokerLifecycle | null;
  image = new MetadataImage();
  /** The metadata log below this offset is in the image. */
  appliedEnd = 0;
  private env: Env<KafkaMessage> | null = null;

  constructor(readonly spec: KafkaNodeSpec) {
    const machine: StateMachine<MetadataRecord> = {
      commit: (entries) => this.commit(entries),
      loadSnapshot: (state, id) => this.loadSnapshot(state, id),
      snapshot: () => this.image.toSnapshot(),
      leaderChanged: (leader, self) => this.leaderChanged(leader, self),
    };
    this.raft = new RaftReplica(spec.id, spec.raft, machine);
    this.controller = spec.controller ? new QuorumController(spec.id, spec.config, this.raft, () => this.image, spec.controllerBugs) : null;
    this.lifecycle = spec.broker
      ? new BrokerLifecycle(
          spec.id,
          {
            clusterId: spec.raft.clusterId,
            heartbeatIntervalMs: spec.config.int('broker.heartbeat.interval.ms'),
            requestTimeoutMs: spec.config.int('controller.quorum.request.timeout.ms'),
            retryBackoffMs: spec.config.int('controller.quorum.retry.backoff.ms'),
          },
          () => this.raft.currentLeader,
          () => this.appliedEnd - 1,
        )
      : null;
  }

  start(env: Env<KafkaMessage>): void {
    this.env = env;
    this.raft.start(env);
    this.lifecycle?.start(env);
  }

  receive(env: Env<KafkaMessage>, from: NodeId, msg: KafkaMessage): void {
    if (isQuorumMessage<MetadataRecord>(msg)) return this.raft.receive(env, from, msg);
    if (msg.kind === 'request' && CONTROLLER_APIS.has(msg.api)) {
      if (this.controller !== null) this.controller.handle(env, from, msg as ControllerRequest);
      else rejectNotController(env, from, msg as ControllerRequest);
      return;
    }
    if (msg.api === 'BrokerRegistration' || msg.api === 'BrokerHeartbeat') {
      if (msg.kind === 'response') this.lifecycle?.receive(env, msg);
    }
  }

  fire(env: Env<KafkaMessage>, tag: TimerTag): void {
    if (this.raft.fire(env, tag)) return;
    if (this.controller?.fire(env, tag)) return;
    this.lifecycle?.fire(env, tag);
  }

  private commit(entries: RaftEntry<MetadataRecord>[]): void {
    const env = this.env!;
    for (const entry of entries) {
      if (entry.record.type === 'data') {
        this.image.apply(entry.record.value, (p) =>
          env.trace({ kind: 'partition-change', topic: p.topic, partition: p.partition, leader: p.leader, isr: [...p.isr], leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch }),
        );
      }
      this.appliedEnd = entry.offset + 1;
    }
    env.trace({ kind: 'metadata-apply', endOffset: this.appliedEnd });
    this.controller?.committedEntries(env, entries);
  }

  private loadSnapshot(state: unknown, id: OffsetAndEpoch): void {
    this.image = MetadataImage.fromSnapshot(state);
    this.appliedEnd = id.endOffset;
    this.env!.trace({ kind: 'metadata-apply', endOffset: this.appliedEnd });
    this.controller?.snapshotLoaded(id.endOffset);
  }

  private leaderChanged(_leader: LeaderHint, self: boolean): void {
    this.controller?.leaderChanged(this.env!, self);
  }
}
