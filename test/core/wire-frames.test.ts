// A storage that offers wireBatches (the real runtime's) keeps a batch that came from the wire as its
// own RecordBatch v2 bytes and reads it back on recovery, a torn tail cut as with JSON frames; a fetched
// record set decoded lazily gives the same batches as an eager decode, its records read on demand.
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../core/log/partition-log.ts';
import { assignOffsets, decodedFields, type RecordBatch } from '../../core/protocol/records.ts';
import type { WireBatchCodec } from '../../core/storage.ts';
import { decodeRecordBatch, decodeRecordSet, encodeRecordBatch, encodeRecordSet } from '../../core/wire/record-batch.ts';
import { SimStorage } from '../../sim/disk.ts';
import { recordBatch } from './batches.ts';

const codec: WireBatchCodec = { decode: (bytes) => decodeRecordBatch(bytes) };
const observer = { appended: () => {}, truncated: () => {} };

/** SimStorage with the wire codec, as FileStorage is given it by a broker. */
function wireStorage(): SimStorage & { wireBatches: WireBatchCodec } {
  return Object.assign(new SimStorage(), { wireBatches: codec });
}

/** A batch as a producer's bytes decoded, then given offsets by a leader. */
function fromWire(plain: RecordBatch, baseOffset: number): RecordBatch {
  return assignOffsets(decodeRecordBatch(encodeRecordBatch(plain)), baseOffset, 0);
}

describe('wire frames', () => {
  it('a batch with wire bytes is stored as them and recovered with the same fields', () => {
    const storage = wireStorage();
    const { log } = PartitionLog.open(storage, 'p', observer);
    const a = fromWire(recordBatch({ count: 3, epoch: 0 }), 0);
    const b = fromWire(recordBatch({ count: 2, epoch: 0 }), 3);
    log.append([a, b]);
    expect(storage.size('p/00000000000000000000.log')).toBe(8 + a.wireBytes!.length + 8 + b.wireBytes!.length);
    const reopened = PartitionLog.open(storage, 'p', observer);
    expect(reopened.tornBytes).toBe(0);
    expect(reopened.log.logEndOffset).toBe(5);
    expect(reopened.log.storedBatches().map((s) => decodedFields(s.batch))).toEqual([decodedFields(a), decodedFields(b)]);
    expect(reopened.log.storedBatches().map((s) => s.hash)).toEqual(log.storedBatches().map((s) => s.hash));
  });

  it('a torn wire frame is cut on recovery', () => {
    const storage = wireStorage();
    const { log } = PartitionLog.open(storage, 'p', observer);
    log.append([fromWire(recordBatch({ count: 3, epoch: 0 }), 0)]);
    const whole = storage.size('p/00000000000000000000.log');
    log.append([fromWire(recordBatch({ count: 2, epoch: 0 }), 3)]);
    storage.truncate('p/00000000000000000000.log', storage.size('p/00000000000000000000.log') - 5);
    const reopened = PartitionLog.open(storage, 'p', observer);
    expect(reopened.log.logEndOffset).toBe(3);
    expect(storage.size('p/00000000000000000000.log')).toBe(whole);
  });

  it('batches without wire bytes (built by the core) stay JSON frames beside wire frames', () => {
    const storage = wireStorage();
    const { log } = PartitionLog.open(storage, 'p', observer);
    const core = { ...recordBatch({ count: 2, epoch: 0 }), baseOffset: 0 };
    log.append([core, fromWire(recordBatch({ count: 1, epoch: 0 }), 2)]);
    const reopened = PartitionLog.open(storage, 'p', observer).log;
    expect(reopened.logEndOffset).toBe(3);
    expect(decodedFields(reopened.storedBatches()[0]!.batch)).toEqual(core);
  });

  it('a lazily decoded record set equals the eager decode, and its records decode when read', () => {
    const set = encodeRecordSet([recordBatch({ count: 3, epoch: 0 }), { ...recordBatch({ count: 2, epoch: 0 }), baseOffset: 3 }]);
    const eager = decodeRecordSet(set).batches;
    const lazy = decodeRecordSet(set, undefined, true).batches;
    expect(JSON.stringify(lazy.map(decodedFields))).toBe(JSON.stringify(eager.map(decodedFields)));
    expect({ ...lazy[1]! }.records).toEqual(eager[1]!.records);
  });
});
