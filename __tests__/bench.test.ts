// Keeps `npm run bench` from rotting: a short run must still time all three programs, check every
// run, and print the tables.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from './support/run.ts';

const BENCH = join(REPO_ROOT, 'scripts', 'bench.ts');
const NUMBER = String.raw`\d+\.\d`;

/** The table row for a program: | name | median | p90 | ratio | */
function rowOf(stdout: string, program: string): string[] {
  const line = stdout.split('\n').find((text) => text.startsWith(`| ${program} `));
  assert.ok(line, `no row for ${program} in:\n${stdout}`);
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

test('npm run bench -- --runs 3 prints timings, ratios, sizes and failure times', { timeout: 90_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [BENCH, '--runs', '3', '--warmup', '1'], { cwd: REPO_ROOT, timeout: 85_000 });

  assert.match(stdout, /on Node v24\.\d+\.\d+.*availableParallelism \d+, \d+ cores/);
  assert.match(stdout, /\| program \| median ms \| p90 ms \| ratio to minimal \|/);
  for (const program of ['action (dist/index.js)', 'CLI (dist/cli/index.js)', 'minimal (scripts/bench/minimal.js)']) {
    const [, median, p90, ratio] = rowOf(stdout, program);
    assert.match(median ?? '', new RegExp(`^${NUMBER}$`), program);
    assert.match(p90 ?? '', new RegExp(`^${NUMBER}$`), program);
    assert.match(ratio ?? '', /^\d+\.\d\d$/, program);
  }
  assert.equal(rowOf(stdout, 'minimal (scripts/bench/minimal.js)')[3], '1.00');
  assert.match(stdout, /Target: action \/ minimal ≤ 1\.15: (met|NOT met) \(\d+\.\d\d\)\./);

  assert.match(rowOf(stdout, 'dist/index.js').join(' '), /^dist\/index\.js \d+ \d+\.\d$/);
  assert.match(rowOf(stdout, 'dist/cli/index.js').join(' '), /^dist\/cli\/index\.js \d+ \d+\.\d$/);

  for (const failure of ['wrong password', 'unreachable (closed port)', 'blackhole (accepts, never answers)']) {
    const cells = rowOf(stdout, failure);
    assert.match(cells[2] ?? '', new RegExp(`^${NUMBER}$`), failure);
    assert.equal(cells[5], '1', failure);
  }
  assert.match(stdout, /- wrong password: `.*HTTP 400 invalid_grant/);
  assert.match(stdout, /- unreachable \(closed port\): `.*ECONNREFUSED/);
  assert.match(stdout, /- blackhole \(accepts, never answers\): `.*timeout-seconds/);
  assert.doesNotMatch(stdout, /Wrote BENCHMARKS\.md/);
});
