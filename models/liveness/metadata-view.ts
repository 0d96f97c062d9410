// Each node's metadata image, as far as liveness needs it (partition leaders, ISRs, replicas), from
// the nodes' `partition-change` events: a node's image is the snapshot it loaded, if any, plus the
// changes it applied since it started. A snapshot's partition states were never reported by the
// node that loads it, so the view also keeps every change in log order, placed by the smallest
// `metadata-apply` end offset after which some node reported it: that is exact at every node's
// own apply boundaries (the node that took a snapshot at offset S had reported every change below
// S by then, and no change at or above it), so the image of a snapshot at S is every change placed
// at or below S. Topic deletion is not traced and not followed (no scenario deletes topics).

import { partitionName } from '../../core/partition-name.ts';
import type { NodeId } from '../../core/env.ts';
import type { NodeEvents } from '../../core/trace/schema.ts';

export interface PartitionView {
  topic: string;
  partition: number;
  leader: NodeId | null;
  isr: NodeId[];
  /** The replicas, as created (the ISR of a new partition is all its replicas). */
  replicas: NodeId[];
  leaderEpoch: number;
  partitionEpoch: number;
}

/** Partition states by `topic-partition`, in creation order. */
export type ImageView = Map<string, PartitionView>;

interface PlacedChange {
  state: PartitionView;
  /** The smallest metadata end offset below which some node had applied it. */
  bound: number;
}

type PartitionChange = NodeEvents['partition-change'];

export class MetadataView {
  /** Every change, in the order of the metadata log, for images loaded from snapshots. */
  private readonly placed: PlacedChange[] = [];
  private readonly byId = new Map<string, PlacedChange>();
  /** Per node, the changes it reported since its last metadata-apply. */
  private readonly pending = new Map<NodeId, PlacedChange[]>();
  private readonly replicas = new Map<string, NodeId[]>();
  private readonly images = new Map<NodeId, ImageView>();

  /** A node (re)started: its image is empty until it loads a snapshot or applies records. */
  started(node: NodeId): void {
    this.images.set(node, new Map());
    this.pending.delete(node);
  }

  /** A node's image was replaced by a snapshot of the log below `endOffset`. */
  loadedSnapshot(node: NodeId, endOffset: number): void {
    const image: ImageView = new Map();
    for (const change of this.placed) if (change.bound <= endOffset) image.set(keyOf(change.state), change.state);
    this.images.set(node, image);
  }

  /** A node applied a record that produced this partition state. */
  changed(node: NodeId, e: PartitionChange): void {
    const key = partitionName(e.topic, e.partition);
    if (e.partitionEpoch === 0) this.replicas.set(key, [...e.isr]);
    const state: PartitionView = {
      topic: e.topic,
      partition: e.partition,
      leader: e.leader,
      isr: [...e.isr],
      replicas: this.replicas.get(key) ?? [...e.isr],
      leaderEpoch: e.leaderEpoch,
      partitionEpoch: e.partitionEpoch,
    };
    this.imageOf(node).set(key, state);
    const id = `${key}@${e.partitionEpoch}/${e.leaderEpoch}`;
    let change = this.byId.get(id);
    if (change === undefined) {
      change = { state, bound: Infinity };
      this.byId.set(id, change);
      this.placed.push(change);
    }
    let list = this.pending.get(node);
    if (list === undefined) this.pending.set(node, (list = []));
    list.push(change);
  }

  /** A node's image now holds the metadata log below `endOffset`. */
  applied(node: NodeId, endOffset: number): void {
    const list = this.pending.get(node);
    if (list === undefined) return;
    for (const change of list) if (endOffset < change.bound) change.bound = endOffset;
    list.length = 0;
  }

  /** The partition states in `node`'s image. */
  imageOf(node: NodeId): ImageView {
    let image = this.images.get(node);
    if (image === undefined) this.images.set(node, (image = new Map()));
    return image;
  }
}

function keyOf(p: PartitionView): string {
  return partitionName(p.topic, p.partition);
}
