// The metadata image (KRaft's MetadataImage): brokers with their epochs and fencing, topics
// with their partitions (replicas, ISR, leader, leader epoch, partition epoch) and configs, the
// next producer id to hand out (KIP-730), the ACLs (KIP-801's StandardAuthorizer reads them) and the
// users' SCRAM credentials (KIP-554), built by applying committed metadata records in order.
// Every node keeps one.

import type { ControllerBug } from './bugs.ts';
import type { NodeId } from '../env.ts';
import { hashString } from '../hash.ts';
import type { BrokerListener } from '../protocol/controller.ts';
import type { ScramMechanismCode } from '../protocol/security.ts';
import type { AclBinding, StoredAcl } from '../security/acl.ts';
import { bytesField, fromHex, toHex } from '../security/bytes.ts';
import type { LeaderRecoveryState, MetadataRecord, PartitionChangeRecord, PartitionRecord } from './records.ts';

export interface BrokerRegistration {
  brokerId: NodeId;
  brokerEpoch: number;
  incarnationId: string;
  fenced: boolean;
  /** Set while the broker shuts down under control (it may lead nothing and join no ISR); absent otherwise. */
  inControlledShutdown?: true;
  /** Absent when the broker advertised no listeners (the simulator's, addressed by id): snapshots stay as they were. */
  listeners?: BrokerListener[];
}

export interface PartitionState {
  topic: string;
  topicId: string;
  partition: number;
  replicas: NodeId[];
  isr: NodeId[];
  leader: NodeId | null;
  leaderEpoch: number;
  partitionEpoch: number;
  leaderRecoveryState: LeaderRecoveryState;
}

export interface TopicState {
  name: string;
  topicId: string;
  partitions: PartitionState[];
  config: Record<string, string>;
}

/** What a server keeps of a user's SCRAM password (RFC 5802): enough to verify a proof, never the password. */
export interface ScramCredential {
  salt: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
  iterations: number;
}

interface SnapshotScramCredential {
  name: string;
  mechanism: ScramMechanismCode;
  /** Hex. */
  salt: string;
  storedKey: string;
  serverKey: string;
  iterations: number;
}

interface ImageSnapshot {
  brokers: BrokerRegistration[];
  topics: TopicState[];
  /** Absent in snapshots taken before producer id blocks (KIP-730): 0. */
  nextProducerId?: number;
  /** Absent when there are none (and in snapshots taken before ACLs). */
  acls?: StoredAcl[];
  scramCredentials?: SnapshotScramCredential[];
}

export class MetadataImage {
  readonly brokers = new Map<NodeId, BrokerRegistration>();
  readonly topics = new Map<string, TopicState>();
  private readonly idsByName = new Map<string, string>();
  /** The first producer id no broker has been handed yet (Kafka's ProducerIdsImage). */
  nextProducerId = 0;
  private readonly aclsById = new Map<string, StoredAcl>();
  /** Per user, per mechanism. */
  private readonly scram = new Map<string, Map<ScramMechanismCode, ScramCredential>>();

  /** Seeded bugs of the metadata image (controller-reuses-leader-epoch), on every node alike. */
  constructor(private readonly bugs: ReadonlySet<ControllerBug> = new Set()) {}

  /** Applies one record; `changed` hears about every partition state the record produced. */
  apply(record: MetadataRecord, changed: (p: PartitionState) => void = () => {}): void {
    switch (record.type) {
      case 'RegisterBrokerRecord':
        this.brokers.set(
          record.brokerId,
          copyBroker({
            brokerId: record.brokerId,
            brokerEpoch: record.brokerEpoch,
            incarnationId: record.incarnationId,
            fenced: record.fenced,
            listeners: record.listeners,
          }),
        );
        return;
      case 'FenceBrokerRecord':
      case 'UnfenceBrokerRecord': {
        const broker = this.brokers.get(record.id);
        if (broker !== undefined && broker.brokerEpoch === record.epoch) broker.fenced = record.type === 'FenceBrokerRecord';
        return;
      }
      case 'BrokerRegistrationChangeRecord': {
        const broker = this.brokers.get(record.brokerId);
        if (broker !== undefined && broker.brokerEpoch === record.brokerEpoch) broker.inControlledShutdown = true;
        return;
      }
      case 'TopicRecord':
        this.topics.set(record.topicId, { name: record.name, topicId: record.topicId, partitions: [], config: {} });
        this.idsByName.set(record.name, record.topicId);
        return;
      case 'PartitionRecord':
        return this.applyPartition(record, changed);
      case 'PartitionChangeRecord':
        return this.applyPartitionChange(record, changed);
      case 'RemoveTopicRecord': {
        const topic = this.topics.get(record.topicId);
        if (topic === undefined) return;
        this.topics.delete(record.topicId);
        this.idsByName.delete(topic.name);
        return;
      }
      case 'ConfigRecord': {
        if (record.resourceType !== 2) return;
        const topic = this.topicByName(record.resourceName);
        if (topic === undefined) return;
        if (record.value === null) delete topic.config[record.name];
        else topic.config[record.name] = record.value;
        return;
      }
      case 'ProducerIdsRecord':
        // Blocks only move forward (Kafka's ProducerIdControlManager refuses to replay one that goes back).
        if (record.nextProducerId > this.nextProducerId) this.nextProducerId = record.nextProducerId;
        return;
      case 'AccessControlEntryRecord': {
        const { type: _type, ...acl } = record;
        this.aclsById.set(record.id, acl);
        return;
      }
      case 'RemoveAccessControlEntryRecord':
        this.aclsById.delete(record.id);
        return;
      case 'UserScramCredentialRecord': {
        let user = this.scram.get(record.name);
        if (user === undefined) this.scram.set(record.name, (user = new Map()));
        user.set(record.mechanism, {
          salt: bytesField(record.salt),
          storedKey: bytesField(record.storedKey),
          serverKey: bytesField(record.serverKey),
          iterations: record.iterations,
        });
        return;
      }
      case 'RemoveUserScramCredentialRecord': {
        const user = this.scram.get(record.name);
        user?.delete(record.mechanism);
        if (user?.size === 0) this.scram.delete(record.name);
        return;
      }
      case 'NoOpRecord':
        return;
    }
  }

