// image-agreement: nodes whose metadata images reflect the metadata log up to the same offset hold
// the same image, however they got there: applying the committed records one by one, loading a
// snapshot (their own after a restart, or the leader's fetched), or both. Judged from the image
// digests of `metadata-apply` events; a digest is given only when the image changed since the
// node's previous report in its incarnation, so each node's current digest is tracked.

import type { NodeId } from '../../core/env.ts';
import type { GhostReplica, QuorumHooks } from '../quorum-ghost.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const IMAGE_AGREEMENT: CheckerInfo = {
  name: 'image-agreement',
  statement: 'Two nodes that applied the metadata log to the same offset hold identical metadata images (equal digests), including after loading a snapshot.',
  source:
    'KIP-500 and KIP-631 (every node replays __cluster_metadata into the same image); KIP-630 (a snapshot stands for the log before its end offset); KAFKA-14618',
};

interface FirstImage {
  digest: string;
  node: NodeId;
  step: number;
}

export class ImageAgreement implements QuorumHooks {
  /** Per end offset, the first image reported there: every later report at that offset must match it. */
  private readonly byOffset = new Map<number, FirstImage>();
  /** Each node's image digest now; unknown from the start of an incarnation until it reports one. */
  private readonly current = new Map<NodeId, string>();
  /**
   * Nodes already named in a report in their current incarnation. A divergent image stays
   * divergent, and every node that applies later offsets after it would be found to differ from
   * it, so a disagreement is reported once, naming both nodes, and neither is judged again until it
   * restarts.
   */
  private readonly reported = new Set<NodeId>();

  constructor(private readonly report: Report) {}

  loaded(r: GhostReplica): void {
    // A new incarnation (raft-load opens every start): its image is rebuilt from storage.
    this.current.delete(r.id);
    this.reported.delete(r.id);
  }

  metadataApplied(r: GhostReplica, step: number, endOffset: number, digest: string | undefined): void {
    if (digest !== undefined) this.current.set(r.id, digest);
    const own = this.current.get(r.id);
    if (own === undefined) return;
    const first = this.byOffset.get(endOffset);
    if (first === undefined) {
      this.byOffset.set(endOffset, { digest: own, node: r.id, step });
      return;
    }
    if (first.digest === own || this.reported.has(r.id) || this.reported.has(first.node)) return;
    this.reported.add(r.id);
    this.reported.add(first.node);
    const other = first.node === r.id ? `its own earlier image (step ${first.step})` : `${first.node}'s (step ${first.step})`;
    this.report({
      step,
      message: `${r.id}'s metadata image at offset ${endOffset} (digest ${own}) differs from ${other}, digest ${first.digest}`,
      nodes: first.node === r.id ? [r.id] : [r.id, first.node],
      values: { endOffset, digest: own, firstDigest: first.digest, firstNode: first.node, firstStep: first.step },
    });
  }
}
