// The converters by API: which one reads a wire request (Fetch splits into the KRaft quorum's fetch of
// __cluster_metadata and data fetches), which one writes a core message, and the versions each listener
// advertises in ApiVersions (clients see the data, admin and security admin APIs, controllers the quorum's).

import type { ApiConverter, ServedVersions, WireStruct } from './converter.ts';
import { createAclsConverter, deleteAclsConverter, describeAclsConverter } from './acl-apis.ts';
import { allocateProducerIdsConverter } from './allocate-producer-ids.ts';
import { alterUserScramCredentialsConverter, describeUserScramCredentialsConverter } from './scram-credential-apis.ts';
import { alterPartitionConverter } from './alter-partition.ts';
import { beginQuorumEpochConverter } from './begin-quorum-epoch.ts';
import { brokerHeartbeatConverter } from './broker-heartbeat.ts';
import { brokerRegistrationConverter } from './broker-registration.ts';
import { createPartitionsConverter } from './create-partitions.ts';
import { incrementalAlterConfigsConverter } from './incremental-alter-configs.ts';
import { createTopicsConverter } from './create-topics.ts';
import { deleteRecordsConverter } from './delete-records.ts';
import { deleteTopicsConverter } from './delete-topics.ts';
import { describeConfigsConverter } from './describe-configs.ts';
import { endQuorumEpochConverter } from './end-quorum-epoch.ts';
import { fetchSnapshotConverter } from './fetch-snapshot.ts';
import { dataFetchConverter } from './fetch.ts';
import {
  deleteGroupsConverter,
  describeGroupsConverter,
  findCoordinatorConverter,
  GROUP_CONVERTERS,
  heartbeatConverter,
  joinGroupConverter,
  leaveGroupConverter,
  listGroupsConverter,
  offsetCommitConverter,
  offsetFetchConverter,
  syncGroupConverter,
} from './group-apis.ts';
import { initProducerIdConverter } from './init-producer-id.ts';
import { writeTxnMarkersConverter } from './write-txn-markers.ts';
import { listOffsetsConverter } from './list-offsets.ts';
import { metadataConverter } from './metadata.ts';
import { offsetForLeaderEpochConverter } from './offset-for-leader-epoch.ts';
import { produceConverter } from './produce.ts';
import {
  addOffsetsToTxnConverter,
  addPartitionsToTxnConverter,
  describeTransactionsConverter,
  endTxnConverter,
  listTransactionsConverter,
  TXN_COORDINATOR_CONVERTERS,
} from './txn-apis.ts';
import { METADATA_TOPIC, METADATA_TOPIC_ID, quorumFetchConverter } from './quorum-fetch.ts';
import { txnOffsetCommitConverter } from './txn-offset-commit.ts';
import { voteConverter } from './vote.ts';

/** A converter of any API (its methods take the API's own core messages). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConverter = ApiConverter<any, any>;

/** The core's messages as far as routing needs them. */
export interface CoreMessageKey {
  api: string;
  topic?: string;
}

const FETCH_KEY = 1;

/** Every converter but Fetch's, by the core's API name. */
const BY_CORE_API: ReadonlyMap<string, AnyConverter> = new Map<string, AnyConverter>([
  ['Produce', produceConverter],
  ['ListOffsets', listOffsetsConverter],
  ['Metadata', metadataConverter],
  ['OffsetForLeaderEpoch', offsetForLeaderEpochConverter],
  ['InitProducerId', initProducerIdConverter],
  ['WriteTxnMarkers', writeTxnMarkersConverter],
  ['CreateTopics', createTopicsConverter],
  ['DeleteTopics', deleteTopicsConverter],
  ['DescribeConfigs', describeConfigsConverter],
  ['DeleteRecords', deleteRecordsConverter],
  ['CreatePartitions', createPartitionsConverter],
  ['IncrementalAlterConfigs', incrementalAlterConfigsConverter],
  ['Vote', voteConverter],
  ['BeginQuorumEpoch', beginQuorumEpochConverter],
  ['EndQuorumEpoch', endQuorumEpochConverter],
  ['FetchSnapshot', fetchSnapshotConverter],
  ['BrokerRegistration', brokerRegistrationConverter],
  ['BrokerHeartbeat', brokerHeartbeatConverter],
  ['AlterPartition', alterPartitionConverter],
  ['AllocateProducerIds', allocateProducerIdsConverter],
  ['FindCoordinator', findCoordinatorConverter],
  ['JoinGroup', joinGroupConverter],
  ['SyncGroup', syncGroupConverter],
  ['Heartbeat', heartbeatConverter],
  ['LeaveGroup', leaveGroupConverter],
  ['OffsetCommit', offsetCommitConverter],
  ['OffsetFetch', offsetFetchConverter],
  ['ListGroups', listGroupsConverter],
  ['DescribeGroups', describeGroupsConverter],
  ['DeleteGroups', deleteGroupsConverter],
  ['TxnOffsetCommit', txnOffsetCommitConverter],
  ['AddPartitionsToTxn', addPartitionsToTxnConverter],
  ['AddOffsetsToTxn', addOffsetsToTxnConverter],
  ['EndTxn', endTxnConverter],
  ['DescribeTransactions', describeTransactionsConverter],
  ['ListTransactions', listTransactionsConverter],
  ['DescribeAcls', describeAclsConverter],
  ['CreateAcls', createAclsConverter],
  ['DeleteAcls', deleteAclsConverter],
  ['DescribeUserScramCredentials', describeUserScramCredentialsConverter],
  ['AlterUserScramCredentials', alterUserScramCredentialsConverter],
]);