  /** The ACLs, as the authorizer reads them. */
  acls(): Iterable<AclBinding> {
    return this.aclsById.values();
  }

  /** The ACLs with their ids (DeleteAcls names what it removes by id). */
  storedAcls(): Iterable<StoredAcl> {
    return this.aclsById.values();
  }

  /** A user's credential for one mechanism (the SCRAM server's lookup), or undefined. */
  scramCredential(user: string, mechanism: ScramMechanismCode): ScramCredential | undefined {
    return this.scram.get(user)?.get(mechanism);
  }

  /** The mechanisms and iterations of a user's credentials (DescribeUserScramCredentials), in mechanism order; empty for an unknown user. */
  scramCredentialInfos(user: string): Array<{ mechanism: ScramMechanismCode; iterations: number }> {
    const creds = this.scram.get(user);
    if (creds === undefined) return [];
    return [...creds.entries()].sort(([a], [b]) => a - b).map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  /** Every user with a credential, sorted. */
  scramUsers(): string[] {
    return [...this.scram.keys()].sort();
  }

  topicByName(name: string): TopicState | undefined {
    const id = this.idsByName.get(name);
    return id === undefined ? undefined : this.topics.get(id);
  }

  partition(topic: string, partition: number): PartitionState | undefined {
    return this.topicByName(topic)?.partitions[partition];
  }

  /** Every partition of every topic, in topic-id order. */
  allPartitions(): PartitionState[] {
    return [...this.topics.values()].flatMap((t) => t.partitions);
  }

  /** Unfenced and not shutting down: a broker that may lead, join an ISR, and hold new replicas (Kafka's isActive). */
  isActive(broker: NodeId): boolean {
    const b = this.brokers.get(broker);
    return b !== undefined && !b.fenced && b.inControlledShutdown !== true;
  }

  unfencedBrokers(): NodeId[] {
    return [...this.brokers.values()]
      .filter((b) => !b.fenced)
      .map((b) => b.brokerId)
      .sort(compareIds);
  }

  /**
   * A digest of everything the image holds (brokers with their registrations, the next producer id, ACLs, SCRAM
   * credentials, topic names and ids, configs, partitions with replicas, ISR, leader, epochs and recovery state),
   * hashed over a canonical form: brokers by id, ACLs by id, credentials by user and mechanism, topics by id,
   * names by name, config keys sorted, partitions by index. Two images with the same digest hold the same metadata, however each was built (records
   * applied one by one or a snapshot loaded); image-agreement compares them across nodes.
   */
  digest(): string {
    const parts: string[] = [];
    for (const id of [...this.brokers.keys()].sort()) {
      const b = this.brokers.get(id)!;
      const listeners = (b.listeners ?? []).map((l) => [l.name, l.host, l.port, l.securityProtocol]);
      const entry: unknown[] = ['B', b.brokerId, b.brokerEpoch, b.incarnationId, b.fenced, listeners];
      if (b.inControlledShutdown === true) entry.push('shutting-down');
      parts.push(JSON.stringify(entry));
    }
    parts.push(JSON.stringify(['I', this.nextProducerId]));
    for (const name of [...this.idsByName.keys()].sort()) parts.push(JSON.stringify(['N', name, this.idsByName.get(name)]));
    for (const id of [...this.aclsById.keys()].sort()) {
      const a = this.aclsById.get(id)!;
      parts.push(JSON.stringify(['A', id, a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission]));
    }
    for (const c of this.scramSnapshot().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.mechanism - b.mechanism))) {
      parts.push(JSON.stringify(['S', c.name, c.mechanism, c.salt, c.storedKey, c.serverKey, c.iterations]));
    }
    for (const id of [...this.topics.keys()].sort()) {
      const t = this.topics.get(id)!;
      const config = Object.keys(t.config)
        .sort()
        .map((k) => [k, t.config[k]]);
      parts.push(JSON.stringify(['T', id, t.name, t.topicId, t.partitions.length, config]));
      for (let i = 0; i < t.partitions.length; i++) {
        const p = t.partitions[i];
        parts.push(
          p === undefined
            ? JSON.stringify(['P', i])
            : JSON.stringify(['P', i, p.topic, p.topicId, p.partition, p.replicas, p.isr, p.leader, p.leaderEpoch, p.partitionEpoch, p.leaderRecoveryState]),
        );
      }
    }
    return hashString(parts.join('\n')).toString(36);
  }

  clone(): MetadataImage {
    return MetadataImage.fromSnapshot(this.toSnapshot(), this.bugs);
  }

  toSnapshot(): unknown {
    const snapshot: ImageSnapshot = {
      brokers: [...this.brokers.values()].map(copyBroker),
      topics: [...this.topics.values()].map((t) => ({ ...t, config: { ...t.config }, partitions: t.partitions.map(copyPartition) })),
    };
    if (this.nextProducerId > 0) snapshot.nextProducerId = this.nextProducerId;
    if (this.aclsById.size > 0) snapshot.acls = [...this.aclsById.values()].map((a) => ({ ...a }));
    if (this.scram.size > 0) snapshot.scramCredentials = this.scramSnapshot();
    return snapshot;
  }

  private scramSnapshot(): SnapshotScramCredential[] {
    return [...this.scram.entries()].flatMap(([name, creds]) =>
      [...creds.entries()].map(([mechanism, c]) => ({
        name,
        mechanism,
        salt: toHex(c.salt),
        storedKey: toHex(c.storedKey),
        serverKey: toHex(c.serverKey),
        iterations: c.iterations,
      })),
    );
  }

  static fromSnapshot(state: unknown, bugs: ReadonlySet<ControllerBug> = new Set()): MetadataImage {
    const snapshot = state as ImageSnapshot;
    const image = new MetadataImage(bugs);
    for (const b of snapshot.brokers) image.brokers.set(b.brokerId, copyBroker(b));
    image.nextProducerId = snapshot.nextProducerId ?? 0;
    for (const a of snapshot.acls ?? []) image.aclsById.set(a.id, { ...a });
    for (const c of snapshot.scramCredentials ?? []) {
      image.apply({
        type: 'UserScramCredentialRecord',
        name: c.name,
        mechanism: c.mechanism,
        salt: fromHex(c.salt),
        storedKey: fromHex(c.storedKey),
        serverKey: fromHex(c.serverKey),
        iterations: c.iterations,
      });
    }
    for (const t of snapshot.topics) {
      image.topics.set(t.topicId, { ...t, config: { ...t.config }, partitions: t.partitions.map(copyPartition) });
      image.idsByName.set(t.name, t.topicId);
    }
    return image;
  }

  private applyPartition(record: PartitionRecord, changed: (p: PartitionState) => void): void {
    const topic = this.topics.get(record.topicId);
    if (topic === undefined) return;
    const state: PartitionState = {
      topic: topic.name,
      topicId: record.topicId,
      partition: record.partitionId,
      replicas: [...record.replicas],
      isr: [...record.isr],
      leader: record.leader,
      leaderEpoch: record.leaderEpoch,
      partitionEpoch: record.partitionEpoch,
      leaderRecoveryState: record.leaderRecoveryState,
    };
    topic.partitions[record.partitionId] = state;
    changed(state);
  }

  private applyPartitionChange(record: PartitionChangeRecord, changed: (p: PartitionState) => void): void {
    const state = this.topics.get(record.topicId)?.partitions[record.partitionId];
    if (state === undefined) return;
    if (record.isr !== undefined) state.isr = [...record.isr];
    if (record.leader !== undefined && record.leader !== state.leader) {
      state.leader = record.leader;
      if (!this.bugs.has('controller-reuses-leader-epoch')) state.leaderEpoch++;
    }
    if (record.leaderRecoveryState !== undefined) state.leaderRecoveryState = record.leaderRecoveryState;
    state.partitionEpoch++;
    changed(state);
  }
}

/** A registration of its own, its listeners included only when there are some. */
function copyBroker(b: BrokerRegistration): BrokerRegistration {
  const { listeners, ...rest } = b;
  return listeners === undefined || listeners.length === 0 ? rest : { ...rest, listeners: listeners.map((l) => ({ ...l })) };
}

function copyPartition(p: PartitionState): PartitionState {
  return { ...p, replicas: [...p.replicas], isr: [...p.isr] };
}

/** Orders node ids like b2 < b10 (by their number), then by name. */
export function compareIds(a: NodeId, b: NodeId): number {
  const na = Number(a.replace(/^\D+/, ''));
  const nb = Number(b.replace(/^\D+/, ''));
  return na !== nb && Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}
