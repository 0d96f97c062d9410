// The authorizer in front of a node's request handlers: Kafka's per-API rules (KafkaApis and
// ControllerApis) deciding, before a request reaches its handler, whether the session may make it.
// A request denied as a whole is answered here, in its response's shape; one that names several
// topics, groups or transactional ids goes on with the allowed ones only, and the denied ones are
// merged into the handler's answer (as KafkaApis serves the authorized part and answers the rest
// with TOPIC_AUTHORIZATION_FAILED and its kin). Requests for everything (Metadata for all topics,
// ListGroups, ListTransactions) have their answers filtered to what the session may describe.

import type { MetadataImage } from '../controller/image.ts';
import type { KafkaMessage } from '../node/kafka-node.ts';
import { ConfigResourceType } from '../protocol/data.ts';
import { errorResponse } from '../protocol/error-response.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { CoordinatorType, groupErrorResponse, type OffsetFetchGroupResult, type OffsetFetchRequest } from '../protocol/group.ts';
import type { QuorumRequest } from '../protocol/quorum.ts';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResult, WriteTxnMarkersRequest } from '../protocol/txn.ts';
import { txnCoordinatorErrorResponse, type TxnCoordinatorRequest } from '../txn/coordinator.ts';
import { AclOperation as Op, CLUSTER_RESOURCE, ResourceType, type AclOperation } from './acl.ts';
import type { Authorizer } from './authorizer.ts';
import type { Session } from './session.ts';

type Request = Extract<KafkaMessage, { kind: 'request' }>;
type Response = Extract<KafkaMessage, { kind: 'response' }>;
// The generic splitting below reads and writes a request's and a response's list fields by name.
type Loose = Record<string, unknown>;

/**
 * What the gate decided: null, the request goes to its handler as it is; `deny`, it is answered with
 * this response (null: with nothing, as an acks=0 Produce); otherwise `request` goes to the handler
 * and `merge`, when present, completes the handler's response.
 */
export type GateDecision = null | { deny: Response | null } | { request: Request; merge: ((response: Response) => Response) | null };

const { TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID } = ResourceType;

class Rights {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly session: Session,
  ) {}

  can(op: AclOperation, type: ResourceType, name: string): boolean {
    return this.authorizer.authorize(this.session, op, type, name);
  }

  cluster(op: AclOperation): boolean {
    return this.authorizer.authorize(this.session, op, CLUSTER, CLUSTER_RESOURCE);
  }

  anyTopic(op: AclOperation): boolean {
    return this.authorizer.authorizeAny(this.session, op, TOPIC);
  }
}

