// Every API message the codec speaks, by Kafka's API key: the request and response specs of each
// API, so that a frame's header (api key, version) leads to the spec that reads its body.

import type { MessageSpec } from '../spec.ts';
import { AlterUserScramCredentialsRequestSpec, AlterUserScramCredentialsResponseSpec } from './alter-user-scram-credentials.ts';
import { CreateAclsRequestSpec, CreateAclsResponseSpec } from './create-acls.ts';
import { DeleteAclsRequestSpec, DeleteAclsResponseSpec } from './delete-acls.ts';
import { DescribeAclsRequestSpec, DescribeAclsResponseSpec } from './describe-acls.ts';
import { DescribeUserScramCredentialsRequestSpec, DescribeUserScramCredentialsResponseSpec } from './describe-user-scram-credentials.ts';
import { AddOffsetsToTxnRequestSpec, AddOffsetsToTxnResponseSpec } from './add-offsets-to-txn.ts';
import { AddPartitionsToTxnRequestSpec, AddPartitionsToTxnResponseSpec } from './add-partitions-to-txn.ts';
import { AllocateProducerIdsRequestSpec, AllocateProducerIdsResponseSpec } from './allocate-producer-ids.ts';
import { AlterPartitionRequestSpec, AlterPartitionResponseSpec } from './alter-partition.ts';
import { ApiVersionsRequestSpec, ApiVersionsResponseSpec } from './api-versions.ts';
import { BeginQuorumEpochRequestSpec, BeginQuorumEpochResponseSpec } from './begin-quorum-epoch.ts';
import { BrokerHeartbeatRequestSpec, BrokerHeartbeatResponseSpec } from './broker-heartbeat.ts';
import { BrokerRegistrationRequestSpec, BrokerRegistrationResponseSpec } from './broker-registration.ts';
import { CreatePartitionsRequestSpec, CreatePartitionsResponseSpec } from './create-partitions.ts';
import { IncrementalAlterConfigsRequestSpec, IncrementalAlterConfigsResponseSpec } from './incremental-alter-configs.ts';
import { CreateTopicsRequestSpec, CreateTopicsResponseSpec } from './create-topics.ts';
import { DeleteGroupsRequestSpec, DeleteGroupsResponseSpec } from './delete-groups.ts';
import { DeleteRecordsRequestSpec, DeleteRecordsResponseSpec } from './delete-records.ts';
import { DeleteTopicsRequestSpec, DeleteTopicsResponseSpec } from './delete-topics.ts';
import { DescribeConfigsRequestSpec, DescribeConfigsResponseSpec } from './describe-configs.ts';
import { DescribeGroupsRequestSpec, DescribeGroupsResponseSpec } from './describe-groups.ts';
import { DescribeTransactionsRequestSpec, DescribeTransactionsResponseSpec } from './describe-transactions.ts';
import { EndQuorumEpochRequestSpec, EndQuorumEpochResponseSpec } from './end-quorum-epoch.ts';
import { EndTxnRequestSpec, EndTxnResponseSpec } from './end-txn.ts';
import { FetchSnapshotRequestSpec, FetchSnapshotResponseSpec } from './fetch-snapshot.ts';
import { FetchRequestSpec, FetchResponseSpec } from './fetch.ts';
import { FindCoordinatorRequestSpec, FindCoordinatorResponseSpec } from './find-coordinator.ts';
import { HeartbeatRequestSpec, HeartbeatResponseSpec } from './heartbeat.ts';
import { InitProducerIdRequestSpec, InitProducerIdResponseSpec } from './init-producer-id.ts';
import { WriteTxnMarkersRequestSpec, WriteTxnMarkersResponseSpec } from './write-txn-markers.ts';
import { JoinGroupRequestSpec, JoinGroupResponseSpec } from './join-group.ts';
import { LeaveGroupRequestSpec, LeaveGroupResponseSpec } from './leave-group.ts';
import { ListGroupsRequestSpec, ListGroupsResponseSpec } from './list-groups.ts';
import { ListOffsetsRequestSpec, ListOffsetsResponseSpec } from './list-offsets.ts';
import { ListTransactionsRequestSpec, ListTransactionsResponseSpec } from './list-transactions.ts';
import { MetadataRequestSpec, MetadataResponseSpec } from './metadata.ts';
import { OffsetCommitRequestSpec, OffsetCommitResponseSpec } from './offset-commit.ts';
import { OffsetFetchRequestSpec, OffsetFetchResponseSpec } from './offset-fetch.ts';
import { OffsetForLeaderEpochRequestSpec, OffsetForLeaderEpochResponseSpec } from './offset-for-leader-epoch.ts';
import { ProduceRequestSpec, ProduceResponseSpec } from './produce.ts';
import { SyncGroupRequestSpec, SyncGroupResponseSpec } from './sync-group.ts';
import { TxnOffsetCommitRequestSpec, TxnOffsetCommitResponseSpec } from './txn-offset-commit.ts';
import { VoteRequestSpec, VoteResponseSpec } from './vote.ts';

