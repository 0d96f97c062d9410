// How the visualizer names a topic partition to its user: `orders/0` (topic/partition), as the rest
// of Samsa does (core/partition-name.ts, which viz/ may not import). Traces written before the
// checkers took that name say `orders-0` in messages and values; those are read and rewritten here.

/** The one name of a topic partition: "orders/0". */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** The topic and partition of a name made by partitionKey. */
export function parsePartitionKey(key: string): { topic: string; partition: number } {
  const slash = key.lastIndexOf('/');
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) };
}

/** The dash form a checker may write for the partition named `key` ("orders/0" -> "orders-0"). */
function dashName(key: string): string {
  const slash = key.lastIndexOf('/');
  return `${key.slice(0, slash)}-${key.slice(slash + 1)}`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every dash name of a known partition ("orders-0") replaced by its name ("orders/0"). */
export function renamePartitions(text: string, partitions: readonly string[]): string {
  if (partitions.length === 0) return text;
  const byDash = new Map(partitions.map((key) => [dashName(key), key]));
  // Longest first, so that "orders-10" is not read as "orders-1" followed by "0".
  const names = [...byDash.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![\\w.-])(?:${names.join('|')})(?![\\w])`, 'g');
  return text.replace(pattern, (dash) => byDash.get(dash)!);
}

/**
 * The partition a violation's values name, as one of the trace's partitions: `{ topic, partition }`
 * (history and metadata checkers) or `{ partition: "orders-0" }` (partition checkers); else null.
 */
export function violationPartition(values: Record<string, unknown>, partitions: readonly string[]): string | null {
  const { topic, partition } = values;
  if (typeof topic === 'string' && typeof partition === 'number') return partitionKey(topic, partition);
  if (typeof partition !== 'string') return null;
  return partitions.find((key) => key === partition || dashName(key) === partition) ?? null;
}
