// Samsa's admin client for any Kafka cluster (what Kafka's Admin is to the Java client): cluster and topic
// metadata, ListOffsets, and the core AdminClient's topic and config operations and DeleteRecords on the real runtime, plus the
// consumer-group and transaction reads (FindCoordinator, ListGroups, DescribeGroups, OffsetFetch, OffsetCommit,
// ListTransactions, DescribeTransactions) spoken as wire requests.

import type { NodeId } from '../core/env.ts';
import {
  AdminClient,
  type AdminMessage,
  type AlterConfigsResource,
  type AlterConfigsResult,
  type DeletedRecords,
  type DescribeConfigsOptions,
  type RecordsToDelete,
  type TopicResult,
} from '../core/client/admin.ts';
import type { CreatableTopic, CreatePartitionsTopic } from '../core/protocol/controller.ts';
import type { DescribeConfigsResource, DescribeConfigsResult, ListOffsetsRequest, ListOffsetsResponse, MetadataResponse } from '../core/protocol/data.ts';
import { ErrorCode } from '../core/protocol/errors.ts';
import type {
  AlterUserScramCredentialsResponse,
  CreateAclsResponse,
  DeleteAclsFilterResult,
  DeleteAclsResponse,
  DescribeAclsResponse,
  DescribeUserScramCredentialsResponse,
  ScramCredentialUpsertion,
  ScramMechanismCode,
  SecurityRequest,
} from '../core/protocol/security.ts';
import type { AclBinding, AclBindingFilter } from '../core/security/acl.ts';
import type { WireStruct } from '../core/wire/convert/converter.ts';
import { ConnectionLostError, UnsupportedApiError, type WireAnswer, type WireCall } from './broker-connection.ts';
import { BrokerPool } from './broker-pool.ts';
import { ClientRuntime } from './client-runtime.ts';
import { KafkaError, sleep, withDeadline } from './kafka-error.ts';
import type { Address } from './node-runtime.ts';
import type { ClientSecurity } from './outbound-connection.ts';

const FIND_COORDINATOR = 10;
const LIST_GROUPS = 16;
const DESCRIBE_GROUPS = 15;
const OFFSET_FETCH = 9;
const OFFSET_COMMIT = 8;
/** FindCoordinator v4 names its keys in a list (KIP-699). */
const BATCHED_FIND_COORDINATOR = 4;
/** Group errors that mean: find the coordinator again and retry. */
const COORDINATOR_MOVING: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);
const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const DESCRIBE_TRANSACTIONS = 65;
const LIST_TRANSACTIONS = 66;

export interface AdminOptions {
  clientId?: string;
  /** How long one call may take, retries included (Kafka's default.api.timeout.ms). */
  timeoutMs?: number;
  /** TLS and SASL for a cluster's secure listeners (net/client-properties.ts reads them from a client properties file). */
  security?: ClientSecurity;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** The state when the broker reports it (ListGroups v4+), else null. */
  state: string | null;
  coordinator: NodeId;
}

export interface GroupDescription {
  groupId: string;
  errorCode: number;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string }>;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

export interface PartitionOffset {
  partition: number;
  offset: number;
  timestamp: number;
}

/** A coordinator as FindCoordinator names it. */
interface Coordinator {
  id: NodeId;
  address: Address;
}

export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  state: string;
  coordinator: NodeId;
}

export interface TransactionDescription {
  transactionalId: string;
  coordinator: NodeId;
  state: string;
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** -1 when no transaction is ongoing. */
  transactionStartTimeMs: number;
  partitions: Array<{ topic: string; partition: number }>;
}

export class KafkaAdmin {
  readonly pool: BrokerPool;
  private readonly timeoutMs: number;
  private admin: ClientRuntime<AdminMessage, AdminClient> | null = null;
  /** Why the last request failed, for the message of a call that then timed out. */
  private lastProblem: string | null = null;
  private readonly failures = new Set<(err: Error) => void>();

