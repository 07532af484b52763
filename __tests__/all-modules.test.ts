// Loads every module of src/, so that the coverage gate counts the files no other test loads (a
// file never loaded would otherwise be missing from the report, not 0%), and checks that loading
// one runs nothing: the entry points start only from the stubs that scripts/build.ts generates.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { it } from 'node:test';
import { capturingStdout } from './support/capture.ts';

const SRC = resolve(import.meta.dirname, '..', 'src');
const MODULES = readdirSync(SRC, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => join(entry.parentPath, entry.name))
  .sort();

it('finds the modules of every layer', () => {
  const folders = new Set(MODULES.map((path) => relative(SRC, path).split(/[\\/]/)[0]));
  for (const folder of ['core', 'io', 'agent', 'action', 'cli']) assert.ok(folders.has(folder), folder);
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