const BY_KEY: ReadonlyMap<number, AnyConverter> = new Map([...BY_CORE_API.values()].map((c) => [c.apiKey, c]));

/** The converter that writes a core message (request or response) on the wire. */
export function converterForMessage(msg: CoreMessageKey): AnyConverter | undefined {
  if (msg.api === 'Fetch') return msg.topic === METADATA_TOPIC ? quorumFetchConverter : dataFetchConverter;
  return BY_CORE_API.get(msg.api);
}

/** Whether a Fetch request body reads the KRaft quorum's partition rather than data partitions. */
function isQuorumFetch(body: WireStruct): boolean {
  const topics = body.topics as Array<{ topic?: string; topicId?: string }> | undefined;
  const first = topics?.[0];
  return first !== undefined && (first.topic === METADATA_TOPIC || first.topicId === METADATA_TOPIC_ID);
}

/** What reads a wire request of `apiKey`: its converter, or nothing (an unknown key). */
export function converterForRequest(apiKey: number, body: WireStruct): AnyConverter | undefined {
  if (apiKey === FETCH_KEY) return isQuorumFetch(body) ? quorumFetchConverter : dataFetchConverter;
  return BY_KEY.get(apiKey);
}

/** The versions a server reads of an API: the advertised range and the internal version peers send. */
export function readableVersions(api: AnyConverter): ServedVersions {
  const internal = api.internalVersion ?? api.served.max;
  return { min: api.served.min, max: Math.max(api.served.max, internal) };
}

/** ApiVersions' own range. */
export const API_VERSIONS_SERVED: ServedVersions = { min: 0, max: 3 };
const API_VERSIONS_ENTRY = { apiKey: 18, served: API_VERSIONS_SERVED };

/** What a client listener advertises: the data, admin and group APIs. */
export const CLIENT_LISTENER_APIS: ReadonlyArray<{ apiKey: number; served: ServedVersions }> = [
  produceConverter,
  dataFetchConverter,
  listOffsetsConverter,
  metadataConverter,
  offsetForLeaderEpochConverter,
  initProducerIdConverter,
  writeTxnMarkersConverter,
  createTopicsConverter,
  deleteTopicsConverter,
  deleteRecordsConverter,
  describeConfigsConverter,
  createPartitionsConverter,
  incrementalAlterConfigsConverter,
  ...GROUP_CONVERTERS,
  txnOffsetCommitConverter,
  ...TXN_COORDINATOR_CONVERTERS,
  describeAclsConverter,
  createAclsConverter,
  deleteAclsConverter,
  describeUserScramCredentialsConverter,
  alterUserScramCredentialsConverter,
  API_VERSIONS_ENTRY,
].sort((a, b) => a.apiKey - b.apiKey);

/** What a controller listener advertises: the quorum's and the brokers' requests to the controller. */
export const CONTROLLER_LISTENER_APIS: ReadonlyArray<{ apiKey: number; served: ServedVersions }> = [
  voteConverter,
  beginQuorumEpochConverter,
  endQuorumEpochConverter,
  { apiKey: FETCH_KEY, served: quorumFetchConverter.served },
  fetchSnapshotConverter,
  brokerRegistrationConverter,
  brokerHeartbeatConverter,
  alterPartitionConverter,
  allocateProducerIdsConverter,
  createTopicsConverter,
  deleteTopicsConverter,
  createPartitionsConverter,
  incrementalAlterConfigsConverter,
  API_VERSIONS_ENTRY,
].sort((a, b) => a.apiKey - b.apiKey);
