// Keeps `npm run bench` from rotting: a short run must still time every program and its floor,
// check every run, and print both tables. It checks that the bench runs, not its timings.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from './support/run.ts';

const BENCH = join(REPO_ROOT, 'scripts', 'bench.ts');
const MS = /^\d+\.\d$/;
const RATIO = /^\d+\.\d\d$/;

/** The cells of the table row that starts with `name`. */
function rowOf(stdout: string, name: string): string[] {
  const line = stdout.split('\n').find((text) => text.startsWith(`| ${name} `));
  assert.ok(line, `no row for ${name} in:\n${stdout}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

// The bounds only stop a hung bench; on a machine shared with other suites a run takes minutes.
test('npm run bench -- --runs 3 times the action and the CLI against their floors', { timeout: 600_000 }, async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [BENCH, '--runs', '3', '--warmup', '1', '--transfer-mib', '4', '--memory-requests', '10,100,300'],
    {
      cwd: REPO_ROOT,
      timeout: 590_000,
    },
  );

  assert.match(stdout, /^Node v24\.\d+\.\d+, .*availableParallelism \d+, \d+ cores\./);
  assert.match(stdout, /^3 rounds after 1 warm-up rounds/m);
  const programs = {
    'action (dist/index.js)': 'dist/index.js',
    'action floor (scripts/bench/minimal.cjs)': 'scripts/bench/minimal.cjs',
    'CLI (dist/cli/index.js)': 'dist/cli/index.js',
    'CLI floor (scripts/bench/minimal-cli.cjs)': 'scripts/bench/minimal-cli.cjs',
    'CLI token (dist/cli/index.js)': 'dist/cli/index.js',
    'socket floor (scripts/bench/socket-floor.cjs)': 'scripts/bench/socket-floor.cjs',
    'CLI exec -- true, cxone agent (dist/cli/index.js)': 'dist/cli/index.js',
    'CLI token, cxone agent (dist/cli/index.js)': 'dist/cli/index.js',
  };
  for (const [program, file] of Object.entries(programs)) {
    const [, min, median, max, bytes] = rowOf(stdout, program);
    for (const cell of [min, median, max]) assert.match(cell ?? '', MS, program);
    assert.ok(Number(min) <= Number(median) && Number(median) <= Number(max), `${program}: min <= median <= max`);
    assert.equal(Number(bytes), statSync(join(REPO_ROOT, file)).size, `${program}: the size of the file timed`);
  }
  for (const [pair, target] of [
    ['action / its floor', 1.15],
    ['CLI / its floor', 1.15],
    ['token from the agent / its floor', 1.3],
    ['exec -- true vs token / its floor', 1.25],
  ] as const) {
    const [, min, median, max, verdict, ofMedians] = rowOf(stdout, pair);
    for (const cell of [min, median, max, ofMedians]) assert.match(cell ?? '', RATIO, pair);
    assert.ok(Number(min) <= Number(median) && Number(median) <= Number(max), `${pair}: min <= median <= max`);
    // Whether it is met depends on the machine's load; that the verdict follows the figure does not.
    assert.equal(verdict, `≤ ${target.toFixed(2)} ${Number(median) <= target ? 'met' : 'NOT met'}`, pair);
  }
  for (const row of ['after 10 requests', 'after 100 requests', 'after 300 requests']) {
    assert.match(rowOf(stdout, row)[1] ?? '', /^\d+\.\d$/, row);
  }
  assert.match(rowOf(stdout, 'growth from 100 to 300')[1] ?? '', /^-?\d+% \(goal ≤ 10% and ≤ 64 MB: (met|NOT met)\)$/);
  for (const row of ["from exec's own cache", 'from the agent']) {
    const [, min, median, max, goal] = rowOf(stdout, row);
    for (const cell of [min, median, max]) assert.match(cell ?? '', RATIO, row);
    assert.ok(Number(min) <= Number(median) && Number(median) <= Number(max), `${row}: min <= median <= max`);
    assert.equal(goal, `≤ 2 ms ${Number(median) <= 2 ? 'met' : 'NOT met'}`, row);
  }
  if (!existsSync(join(REPO_ROOT, 'src', 'agent', 'sealed', 'facade.ts'))) {
    assert.match(stdout, /^The sealed facade \(src\/agent\/sealed\/facade\.ts\) is not in this tree: no facade figures\.$/m);
    return;
  }
  const [, , , added, addedGoal] = rowOf(stdout, 'added ms per small request (30, min/median/max)');
  const [min, median, max] = (added ?? '').split(' / ').map(Number) as [number, number, number];
  assert.ok(min <= median && median <= max, `added ms: ${added}`);
  assert.equal(addedGoal, `≤ 1 ms ${Number(median.toFixed(2)) <= 1 ? 'met' : 'NOT met'}`);
  for (const kind of ['upload', 'download']) {
    const [, direct, facade, ratio, goal] = rowOf(stdout, `${kind} of 4 MiB, MiB/s (median of 1)`);
    assert.match(`${direct} ${facade}`, /^\d+ \d+$/, kind);
    const [, value] = /^(\d+\.\d\d) of direct$/.exec(ratio ?? '') ?? [];
    assert.ok(value, `${kind}: ${ratio}`);
    assert.equal(goal, `≥ 0.80 ${Number(value) >= 0.8 ? 'met' : 'NOT met'}`, kind);
    // The same transfer through a bare TCP relay: the yardstick, with the facade's share of it.
    const [, relayDirect, relay, share, yardstick] = rowOf(stdout, `${kind} through a bare TCP relay (node:net, no HTTP), MiB/s`);
    assert.equal(relayDirect, direct, kind);
    assert.match(relay ?? '', /^\d+$/, kind);
    assert.match(share ?? '', /^\d+\.\d\d of direct; the facade \d+\.\d\d of it$/, kind);
    assert.equal(yardstick, 'yardstick', kind);
  }
  // Every request answered is a fact, not a timing: the bench checks what it reports.
  assert.deepEqual(rowOf(stdout, '200 requests at once').slice(2), ['200 answered', '200/200', 'all met']);
  const [, , rss, growth, memoryGoal] = rowOf(stdout, 'resident memory (VmRSS), MB: at start, peak during the transfers');
  assert.match(`${rss} ${growth}`, /^\d+\.\d, \d+\.\d \+-?\d+\.\d$/);
  assert.match(memoryGoal ?? '', /^< 64 MB (met|NOT met)$/);
});

for (const [flags, message] of [
  [['--runs', '0'], "bench: --runs must be an integer >= 1, got '0'"],
  [['--memory-requests', '1000,10'], "bench: --memory-requests must be two or more rising counts, got '1000,10'"],
] as const) {
  test(`npm run bench says what is wrong with ${flags.join(' ')}`, async () => {
    const run = promisify(execFile)(process.execPath, [BENCH, ...flags], { cwd: REPO_ROOT, timeout: 60_000 });
    await assert.rejects(run, (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.equal(error.stderr.trim(), message);
      return true;
    });
  });
}
