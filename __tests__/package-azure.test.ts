// `npm run package:azure` builds the Azure DevOps extension offline: run here with DNS limited to
// loopback, so that a tfx-cli that reached for the network would fail. The .vsix (a zip, read here
// with node:zlib) holds the manifest with both contributions, task.json and the task's bundles
// exactly as committed, and nothing of the repository besides.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { TASK_DIR } from './support/azure.ts';
import { cleanEnv, LOOPBACK_ONLY_DNS_ENV, REPO_ROOT, runProcess } from './support/run.ts';

/** The entries of a zip file, by name: its central directory, each entry stored or deflated. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end !== -1, 'a zip file ends with its central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let index = 0; index < count; index++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (!name.endsWith('/')) entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** A PNG's width and height, from its IHDR chunk (the first, right after the signature). */
function pngSize(png: Buffer | undefined, name: string): { width: number; height: number } {
  assert.ok(png, `${name} is in the .vsix`);
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${name} is a PNG`);
  assert.equal(png.toString('latin1', 12, 16), 'IHDR', `${name} starts with its header`);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('npm run package:azure', () => {
  let out: string;
  let entries: Map<string, Buffer>;
  let stdout: string;

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'checkmarx-auth-vsix-'));
    const run = await runProcess(process.execPath, [join(REPO_ROOT, 'scripts', 'package-azure.ts'), '--out', out], {
      env: cleanEnv({ ...LOOPBACK_ONLY_DNS_ENV, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' }),
      cwd: REPO_ROOT,
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 0, run.stderr);
    stdout = run.stdout;
    entries = readZip(readFileSync(join(out, `checkmarx-auth-${version}.vsix`)));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('writes checkmarx-auth-<version>.vsix and prints its path', () => {
    assert.deepEqual(readdirSync(out), [`checkmarx-auth-${version}.vsix`]);
    assert.equal(stdout.trim(), join(out, `checkmarx-auth-${version}.vsix`));
  });

  it('holds the task and the service connection type, at the package version', () => {
    const vsixManifest = entries.get('extension.vsixmanifest')?.toString('utf8') ?? '';
    assert.match(vsixManifest, new RegExp(`<Identity [^>]*Id="checkmarx-auth"[^>]*Version="${version.replace(/\./g, '\\.')}"`));
    const manifest = JSON.parse(entries.get('extension.vsomanifest')?.toString('utf8') ?? '{}') as {
      contributions: Array<{ type: string; properties: { name: string } }>;
    };
    assert.deepEqual(
      manifest.contributions.map((contribution) => [contribution.type, contribution.properties.name]),
      [
        ['ms.vss-distributed-task.task', 'CheckmarxAuth'],
        ['ms.vss-endpoint.service-endpoint-type', 'checkmarx-auth'],
      ],
    );
  });

  it('carries task.json and the committed bundles byte for byte, and nothing else of the repository', () => {
    const taskFiles = [...entries.keys()].filter((name) => name.startsWith('CheckmarxAuth/')).sort();
    assert.deepEqual(taskFiles, [
      'CheckmarxAuth/dist/cli/index.js',
      'CheckmarxAuth/dist/cli/package.json',
      'CheckmarxAuth/dist/main/index.js',
      'CheckmarxAuth/dist/main/package.json',
      'CheckmarxAuth/dist/post/index.js',
      'CheckmarxAuth/dist/post/package.json',
      'CheckmarxAuth/icon.png',
      'CheckmarxAuth/task.json',
    ]);
    for (const name of taskFiles) {
      assert.ok(entries.get(name)?.equals(readFileSync(join(TASK_DIR, name.slice('CheckmarxAuth/'.length)))), `${name} as committed`);
    }
    const others = [...entries.keys()].filter((name) => !name.startsWith('CheckmarxAuth/')).sort();
    assert.deepEqual(others, [
      'LICENSE',
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension.vsomanifest',
      'images/icon.png',
      'overview.md',
    ]);
  });

  it("has the Marketplace's icons: the extension's (icons.default) and the task's, PNGs of at least 128 x 128", () => {
    const vsixManifest = entries.get('extension.vsixmanifest')?.toString('utf8') ?? '';
    assert.match(vsixManifest, /<Icon>images\/icon\.png<\/Icon>/);
    assert.match(vsixManifest, /<Asset Type="Microsoft\.VisualStudio\.Services\.Icons\.Default" [^>]*Path="images\/icon\.png"/);
    for (const name of ['images/icon.png', 'CheckmarxAuth/icon.png']) {
      const { width, height } = pngSize(entries.get(name), name);
      assert.ok(width >= 128 && height >= 128, `${name} is ${width} x ${height}`);
    }
  });

  it('packages the LICENSE as the license the Marketplace shows (content.license)', () => {
    const vsixManifest = entries.get('extension.vsixmanifest')?.toString('utf8') ?? '';
    assert.match(vsixManifest, /<Asset Type="Microsoft\.VisualStudio\.Services\.Content\.License" [^>]*Path="LICENSE"/);
    assert.ok(entries.get('LICENSE')?.equals(readFileSync(join(REPO_ROOT, 'LICENSE'))), 'the LICENSE as committed');
  });
});

describe('the release attaches the .vsix with its checksum', () => {
  it('release.yml packages the extension into release/ before the assets are summed, attests it and attaches release/*', () => {
    const release = parseYaml(readFileSync(join(REPO_ROOT, '.github', 'workflows', 'release.yml'), 'utf8')) as {
      jobs: Record<string, { steps: Array<{ run?: string; uses?: string; with?: Record<string, string> }> }>;
    };
    const steps = Object.values(release.jobs).flatMap((job) => job.steps);
    const at = (found: (step: (typeof steps)[number]) => boolean) => steps.findIndex(found);
    const packaged = at((step) => step.run === 'npm run package:azure -- --out release');
    const summed = at((step) => step.run === 'node scripts/release-assets.ts release');
    const attested = at((step) => step.uses?.startsWith('actions/attest-build-provenance@') === true);
    const created = at((step) => step.run?.includes('gh release create "$GITHUB_REF_NAME" release/*') === true);
    assert.ok(packaged !== -1 && packaged < summed && summed < attested && attested < created);
    assert.match(steps[attested]?.with?.['subject-path'] ?? '', /release\/checkmarx-auth-\*\.vsix/);
  });

  it('scripts/release-assets.ts sums every asset in the folder, the .vsix too, as sha256sum -c checks them', async () => {
    const out = mkdtempSync(join(tmpdir(), 'checkmarx-auth-release-'));
    try {
      const packaged = await runProcess(process.execPath, [join(REPO_ROOT, 'scripts', 'package-azure.ts'), '--out', out], {
        env: cleanEnv({}),
        cwd: REPO_ROOT,
        timeoutMs: 120_000,
      });
      assert.equal(packaged.code, 0, packaged.stderr);
      const made = await runProcess(process.execPath, [join(REPO_ROOT, 'scripts', 'release-assets.ts'), out], {
        env: cleanEnv({}),
        cwd: REPO_ROOT,
      });
      assert.equal(made.code, 0, made.stderr);
      const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
      assert.deepEqual(
        sums.map((line) => line.split('  ')[1]),
        [`checkmarx-auth-${version}.cjs`, `checkmarx-auth-${version}.vsix`],
      );
      for (const line of sums) {
        const [sum, name] = line.split('  ');
        assert.equal(
          createHash('sha256')
            .update(readFileSync(join(out, name ?? '')))
            .digest('hex'),
          sum,
          `${name}'s checksum`,
        );
      }
      const check = await runProcess('sha256sum', ['-c', 'SHA256SUMS'], { env: cleanEnv({}), cwd: out });
      assert.equal(check.code, 0, check.stdout + check.stderr);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
