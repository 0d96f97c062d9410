// How messages appear in traces: the message itself, except that bulky payloads (fetched log
// entries, snapshot contents) are summarised, so traces stay small and still show what moved.

import type { FetchResponse, ProduceRequest } from '../core/protocol/data.ts';
import { decodedFields, type RecordBatch } from '../core/protocol/records.ts';

export function describeMessage(msg: unknown): unknown {
  if (typeof msg !== 'object' || msg === null) return msg;
  const m = msg as Record<string, unknown>;
  if (Array.isArray(m['records']) && m['records'].length > 0) {
    const records = m['records'] as Array<{ offset?: number }>;
    return { ...m, records: { count: records.length, first: records[0]!.offset, last: records.at(-1)!.offset } };
  }
  if (m['api'] === 'FetchSnapshot' && m['kind'] === 'response') return { ...m, snapshot: m['snapshot'] === null ? null : '(snapshot)' };
  // Record batches travel as their headers: the values are in the clients' and partitions' events.
  // (The quorum's Fetch is flattened and has no topics; its entries are summarised above.)
  if (m['api'] === 'Produce' && m['kind'] === 'request') {
    const req = msg as ProduceRequest;
    return { ...req, topicData: req.topicData.map((t) => ({ ...t, partitionData: t.partitionData.map((p) => ({ ...p, records: batchHeader(p.records) })) })) };
  }
  if (m['api'] === 'Fetch' && m['kind'] === 'response' && Array.isArray(m['topics'])) {
    const res = msg as FetchResponse;
    if (!res.topics.some((t) => t.partitions.some((p) => p.records.length > 0))) return msg;
    return { ...res, topics: res.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, records: p.records.map(batchHeader) })) })) };
  }
  return msg;
}

/** A record batch without its records: offsets, epoch, producer and sequence, and the record count. */
function batchHeader(b: RecordBatch): Omit<RecordBatch, 'records' | 'wireBytes'> & { recordCount: number } {
  const { records, ...header } = decodedFields(b);
  return { ...header, recordCount: records.length };
}
