// KRaft and broker-to-controller API specs (Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot, BrokerRegistration,
// BrokerHeartbeat, AlterPartition). No client fixtures exist for these inter-node messages: a hand-made value per API is
// encoded and decoded at every valid version, a few byte layouts are built by hand from Kafka's JSON definitions
// (compact strings, tagged fields, uint16 ports, uuids); random round trips of every spec are in specs.test.ts.
import { describe, expect, it } from 'vitest';
import * as alterPartition from '../../../core/wire/apis/alter-partition.ts';
import * as beginQuorumEpoch from '../../../core/wire/apis/begin-quorum-epoch.ts';
import * as brokerHeartbeat from '../../../core/wire/apis/broker-heartbeat.ts';
import * as brokerRegistration from '../../../core/wire/apis/broker-registration.ts';
import * as endQuorumEpoch from '../../../core/wire/apis/end-quorum-epoch.ts';
import * as fetchSnapshot from '../../../core/wire/apis/fetch-snapshot.ts';
import * as vote from '../../../core/wire/apis/vote.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import type { MessageSpec } from '../../../core/wire/spec.ts';
import { Bytes, decodeExactly, expectSameBytes, presentAt, sized, versionsOf } from './helpers.ts';

const allSpecs: MessageSpec[] = [vote, beginQuorumEpoch, endQuorumEpoch, fetchSnapshot, brokerRegistration, brokerHeartbeat, alterPartition].flatMap((mod) =>
  Object.values(mod),
);

const META = '__cluster_metadata';
/** Two directory / topic / incarnation ids (16 bytes each) and their base64url form. */
const UUID_A = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const UUID_B = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const endpoint = { nodeId: 1, host: 'ctrl-1', port: 9093 };
const listener = { name: 'CONTROLLER', host: 'ctrl-1', port: 9093 };

