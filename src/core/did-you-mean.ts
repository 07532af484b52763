// Suggestions for a near-miss name (`cxsast`, `checkmarx-one`, `sast_odata`, `eu-1`): compared
// without case, punctuation or a `checkmarx` / `cx` prefix, then by edit distance.

function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^(checkmarx|cx)(?=.)/, '');
}

/** The candidate the value most likely meant, if any is close enough. */
export function didYouMean(value: string, candidates: readonly string[]): string | undefined {
  const wanted = normalise(value);
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(wanted, normalise(name));
    if (!best || distance < best.distance) best = { name, distance };
  }
  const allowed = wanted.length <= 3 ? 1 : 2;
  return best && best.distance <= allowed ? best.name : undefined;
}

/** `'x' is not one of: a, b, c.`, with a suggestion when one is close. */
export function notOneOf(value: string, candidates: readonly string[]): string {
  const suggestion = didYouMean(value, candidates);
  return `'${value}' is not one of: ${candidates.join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