/** The gate's decision for `req` from `session`. */
export function gateRequest(authorizer: Authorizer, image: MetadataImage, session: Session, req: Request): GateDecision {
  const r = new Rights(authorizer, session);
  const topicCode = (op: AclOperation) => (name: string) => (r.can(op, TOPIC, name) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const clusterAction = (answer: () => Response): GateDecision => (r.cluster(Op.CLUSTER_ACTION) ? null : { deny: answer() });
  const denyCluster = (op: AclOperation, answer: () => Response): GateDecision => (r.cluster(op) ? null : { deny: answer() });
  const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  switch (req.api) {
    case 'Produce': {
      if (req.transactionalId !== null && !r.can(Op.WRITE, TRANSACTIONAL_ID, req.transactionalId))
        return { deny: req.acks === 0 ? null : errorResponse(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
      const decision = split(req, 'topicData', 'responses', (t: { name: string }) => topicCode(Op.WRITE)(t.name), errorResponse);
      if (req.acks !== 0 || decision === null) return decision;
      return 'deny' in decision ? { deny: null } : { request: decision.request, merge: null };
    }
    case 'Fetch':
      if ('topic' in req) return clusterAction(() => quorumDenied(req as QuorumRequest));
      if (req.replicaId !== null) return clusterAction(() => errorResponse(req, CLUSTER_DENIED));
      return split(req, 'topics', 'topics', (t: { topic: string }) => topicCode(Op.READ)(t.topic), errorResponse);
    case 'ListOffsets':
      return split(req, 'topics', 'topics', (t: { name: string }) => topicCode(Op.DESCRIBE)(t.name), errorResponse);
    case 'OffsetForLeaderEpoch':
      if (r.cluster(Op.CLUSTER_ACTION)) return null;
      return split(req, 'topics', 'topics', (t: { topic: string }) => topicCode(Op.DESCRIBE)(t.topic), errorResponse);
    case 'Metadata':
      return gateMetadata(r, image, req);
    case 'InitProducerId':
      if (req.transactionalId !== null)
        return r.can(Op.WRITE, TRANSACTIONAL_ID, req.transactionalId) ? null : { deny: errorResponse(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
      return r.cluster(Op.IDEMPOTENT_WRITE) || r.anyTopic(Op.WRITE) ? null : { deny: errorResponse(req, CLUSTER_DENIED) };
    case 'DescribeConfigs':
      return split(req, 'resources', 'results', (c: { resourceType: number; resourceName: string }) => configCode(r, Op.DESCRIBE_CONFIGS, c), errorResponse);
    case 'IncrementalAlterConfigs':
      return split(req, 'resources', 'resources', (c: { resourceType: number; resourceName: string }) => configCode(r, Op.ALTER_CONFIGS, c), errorResponse);
    case 'DeleteRecords':
      return split(req, 'topics', 'topics', (t: { name: string }) => topicCode(Op.DELETE)(t.name), errorResponse);
    case 'CreateTopics':
      if (r.cluster(Op.CREATE)) return null;
      return split(req, 'topics', 'topics', (t: { name: string }) => topicCode(Op.CREATE)(t.name), errorResponse);
    case 'DeleteTopics':
      return split(req, 'topicNames', 'responses', topicCode(Op.DELETE), errorResponse);
    case 'CreatePartitions':
      return split(req, 'topics', 'results', (t: { name: string }) => topicCode(Op.ALTER)(t.name), errorResponse);
    case 'BrokerRegistration':
    case 'BrokerHeartbeat':
    case 'AlterPartition':
    case 'AllocateProducerIds':
      return clusterAction(() => errorResponse(req, CLUSTER_DENIED));
    case 'Vote':
    case 'BeginQuorumEpoch':
    case 'EndQuorumEpoch':
    case 'FetchSnapshot':
      return clusterAction(() => quorumDenied(req));
    case 'FindCoordinator': {
      const [type, code] =
        req.keyType === CoordinatorType.TRANSACTION
          ? [TRANSACTIONAL_ID, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]
          : [GROUP, ErrorCode.GROUP_AUTHORIZATION_FAILED];
      return split(req, 'coordinatorKeys', 'coordinators', (key: string) => (r.can(Op.DESCRIBE, type, key) ? null : code), groupErrorResponse);
    }
    case 'JoinGroup':
    case 'SyncGroup':
    case 'Heartbeat':
    case 'LeaveGroup':
      return r.can(Op.READ, GROUP, req.groupId) ? null : { deny: groupErrorResponse(req, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    case 'OffsetCommit':
      if (!r.can(Op.READ, GROUP, req.groupId)) return { deny: groupErrorResponse(req, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
      return split(req, 'topics', 'topics', (t: { name: string }) => topicCode(Op.READ)(t.name), groupErrorResponse);
    case 'TxnOffsetCommit':
      if (!r.can(Op.WRITE, TRANSACTIONAL_ID, req.transactionalId)) return { deny: groupErrorResponse(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
      if (!r.can(Op.READ, GROUP, req.groupId)) return { deny: groupErrorResponse(req, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
      return split(req, 'topics', 'topics', (t: { name: string }) => topicCode(Op.READ)(t.name), groupErrorResponse);
    case 'OffsetFetch':
      return gateOffsetFetch(r, req);
    case 'DescribeGroups':
      return split(req, 'groups', 'groups', (g: string) => (r.can(Op.DESCRIBE, GROUP, g) ? null : ErrorCode.GROUP_AUTHORIZATION_FAILED), groupErrorResponse);
    case 'DeleteGroups':
      return split(
        req,
        'groupsNames',
        'results',
        (g: string) => (r.can(Op.DELETE, GROUP, g) ? null : ErrorCode.GROUP_AUTHORIZATION_FAILED),
        groupErrorResponse,
      );
    case 'ListGroups':
      if (r.cluster(Op.DESCRIBE)) return null;
      return filtered(req, (res) => (res.api === 'ListGroups' ? { ...res, groups: res.groups.filter((g) => r.can(Op.DESCRIBE, GROUP, g.groupId)) } : res));
    case 'AddPartitionsToTxn':
      return gateAddPartitions(r, req);
    case 'AddOffsetsToTxn':
      if (!r.can(Op.WRITE, TRANSACTIONAL_ID, req.transactionalId)) return { deny: txnDenied(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
      return r.can(Op.READ, GROUP, req.groupId) ? null : { deny: txnDenied(req, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    case 'EndTxn':
      return r.can(Op.WRITE, TRANSACTIONAL_ID, req.transactionalId) ? null : { deny: txnDenied(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
    case 'DescribeTransactions':
      return split(
        req,
        'transactionalIds',
        'transactionStates',
        (id: string) => (r.can(Op.DESCRIBE, TRANSACTIONAL_ID, id) ? null : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
        txnDenied,
      );
    case 'ListTransactions':
      return filtered(req, (res) =>
        res.api === 'ListTransactions'
          ? { ...res, transactionStates: res.transactionStates.filter((t) => r.can(Op.DESCRIBE, TRANSACTIONAL_ID, t.transactionalId)) }
          : res,
      );
    case 'WriteTxnMarkers':
      return clusterAction(() => writeTxnMarkersDenied(req));
    case 'DescribeAcls':
    case 'DescribeUserScramCredentials':
      return denyCluster(Op.DESCRIBE, () => errorResponse(req, CLUSTER_DENIED));
    case 'CreateAcls':
    case 'DeleteAcls':
    case 'AlterUserScramCredentials':
      return denyCluster(Op.ALTER, () => errorResponse(req, CLUSTER_DENIED));
  }
}

/**
 * Splits a request over the entries of its list `reqField`: those `deniedCode` refuses are answered
 * by `errorFor` (the API's whole-request error response, built for them alone), the rest go on.
 */
function split<R extends Request, E>(
  req: R,
  reqField: string,
  respField: string,
  deniedCode: (entry: E) => number | null,
  errorFor: (req: never, errorCode: number) => KafkaMessage,
): GateDecision {
  const entries = (req as unknown as Loose)[reqField] as E[];
  const allowed: E[] = [];
  const deniedByCode = new Map<number, E[]>();
  for (const entry of entries) {
    const code = deniedCode(entry);
    if (code === null) allowed.push(entry);
    else deniedByCode.set(code, [...(deniedByCode.get(code) ?? []), entry]);
  }
  if (deniedByCode.size === 0) return null;
  const build = errorFor as (req: R, errorCode: number) => Response;
  const deniedResults = [...deniedByCode].flatMap(
    ([code, denied]) => (build({ ...req, [reqField]: denied }, code) as unknown as Loose)[respField] as unknown[],
  );
  if (allowed.length === 0) {
    const whole = build(req, ErrorCode.NONE) as unknown as Loose;
    return { deny: { ...whole, [respField]: deniedResults } as unknown as Response };
  }
  const request = { ...req, [reqField]: allowed } as R;
  const merge = (res: Response): Response => {
    const loose = res as unknown as Loose;
    return { ...loose, [respField]: [...((loose[respField] as unknown[] | undefined) ?? []), ...deniedResults] } as unknown as Response;
  };
  return { request, merge };
}

/** The request goes on as it is; its answer is filtered. */
function filtered(req: Request, filter: (res: Response) => Response): GateDecision {
  return { request: req, merge: filter };
}

function configCode(r: Rights, op: AclOperation, resource: { resourceType: number; resourceName: string }): number | null {
  if (resource.resourceType === ConfigResourceType.TOPIC) return r.can(op, TOPIC, resource.resourceName) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  return r.cluster(op) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
}

/**
 * Metadata (KafkaApis.handleTopicMetadataRequest): a request for every topic leaves out those the
 * session may not DESCRIBE; a topic named and not describable, or missing and to be auto-created
 * without CREATE on the cluster or the topic, is answered TOPIC_AUTHORIZATION_FAILED. Brokers and
 * the cluster are answered in every case.
 */
function gateMetadata(r: Rights, image: MetadataImage, req: Extract<Request, { api: 'Metadata' }>): GateDecision {
  if (req.topics === null) {
    return filtered(req, (res) =>
      res.api === 'Metadata' ? { ...res, topics: res.topics.filter((t) => t.name !== null && r.can(Op.DESCRIBE, TOPIC, t.name)) } : res,
    );
  }
  const mayCreate = (name: string) => r.cluster(Op.CREATE) || r.can(Op.CREATE, TOPIC, name);
  const denied = req.topics.filter(
    (name) => !r.can(Op.DESCRIBE, TOPIC, name) || (req.allowAutoTopicCreation && image.topicByName(name) === undefined && !mayCreate(name)),
  );
  if (denied.length === 0) return null;
  const deniedResults = denied.map((name) => ({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: null, isInternal: false, partitions: [] }));
  return {
    request: { ...req, topics: req.topics.filter((name) => !denied.includes(name)) },
    merge: (res) => (res.api === 'Metadata' ? { ...res, topics: [...res.topics, ...deniedResults] } : res),
  };
}

/** OffsetFetch: DESCRIBE on each group, then DESCRIBE on each topic named (or, for all topics, the answer filtered). */
function gateOffsetFetch(r: Rights, req: OffsetFetchRequest): GateDecision {
  const deniedGroups: OffsetFetchGroupResult[] = [];
  const deniedTopics = new Map<string, OffsetFetchGroupResult['topics']>();
  const allowed: OffsetFetchRequest['groups'] = [];
  let filterAll = false;
  for (const g of req.groups) {
    if (!r.can(Op.DESCRIBE, GROUP, g.groupId)) {
      deniedGroups.push({ groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
      continue;
    }
    if (g.topics === null) {
      filterAll = true;
      allowed.push(g);
      continue;
    }
    const denied = g.topics.filter((t) => !r.can(Op.DESCRIBE, TOPIC, t.name));
    if (denied.length > 0) {
      deniedTopics.set(
        g.groupId,
        denied.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: null,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          })),
        })),
      );
    }
    allowed.push({ groupId: g.groupId, topics: g.topics.filter((t) => !denied.includes(t)) });
  }
  if (deniedGroups.length === 0 && deniedTopics.size === 0 && !filterAll) return null;
  if (allowed.length === 0) return { deny: { api: 'OffsetFetch', kind: 'response', correlationId: req.correlationId, groups: deniedGroups } };
  const requestedAll = new Set(req.groups.filter((g) => g.topics === null).map((g) => g.groupId));
  return {
    request: { ...req, groups: allowed },
    merge: (res) => {
      if (res.api !== 'OffsetFetch') return res;
      const groups = res.groups.map((g) => {
        const topics = requestedAll.has(g.groupId) ? g.topics.filter((t) => r.can(Op.DESCRIBE, TOPIC, t.name)) : g.topics;
        return { ...g, topics: [...topics, ...(deniedTopics.get(g.groupId) ?? [])] };
      });
      return { ...res, groups: [...groups, ...deniedGroups] };
    },
  };
}

/**
 * AddPartitionsToTxn: a broker's verification (VerifyOnly) needs CLUSTER_ACTION; a client's needs WRITE
 * on the transactional id and on every topic, else its denied topics are TOPIC_AUTHORIZATION_FAILED and
 * the others OPERATION_NOT_ATTEMPTED, as KafkaApis answers.
 */
function gateAddPartitions(r: Rights, req: AddPartitionsToTxnRequest): GateDecision {
  if (req.transactions.some((t) => t.verifyOnly)) {
    if (r.cluster(Op.CLUSTER_ACTION)) return null;
    return {
      deny: {
        api: 'AddPartitionsToTxn',
        kind: 'response',
        correlationId: req.correlationId,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        resultsByTransaction: [],
      },
    };
  }
  const denied: AddPartitionsToTxnResult[] = [];
  const allowed = req.transactions.filter((t) => {
    const one = { ...req, transactions: [t] };
    if (!r.can(Op.WRITE, TRANSACTIONAL_ID, t.transactionalId)) {
      denied.push(...addPartitionsResults(one, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
      return false;
    }
    const deniedTopics = new Set(t.topics.filter((topic) => !r.can(Op.WRITE, TOPIC, topic.name)).map((topic) => topic.name));
    if (deniedTopics.size === 0) return true;
    denied.push(...addPartitionsResults(one, (name) => (deniedTopics.has(name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED)));
    return false;
  });
  if (denied.length === 0) return null;
  if (allowed.length === 0)
    return { deny: { api: 'AddPartitionsToTxn', kind: 'response', correlationId: req.correlationId, errorCode: ErrorCode.NONE, resultsByTransaction: denied } };
  return {
    request: { ...req, transactions: allowed },
    merge: (res) => (res.api === 'AddPartitionsToTxn' ? { ...res, resultsByTransaction: [...res.resultsByTransaction, ...denied] } : res),
  };
}

function addPartitionsResults(req: AddPartitionsToTxnRequest, code: (topic: string) => number): AddPartitionsToTxnResult[] {
  return req.transactions.map((t) => ({
    transactionalId: t.transactionalId,
    topicResults: t.topics.map((topic) => ({
      name: topic.name,
      resultsByPartition: topic.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code(topic.name) })),
    })),
  }));
}

function txnDenied(req: TxnCoordinatorRequest, errorCode: number): Response {
  return txnCoordinatorErrorResponse(req, errorCode) as Response;
}

function writeTxnMarkersDenied(req: WriteTxnMarkersRequest): Response {
  return {
    api: 'WriteTxnMarkers',
    kind: 'response',
    correlationId: req.correlationId,
    markers: req.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED })),
      })),
    })),
  };
}

/** A quorum request refused: CLUSTER_AUTHORIZATION_FAILED, no leader known. */
function quorumDenied(req: QuorumRequest): Response {
  const errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  const correlationId = req.correlationId;
  const noLeader = { leaderId: null, leaderEpoch: -1 };
  switch (req.api) {
    case 'Vote':
      return { api: 'Vote', kind: 'response', correlationId, errorCode, ...noLeader, voteGranted: false };
    case 'BeginQuorumEpoch':
    case 'EndQuorumEpoch':
      return { api: req.api, kind: 'response', correlationId, errorCode, ...noLeader };
    case 'Fetch':
      return {
        api: 'Fetch',
        kind: 'response',
        topic: '__cluster_metadata',
        correlationId,
        errorCode,
        highWatermark: -1,
        logStartOffset: -1,
        records: [],
        divergingEpoch: null,
        currentLeader: noLeader,
        snapshotId: null,
      };
    case 'FetchSnapshot':
      return { api: 'FetchSnapshot', kind: 'response', correlationId, errorCode, currentLeader: noLeader, snapshotId: req.snapshotId, snapshot: null };
  }
}
