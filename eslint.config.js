import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/ and the arrows between them (docs/development.md, "Module map"): the core
// imports only the core; io the core; the agent the core and io; each front end those three and
// itself, never another front end. A wrong import fails `npm run lint`, and so `npm test`.
const LAYERS = {
  core: [],
  io: ['core'],
  agent: ['core', 'io'],
  action: ['core', 'io', 'agent'],
  cli: ['core', 'io', 'agent'],
  azure: ['core', 'io', 'agent'],
};
const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other));
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden.flatMap((other) => [`../${other}/*`, `../../${other}/*`]),
              message: `src/${layer} may import only ${['itself', ...allowed].join(', ')} (see docs/development.md).`,
            },
            ...(layer === 'core'
              ? [{ group: ['node:*', '@actions/*'], message: 'The core is pure: I/O lives in src/io and the front ends.' }]
              : []),
          ],
        },
      ],
      // The core gets everything through its deps: not even `process` (the bundles run on Node
      // versions whose `process` differs, and tests pass their own I/O).
      ...(layer === 'core'
        ? { 'no-restricted-globals': ['error', { name: 'process', message: 'The core is pure: pass what it needs in its deps.' }] }
        : {}),
    },
  };
});

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
  ...layerRules,
);
