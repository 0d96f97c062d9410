// How messages appear in traces: the message itself, except that bulky payloads (fetched log
// entries, snapshot contents) are summarised, so traces stay small and still show what moved.

export function describeMessage(msg: unknown): unknown {
  if (typeof msg !== 'object' || msg === null) return msg;
  const m = msg as Record<string, unknown>;
  if (Array.isArray(m['records']) && m['records'].length > 0) {
    const records = m['records'] as Array<{ offset?: number }>;
    return { ...m, records: { count: records.length, first: records[0]!.offset, last: records.at(-1)!.offset } };
  }
  if (m['api'] === 'FetchSnapshot' && m['kind'] === 'response') return { ...m, snapshot: m['snapshot'] === null ? null : '(snapshot)' };
  return msg;
}
