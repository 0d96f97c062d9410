// The run's last word on its partitions, as Kafka users read `kafka-topics --describe` first: per
// partition its leader, leader epoch, replicas and ISR, and each replica's log end and high
// watermark; internal topics (`__consumer_offsets`) in one line each unless asked for in full.

import type { FinalPartition } from '../models/liveness/cluster-view.ts';
import { partitionName } from '../core/partition-name.ts';
import { bad, dim, firstOf, table } from './output.ts';

/** How many partitions of user topics are listed before "N more". */
const PARTITIONS_SHOWN = 24;

const n = (x: number) => x.toLocaleString('en-US');

/** "b1 1,520/1,520": a replica's log end and high watermark, or that its node is down or holds nothing. */
function replicaLog(log: FinalPartition['logs'][number]): string {
  if (log.logEndOffset === null || log.highWatermark === null) return `${log.node} ${dim('down or no replica')}`;
  return `${log.node} ${n(log.logEndOffset)}/${n(log.highWatermark)}`;
}

function partitionRow(p: FinalPartition): string[] {
  const shortIsr = p.replicas.some((r) => !p.isr.includes(r));
  return [
    partitionName(p.topic, p.partition),
    p.leader ?? bad('none'),
    String(p.leaderEpoch),
    p.replicas.join(','),
    shortIsr ? bad(p.isr.join(',') || '(empty)') : p.isr.join(','),
    p.logs.map(replicaLog).join('  '),
  ];
}

/** One line for all partitions of an internal topic: how many, who leads them, how many have a full ISR. */
function internalTopicRow(topic: string, parts: readonly FinalPartition[]): string[] {
  const leaders = new Map<string, number>();
  for (const p of parts) leaders.set(p.leader ?? 'none', (leaders.get(p.leader ?? 'none') ?? 0) + 1);
  const full = parts.filter((p) => p.replicas.every((r) => p.isr.includes(r))).length;
  return [
    `${topic} (${parts.length} partitions)`,
    [...leaders].map(([leader, count]) => `${leader}×${count}`).join(' '),
    '',
    '',
    full === parts.length ? `full on all ${parts.length}` : bad(`full on ${full} of ${parts.length}`),
    dim('--verbose lists them'),
  ];
}

/** The final-state table, or null when the run created no partition. */
export function finalStateTable(partitions: readonly FinalPartition[], options: { verbose: boolean; width: number }): string | null {
  if (partitions.length === 0) return null;
  const internal = (p: FinalPartition) => p.topic.startsWith('__');
  const user = options.verbose ? partitions : partitions.filter((p) => !internal(p));
  const { shown, more } = options.verbose ? { shown: user, more: null } : firstOf(user, PARTITIONS_SHOWN);
  const rows = shown.map(partitionRow);
  if (more !== null) rows.push([dim(`${more} partitions`), '', '', '', '', dim('--verbose or --json lists them')]);
  if (!options.verbose) {
    const topics = [...new Set(partitions.filter(internal).map((p) => p.topic))];
    for (const topic of topics)
      rows.push(
        internalTopicRow(
          topic,
          partitions.filter((p) => p.topic === topic),
        ),
      );
  }
  return table(['partition', 'leader', 'epoch', 'replicas', 'ISR', 'log end/HW per replica'], rows, { wrap: 5, width: options.width });
}
