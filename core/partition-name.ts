// The one way a topic partition is named to people and in keys outside the broker: `orders/0`
// (a topic name may hold '-', never '/', so the name splits back without doubt).

/** `orders/0` for partition 0 of topic orders. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
