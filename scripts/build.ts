// Builds the committed bundles: tsc emits JavaScript to build/, ncc bundles each entrypoint.
// `--check` builds into a temporary folder and fails when dist/ differs from it.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const BUNDLES = [
  { entry: 'main.js', out: '' },
  { entry: 'cli.js', out: 'cli' },
  { entry: 'post.js', out: 'post' },
];

function build(outDir: string): void {
  // tsc emits to a unique folder so that concurrent builds do not collide. It sits one level below
  // the root like src/, so relative imports into node_modules resolve the same way.
  const js = mkdtempSync(join(root, '.tsc-'));
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', js], { cwd: root, stdio: 'inherit' });
    for (const bundle of BUNDLES) {
      const args = ['build', join(js, bundle.entry), '-o', join(outDir, bundle.out), '--no-cache', '--quiet', '--minify', '--target', 'es2022'];
      execFileSync(bin('ncc'), args, { cwd: root, stdio: 'inherit' });
    }
  } finally {
    rmSync(js, { recursive: true, force: true });
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function check(): void {
  const fresh = mkdtempSync(join(tmpdir(), 'checkmarx-auth-dist-'));
  try {
    build(fresh);
    const committed = join(root, 'dist');
    const names = [...new Set([...listFiles(fresh), ...listFiles(committed)])];
    const stale = names.filter((name) => {
      const a = join(fresh, name);
      const b = join(committed, name);
      return !existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b));
    });
    if (stale.length > 0) {
      console.error(`dist/ is stale (${stale.join(', ')}): run 'npm run build' and commit dist/.`);
      process.exit(1);
    }
    console.log(`dist/ is up to date (${names.length} files).`);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) check();
else {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  build(join(root, 'dist'));
}
