// The min, median and max of a bench's figures, as every table of `npm run bench` shows them.

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** NaN for no figures at all, so that a table shows the gap rather than a made-up zero. */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)] : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
  return { min: sorted[0] ?? NaN, median: median ?? NaN, max: sorted.at(-1) ?? NaN };
}