  constructor(bootstrap: readonly Address[], options: AdminOptions = {}) {
    this.pool = new BrokerPool(bootstrap, options.clientId ?? 'samsa-admin', options.security);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /**
   * The cluster's metadata for `topics` (null: every topic), asked of the bootstrap servers and known brokers
   * in turn until one answers. With `allowAutoTopicCreation`, a missing topic may be created (as a producer asks).
   */
  async metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    return this.deadline('Metadata', async (alive) => {
      while (alive()) {
        for (const to of this.candidates()) {
          try {
            const request = { api: 'Metadata', kind: 'request', correlationId: this.pool.takeCorrelationId(), topics, allowAutoTopicCreation } as const;
            const answer = await this.pool.call<MetadataResponse>(to, request);
            if (answer !== null) return answer;
          } catch (err) {
            this.noteProblem(err as Error);
          }
        }
        await sleep(200);
      }
      throw new Error('Metadata: gave up');
    });
  }

  /** Creates topics (-1 partitions or replication factor: the broker's default). */
  createTopics(topics: CreatableTopic[]): Promise<TopicResult[]> {
    return this.adminCall('CreateTopics', (admin, env, done) => admin.createTopics(env, topics, done));
  }

  deleteTopics(names: string[]): Promise<TopicResult[]> {
    return this.adminCall('DeleteTopics', (admin, env, done) => admin.deleteTopics(env, names, done));
  }

  /** Grows topics to the given partition counts. */
  createPartitions(topics: CreatePartitionsTopic[]): Promise<TopicResult[]> {
    return this.adminCall('CreatePartitions', (admin, env, done) => admin.createPartitions(env, topics, done));
  }

  /** Alters configs (IncrementalAlterConfigs) at the active controller; one result per resource. */
  incrementalAlterConfigs(resources: AlterConfigsResource[], options: { validateOnly?: boolean } = {}): Promise<AlterConfigsResult[]> {
    return this.adminCall('IncrementalAlterConfigs', (admin, env, done) => admin.incrementalAlterConfigs(env, resources, options, done));
  }

  describeConfigs(resources: DescribeConfigsResource[], options: DescribeConfigsOptions = {}): Promise<DescribeConfigsResult[]> {
    return this.adminCall('DescribeConfigs', (admin, env, done) => admin.describeConfigs(env, resources, options, done));
  }

  /**
   * Deletes each partition's records below its offset (-1: the high watermark), asked of each
   * partition's leader; per partition, the low watermark once every replica got there, or an error.
   */
  deleteRecords(partitions: RecordsToDelete[]): Promise<DeletedRecords[]> {
    return this.adminCall('DeleteRecords', (admin, env, done) => admin.deleteRecords(env, partitions, done));
  }

