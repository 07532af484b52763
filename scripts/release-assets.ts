// The GitHub Release's assets, as .github/workflows/release.yml makes them:
// checkmarx-auth-<version>.cjs (the CLI bundle, which runs with `node FILE` alone) and SHA256SUMS
// (`sha256sum -c SHA256SUMS` checks it, and every other file already in <out-dir>: the release
// puts the Azure DevOps extension's .vsix there first, with `npm run package:azure -- --out`).
// `.cjs` because a `.js` file's module type depends on the nearest package.json of wherever users
// save it; `.cjs` is CommonJS, as the bundle is, everywhere.
//
// Usage: node scripts/release-assets.ts <out-dir>

import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outDir = process.argv[2];
if (!outDir) {
  console.error('Usage: node scripts/release-assets.ts <out-dir>');
  process.exit(2);
}
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const asset = `checkmarx-auth-${version}.cjs`;
mkdirSync(outDir, { recursive: true });
copyFileSync(join(root, 'dist', 'cli', 'index.js'), join(outDir, asset));
const files = readdirSync(outDir, { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name !== 'SHA256SUMS')
  .map((entry) => entry.name)
  .sort();
// sha256sum's text format: hash, two spaces, file name.
const sums = files.map(
  (name) =>
    `${createHash('sha256')
      .update(readFileSync(join(outDir, name)))
      .digest('hex')}  ${name}\n`,
);
writeFileSync(join(outDir, 'SHA256SUMS'), sums.join(''));
console.log(join(outDir, asset));