/** One value per spec with every field of every version; each version encodes only its own fields. */
const fullValues = new Map<MessageSpec, Record<string, unknown>>([
  [
    vote.VoteRequestSpec,
    {
      clusterId: 'cluster-x',
      voterId: 2,
      topics: [
        {
          topicName: META,
          partitions: [
            {
              partitionIndex: 0,
              candidateEpoch: 7,
              candidateId: 1,
              candidateDirectoryId: b64(UUID_A),
              voterDirectoryId: b64(UUID_B),
              lastOffsetEpoch: 6,
              lastOffset: 1234,
              preVote: true,
            },
          ],
        },
      ],
    },
  ],
  [
    vote.VoteResponseSpec,
    {
      errorCode: 0,
      topics: [{ topicName: META, partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: -1, leaderEpoch: 7, voteGranted: true }] }],
      nodeEndpoints: [endpoint],
    },
  ],
  [
    beginQuorumEpoch.BeginQuorumEpochRequestSpec,
    {
      clusterId: 'cluster-x',
      voterId: 2,
      topics: [{ topicName: META, partitions: [{ partitionIndex: 0, voterDirectoryId: b64(UUID_B), leaderId: 1, leaderEpoch: 7 }] }],
      leaderEndpoints: [listener],
    },
  ],
  [
    beginQuorumEpoch.BeginQuorumEpochResponseSpec,
    { errorCode: 0, topics: [{ topicName: META, partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: 7 }] }], nodeEndpoints: [endpoint] },
  ],
  [
    endQuorumEpoch.EndQuorumEpochRequestSpec,
    {
      clusterId: null,
      topics: [
        {
          topicName: META,
          partitions: [
            {
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 7,
              preferredSuccessors: [2, 3],
              preferredCandidates: [
                { candidateId: 2, candidateDirectoryId: b64(UUID_A) },
                { candidateId: 3, candidateDirectoryId: b64(UUID_B) },
              ],
            },
          ],
        },
      ],
      leaderEndpoints: [listener],
    },
  ],
  [
    endQuorumEpoch.EndQuorumEpochResponseSpec,
    { errorCode: 0, topics: [{ topicName: META, partitions: [{ partitionIndex: 0, errorCode: 0, leaderId: 2, leaderEpoch: 8 }] }], nodeEndpoints: [endpoint] },
  ],
  [
    fetchSnapshot.FetchSnapshotRequestSpec,
    {
      clusterId: 'cluster-x',
      replicaId: 3,
      maxBytes: 1 << 20,
      topics: [
        {
          name: META,
          partitions: [{ partition: 0, currentLeaderEpoch: 7, snapshotId: { endOffset: 500, epoch: 6 }, position: 4096, replicaDirectoryId: b64(UUID_A) }],
        },
      ],
    },
  ],
  [
    fetchSnapshot.FetchSnapshotResponseSpec,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          name: META,
          partitions: [
            {
              index: 0,
              errorCode: 0,
              snapshotId: { endOffset: 500, epoch: 6 },
              currentLeader: { leaderId: 1, leaderEpoch: 7 },
              size: 10000,
              position: 4096,
              unalignedRecords: Uint8Array.of(9, 8, 7),
            },
          ],
        },
      ],
      nodeEndpoints: [endpoint],
    },
  ],
  [
    brokerRegistration.BrokerRegistrationRequestSpec,
    {
      brokerId: 4,
      clusterId: 'cluster-x',
      incarnationId: b64(UUID_A),
      listeners: [{ name: 'PLAINTEXT', host: 'broker-4', port: 9092, securityProtocol: 0 }],
      features: [{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }],
      rack: null,
      isMigratingZkBroker: false,
      logDirs: [b64(UUID_B)],
      previousBrokerEpoch: 42,
    },
  ],
  [brokerRegistration.BrokerRegistrationResponseSpec, { throttleTimeMs: 0, errorCode: 0, brokerEpoch: 43 }],
  [
    brokerHeartbeat.BrokerHeartbeatRequestSpec,
    { brokerId: 4, brokerEpoch: 43, currentMetadataOffset: 900, wantFence: false, wantShutDown: false, offlineLogDirs: [b64(UUID_B)] },
  ],
  [brokerHeartbeat.BrokerHeartbeatResponseSpec, { throttleTimeMs: 0, errorCode: 0, isCaughtUp: true, isFenced: false, shouldShutDown: false }],
  [
    alterPartition.AlterPartitionRequestSpec,
    {
      brokerId: 1,
      brokerEpoch: 43,
      topics: [
        {
          topicName: 'orders',
          topicId: b64(UUID_A),
          partitions: [
            {
              partitionIndex: 2,
              leaderEpoch: 5,
              newIsr: [1, 2],
              newIsrWithEpochs: [
                { brokerId: 1, brokerEpoch: 43 },
                { brokerId: 2, brokerEpoch: 40 },
              ],
              leaderRecoveryState: 0,
              partitionEpoch: 11,
            },
          ],
        },
      ],
    },
  ],
  [
    alterPartition.AlterPartitionResponseSpec,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          topicName: 'orders',
          topicId: b64(UUID_A),
          partitions: [{ partitionIndex: 2, errorCode: 0, leaderId: 1, leaderEpoch: 5, isr: [1, 2], leaderRecoveryState: 1, partitionEpoch: 12 }],
        },
      ],
    },
  ],
]);

describe('KRaft specs: a hand-made value round-trips at every valid version', () => {
  it('every spec has a value', () => {
    expect(allSpecs.filter((s) => !fullValues.has(s)).map((s) => s.name)).toEqual([]);
  });
  for (const spec of allSpecs) {
    it.each(versionsOf(spec))(`${spec.name} v%i`, (version) => {
      const value = presentAt(spec, version, fullValues.get(spec)) as Record<string, unknown>;
      const bytes = encodeMessage(spec, version, value);
      expect(presentAt(spec, version, decodeExactly(spec, version, bytes))).toEqual(value);
    });
  }
});

/** Encodes `value` and checks the exact bytes; then decodes them back to `value` (plus defaults). */
function expectLayout(spec: MessageSpec, version: number, value: Record<string, unknown>, bytes: Bytes): void {
  const want = bytes.build();
  expectSameBytes(encodeMessage(spec, version, value), want, `${spec.name} v${version}`);
  expect(decodeExactly(spec, version, want)).toMatchObject(value);
}

