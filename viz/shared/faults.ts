// Where a network partition cuts: for each node on one of its sides, which side that is and which
// nodes it can no longer send to or hear from, read from the partition's groups and cut links, so
// that the diagram shows who is cut from whom rather than one band over every lane.

import type { FaultSpan } from './contract.ts';

/** One node's place in a partition. */
export interface LaneCut {
  node: string;
  /** Index of its group in the partition's `sides`. */
  side: number;
  /** Nodes its messages no longer reach. */
  cutTo: string[];
  /** Nodes whose messages no longer reach it. */
  cutFrom: string[];
}

const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Every node on a side of a partition span (none for other spans), side by side. */
export function partitionCuts(span: FaultSpan): LaneCut[] {
  if (span.sides === null) return [];
  const links = span.links ?? [];
  return span.sides.flatMap((nodes, side) =>
    nodes.map((node) => ({
      node,
      side,
      cutTo: links
        .filter(([from]) => from === node)
        .map(([, to]) => to)
        .sort(natural),
      cutFrom: links
        .filter(([, to]) => to === node)
        .map(([from]) => from)
        .sort(natural),
    })),
  );
}

/** "cut off from b2, b3" both ways; "cannot send to b2" and "hears nothing from b1" one way. */
export function describeCut(cut: LaneCut): string {
  const list = (nodes: string[]) => nodes.join(', ');
  const both = cut.cutTo.filter((n) => cut.cutFrom.includes(n));
  const toOnly = cut.cutTo.filter((n) => !both.includes(n));
  const fromOnly = cut.cutFrom.filter((n) => !both.includes(n));
  const parts: string[] = [];
  if (both.length > 0) parts.push(`cut off from ${list(both)}`);
  if (toOnly.length > 0) parts.push(`cannot send to ${list(toOnly)}`);
  if (fromOnly.length > 0) parts.push(`hears nothing from ${list(fromOnly)}`);
  return parts.length === 0 ? 'not cut' : parts.join('; ');
}
