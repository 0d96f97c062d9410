// Record batches may carry their RecordBatch v2 bytes beside the decoded fields (for the wire
// codec). A leader's offset assignment patches the bytes as Kafka's does (base offset and leader
// epoch sit before the CRC'd part); traces and the simulator's log frames never include them.
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../core/log/partition-log.ts';
import { assignOffsets, decodedFields, type RecordBatch } from '../../core/protocol/records.ts';
import { SimStorage } from '../../sim/disk.ts';
import { describeMessage } from '../../sim/describe.ts';
import { recordBatch } from './batches.ts';

/** 61 bytes standing for a batch's v2 header (what is in them does not matter here but for the two patched fields). */
const wire = () => Uint8Array.from({ length: 61 }, (_, i) => i);
const withWire = (b: RecordBatch): RecordBatch => ({ ...b, wireBytes: wire() });

describe('wire bytes beside a batch', () => {
  it('assigning offsets patches a copy: base offset (int64 at 0) and leader epoch (int32 at 12), nothing else', () => {
    const batch = withWire(recordBatch({ count: 2 }));
    const assigned = assignOffsets(batch, 1234, 7);
    const view = new DataView(assigned.wireBytes!.buffer, assigned.wireBytes!.byteOffset);
    expect(view.getBigInt64(0)).toBe(1234n);
    expect(view.getInt32(12)).toBe(7);
    expect([...assigned.wireBytes!.subarray(16)]).toEqual([...wire().subarray(16)]);
    expect([...assigned.wireBytes!.subarray(8, 12)]).toEqual([...wire().subarray(8, 12)]);
    expect([...batch.wireBytes!]).toEqual([...wire()]);
    expect(assigned).toMatchObject({ baseOffset: 1234, partitionLeaderEpoch: 7 });
  });

  it('the log frames a batch by its decoded fields alone: the same bytes and hash with or without wire bytes', () => {
    const frames = (b: RecordBatch) => {
      const storage = new SimStorage();
      const log = PartitionLog.open(storage, 'p', { appended: () => {}, truncated: () => {} }).log;
      log.append([b]);
      return { bytes: [...storage.read('p/00000000000000000000.log', 0, storage.size('p/00000000000000000000.log'))], hash: log.storedBatches()[0]!.hash };
    };
    const plain = recordBatch({ count: 3, epoch: 0 });
    expect(frames(withWire(plain))).toEqual(frames(plain));
    expect(decodedFields(withWire(plain))).toEqual(plain);
  });

  it('traces show a batch without its bytes', () => {
    const produce = {
      api: 'Produce',
      kind: 'request',
      correlationId: 1,
      transactionalId: null,
      acks: -1,
      timeoutMs: 1,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: withWire(recordBatch({ count: 1 })) }] }],
    };
    expect(JSON.stringify(describeMessage(produce))).not.toContain('wireBytes');
  });
});