  /**
   * The offset per partition for `timestamp` (-2 earliest, -1 latest, else the first record at or after it;
   * offset -1 when there is none), asked of each partition's leader; latest is the last stable offset with
   * isolation level 1 (read_committed), the high watermark with 0.
   */
  async listOffsets(topic: string, timestamp: number, partitions: number[] | null = null, isolationLevel: 0 | 1 = 0): Promise<PartitionOffset[]> {
    const metadata = await this.metadata([topic]);
    const t = metadata.topics.find((x) => x.name === topic);
    if (t === undefined || t.errorCode !== ErrorCode.NONE) throw new KafkaError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}`);
    const wanted = t.partitions.filter((p) => partitions === null || partitions.includes(p.partitionIndex));
    const byLeader = new Map<NodeId, number[]>();
    for (const p of wanted) {
      if (p.leaderId === null) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${topic}/${p.partitionIndex}`);
      byLeader.set(p.leaderId, [...(byLeader.get(p.leaderId) ?? []), p.partitionIndex]);
    }
    const answers = await Promise.all(
      [...byLeader].map(([leader, ps]) =>
        this.deadline('ListOffsets', () =>
          this.pool.call<ListOffsetsResponse, ListOffsetsRequest>(leader, {
            api: 'ListOffsets',
            kind: 'request',
            correlationId: this.pool.takeCorrelationId(),
            replicaId: null,
            isolationLevel,
            topics: [{ name: topic, partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) }],
          }),
        ),
      ),
    );
    const out: PartitionOffset[] = [];
    for (const answer of answers) {
      for (const p of answer?.topics.flatMap((x) => x.partitions) ?? []) {
        if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `ListOffsets ${topic}/${p.partitionIndex}`);
        out.push({ partition: p.partitionIndex, offset: p.offset, timestamp: p.timestamp });
      }
    }
    return out.sort((a, b) => a.partition - b.partition);
  }

  /** The coordinator of a group or (keyType 1) a transactional id (FindCoordinator), retried while the cluster says it is not available yet. */
  async findCoordinator(key: string, keyType: 0 | 1 = GROUP_KEY_TYPE): Promise<Coordinator> {
    const what = `FindCoordinator for ${keyType === GROUP_KEY_TYPE ? 'group' : 'transactional id'} ${key}`;
    return this.deadline(what, async (alive) => {
      while (alive()) {
        const to = this.candidates()[0]!;
        let answer;
        try {
          answer = await this.pool.request(to, {
            apiKey: FIND_COORDINATOR,
            versions: { min: 0, max: BATCHED_FIND_COORDINATOR },
            body: (v) => (v >= BATCHED_FIND_COORDINATOR ? { keyType, coordinatorKeys: [key] } : { key, keyType }),
          });
        } catch (err) {
          if (err instanceof UnsupportedApiError) throw err;
          this.noteProblem(err as Error);
          await sleep(200);
          continue;
        }
        const body = answer!.version >= BATCHED_FIND_COORDINATOR ? (answer!.body['coordinators'] as WireStruct[])[0]! : answer!.body;
        const code = body['errorCode'] as number;
        if (code === ErrorCode.NONE) {
          const coordinator = { id: String(body['nodeId']), address: { host: body['host'] as string, port: body['port'] as number } };
          this.pool.learnBroker(coordinator.id, coordinator.address);
          return coordinator;
        }
        if (code !== ErrorCode.COORDINATOR_NOT_AVAILABLE && code !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
          throw new KafkaError(code, what, (body['errorMessage'] as string | null) ?? null);
        }
        this.lastProblem = new KafkaError(code, what).message;
        await sleep(200);
      }
      throw new Error('FindCoordinator: gave up');
    });
  }

  /** Every group the brokers coordinate (ListGroups to each broker). */
  async listGroups(): Promise<GroupListing[]> {
    const metadata = await this.metadata([]);
    const lists = await Promise.all(
      metadata.brokers.map(async (b) => {
        const answer = await this.deadline('ListGroups', () =>
          this.pool.request(b.nodeId, { apiKey: LIST_GROUPS, versions: { min: 0, max: 4 }, body: () => ({ statesFilter: [] }) }),
        );
        const code = answer!.body['errorCode'] as number;
        if (code !== ErrorCode.NONE) throw new KafkaError(code, `ListGroups on broker ${b.nodeId}`);
        return (answer!.body['groups'] as WireStruct[]).map((g) => ({
          groupId: g['groupId'] as string,
          protocolType: g['protocolType'] as string,
          state: answer!.version >= 4 ? (g['groupState'] as string) : null,
          coordinator: b.nodeId,
        }));
      }),
    );
    return lists.flat().sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  /** Every transaction the coordinators know (ListTransactions to each broker), optionally only those in `states`. */
  async listTransactions(states: string[] = []): Promise<TransactionListing[]> {
    const metadata = await this.metadata([]);
    const lists = await Promise.all(
      metadata.brokers.map(async (b) => {
        const answer = await this.deadline('ListTransactions', () =>
          this.pool.request(b.nodeId, {
            apiKey: LIST_TRANSACTIONS,
            versions: { min: 0, max: 1 },
            body: () => ({ stateFilters: states, producerIdFilters: [] }),
          }),
        );
        const code = answer!.body['errorCode'] as number;
        if (code !== ErrorCode.NONE) throw new KafkaError(code, `ListTransactions on broker ${b.nodeId}`);
        return (answer!.body['transactionStates'] as WireStruct[]).map((t) => ({
          transactionalId: t['transactionalId'] as string,
          producerId: Number(t['producerId']),
          state: t['transactionState'] as string,
          coordinator: b.nodeId,
        }));
      }),
    );
    return lists.flat().sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
  }

  /** A transaction's state at its coordinator (FindCoordinator for the transactional id, then DescribeTransactions). */
  async describeTransaction(transactionalId: string): Promise<TransactionDescription> {
    const answer = await this.deadline(`DescribeTransactions ${transactionalId}`, async (alive) => {
      for (;;) {
        const coordinator = await this.findCoordinator(transactionalId, TRANSACTION_KEY_TYPE);
        const reply = (await this.pool.request(coordinator.id, {
          apiKey: DESCRIBE_TRANSACTIONS,
          versions: { min: 0, max: 0 },
          body: () => ({ transactionalIds: [transactionalId] }),
        }))!;
        const code = (reply.body['transactionStates'] as WireStruct[])[0]!['errorCode'] as number;
        if (!COORDINATOR_MOVING.has(code) || !alive()) return { reply, coordinator: coordinator.id };
        this.lastProblem = new KafkaError(code, `DescribeTransactions ${transactionalId}`).message;
        await sleep(200);
      }
    });
    const t = (answer.reply.body['transactionStates'] as WireStruct[])[0]!;
    const code = t['errorCode'] as number;
    if (code !== ErrorCode.NONE) throw new KafkaError(code, `DescribeTransactions ${transactionalId}`);
    return {
      transactionalId,
      coordinator: answer.coordinator,
      state: t['transactionState'] as string,
      producerId: Number(t['producerId']),
      producerEpoch: t['producerEpoch'] as number,
      transactionTimeoutMs: t['transactionTimeoutMs'] as number,
      transactionStartTimeMs: Number(t['transactionStartTimeMs']),
      partitions: (t['topics'] as WireStruct[]).flatMap((x) => (x['partitions'] as number[]).map((p) => ({ topic: x['topic'] as string, partition: p }))),
    };
  }

  /** The state and members of a group, from its coordinator. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    const answer = await this.coordinatorCall(
      groupId,
      'DescribeGroups',
      { apiKey: DESCRIBE_GROUPS, versions: { min: 0, max: 5 }, body: () => ({ groups: [groupId] }) },
      (body) => (body['groups'] as WireStruct[])[0]!['errorCode'] as number,
    );
    const g = (answer.body['groups'] as WireStruct[])[0]!;
    const code = g['errorCode'] as number;
    if (code !== ErrorCode.NONE) throw new KafkaError(code, `DescribeGroups ${groupId}`);
    return {
      groupId,
      errorCode: code,
      state: g['groupState'] as string,
      protocolType: g['protocolType'] as string,
      protocol: g['protocolData'] as string,
      members: (g['members'] as WireStruct[]).map((m) => ({
        memberId: m['memberId'] as string,
        groupInstanceId: (m['groupInstanceId'] as string | null) ?? null,
        clientId: m['clientId'] as string,
        clientHost: m['clientHost'] as string,
      })),
    };
  }

  /** The group's committed offsets (OffsetFetch; `topics` null: every topic it committed). */
  async committedOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null = null): Promise<CommittedOffset[]> {
    const answer = await this.coordinatorCall(
      groupId,
      'OffsetFetch',
      {
        apiKey: OFFSET_FETCH,
        versions: { min: 1, max: 7 },
        body: () => ({ groupId, topics: topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitions })) ?? null, requireStable: false }),
      },
      (body) => (body['errorCode'] as number | undefined) ?? ErrorCode.NONE,
    );
    const body = answer.body;
    const code = (body['errorCode'] as number | undefined) ?? ErrorCode.NONE;
    if (code !== ErrorCode.NONE) throw new KafkaError(code, `OffsetFetch for group ${groupId}`);
    const out: CommittedOffset[] = [];
    for (const t of body['topics'] as WireStruct[]) {
      for (const p of t['partitions'] as WireStruct[]) {
        const pc = p['errorCode'] as number;
        if (pc !== ErrorCode.NONE) throw new KafkaError(pc, `OffsetFetch ${t['name'] as string}/${p['partitionIndex'] as number} for group ${groupId}`);
        out.push({
          topic: t['name'] as string,
          partition: p['partitionIndex'] as number,
          offset: p['committedOffset'] as number,
          metadata: (p['metadata'] as string | null) ?? null,
        });
      }
    }
    return out;
  }

  /**
   * Commits offsets for `groupId` outside any generation (generation -1, no member id): what Kafka accepts from
   * a consumer that assigns its partitions itself, while the group has no members.
   */
  async commitOffsets(groupId: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
      name,
      partitions: offsets
        .filter((o) => o.topic === name)
        .map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' })),
    }));
    const answer = await this.coordinatorCall(
      groupId,
      'OffsetCommit',
      {
        apiKey: OFFSET_COMMIT,
        versions: { min: 2, max: 8 },
        body: () => ({ groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics }),
      },
      (body) =>
        (body['topics'] as WireStruct[])
          .flatMap((t) => (t['partitions'] as WireStruct[]).map((p) => p['errorCode'] as number))
          .find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE,
    );
    for (const t of answer.body['topics'] as WireStruct[]) {
      for (const p of t['partitions'] as WireStruct[]) {
        const code = p['errorCode'] as number;
        if (code !== ErrorCode.NONE) throw new KafkaError(code, `OffsetCommit ${t['name'] as string}/${p['partitionIndex'] as number} for group ${groupId}`);
      }
    }
  }

  /** Creates ACLs at the active controller; one result per binding, in order. */
  async createAcls(creations: AclBinding[]): Promise<CreateAclsResponse['results']> {
    const answer = await this.controllerCall<CreateAclsResponse>(
      'CreateAcls',
      (correlationId) => ({ api: 'CreateAcls', kind: 'request', correlationId, creations }),
      (r) => r.results.map((x) => x.errorCode),
    );
    return answer.results;
  }

  /** Deletes the ACLs each filter matches, at the active controller; per filter, what it deleted or its error. */
  async deleteAcls(filters: AclBindingFilter[]): Promise<DeleteAclsFilterResult[]> {
    const answer = await this.controllerCall<DeleteAclsResponse>(
      'DeleteAcls',
      (correlationId) => ({ api: 'DeleteAcls', kind: 'request', correlationId, filters }),
      (r) => r.filterResults.map((x) => x.errorCode),
    );
    return answer.filterResults;
  }

  /** The ACLs `filter` matches, from any broker's metadata; a refusal (SECURITY_DISABLED, CLUSTER_AUTHORIZATION_FAILED) throws KafkaError. */
  async describeAcls(filter: AclBindingFilter): Promise<AclBinding[]> {
    const answer = await this.anyBrokerCall<DescribeAclsResponse>('DescribeAcls', (correlationId) => ({
      api: 'DescribeAcls',
      kind: 'request',
      correlationId,
      filter,
    }));
    if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode, 'DescribeAcls', answer.errorMessage);
    return answer.acls;
  }

  /** The SCRAM credentials (mechanism and iterations, never keys) of `users`, null: of every user that has one. */
  async describeUserScramCredentials(users: string[] | null): Promise<DescribeUserScramCredentialsResponse['results']> {
    const answer = await this.anyBrokerCall<DescribeUserScramCredentialsResponse>('DescribeUserScramCredentials', (correlationId) => ({
      api: 'DescribeUserScramCredentials',
      kind: 'request',
      correlationId,
      users,
    }));
    if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode, 'DescribeUserScramCredentials', answer.errorMessage);
    return answer.results;
  }

  /** Deletes and upserts SCRAM credentials at the active controller; one result per user named. */
  async alterUserScramCredentials(
    deletions: Array<{ name: string; mechanism: ScramMechanismCode }>,
    upsertions: ScramCredentialUpsertion[],
  ): Promise<AlterUserScramCredentialsResponse['results']> {
    const answer = await this.controllerCall<AlterUserScramCredentialsResponse>(
      'AlterUserScramCredentials',
      (correlationId) => ({ api: 'AlterUserScramCredentials', kind: 'request', correlationId, deletions, upsertions }),
      (r) => r.results.map((x) => x.errorCode),
    );
    return answer.results;
  }

  close(): void {
    this.admin?.stop();
    this.pool.close();
  }

  /**
   * Sends a group request to the group's coordinator; while the answer says the coordinator is loading,
   * not available or moved (`errorOf` the answer), finds it again and retries, within the admin's timeout,
   * as Kafka's admin client does.
   */
  private async coordinatorCall(groupId: string, what: string, call: WireCall, errorOf: (body: WireStruct) => number): Promise<WireAnswer> {
    return this.deadline(`${what} for group ${groupId}`, async (alive) => {
      for (;;) {
        const coordinator = await this.findCoordinator(groupId);
        const answer = (await this.pool.request(coordinator.id, call))!;
        const code = errorOf(answer.body);
        if (!COORDINATOR_MOVING.has(code) || !alive()) return answer;
        this.lastProblem = new KafkaError(code, `${what} for group ${groupId}`).message;
        await sleep(200);
      }
    });
  }

  /** A request any broker answers, asked of the known brokers and bootstrap servers in turn until one does. */
  private async anyBrokerCall<Res extends { api: string }>(what: string, request: (correlationId: number) => SecurityRequest): Promise<Res> {
    return this.deadline(what, async (alive) => {
      while (alive()) {
        for (const to of this.candidates()) {
          try {
            const answer = await this.pool.call<Res & { kind: 'response'; correlationId: number }>(to, request(this.pool.takeCorrelationId()));
            if (answer !== null) return answer;
          } catch (err) {
            if (!(err instanceof ConnectionLostError)) throw err;
            this.noteProblem(err);
          }
        }
        await sleep(200);
      }
      throw new Error(`${what}: gave up`);
    });
  }

  /**
   * A request the active controller serves (the metadata log changes): sent to the controller Metadata
   * names, then to every broker in turn while the answer is NOT_CONTROLLER for each of its results
   * (`errorsOf`), within the admin's timeout.
   */
  private async controllerCall<Res extends { api: string }>(
    what: string,
    request: (correlationId: number) => SecurityRequest,
    errorsOf: (response: Res) => number[],
  ): Promise<Res> {
    return this.deadline(what, async (alive) => {
      while (alive()) {
        const metadata = await this.metadata([]);
        const ids = metadata.brokers.map((b) => b.nodeId);
        const order = metadata.controllerId !== null ? [metadata.controllerId, ...ids.filter((id) => id !== metadata.controllerId)] : ids;
        for (const to of order) {
          try {
            const answer = await this.pool.call<Res & { kind: 'response'; correlationId: number }>(to, request(this.pool.takeCorrelationId()));
            if (answer === null) continue;
            const errors = errorsOf(answer);
            if (errors.length > 0 && errors.every((e) => e === ErrorCode.NOT_CONTROLLER)) {
              this.lastProblem = new KafkaError(ErrorCode.NOT_CONTROLLER, `${what} at node ${to}`).message;
              continue;
            }
            return answer;
          } catch (err) {
            if (!(err instanceof ConnectionLostError)) throw err;
            this.noteProblem(err);
          }
        }
        await sleep(200);
      }
      throw new Error(`${what}: gave up`);
    });
  }

  /** Nodes to ask for metadata: the known brokers first, then the bootstrap servers. */
  private candidates(): NodeId[] {
    return [...this.pool.brokers().keys(), ...this.pool.bootstrapIds];
  }

  private noteProblem(err: Error): void {
    this.lastProblem = err.message;
    if (err instanceof UnsupportedApiError) for (const fail of this.failures) fail(err);
  }

  /** Runs `call` within the admin's timeout; `alive` turns false once the time is up, so that retry loops end. */
  private async deadline<T>(what: string, call: (alive: () => boolean) => Promise<T>): Promise<T> {
    let expired = false;
    try {
      return await withDeadline(
        call(() => !expired),
        this.timeoutMs,
        what,
        () => this.lastProblem,
      );
    } finally {
      expired = true;
    }
  }

  /** Runs one of the core AdminClient's operations and resolves with its results. */
  private async adminCall<T>(
    what: string,
    start: (admin: AdminClient, env: ClientRuntime<AdminMessage, AdminClient>['env'], done: (r: T) => void) => void,
  ): Promise<T> {
    const runtime = await this.adminRuntime();
    return withDeadline(
      new Promise<T>((resolve, reject) => {
        const fail = (err: Error) => {
          if (err instanceof UnsupportedApiError) reject(err);
        };
        this.failures.add(fail);
        start(runtime.node, runtime.env, (results) => {
          this.failures.delete(fail);
          resolve(results);
        });
      }),
      this.timeoutMs,
      what,
      () => this.lastProblem,
    );
  }

  /** The core AdminClient on the real runtime, built once the brokers are known (the controllers to try are all of them). */
  private async adminRuntime(): Promise<ClientRuntime<AdminMessage, AdminClient>> {
    if (this.admin !== null) return this.admin;
    const metadata = await this.metadata([]);
    const brokers = metadata.brokers.map((b) => b.nodeId);
    // Every broker may be the controller (or forward to it); the admin client moves on at NOT_CONTROLLER.
    const controllers = brokers;
    if (controllers.length === 0) throw new ConnectionLostError('the cluster named no brokers');
    this.admin = new ClientRuntime<AdminMessage, AdminClient>(
      { id: 'admin', pool: this.pool, onError: (err) => this.noteProblem(err) },
      () => new AdminClient('admin', controllers, { requestTimeoutMs: 30_000, retryBackoffMs: 100, apiTimeoutMs: this.timeoutMs }, brokers),
    );
    return this.admin;
  }
}