describe('KRaft specs: hand-checked byte layouts', () => {
  it('Vote v0 request: flexible from v0, so compact strings and a tag buffer per struct', () => {
    const value = {
      clusterId: 'c',
      topics: [{ topicName: META, partitions: [{ partitionIndex: 0, candidateEpoch: 5, candidateId: 1, lastOffsetEpoch: 4, lastOffset: 100 }] }],
    };
    const bytes = new Bytes()
      .compactString('c')
      .compactArrayLength(1)
      .compactString(META)
      .compactArrayLength(1)
      .int32(0)
      .int32(5)
      .int32(1)
      .int32(4)
      .int64(100)
      .noTags()
      .noTags()
      .noTags();
    expect(hexOf(bytes)).toBe('02630213' + Buffer.from(META).toString('hex') + '02' + '00000000000000050000000100000004' + '0000000000000064' + '000000');
    expectLayout(vote.VoteRequestSpec, 0, value, bytes);
    expect(decodeMessage(vote.VoteRequestSpec, 0, bytes.build())).toMatchObject({ voterId: -1 });
  });

  /** A Vote request's value and bytes at v1 or v2 (v2 adds the pre-vote flag after lastOffset). */
  function voteRequestAt(version: 1 | 2) {
    const partition = {
      partitionIndex: 0,
      candidateEpoch: 5,
      candidateId: 1,
      candidateDirectoryId: b64(UUID_A),
      voterDirectoryId: b64(UUID_B),
      lastOffsetEpoch: 4,
      lastOffset: 100,
      ...(version === 2 ? { preVote: true } : {}),
    };
    const value = { clusterId: null, voterId: 2, topics: [{ topicName: META, partitions: [partition] }] };
    const bytes = new Bytes().compactString(null).int32(2).compactArrayLength(1).compactString(META).compactArrayLength(1);
    bytes.int32(0).int32(5).int32(1).uuid(UUID_A).uuid(UUID_B).int32(4).int64(100);
    if (version === 2) bytes.bool(true);
    bytes.noTags().noTags().noTags();
    return { value, bytes };
  }

  it('Vote v1 request: voterId, then the candidate and voter directory ids (raw 16-byte uuids)', () => {
    const { value, bytes } = voteRequestAt(1);
    expectLayout(vote.VoteRequestSpec, 1, value, bytes);
  });

  it('Vote v2 request: the pre-vote flag (KIP-996) follows lastOffset in each partition', () => {
    const { value, bytes } = voteRequestAt(2);
    expectLayout(vote.VoteRequestSpec, 2, value, bytes);
  });

  it('Vote v1 response: nodeEndpoints is tagged field 0 (written only when non-empty), port a uint16', () => {
    const withEndpoints = { errorCode: 0, topics: [], nodeEndpoints: [{ nodeId: 1, host: 'h', port: 40000 }] };
    const endpoints = sized((b) => b.compactArrayLength(1).int32(1).compactString('h').int16(40000).noTags());
    expect(hex(endpoints)).toBe('02000000010268' + '9c40' + '00');
    const bytes = new Bytes().int16(0).compactArrayLength(0).uvarint(1).uvarint(0).uvarint(endpoints.length).raw(endpoints);
    expect(hexOf(bytes)).toBe('00000101000a' + hex(endpoints));
    expectLayout(vote.VoteResponseSpec, 1, withEndpoints, bytes);
    expectLayout(vote.VoteResponseSpec, 1, { errorCode: 0, topics: [], nodeEndpoints: [] }, new Bytes().int16(0).compactArrayLength(0).noTags());
    // v0 has no such field: the same bytes minus nothing decode to the default (empty).
    expect(decodeMessage(vote.VoteResponseSpec, 0, new Bytes().int16(0).compactArrayLength(0).noTags().build())).toMatchObject({ nodeEndpoints: [] });
  });

  it('BeginQuorumEpoch v0 is not flexible (int16 strings, int32 arrays), v1 is', () => {
    const v0 = { clusterId: null, topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 2 }] }] };
    expectLayout(
      beginQuorumEpoch.BeginQuorumEpochRequestSpec,
      0,
      v0,
      new Bytes().string(null).arrayLength(1).string('t').arrayLength(1).int32(0).int32(1).int32(2),
    );
    const v1 = {
      clusterId: 'c',
      voterId: 3,
      topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, voterDirectoryId: b64(UUID_A), leaderId: 1, leaderEpoch: 2 }] }],
      leaderEndpoints: [{ name: 'C', host: 'h', port: 9093 }],
    };
    const bytes = new Bytes()
      .compactString('c')
      .int32(3)
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int32(0)
      .uuid(UUID_A)
      .int32(1)
      .int32(2)
      .noTags()
      .noTags()
      .compactArrayLength(1)
      .compactString('C')
      .compactString('h')
      .int16(9093)
      .noTags()
      .noTags();
    expectLayout(beginQuorumEpoch.BeginQuorumEpochRequestSpec, 1, v1, bytes);
  });

  it('EndQuorumEpoch: preferredSuccessors (v0, int32 array) become preferredCandidates (v1, with directory ids)', () => {
    const v0 = { clusterId: 'c', topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 2, preferredSuccessors: [3, 2] }] }] };
    const v0Bytes = new Bytes().string('c').arrayLength(1).string('t').arrayLength(1).int32(0).int32(1).int32(2).arrayLength(2).int32(3).int32(2);
    expectLayout(endQuorumEpoch.EndQuorumEpochRequestSpec, 0, v0, v0Bytes);
    const v1 = {
      clusterId: 'c',
      topics: [
        {
          topicName: 't',
          partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 2, preferredCandidates: [{ candidateId: 3, candidateDirectoryId: b64(UUID_B) }] }],
        },
      ],
      leaderEndpoints: [],
    };
    const v1Bytes = new Bytes()
      .compactString('c')
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int32(0)
      .int32(1)
      .int32(2)
      .compactArrayLength(1)
      .int32(3)
      .uuid(UUID_B)
      .noTags()
      .noTags()
      .noTags()
      .compactArrayLength(0)
      .noTags();
    expectLayout(endQuorumEpoch.EndQuorumEpochRequestSpec, 1, v1, v1Bytes);
  });

  it('FetchSnapshot v0 request: clusterId is top-level tagged field 0; v1 partition carries tagged replicaDirectoryId', () => {
    const v0 = { clusterId: 'abc', replicaId: 2, maxBytes: 1000, topics: [] };
    const v0Bytes = new Bytes().int32(2).int32(1000).compactArrayLength(0).uvarint(1).uvarint(0).uvarint(4).compactString('abc');
    expect(hexOf(v0Bytes)).toBe('00000002000003e8' + '01' + '01' + '00' + '04' + '04616263');
    expectLayout(fetchSnapshot.FetchSnapshotRequestSpec, 0, v0, v0Bytes);
    // Without a cluster id nothing is tagged, and absent fields decode to Kafka's defaults.
    expect(
      decodeExactly(fetchSnapshot.FetchSnapshotRequestSpec, 0, new Bytes().int32(-1).int32(0x7fffffff).compactArrayLength(0).noTags().build()),
    ).toMatchObject({
      clusterId: null,
      replicaId: -1,
      maxBytes: 0x7fffffff,
    });
    const v1 = {
      clusterId: null,
      replicaId: 2,
      maxBytes: 1000,
      topics: [
        {
          name: META,
          partitions: [{ partition: 0, currentLeaderEpoch: 7, snapshotId: { endOffset: 500, epoch: 6 }, position: 0, replicaDirectoryId: b64(UUID_A) }],
        },
      ],
    };
    const v1Bytes = new Bytes()
      .int32(2)
      .int32(1000)
      .compactArrayLength(1)
      .compactString(META)
      .compactArrayLength(1)
      .int32(0)
      .int32(7)
      .int64(500)
      .int32(6)
      .noTags() // snapshotId is a struct: it ends with its own tag buffer
      .int64(0)
      .uvarint(1)
      .uvarint(0)
      .uvarint(16)
      .uuid(UUID_A)
      .noTags()
      .noTags();
    expectLayout(fetchSnapshot.FetchSnapshotRequestSpec, 1, v1, v1Bytes);
  });

  it('FetchSnapshot v0 response: tagged currentLeader struct, compact records', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            {
              index: 0,
              errorCode: 0,
              snapshotId: { endOffset: 10, epoch: 1 },
              currentLeader: { leaderId: 1, leaderEpoch: 2 },
              size: 3,
              position: 0,
              unalignedRecords: Uint8Array.of(1, 2, 3),
            },
          ],
        },
      ],
    };
    const leader = sized((b) => b.int32(1).int32(2).noTags());
    const bytes = new Bytes()
      .int32(0)
      .int16(0)
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int32(0)
      .int16(0)
      .int64(10)
      .int32(1)
      .noTags()
      .int64(3)
      .int64(0)
      .compactBytes(Uint8Array.of(1, 2, 3))
      .uvarint(1)
      .uvarint(0)
      .uvarint(leader.length)
      .raw(leader)
      .noTags()
      .noTags();
    expectLayout(fetchSnapshot.FetchSnapshotResponseSpec, 0, value, bytes);
  });

  it('BrokerRegistration v0 and v3 requests: uuid incarnation id, uint16 port, nullable rack, log dirs, previous epoch', () => {
    const base = {
      brokerId: 4,
      clusterId: 'c',
      incarnationId: b64(UUID_A),
      listeners: [{ name: 'P', host: 'h', port: 9092, securityProtocol: 0 }],
      features: [{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }],
      rack: null,
    };
    const head = () =>
      new Bytes()
        .int32(4)
        .compactString('c')
        .uuid(UUID_A)
        .compactArrayLength(1)
        .compactString('P')
        .compactString('h')
        .int16(9092)
        .int16(0)
        .noTags()
        .compactArrayLength(1)
        .compactString('metadata.version')
        .int16(1)
        .int16(21)
        .noTags()
        .compactString(null);
    expectLayout(brokerRegistration.BrokerRegistrationRequestSpec, 0, base, head().noTags());
    const v3 = { ...base, isMigratingZkBroker: false, logDirs: [b64(UUID_B)], previousBrokerEpoch: -1 };
    expectLayout(brokerRegistration.BrokerRegistrationRequestSpec, 3, v3, head().bool(false).compactArrayLength(1).uuid(UUID_B).int64(-1).noTags());
    expect(decodeMessage(brokerRegistration.BrokerRegistrationRequestSpec, 0, head().noTags().build())).toMatchObject({ previousBrokerEpoch: -1, logDirs: [] });
  });

  it('BrokerHeartbeat v1 request: offlineLogDirs is tagged field 0; response isFenced defaults to true', () => {
    const value = { brokerId: 4, brokerEpoch: 43, currentMetadataOffset: 900, wantFence: false, wantShutDown: true, offlineLogDirs: [b64(UUID_B)] };
    const dirs = sized((b) => b.compactArrayLength(1).uuid(UUID_B));
    const bytes = new Bytes().int32(4).int64(43).int64(900).bool(false).bool(true).uvarint(1).uvarint(0).uvarint(dirs.length).raw(dirs);
    expect(dirs.length).toBe(17);
    expectLayout(brokerHeartbeat.BrokerHeartbeatRequestSpec, 1, value, bytes);
    const v0 = { brokerId: 4, brokerEpoch: 43, currentMetadataOffset: 900, wantFence: false, wantShutDown: true };
    expectLayout(brokerHeartbeat.BrokerHeartbeatRequestSpec, 0, v0, new Bytes().int32(4).int64(43).int64(900).bool(false).bool(true).noTags());
    const reply = { throttleTimeMs: 0, errorCode: 0, isCaughtUp: true, isFenced: false, shouldShutDown: false };
    expectLayout(brokerHeartbeat.BrokerHeartbeatResponseSpec, 0, reply, new Bytes().int32(0).int16(0).bool(true).bool(false).bool(false).noTags());
  });

  it('AlterPartition v1 (topic name, ISR ids) vs v3 (topic id, ISR with broker epochs)', () => {
    const v1 = {
      brokerId: 1,
      brokerEpoch: 43,
      topics: [{ topicName: 'o', partitions: [{ partitionIndex: 2, leaderEpoch: 5, newIsr: [1, 2], leaderRecoveryState: 0, partitionEpoch: 11 }] }],
    };
    const v1Bytes = new Bytes()
      .int32(1)
      .int64(43)
      .compactArrayLength(1)
      .compactString('o')
      .compactArrayLength(1)
      .int32(2)
      .int32(5)
      .compactArrayLength(2)
      .int32(1)
      .int32(2)
      .int8(0)
      .int32(11)
      .noTags()
      .noTags()
      .noTags();
    expectLayout(alterPartition.AlterPartitionRequestSpec, 1, v1, v1Bytes);
    const v3 = {
      brokerId: 1,
      brokerEpoch: 43,
      topics: [
        {
          topicId: b64(UUID_A),
          partitions: [{ partitionIndex: 2, leaderEpoch: 5, newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: 43 }], leaderRecoveryState: 1, partitionEpoch: 11 }],
        },
      ],
    };
    const v3Bytes = new Bytes()
      .int32(1)
      .int64(43)
      .compactArrayLength(1)
      .uuid(UUID_A)
      .compactArrayLength(1)
      .int32(2)
      .int32(5)
      .compactArrayLength(1)
      .int32(1)
      .int64(43)
      .noTags()
      .int8(1)
      .int32(11)
      .noTags()
      .noTags()
      .noTags();
    expectLayout(alterPartition.AlterPartitionRequestSpec, 3, v3, v3Bytes);
  });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hexOf = (b: Bytes) => hex(b.build());
