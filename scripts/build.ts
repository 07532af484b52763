// Builds the committed bundles: tsc emits JavaScript to a temporary folder, ncc bundles each
// entrypoint into one self-contained CommonJS file, left readable (no minifying, no mangled names)
// so that a reviewer can read in a pull request what will run with the credentials. `--check`
// builds into a temporary folder and fails when dist/ differs from it.
//
// CommonJS, not ESM: an ES module costs more to compile and link at every start (see BENCHMARKS.md).
// The sources stay ESM, so ncc resolves their imports with the `import` condition. The repo is
// `type: module`, so each bundle's folder gets a package.json saying `commonjs`; a bundle copied
// alone elsewhere runs as CommonJS anyway, Node's default.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

interface NccOptions {
  esm: boolean;
  filename: string;
  minify: boolean;
  target: string;
  cache: boolean;
  quiet: boolean;
}
type Ncc = (entry: string, options: NccOptions) => Promise<{ code: string; assets: Record<string, unknown> }>;
// The API rather than the CLI: the CLI takes the output format from the entry's package type.
const ncc = createRequire(import.meta.url)('@vercel/ncc') as Ncc;

/** The folders that hold bundles, each checked whole by --check. */
const OUT_ROOTS = ['dist', 'azure-devops/CheckmarxAuth/dist'];
/**
 * One line per bundle: its entry in src/entries (each calls its front end's `run(deps)` with the
 * process's own I/O; tests call `run` in process instead) and the folders, under the repository,
 * that get it. The Azure task carries its own CLI: the .vsix holds only the task's folder, and the
 * token agent and later steps' `checkmarx-auth` run that CLI.
 */
const BUNDLES = [
  { entry: 'entries/action.js', out: ['dist'] },
  { entry: 'entries/cli.js', out: ['dist/cli', 'azure-devops/CheckmarxAuth/dist/cli'] },
  { entry: 'entries/post.js', out: ['dist/post'] },
  { entry: 'entries/azure.js', out: ['azure-devops/CheckmarxAuth/dist/main'] },
  { entry: 'entries/azure-post.js', out: ['azure-devops/CheckmarxAuth/dist/post'] },
];

async function build(outDir: string): Promise<void> {
  // tsc emits to a unique folder so that concurrent builds do not collide. It sits one level below
  // the root like src/, so relative imports into node_modules resolve the same way.
  const js = mkdtempSync(join(root, '.tsc-'));
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', js], { cwd: root, stdio: 'inherit' });
    for (const bundle of BUNDLES) {
      const options = { esm: false, filename: 'index.js', minify: false, target: 'es2022', cache: false, quiet: true };
      const { code: bundled, assets } = await ncc(join(js, bundle.entry), options);
      // ncc names each module by its path; tsc's folder has a random name, the source's does not.
      const code = bundled.replaceAll(`./${basename(js)}/`, './src/');
      const extra = Object.keys(assets);
      if (extra.length > 0) throw new Error(`${bundle.entry}: the bundle would need files next to it (${extra.join(', ')})`);
      for (const out of bundle.out) {
        const dir = join(outDir, out);
        mkdirSync(dir, { recursive: true });
        // Executable when it starts with a shebang (the CLI), as ncc's CLI leaves it, for `bin`.
        writeFileSync(join(dir, 'index.js'), code, { mode: code.startsWith('#!') ? 0o755 : 0o644 });
        writeFileSync(join(dir, 'package.json'), '{\n  "type": "commonjs"\n}\n');
      }
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

async function check(): Promise<void> {
  const fresh = mkdtempSync(join(tmpdir(), 'checkmarx-auth-dist-'));
  try {
    await build(fresh);
    const names = OUT_ROOTS.flatMap((out) =>
      [...new Set([...listFiles(join(fresh, out)), ...listFiles(join(root, out))])].map((name) => join(out, name)),
    );
    const stale = names.filter((name) => {
      const a = join(fresh, name);
      const b = join(root, name);
      return !existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b));
    });
    if (stale.length > 0) {
      console.error(`The bundles are stale (${stale.join(', ')}): run 'npm run build' and commit ${OUT_ROOTS.join(' and ')}.`);
      process.exitCode = 1;
      return;
    }
    console.log(`${OUT_ROOTS.join(' and ')} are up to date (${names.length} files).`);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) await check();
else {
  for (const out of OUT_ROOTS) rmSync(join(root, out), { recursive: true, force: true });
  await build(root);
}
