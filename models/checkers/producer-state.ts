// producer-state-consistent: a replica's idempotent producer state (KIP-98, Kafka's
// ProducerStateManager) is what its own log rebuilds to. Replicas report the state when it starts
// to matter or was rebuilt (after recovering the log, on becoming leader, after a truncation),
// together with each producer's last five batches in the log (and its last transaction marker when
// later, flagged 'marker'); the checker ties those batches to the replica's log as its events show it,
// rebuilds the state from them and compares.

import type { NodeEvents, ProducerEntrySummary } from '../../core/trace/schema.ts';
import { batchAt, type GhostPartition, type GhostPartitionReplica, type PartitionHooks } from '../partition-ghost.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const PRODUCER_STATE_CONSISTENT: CheckerInfo = {
  name: 'producer-state-consistent',
  statement:
    "Each replica's idempotent producer state equals the state rebuilt from its own log (after recovery, on becoming leader, after truncation), but for batches below its log start, which the state may still know.",
  source: "KIP-98; Kafka's ProducerStateManager (truncateAndReload after truncation and log recovery); KAFKA-5435",
};

/** Batches kept per producer for duplicate detection (Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN). */
const KEPT_BATCHES = 5;
const MAX_SEQUENCE = 2 ** 31 - 1;

type KeptBatch = [number, number, number, number];

const CAUSES: Record<NodeEvents['producer-state']['cause'], string> = {
  recover: 'after recovering its log',
  leader: 'on becoming leader',
  truncate: 'after truncating its log',
};

export class ProducerStateConsistent implements PartitionHooks {
  constructor(private readonly report: Report) {}

  producerState(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['producer-state']): void {
    const when = CAUSES[e.cause];
    for (const [base, last] of e.log) {
      const held = batchAt(r.batches, base);
      if (held === undefined || held[0] !== base || held[1] !== last) {
        this.report({
          step,
          message: `${r.broker} rebuilds its producer state of ${p.key} ${when} from a batch at ${base}..${last} that its log does not hold`,
          nodes: [r.broker],
          values: { partition: p.key, cause: e.cause, baseOffset: base, lastOffset: last, held: held === undefined ? null : [held[0], held[1]] },
        });
        return;
      }
    }
    // Batches wholly below the replica's log start were deleted on purpose; the state may still
    // know them (Kafka keeps a producer's last batches until its last one is deleted), the log not.
    const state = new Map(
      e.producers.flatMap(([id, epoch, batches]) => {
        const held = batches.filter((b) => b[3] >= r.start);
        return held.length === 0 && batches.length > 0 ? [] : [[id, { epoch, batches: held }] as const];
      }),
    );
    const rebuilt = rebuild(p.cleaned.any ? withCleanedAway(e.log, state, p) : e.log);
    // A producer known only by markers that are gone from the log (below its start) keeps no batch to compare.
    for (const [id, entry] of state) if (entry.batches.length === 0 && !rebuilt.has(id)) state.delete(id);
    const ids = [...new Set([...state.keys(), ...rebuilt.keys()])].sort((a, b) => a - b);
    const differing = ids.filter((id) => show(state.get(id)) !== show(rebuilt.get(id)));
    if (differing.length === 0) return;
    const detail = differing.map((id) => `producer ${id}: ${show(state.get(id))}, its log rebuilds ${show(rebuilt.get(id))}`);
    this.report({
      step,
      message: `${r.broker}'s producer state of ${p.key} ${when} is not the one its log rebuilds: ${detail.join('; ')}`,
      nodes: [r.broker],
      values: {
        partition: p.key,
        cause: e.cause,
        producerIds: differing,
        state: differing.map((id) => state.get(id) ?? null),
        rebuilt: differing.map((id) => rebuilt.get(id) ?? null),
      },
    });
  }
}

/**
 * The log's batches with the state's batches that a log cleaner dropped since (on a compacted
 * topic the state outlives them, as Kafka's does: it comes from snapshots, and the cleaner keeps
 * each producer's last batch), in offset order: a batch of the state is taken as the log's only
 * where the trace shows a clean dropping a batch at exactly its offsets.
 */
function withCleanedAway(
  log: NodeEvents['producer-state']['log'],
  state: ReadonlyMap<number, { epoch: number; batches: ProducerEntrySummary[2] }>,
  p: GhostPartition,
): NodeEvents['producer-state']['log'] {
  const held = new Set(log.map(([base]) => base));
  const out = [...log];
  for (const [id, entry] of state) {
    for (const [firstSeq, , base, last] of entry.batches) {
      if (!held.has(base) && p.cleaned.dropped(base, last)) out.push([base, last, id, entry.epoch, firstSeq]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

interface Entry {
  epoch: number;
  batches: KeptBatch[];
}

/** The producer state a log rebuilds to, from each producer's last batches in offset order (Kafka's rules as Samsa keeps them). */
function rebuild(log: NodeEvents['producer-state']['log']): Map<number, Entry> {
  const producers = new Map<number, Entry>();
  for (const [base, last, id, epoch, sequence, kind] of log) {
    let entry = producers.get(id);
    // A newer producer epoch starts afresh (KIP-98's fencing); an older one, replicated as the leader wrote it, does not.
    if (entry === undefined || epoch > entry.epoch) {
      entry = { epoch, batches: [] };
      producers.set(id, entry);
    }
    // A transaction marker keeps no batch: it only brings its epoch (Kafka's appendEndTxnMarker).
    if (kind === 'marker') continue;
    entry.batches.push([sequence, addSequence(sequence, last - base), base, last]);
    if (entry.batches.length > KEPT_BATCHES) entry.batches.shift();
  }
  return producers;
}

function addSequence(sequence: number, delta: number): number {
  const next = sequence + delta;
  return next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next;
}

/** An entry as messages show it: `epoch 0, sequences 0-4 at 10..14, 5-9 at 15..19`. */
function show(entry: { epoch: number; batches: ProducerEntrySummary[2] } | undefined): string {
  if (entry === undefined) return 'nothing';
  const batches = entry.batches.map(([first, lastSeq, base, last]) => `${first}-${lastSeq} at ${base}..${last}`);
  return `epoch ${entry.epoch}, sequences ${batches.length === 0 ? 'none' : batches.join(', ')}`;
}
