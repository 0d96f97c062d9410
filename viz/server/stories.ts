// A violation's story, told on the server: picks the rows the story needs (its partition's events
// up to the violation, the crashes and restarts, the operation where its record came in and the
// event that exposed it), reads them back from the file, and hands them to viz/shared/story.ts.
// Stories are kept per index once told.

import { parseTraceLine } from '../../trace/reader.ts';
import type { ViolationStory } from '../shared/contract.ts';
import { explainViolation, type StoryEvent } from '../shared/story.ts';
import { storySubject } from '../shared/story-subject.ts';
import { readRowsAt, rowAtOrBefore, type TraceIndex } from './trace-index.ts';

const told = new WeakMap<TraceIndex, Map<number, ViolationStory | null>>();

/** The story of violation `n` of the index, or null when its checker has none. */
export function storyOf(index: TraceIndex, n: number): ViolationStory | null {
  let stories = told.get(index);
  if (stories === undefined) told.set(index, (stories = new Map()));
  if (!stories.has(n)) stories.set(n, tell(index, n));
  return stories.get(n)!;
}

function tell(index: TraceIndex, n: number): ViolationStory | null {
  const v = index.meta.violations[n]!;
  const subject = storySubject(v);
  if (subject === null) return null;
  const rows = new Set<number>([v.atRow]);
  for (const row of index.partitionRows.get(subject.partition) ?? []) {
    if (row > v.atRow) break;
    rows.add(row);
  }
  for (const mark of index.meta.marks) if ((mark.kind === 'crash' || mark.kind === 'restart') && mark.row <= v.atRow) rows.add(mark.row);
  if (subject.kind === 'record' && subject.origin.kind === 'client') {
    const row = rowAtOrBefore(index.columns, subject.origin.step, v.atRow);
    if (index.columns.step[row] === subject.origin.step) rows.add(row);
  }
  const sorted = [...rows].sort((a, b) => a - b);
  const events: StoryEvent[] = readRowsAt(index, sorted).map((text, k) => {
    const line = parseTraceLine(text, sorted[k]! + 2, index.path);
    if (line.kind === 'summary') throw new Error(`row ${sorted[k]} of ${index.path} reads as the summary: the file changed since it was indexed`);
    return { row: sorted[k]!, ev: line };
  });
  return explainViolation(n, v, subject, events);
}
