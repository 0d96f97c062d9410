// "Did you mean …?" for a misspelt name (a config key, a bug): the known name at the smallest edit
// distance, when it is close enough to be the one meant. Kafka's tools print no such hint; ours do.

/** The known name closest to `name` (Levenshtein distance at most `maxDistance`), or null. Ties go to the first in sorted order. */
export function nearestName(name: string, known: Iterable<string>, maxDistance = 3): string | null {
  let best: string | null = null;
  let bestDistance = maxDistance + 1;
  for (const candidate of known) {
    const d = editDistance(candidate, name);
    if (d < bestDistance || (d === bestDistance && best !== null && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` for the nearest known name, or the empty string. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const near = nearestName(name, known);
  return near === null ? '' : ` (did you mean "${near}"?)`;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
