// The records of __transaction_state in Kafka's own formats: TransactionLogKey v0 {transactionalId}
// and TransactionLogValue v1 (flexible; tagged PreviousProducerId, NextProducerId and
// ClientTransactionVersion), each prefixed by its int16 version; a null value is a tombstone (an
// expired transactional id). Kafka's tools read them as they are; v0 values are read too.

import type { TxnStateName } from '../protocol/txn.ts';
import type { Bytes, KafkaRecord } from '../protocol/records.ts';
import { readVersion, versioned } from '../group/offsets-topic.ts';
import { decodeMessage } from '../wire/message-codec.ts';
import { bytesOfLatin1 as toBytes } from '../wire/latin1.ts';
import type { MessageSpec } from '../wire/spec.ts';

/** TransactionState ids as the log stores them (TransactionState.java). */
export const TXN_STATE_IDS: Readonly<Record<TxnStateName, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

const STATE_BY_ID = new Map(Object.entries(TXN_STATE_IDS).map(([name, id]) => [id, name as TxnStateName]));

const TransactionLogKeySpec: MessageSpec = {
  apiKey: -1,
  name: 'TransactionLogKey',
  type: 'data',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [{ name: 'transactionalId', type: 'string', versions: '0' }],
};

const TransactionLogValueSpec: MessageSpec = {
  apiKey: -1,
  name: 'TransactionLogValue',
  type: 'data',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'previousProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 0, default: -1 },
    { name: 'nextProducerId', type: 'int64', versions: '1+', taggedVersions: '1+', tag: 1, default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'transactionStatus', type: 'int8', versions: '0+' },
    {
      name: 'transactionPartitions',
      versions: '0+',
      nullableVersions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '0+' },
            { name: 'partitionIds', type: { array: 'int32' }, versions: '0+' },
          ],
        },
      },
    },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: '0+' },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: '0+' },
    { name: 'clientTransactionVersion', type: 'int16', versions: '1+', taggedVersions: '1+', tag: 2, default: 0 },
  ],
};

const KEY_VERSION = 0;
/** The value version a broker at transaction.version 1 or 2 writes (TransactionVersion.transactionLogValueVersion). */
const VALUE_VERSION = 1;

/** A transactional id's state as one record of __transaction_state holds it. */
export interface StoredTransaction {
  producerId: number;
  previousProducerId: number;
  nextProducerId: number;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TxnStateName;
  /** `topic/partition` names; none for Empty (written as null, as Kafka does). */
  partitions: readonly string[];
  txnLastUpdateTimestamp: number;
  txnStartTimestamp: number;
  clientTransactionVersion: number;
}

/** `topic/partition`, split at the last slash (topic names have none). */
export function splitPartitionName(name: string): { topic: string; partition: number } {
  const at = name.lastIndexOf('/');
  return { topic: name.slice(0, at), partition: Number(name.slice(at + 1)) };
}

/** Partitions grouped by topic, both sorted, as the log and the responses list them. */
export function partitionsByTopic(names: Iterable<string>): Array<{ topic: string; partitionIds: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const name of names) {
    const { topic, partition } = splitPartitionName(name);
    let ids = byTopic.get(topic);
    if (ids === undefined) byTopic.set(topic, (ids = []));
    ids.push(partition);
  }
  return [...byTopic.keys()].sort().map((topic) => ({ topic, partitionIds: byTopic.get(topic)!.sort((a, b) => a - b) }));
}

export function transactionLogRecord(transactionalId: string, value: StoredTransaction | null): KafkaRecord {
  const key = versioned(TransactionLogKeySpec, KEY_VERSION, { transactionalId });
  if (value === null) return { offsetDelta: 0, timestampDelta: 0, key, value: null, headers: [] };
  const wire = {
    producerId: value.producerId,
    previousProducerId: value.previousProducerId,
    nextProducerId: value.nextProducerId,
    producerEpoch: value.producerEpoch,
    transactionTimeoutMs: value.txnTimeoutMs,
    transactionStatus: TXN_STATE_IDS[value.state],
    transactionPartitions: value.state === 'Empty' ? null : partitionsByTopic(value.partitions),
    transactionLastUpdateTimestampMs: value.txnLastUpdateTimestamp,
    transactionStartTimestampMs: value.txnStartTimestamp,
    clientTransactionVersion: value.clientTransactionVersion,
  };
  return { offsetDelta: 0, timestampDelta: 0, key, value: versioned(TransactionLogValueSpec, VALUE_VERSION, wire), headers: [] };
}

/** Reads one record of the topic; null for a key version or state this coordinator does not know (Kafka fails on those). */
export function readTransactionLogRecord(key: Bytes | null, value: Bytes | null): { transactionalId: string; value: StoredTransaction | null } | null {
  if (key === null || key.length < 2) return null;
  const keyBytes = toBytes(key);
  if (readVersion(keyBytes) !== KEY_VERSION) return null;
  const { transactionalId } = decodeMessage(TransactionLogKeySpec, KEY_VERSION, keyBytes.subarray(2)) as { transactionalId: string };
  if (value === null) return { transactionalId, value: null };
  const valueBytes = toBytes(value);
  const version = readVersion(valueBytes);
  if (version > VALUE_VERSION) return null;
  const v = decodeMessage(TransactionLogValueSpec, version, valueBytes.subarray(2)) as {
    producerId: number;
    previousProducerId: number;
    nextProducerId: number;
    producerEpoch: number;
    transactionTimeoutMs: number;
    transactionStatus: number;
    transactionPartitions: Array<{ topic: string; partitionIds: number[] }> | null;
    transactionLastUpdateTimestampMs: number;
    transactionStartTimestampMs: number;
    clientTransactionVersion: number;
  };
  const state = STATE_BY_ID.get(v.transactionStatus);
  if (state === undefined) return null;
  return {
    transactionalId,
    value: {
      producerId: v.producerId,
      previousProducerId: v.previousProducerId,
      nextProducerId: v.nextProducerId,
      producerEpoch: v.producerEpoch,
      txnTimeoutMs: v.transactionTimeoutMs,
      state,
      partitions: (v.transactionPartitions ?? []).flatMap((t) => t.partitionIds.map((p) => `${t.topic}/${p}`)),
      txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
      txnStartTimestamp: v.transactionStartTimestampMs,
      clientTransactionVersion: v.clientTransactionVersion,
    },
  };
}
