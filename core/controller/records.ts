// Cluster metadata records as KRaft writes them to __cluster_metadata (the metadata record
// schemas of apache/kafka: RegisterBrokerRecord, FenceBrokerRecord, TopicRecord, PartitionRecord,
// PartitionChangeRecord, ...), with Kafka's field names. A leader of null is Kafka's -1.

import type { NodeId } from '../env.ts';
import type { BrokerListener } from '../protocol/controller.ts';
import type { ScramMechanismCode } from '../protocol/security.ts';
import type { StoredAcl } from '../security/acl.ts';

/** LeaderRecoveryState (KIP-704): 1 while a partition recovers from an unclean election. */
export type LeaderRecoveryState = 0 | 1;

export interface RegisterBrokerRecord {
  type: 'RegisterBrokerRecord';
  brokerId: NodeId;
  /** The broker epoch: the offset of this record in the metadata log. */
  brokerEpoch: number;
  incarnationId: string;
  fenced: boolean;
  /** The broker's advertised listeners (Kafka's endPoints); absent when it advertised none. */
  listeners?: BrokerListener[];
}

export interface FenceBrokerRecord {
  type: 'FenceBrokerRecord';
  id: NodeId;
  epoch: number;
}

export interface UnfenceBrokerRecord {
  type: 'UnfenceBrokerRecord';
  id: NodeId;
  epoch: number;
}

/**
 * A change to a broker's registration (Kafka's BrokerRegistrationChangeRecord): here only its
 * InControlledShutdown flag, set when the broker asks to shut down (wantShutDown) and cleared by
 * its next registration.
 */
export interface BrokerRegistrationChangeRecord {
  type: 'BrokerRegistrationChangeRecord';
  brokerId: NodeId;
  brokerEpoch: number;
  inControlledShutdown: true;
}

export interface TopicRecord {
  type: 'TopicRecord';
  name: string;
  topicId: string;
}

export interface PartitionRecord {
  type: 'PartitionRecord';
  partitionId: number;
  topicId: string;
  replicas: NodeId[];
  isr: NodeId[];
  leader: NodeId | null;
  leaderRecoveryState: LeaderRecoveryState;
  leaderEpoch: number;
  partitionEpoch: number;
}

/** A change to a partition; absent fields are unchanged (Kafka's null ISR / leader -2). */
export interface PartitionChangeRecord {
  type: 'PartitionChangeRecord';
  partitionId: number;
  topicId: string;
  isr?: NodeId[];
  leader?: NodeId | null;
  leaderRecoveryState?: LeaderRecoveryState;
}

export interface RemoveTopicRecord {
  type: 'RemoveTopicRecord';
  topicId: string;
}

/** ConfigResource types: 2 = topic, 4 = broker. A null value deletes the key. */
export interface ConfigRecord {
  type: 'ConfigRecord';
  resourceType: 2 | 4;
  resourceName: string;
  name: string;
  value: string | null;
}

/** The controller handed producer ids below `nextProducerId` to broker `brokerId` (KIP-730). */
export interface ProducerIdsRecord {
  type: 'ProducerIdsRecord';
  brokerId: NodeId;
  brokerEpoch: number;
  nextProducerId: number;
}

/** An ACL (Kafka's AccessControlEntryRecord): `id` is the Uuid RemoveAccessControlEntryRecord names. */
export interface AccessControlEntryRecord extends StoredAcl {
  type: 'AccessControlEntryRecord';
}

export interface RemoveAccessControlEntryRecord {
  type: 'RemoveAccessControlEntryRecord';
  id: string;
}

/** A user's SCRAM credential for one mechanism: only what a server needs to verify a proof (never the password). */
export interface UserScramCredentialRecord {
  type: 'UserScramCredentialRecord';
  name: string;
  mechanism: ScramMechanismCode;
  salt: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
  iterations: number;
}

export interface RemoveUserScramCredentialRecord {
  type: 'RemoveUserScramCredentialRecord';
  name: string;
  mechanism: ScramMechanismCode;
}

export interface NoOpRecord {
  type: 'NoOpRecord';
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | BrokerRegistrationChangeRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RemoveTopicRecord
  | ConfigRecord
  | ProducerIdsRecord
  | AccessControlEntryRecord
  | RemoveAccessControlEntryRecord
  | UserScramCredentialRecord
  | RemoveUserScramCredentialRecord
  | NoOpRecord;
