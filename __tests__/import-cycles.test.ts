// No import cycle in src/: every import counts, type-only ones and dynamic ones included, so that
// each module can be read (and loaded) after the modules it names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Static imports and re-exports (`import type` too), side-effect imports and `import('...')`. */
const IMPORT_PATTERNS = [
  /\b(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

type Graph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each module's relative imports, as paths under src/. */
function importGraph(root: string): Graph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const specifiers = IMPORT_PATTERNS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
    const local = specifiers.filter((specifier) => specifier.startsWith('.'));
    graph.set(
      relative(root, file),
      local.map((specifier) => relative(root, resolve(dirname(file), specifier))),
    );
  }
  return graph;
}

/** The first cycle found, as the modules along it (the first repeated at the end), or undefined. */
function findCycle(graph: Graph): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): string[] | undefined => {
    const at = path.indexOf(module);
    if (at !== -1) return [...path.slice(at), module];
    if (done.has(module)) return undefined;
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(module);
    return undefined;
  };
  for (const module of graph.keys()) {
    const cycle = visit(module);
    if (cycle) return cycle;
  }
  return undefined;
}

test('src/ has no import cycle, type-only imports included', () => {
  const graph = importGraph(SRC);
  assert.ok(graph.has(join('cli', 'verbs.ts')), 'the walk reads src/');
  assert.ok((graph.get(join('cli', 'exec.ts')) ?? []).includes(join('cli', 'verb-context.ts')), 'type-only imports are edges');
  const cycle = findCycle(graph);
  assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' -> ')}`);
});

test('the cycle finder names a cycle through a type-only import, and none in a chain', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', []],
  ]);
  assert.equal(findCycle(graph), undefined);
  graph.set('c.ts', ['b.ts']);
  assert.deepEqual(findCycle(graph), ['b.ts', 'c.ts', 'b.ts']);
});
