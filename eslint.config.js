import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/ and the arrows between them (docs/development.md, "Module map"), as an
// allow-list: each folder of src/ imports only itself and the folders named here, and every folder
// of src/ must be in the table, or lint fails (a new folder gets no rule by accident). The core is
// pure: no `node:*`, no package, not even `process`. A wrong import fails `npm run lint`, and so
// `npm test`.
export const LAYERS = {
  core: [],
  io: ['core'],
  ci: ['core'],
  agent: ['core', 'io'],
  action: ['core', 'io', 'ci', 'agent'],
  cli: ['core', 'io', 'ci', 'agent'],
  azure: ['core', 'io', 'ci', 'agent'],
  // The bundles' entry points: each runs one front end with the process's own I/O.
  entries: ['io', 'action', 'cli', 'azure'],
};

const SRC = resolve(import.meta.dirname, 'src');
const unlisted = readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !Object.hasOwn(LAYERS, entry.name))
  .map((entry) => `src/${entry.name}`);
if (unlisted.length > 0) {
  throw new Error(`${unlisted.join(', ')}: not in the layer table of eslint.config.js (LAYERS); add each folder with what it may import.`);
}

/** The layer (folder of src/) a path lies in; undefined outside src/. */
function layerOf(path) {
  const inSrc = relative(SRC, path);
  return inSrc.startsWith('..') || isAbsolute(inSrc) ? undefined : inSrc.split(sep)[0];
}

/** layers/imports: an import from another folder of src/ must be one its layer may import; the core imports no package. */
const importRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const from = layerOf(context.filename);
    if (from === undefined || !Object.hasOwn(LAYERS, from)) return {};
    const allowed = new Set([from, ...LAYERS[from]]);
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (!specifier.startsWith('.')) {
        if (from === 'core')
          context.report({ node: source, message: `The core is pure: no '${specifier}'; I/O lives in src/io and the front ends.` });
        return;
      }
      const to = layerOf(resolve(dirname(context.filename), specifier));
      if (to === undefined || allowed.has(to)) return;
      context.report({
        node: source,
        message: `src/${from} may import only ${[...allowed].join(', ')}, not src/${to} (see docs/development.md).`,
      });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'azure-devops/*/dist/', 'build/', '.tsc-*/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The benchmark's floors are plain CommonJS scripts, as the bundles are (see BENCHMARKS.md).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Node 20.16+ only, and the Azure task runs on 20.9.0: late built-ins come from src/io/builtins.ts.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'getBuiltinModule', message: 'Node 20.16+ only: use builtin() from src/io/builtins.ts.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { layers: { rules: { imports: importRule } } },
    rules: {
      'layers/imports': 'error',
      // The front ends pass what they read of the environment down; nothing changes the process's own.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "AssignmentExpression > MemberExpression.left[object.type='MemberExpression'][object.object.name='process'][object.property.name='env']",
          message: 'Nothing in src/ changes process.env: pass values down in deps or settings.',
        },
        {
          selector:
            "CallExpression[callee.object.name='Object'][callee.property.name='assign'] > MemberExpression.arguments:first-child[object.name='process'][property.name='env']",
          message: 'Nothing in src/ changes process.env: pass values down in deps or settings.',
        },
        {
          selector:
            "UnaryExpression[operator='delete'] > MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env']",
          message: 'Nothing in src/ changes process.env: pass values down in deps or settings.',
        },
      ],
    },
  },
  {
    // The core gets everything through its deps: not even `process` (the bundles run on Node
    // versions whose `process` differs, and tests pass their own I/O).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'The core is pure: pass what it needs in its deps.' }],
    },
  },
);
