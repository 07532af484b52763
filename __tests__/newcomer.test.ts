// A newcomer's first run on a machine whose Node is older than 24: `npm ci` refuses (engine-strict),
// `npm run demo` says which Node it needs and how to get it instead of failing on a `.ts` file,
// and on Node 24 the demo is green. The old-Node cases run where /usr/bin/node is older than 24
// (as on the machine this was written on), and are skipped, saying so, elsewhere.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/run.ts';

const CHECK = join(REPO_ROOT, 'scripts', 'require-node-24.cjs');
const OLD_NODE = '/usr/bin/node';
const OLD_NPM = '/usr/bin/npm';

function majorOf(node: string): number | undefined {
  if (!existsSync(node)) return undefined;
  const run = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 });
  return run.status === 0 ? Number(run.stdout.split('.')[0]) : undefined;
}

const oldMajor = majorOf(OLD_NODE);
const noOldNode = oldMajor === undefined || oldMajor >= 24 ? `${OLD_NODE} is not a Node older than 24 here` : false;
const noOldNpm = noOldNode || (existsSync(OLD_NPM) ? false : `no ${OLD_NPM}`);
/** Only the old Node's folder and the system's: what a newcomer's shell has. */
const OLD_PATH = `${dirname(OLD_NODE)}:/bin`;

function assertSaysWhatToDo(text: string): void {
  assert.match(text, new RegExp(`needs Node\\.js 24 or later; this is Node\\.js v${oldMajor}\\.`));
  for (const way of ['nvm install 24', 'fnm install 24', 'volta install node@24', 'https://nodejs.org/'])
    assert.ok(text.includes(way), way);
  assert.match(text, /npm ci && npm run demo/);
}

describe('a newcomer with an old Node', () => {
  it('scripts/require-node-24.cjs passes on Node 24 and says nothing', () => {
    const run = spawnSync(process.execPath, [CHECK], { encoding: 'utf8', timeout: 10_000 });
    assert.deepEqual([run.status, run.stdout, run.stderr], [0, '', '']);
  });

  it('scripts/require-node-24.cjs on an old Node: exit 1, the version, and four ways to get 24', { skip: noOldNode }, () => {
    const run = spawnSync(OLD_NODE, [CHECK], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assertSaysWhatToDo(run.stderr);
  });

  it('npm run demo on an old Node stops at the check, not at ERR_UNKNOWN_FILE_EXTENSION', { skip: noOldNpm }, () => {
    const run = spawnSync(OLD_NPM, ['run', '--silent', 'demo'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: OLD_PATH, HOME: process.env['HOME'] ?? tmpdir() },
    });
    assert.notEqual(run.status, 0);
    assertSaysWhatToDo(run.stderr);
    assert.doesNotMatch(run.stderr, /ERR_UNKNOWN_FILE_EXTENSION/);
  });

  it('npm ci on an old Node refuses before installing anything (engine-strict in .npmrc)', { skip: noOldNpm }, () => {
    assert.match(readFileSync(join(REPO_ROOT, '.npmrc'), 'utf8'), /^engine-strict=true$/m);
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines;
    assert.equal(engines.node, '>=24');
    const dir = mkdtempSync(join(tmpdir(), 'checkmarx-auth-engine-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(REPO_ROOT, file), join(dir, file));
      const run = spawnSync(OLD_NPM, ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { PATH: OLD_PATH, HOME: process.env['HOME'] ?? tmpdir() },
      });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /EBADENGINE/);
      assert.match(run.stderr, /Required: \{"node":">=24"\}/);
      assert.equal(existsSync(join(dir, 'node_modules')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a newcomer with Node 24', () => {
  it('npm run demo is green: every product through the action and the CLI', () => {
    const run = spawnSync('npm', ['run', '--silent', 'demo'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: `${dirname(process.execPath)}:${process.env['PATH']}`, HOME: process.env['HOME'] ?? tmpdir() },
    });
    assert.equal(run.status, 0, run.stderr);
    for (const product of ['sast', 'sast-odata', 'access-control', 'sca', 'cxone'])
      assert.match(run.stdout, new RegExp(`^${product} +https://`, 'm'));
    assert.match(run.stdout, /10 token requests, all answered on 127\.0\.0\.1/);
  });
});
