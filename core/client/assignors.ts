// The group leader's partition assignors, as Kafka's consumer names them: `range` (each topic's
// partitions cut into consecutive ranges), `roundrobin` (all partitions dealt in turn), `sticky`
// (balanced, keeping what members own) and `cooperative-sticky` (sticky, and a partition that moves
// is withheld until its owner has revoked it, KIP-429). Members are ordered by group.instance.id when
// they have one, else by member id, as Kafka's MemberInfo orders them. The seeded bug
// `assignor-overlap` gives the last partition of each range to the next member as well.

import type { TopicPartitions } from './consumer-protocol.ts';

export type AssignorName = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';
export const ASSIGNORS: readonly AssignorName[] = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'];

/** Whether a protocol is incremental: members keep fetching what stays theirs and revoke only what moves. */
export function isCooperative(name: string): boolean {
  return name === 'cooperative-sticky';
}

export interface AssignorMember {
  memberId: string;
  groupInstanceId: string | null;
  topics: readonly string[];
  ownedPartitions: readonly TopicPartitions[];
  generationId: number;
}

export interface AssignorOptions {
  /** The seeded bug assignor-overlap. */
  overlap?: boolean;
  /** The seeded bug cooperative-no-revoke: cooperative-sticky moves a partition without the revoke round. */
  noRevoke?: boolean;
}

/** memberId -> topic -> partitions, every member present (possibly with nothing). */
export type GroupAssignment = Map<string, Map<string, number[]>>;

type TP = { topic: string; partition: number };

export function assign(
  name: AssignorName,
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  options: AssignorOptions = {},
): GroupAssignment {
  const ordered = [...members].sort((a, b) => compare(sortKey(a), sortKey(b)));
  const result: GroupAssignment = new Map(ordered.map((m) => [m.memberId, new Map<string, number[]>()]));
  const give = (memberId: string, tp: TP) => {
    const topics = result.get(memberId)!;
    topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
  };
  switch (name) {
    case 'range':
      for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => compare(a, b))) {
        const subscribers = ordered.filter((m) => m.topics.includes(topic));
        const per = Math.floor(count / Math.max(1, subscribers.length));
        const extra = count % Math.max(1, subscribers.length);
        subscribers.forEach((m, i) => {
          const start = i * per + Math.min(i, extra);
          const length = per + (i < extra ? 1 : 0);
          // The bug: each range also takes the first partition of the next one.
          const end = options.overlap === true && i < subscribers.length - 1 ? start + length + 1 : start + length;
          for (let p = start; p < Math.min(end, count); p++) give(m.memberId, { topic, partition: p });
        });
      }
      break;
    case 'roundrobin': {
      let next = 0;
      for (const tp of allPartitions(partitionsPerTopic, ordered)) {
        for (let tries = 0; tries < ordered.length; tries++) {
          const m = ordered[next++ % ordered.length]!;
          if (!m.topics.includes(tp.topic)) continue;
          give(m.memberId, tp);
          break;
        }
      }
      break;
    }
    case 'sticky':
    case 'cooperative-sticky':
      for (const [memberId, tps] of sticky(ordered, partitionsPerTopic, name === 'cooperative-sticky' && options.noRevoke !== true))
        for (const tp of tps) give(memberId, tp);
      break;
  }
  for (const topics of result.values()) for (const list of topics.values()) list.sort((a, b) => a - b);
  return result;
}

/**
 * Balanced and sticky: every member keeps what it validly owns up to its quota (the newest generation
 * wins a partition two members claim), and the rest goes to the least-loaded subscribers. With equal
 * subscriptions the counts differ by at most one. Cooperatively, a partition whose owner is another
 * member is withheld this round: its owner revokes it and the next rebalance hands it over.
 */
function sticky(ordered: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>, cooperative: boolean): Map<string, TP[]> {
  const exists = (tp: TopicPartitions, p: number) => p >= 0 && p < (partitionsPerTopic.get(tp.topic) ?? 0);
  const owner = new Map<string, AssignorMember>();
  for (const m of ordered) {
    for (const tps of m.ownedPartitions) {
      if (!m.topics.includes(tps.topic)) continue;
      for (const p of tps.partitions) {
        if (!exists(tps, p)) continue;
        const key = `${tps.topic}/${p}`;
        const claimed = owner.get(key);
        if (claimed === undefined || m.generationId > claimed.generationId) owner.set(key, m);
      }
    }
  }
  const all = allPartitions(partitionsPerTopic, ordered);
  const equalSubscriptions = ordered.every((m) => sameTopics(m.topics, ordered[0]!.topics));
  const quota = new Map<string, number>();
  if (equalSubscriptions && ordered.length > 0) {
    const min = Math.floor(all.length / ordered.length);
    let withExtra = all.length % ordered.length;
    // Members that own the most get the extra places first, so fewer partitions move.
    const byOwned = [...ordered].sort((a, b) => ownedCount(b, owner) - ownedCount(a, owner));
    for (const m of byOwned) quota.set(m.memberId, min + (withExtra-- > 0 ? 1 : 0));
  }
  const assigned = new Map<string, TP[]>(ordered.map((m) => [m.memberId, []]));
  const unassigned: TP[] = [];
  for (const tp of all) {
    const m = owner.get(`${tp.topic}/${tp.partition}`);
    const mine = m === undefined ? undefined : assigned.get(m.memberId)!;
    if (m !== undefined && mine!.length < (quota.get(m.memberId) ?? Infinity)) mine!.push(tp);
    else unassigned.push(tp);
  }
  for (const tp of unassigned) {
    let best: AssignorMember | null = null;
    for (const m of ordered) {
      if (!m.topics.includes(tp.topic)) continue;
      const load = assigned.get(m.memberId)!.length;
      if (load >= (quota.get(m.memberId) ?? Infinity)) continue;
      if (best === null || load < assigned.get(best.memberId)!.length) best = m;
    }
    best ??= ordered.find((m) => m.topics.includes(tp.topic)) ?? null;
    if (best !== null) assigned.get(best.memberId)!.push(tp);
  }
  if (cooperative) {
    for (const [memberId, tps] of assigned) {
      assigned.set(
        memberId,
        tps.filter((tp) => {
          const current = owner.get(`${tp.topic}/${tp.partition}`);
          return current === undefined || current.memberId === memberId;
        }),
      );
    }
  }
  return assigned;
}

function ownedCount(m: AssignorMember, owner: ReadonlyMap<string, AssignorMember>): number {
  let n = 0;
  for (const claimed of owner.values()) if (claimed === m) n++;
  return n;
}

/** Every partition of the topics some member subscribes to, by topic then partition. */
function allPartitions(partitionsPerTopic: ReadonlyMap<string, number>, members: readonly AssignorMember[]): TP[] {
  const out: TP[] = [];
  for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => compare(a, b))) {
    if (!members.some((m) => m.topics.includes(topic))) continue;
    for (let partition = 0; partition < count; partition++) out.push({ topic, partition });
  }
  return out;
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((t, i) => t === [...b].sort()[i]);
}

function sortKey(m: AssignorMember): string {
  return m.groupInstanceId ?? m.memberId;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