/** One API: its request and response specs (same key, same versions). */
export interface ApiSpecs {
  apiKey: number;
  /** Kafka's API name, like `Produce`. */
  name: string;
  request: MessageSpec;
  response: MessageSpec;
}

const api = (request: MessageSpec, response: MessageSpec): ApiSpecs => ({
  apiKey: request.apiKey,
  name: request.name.replace(/Request$/, ''),
  request,
  response,
});

/** Every API the codec speaks, in API key order. */
export const API_SPECS: readonly ApiSpecs[] = [
  api(ProduceRequestSpec, ProduceResponseSpec),
  api(FetchRequestSpec, FetchResponseSpec),
  api(ListOffsetsRequestSpec, ListOffsetsResponseSpec),
  api(MetadataRequestSpec, MetadataResponseSpec),
  api(OffsetCommitRequestSpec, OffsetCommitResponseSpec),
  api(OffsetFetchRequestSpec, OffsetFetchResponseSpec),
  api(FindCoordinatorRequestSpec, FindCoordinatorResponseSpec),
  api(JoinGroupRequestSpec, JoinGroupResponseSpec),
  api(HeartbeatRequestSpec, HeartbeatResponseSpec),
  api(LeaveGroupRequestSpec, LeaveGroupResponseSpec),
  api(SyncGroupRequestSpec, SyncGroupResponseSpec),
  api(DescribeGroupsRequestSpec, DescribeGroupsResponseSpec),
  api(ListGroupsRequestSpec, ListGroupsResponseSpec),
  api(ApiVersionsRequestSpec, ApiVersionsResponseSpec),
  api(CreateTopicsRequestSpec, CreateTopicsResponseSpec),
  api(DeleteTopicsRequestSpec, DeleteTopicsResponseSpec),
  api(DeleteRecordsRequestSpec, DeleteRecordsResponseSpec),
  api(InitProducerIdRequestSpec, InitProducerIdResponseSpec),
  api(WriteTxnMarkersRequestSpec, WriteTxnMarkersResponseSpec),
  api(AddPartitionsToTxnRequestSpec, AddPartitionsToTxnResponseSpec),
  api(AddOffsetsToTxnRequestSpec, AddOffsetsToTxnResponseSpec),
  api(EndTxnRequestSpec, EndTxnResponseSpec),
  api(OffsetForLeaderEpochRequestSpec, OffsetForLeaderEpochResponseSpec),
  api(TxnOffsetCommitRequestSpec, TxnOffsetCommitResponseSpec),
  api(DescribeAclsRequestSpec, DescribeAclsResponseSpec),
  api(CreateAclsRequestSpec, CreateAclsResponseSpec),
  api(DeleteAclsRequestSpec, DeleteAclsResponseSpec),
  api(DescribeConfigsRequestSpec, DescribeConfigsResponseSpec),
  api(CreatePartitionsRequestSpec, CreatePartitionsResponseSpec),
  api(IncrementalAlterConfigsRequestSpec, IncrementalAlterConfigsResponseSpec),
  api(DeleteGroupsRequestSpec, DeleteGroupsResponseSpec),
  api(VoteRequestSpec, VoteResponseSpec),
  api(BeginQuorumEpochRequestSpec, BeginQuorumEpochResponseSpec),
  api(EndQuorumEpochRequestSpec, EndQuorumEpochResponseSpec),
  api(AlterPartitionRequestSpec, AlterPartitionResponseSpec),
  api(FetchSnapshotRequestSpec, FetchSnapshotResponseSpec),
  api(BrokerRegistrationRequestSpec, BrokerRegistrationResponseSpec),
  api(BrokerHeartbeatRequestSpec, BrokerHeartbeatResponseSpec),
  api(AllocateProducerIdsRequestSpec, AllocateProducerIdsResponseSpec),
  api(DescribeTransactionsRequestSpec, DescribeTransactionsResponseSpec),
  api(ListTransactionsRequestSpec, ListTransactionsResponseSpec),
  api(DescribeUserScramCredentialsRequestSpec, DescribeUserScramCredentialsResponseSpec),
  api(AlterUserScramCredentialsRequestSpec, AlterUserScramCredentialsResponseSpec),
];

const byKey = new Map(API_SPECS.map((a) => [a.apiKey, a]));

/** The API with this key, or undefined when the codec does not speak it (Kafka answers such a key by closing the connection). */
export function apiSpecs(apiKey: number): ApiSpecs | undefined {
  return byKey.get(apiKey);
}
