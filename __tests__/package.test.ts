// What users download: the npm tarball installs offline into an empty project and runs, and holds
// only what runs and what users read; the release asset runs with `node FILE` alone.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, REPO_ROOT } from './support/run.ts';

const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  files: string[];
  bin: Record<string, string>;
  repository: { url: string };
  publishConfig?: { provenance?: boolean };
};
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/.+\.(js|json)$/, /^docs\/[\w.-]+\.md$/];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let temp: string;

/** npm with its own empty cache and home, offline, and a bound on the time it may take. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  const home = join(temp, 'home');
  const env = cleanEnv({
    PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`,
    HOME: home,
    USERPROFILE: home,
    npm_config_cache: join(home, 'cache'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: 60_000, killSignal: 'SIGKILL', shell: process.platform === 'win32' },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

before(() => {
  temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-package-'));
  mkdirSync(join(temp, 'home'));
});
after(() => rmSync(temp, { recursive: true, force: true }));

describe('package.json', () => {
  it('is publishable, with provenance, under the one repository name', () => {
    assert.equal(PACKAGE.private, undefined);
    assert.equal(PACKAGE.publishConfig?.provenance, true);
    assert.equal(PACKAGE.repository.url, 'git+https://github.com/checkmarx-auth/checkmarx-auth.git');
  });
  it('has no runtime dependency to fetch: the bundle has them', () => {
    assert.deepEqual(PACKAGE.dependencies ?? {}, {});
  });
});

describe('npm pack, then install it offline into an empty project', () => {
  let tarball: string;
  let files: string[];

  before(async () => {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', temp], REPO_ROOT);
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(temp, info!.filename);
    files = info!.files.map((file) => file.path.replace(/\\/g, '/')).sort();
  });

  it('the tarball holds only what runs and what users read', () => {
    for (const file of files)
      assert.ok(
        ALLOWED.some((pattern) => pattern.test(file)),
        `${file} is in the tarball`,
      );
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', PACKAGE.bin['checkmarx-auth']]) {
      assert.ok(files.includes(needed!), `${needed} is missing from the tarball`);
    }
  });

  it('npm install --offline <tarball>, then npx --offline checkmarx-auth --version', async () => {
    const project = join(temp, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "ci-job", "private": true }\n');
    const install = await run('npm', ['install', '--offline', tarball], project);
    assert.equal(install.code, 0, install.stderr);
    assert.deepEqual(
      readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.')),
      ['checkmarx-auth'],
    );
    const version = await run('npx', ['--offline', 'checkmarx-auth', '--version'], project);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `${PACKAGE.version}\n`);
  });
});

describe('the release assets', () => {
  it('the CLI runs with node FILE alone, even beside an ES-module package.json, and SHA256SUMS checks it', async () => {
    const out = join(temp, 'release');
    const made = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'release-assets.ts'), out], REPO_ROOT);
    assert.equal(made.code, 0, made.stderr);
    const asset = `checkmarx-auth-${PACKAGE.version}.cjs`;
    assert.deepEqual(readdirSync(out).sort(), ['SHA256SUMS', asset]);

    // A user's folder: nothing but the downloaded file and someone else's package.json.
    const alone = join(temp, 'downloads');
    mkdirSync(alone);
    writeFileSync(join(alone, asset), readFileSync(join(out, asset)));
    writeFileSync(join(alone, 'package.json'), '{ "type": "module" }\n');
    const version = await run(process.execPath, [asset, '--version'], alone);
    assert.deepEqual([version.code, version.stdout, version.stderr], [0, `${PACKAGE.version}\n`, '']);
    // What dist/cli/ loads from files of its own (help, inspect) is inside the one file.
    const help = await run(process.execPath, [asset, '--help'], alone);
    assert.deepEqual([help.code, help.stderr], [0, ''], help.stderr);
    assert.match(help.stdout, /^checkmarx-auth \d+\.\d+\.\d+: exchange Checkmarx credentials/);
    const startAgent = await run(process.execPath, [asset, 'start-agent', '--format', 'token'], alone);
    assert.equal(startAgent.code, 2, startAgent.stderr);
    assert.match(startAgent.stderr, /start-agent prints CX_AUTH_SOCK and the token variables/);

    const [sum, name] = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trimEnd().split('  ');
    assert.equal(name, asset);
    assert.equal(
      sum,
      createHash('sha256')
        .update(readFileSync(join(alone, asset)))
        .digest('hex'),
    );
  });
});
