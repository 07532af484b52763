// `npm run package:azure`: the Azure DevOps extension as a .vsix, built offline with tfx-cli (a
// devDependency). It stages what the extension holds, and nothing else, in a temporary folder:
// azure-devops/vss-extension.json, its overview, its icon (images/, written by
// scripts/make-icons.ts) and the LICENSE (the Marketplace's license page: `content.license`), and
// the task's folder with task.json, its icon and its committed bundles (dist/: main, post, cli).
// The bundles are taken as committed, which `npm run check:dist` proves equal to a fresh build.
//
// Usage: node scripts/package-azure.ts [--out DIR]   (default azure-devops/out)
// Prints the path of checkmarx-auth-<version>.vsix.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const azure = join(root, 'azure-devops');
const at = process.argv.indexOf('--out');
const outDir = resolve(at === -1 ? join(azure, 'out') : (process.argv[at + 1] ?? ''));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const manifest = JSON.parse(readFileSync(join(azure, 'vss-extension.json'), 'utf8')) as { id: string; version: string };
if (manifest.version !== version) {
  console.error(`azure-devops/vss-extension.json says version ${manifest.version}, package.json ${version}.`);
  process.exit(1);
}

const stage = mkdtempSync(join(tmpdir(), 'checkmarx-auth-vsix-'));
try {
  for (const name of ['vss-extension.json', 'overview.md']) cpSync(join(azure, name), join(stage, name));
  cpSync(join(azure, 'images'), join(stage, 'images'), { recursive: true });
  cpSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
  for (const name of ['task.json', 'icon.png']) cpSync(join(azure, 'CheckmarxAuth', name), join(stage, 'CheckmarxAuth', name));
  cpSync(join(azure, 'CheckmarxAuth', 'dist'), join(stage, 'CheckmarxAuth', 'dist'), { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const vsix = join(outDir, `${manifest.id}-${version}.vsix`);
  rmSync(vsix, { force: true });
  const tfx = join(root, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
  execFileSync(
    process.execPath,
    [tfx, 'extension', 'create', '--root', stage, '--manifests', 'vss-extension.json', '--output-path', vsix, '--no-prompt', '--no-color'],
    { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!existsSync(vsix)) throw new Error(`tfx extension create wrote no ${vsix}`);
  console.log(vsix);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
