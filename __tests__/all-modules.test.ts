// Loads every module of src/, so that the coverage gate counts the files no other test loads (a
// file never loaded would otherwise be missing from the report, not 0%), and checks that loading
// one runs nothing: only the bundles' entries in src/entries start anything, and the tests run
// those as bundles (docs/testing.md). Every folder of src/ is a layer of eslint.config.js.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { it } from 'node:test';
import { capturingStdout } from './support/capture.ts';

const SRC = resolve(import.meta.dirname, '..', 'src');
const LINT_CONFIG: string = '../eslint.config.js';
const { LAYERS } = (await import(LINT_CONFIG)) as { LAYERS: Readonly<Record<string, readonly string[]>> };
/** The entries run a front end when loaded: the bundles are built from them, and tested as bundles. */
const ENTRIES = 'entries';
const layerOf = (path: string) => relative(SRC, path).split(/[\\/]/)[0]!;
const ALL = readdirSync(SRC, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => join(entry.parentPath, entry.name))
  .sort();
const MODULES = ALL.filter((path) => layerOf(path) !== ENTRIES);

it('every folder of src/ is a layer of the lint table, and every layer has modules, each loaded here but the entries', () => {
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  assert.deepEqual(folders, Object.keys(LAYERS).sort());
  assert.deepEqual([...new Set(ALL.map(layerOf))].sort(), folders);
  assert.deepEqual(
    [...new Set(MODULES.map(layerOf))].sort(),
    folders.filter((folder) => folder !== ENTRIES),
  );
});

it('every module of src/ loads without writing, exiting or failing the process', async () => {
  const exitCode = process.exitCode;
  const stderrWrite = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const { text } = await capturingStdout(async () => {
      for (const path of MODULES) await import(pathToFileURL(path).href);
    });
    assert.equal(text, '', 'nothing on stdout');
  } finally {
    process.stderr.write = stderrWrite;
  }
  assert.equal(stderr, '', 'nothing on stderr');
  assert.equal(process.exitCode, exitCode, 'no exit code set');
});

it("docs/development.md's module map names every folder of src/ and every module in its folder's row", () => {
  const map = readFileSync(join(SRC, '..', 'docs', 'development.md'), 'utf8').split('\n');
  const missing = ALL.filter((path) => {
    const row = map.find((line) => line.startsWith(`| \`src/${layerOf(path)}\``));
    return !row?.includes(`\`${basename(path, '.ts')}\``);
  }).map((path) => relative(SRC, path));
  assert.deepEqual(missing, [], 'add these to the Module map of docs/development.md');
});
