// __transaction_state records: Kafka's bytes for one known record (TransactionLogKey v0,
// TransactionLogValue v1 with its tagged fields), round trips, Empty's null partitions, tombstones.

import { describe, expect, it } from 'vitest';
import { readTransactionLogRecord, transactionLogRecord, type StoredTransaction } from '../../core/txn/transaction-log.ts';

const hex = (latin1: string | null) => Buffer.from(latin1 ?? '', 'latin1').toString('hex');

const ONGOING: StoredTransaction = {
  producerId: 1000,
  previousProducerId: -1,
  nextProducerId: -1,
  producerEpoch: 2,
  txnTimeoutMs: 60_000,
  state: 'Ongoing',
  partitions: ['orders/1', 'orders/0'],
  txnLastUpdateTimestamp: 5,
  txnStartTimestamp: 3,
  clientTransactionVersion: 0,
};

describe('__transaction_state records', () => {
  it('are written in Kafka’s format', () => {
    const record = transactionLogRecord('t1', ONGOING);
    expect(hex(record.key)).toBe('0000' + '00027431');
    expect(hex(record.value)).toBe(
      '0001' + // version 1 (flexible)
        '00000000000003e8' + // ProducerId
        '0002' + // ProducerEpoch
        '0000ea60' + // TransactionTimeoutMs
        '01' + // TransactionStatus: Ongoing
        '02' +
        '076f7264657273' +
        '03' +
        '00000000' +
        '00000001' +
        '00' + // [{orders, [0, 1]}]
        '0000000000000005' + // TransactionLastUpdateTimestampMs
        '0000000000000003' + // TransactionStartTimestampMs
        '00', // no tagged fields: PreviousProducerId, NextProducerId and ClientTransactionVersion are their defaults
    );
    const tagged = transactionLogRecord('t1', { ...ONGOING, clientTransactionVersion: 2 });
    expect(hex(tagged.value).slice(-10)).toBe('0102020002'); // one tagged field: tag 2, size 2, value 2
  });

  it('read back what they wrote', () => {
    const stored: StoredTransaction = { ...ONGOING, state: 'PrepareCommit', previousProducerId: 7, nextProducerId: 1001, clientTransactionVersion: 2 };
    const record = transactionLogRecord('t1', stored);
    expect(readTransactionLogRecord(record.key, record.value)).toEqual({
      transactionalId: 't1',
      value: { ...stored, partitions: ['orders/0', 'orders/1'] },
    });
  });

  it('write Empty with null partitions, and a tombstone with a null value', () => {
    const empty = transactionLogRecord('t1', { ...ONGOING, state: 'Empty', partitions: [], txnStartTimestamp: -1 });
    expect(hex(empty.value).slice(34, 36)).toBe('00'); // after version, id, epoch, timeout and status: a null compact array
    expect(readTransactionLogRecord(empty.key, empty.value)!.value).toMatchObject({ state: 'Empty', partitions: [] });
    const tombstone = transactionLogRecord('t1', null);
    expect(tombstone.value).toBeNull();
    expect(readTransactionLogRecord(tombstone.key, null)).toEqual({ transactionalId: 't1', value: null });
  });

  it('skip keys of other versions', () => {
    expect(readTransactionLogRecord('\u0000\u0001\u0000\u0000', null)).toBeNull();
    expect(readTransactionLogRecord(null, null)).toBeNull();
  });
});
