// The committed bundles are CommonJS and self-contained: each one, copied alone into a folder with
// no package.json above it, runs with `node index.js` and gets a token.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACTION_ENTRY, CLI_ENTRY, runAction, runCli } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer } from './support/token-server.ts';
import type { TokenServer } from './support/token-server.ts';

/** A copy of `bundle` alone in a fresh folder; no package.json in it or above it decides its format. */
function copyAlone(work: string, bundle: string, name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (let up = dir; up !== dirname(up); up = dirname(up)) assert.ok(!existsSync(join(up, 'package.json')), `${up} has a package.json`);
  copyFileSync(bundle, join(dir, 'index.js'));
  return join(dir, 'index.js');
}

describe('bundles', () => {
  let server: TokenServer;
  let work: string;
  before(async () => {
    server = await startTokenServer();
    work = mkdtempSync(join(tmpdir(), 'checkmarx-auth-bundles-'));
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await server.close();
  });

  for (const bundle of [ACTION_ENTRY, CLI_ENTRY]) {
    it(`${bundle.slice(bundle.indexOf('dist'))} sits next to a package.json that says commonjs`, () => {
      assert.deepEqual(JSON.parse(readFileSync(join(dirname(bundle), 'package.json'), 'utf8')), { type: 'commonjs' });
    });
  }

  it('the action bundle, copied alone, gets a token', async () => {
    const run = await runAction({
      entry: copyAlone(work, ACTION_ENTRY, 'action'),
      inputs: { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(server.issuedAccessTokens.includes(run.outputs['access-token'] ?? ''), 'no issued token in the outputs');
  });

  it('the CLI bundle, copied alone, prints a token', async () => {
    const run = await runCli(['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username], {
      entry: copyAlone(work, CLI_ENTRY, 'cli'),
      env: { CX_PASSWORD: DEFAULT_SAST_USER.password },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(server.issuedAccessTokens.includes(run.stdout.trim()), 'stdout is not an issued token');
  });
});
