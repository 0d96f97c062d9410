// ACL and SCRAM records through the metadata log's own encodings: the on-disk journal (RaftLog, JSON
// frames) and the quorum's Fetch on the wire (JSON values in record batches). A credential's byte
// fields come back as the image applied them from the original records.

import { describe, expect, it } from 'vitest';
import { MetadataImage } from '../../../core/controller/image.ts';
import type { MetadataRecord } from '../../../core/controller/records.ts';
import type { QuorumFetchResponse, RaftEntry } from '../../../core/protocol/quorum.ts';
import { RaftLog } from '../../../core/raft/raft-log.ts';
import { apiSpecs } from '../../../core/wire/apis/index.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type WireContext } from '../../../core/wire/convert/converter.ts';
import { quorumFetchConverter } from '../../../core/wire/convert/quorum-fetch.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { SimStorage } from '../../../sim/disk.ts';

const RECORDS: MetadataRecord[] = [
  {
    type: 'AccessControlEntryRecord',
    id: 'acl-1',
    resourceType: 2,
    resourceName: 'orders',
    patternType: 3,
    principal: 'User:alice',
    host: '*',
    operation: 3,
    permission: 3,
  },
  {
    type: 'AccessControlEntryRecord',
    id: 'acl-2',
    resourceType: 4,
    resourceName: 'kafka-cluster',
    patternType: 3,
    principal: 'User:*',
    host: '*',
    operation: 8,
    permission: 2,
  },
  {
    type: 'UserScramCredentialRecord',
    name: 'alice',
    mechanism: 2,
    salt: new Uint8Array([0, 1, 254, 255]),
    storedKey: Uint8Array.from({ length: 64 }, (_, i) => i * 3),
    serverKey: Uint8Array.from({ length: 64 }, (_, i) => 255 - i),
    iterations: 4096,
  },
  { type: 'RemoveAccessControlEntryRecord', id: 'acl-2' },
];

function applied(records: readonly unknown[]): MetadataImage {
  const image = new MetadataImage();
  for (const r of records) image.apply(r as MetadataRecord);
  return image;
}

describe('security records through the metadata log encodings', () => {
  const expected = applied(RECORDS);

  it('the on-disk journal: written, reopened, read and applied, the image is the same', () => {
    const storage = new SimStorage();
    const observer = { appended: () => {}, truncated: () => {}, flushed: () => {} };
    const { log } = RaftLog.open<MetadataRecord>(storage, observer);
    log.append(
      1,
      RECORDS.map((value) => ({ type: 'data' as const, value })),
    );
    log.flush();
    const reopened = RaftLog.open<MetadataRecord>(storage, observer).log;
    const entries = reopened.read(0, 100);
    expect(entries).toHaveLength(RECORDS.length);
    const image = applied(entries.map((e) => (e.record.type === 'data' ? e.record.value : null)));
    expect(image.digest()).toBe(expected.digest());
    expect(image.scramCredential('alice', 2)).toEqual(expected.scramCredential('alice', 2));
    expect([...image.acls()]).toEqual([...expected.acls()]);
  });

  it("the quorum's Fetch on the wire: a follower applies what the leader sent", () => {
    const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };
    const records: RaftEntry<MetadataRecord>[] = RECORDS.map((value, i) => ({ offset: i, epoch: 1, record: { type: 'data', value } }));
    const res: QuorumFetchResponse<MetadataRecord> = {
      api: 'Fetch',
      kind: 'response',
      topic: '__cluster_metadata',
      correlationId: 1,
      errorCode: 0,
      highWatermark: 4,
      logStartOffset: 0,
      records,
      divergingEpoch: null,
      currentLeader: { leaderId: '1', leaderEpoch: 1 },
      snapshotId: null,
    };
    const version = quorumFetchConverter.served.max;
    const spec = apiSpecs(1)!.response;
    const body = decodeMessage(spec, version, encodeMessage(spec, version, quorumFetchConverter.responseToWire(res, version, ctx)));
    const back = quorumFetchConverter.responseFromWire(body, version, 1, ctx);
    const image = applied(back.records.map((e) => (e.record.type === 'data' ? e.record.value : null)));
    expect(image.digest()).toBe(expected.digest());
    expect(image.scramCredential('alice', 2)!.storedKey).toEqual(RECORDS[2]!.type === 'UserScramCredentialRecord' && RECORDS[2].storedKey);
  });
});
