import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INPUTS } from '../src/core/inputs.ts';
import { OUTPUTS } from '../src/core/outputs.ts';
import { VERSION } from '../src/core/version.ts';
import { actionErrors } from './support/workflow-parser.ts';

const root = new URL('../', import.meta.url);
const actionText = readFileSync(new URL('action.yml', root), 'utf8');
const action = parse(actionText);

describe('action.yml', () => {
  it("is valid for GitHub's own parser", () => assert.deepEqual(actionErrors('action.yml', actionText), []));
  it('the parser would catch a bad runtime (so the check above can fail)', () => {
    assert.notDeepEqual(actionErrors('action.yml', actionText.replace('node24', 'node99')), []);
  });
  it('runs the committed bundle on node24', () => {
    assert.deepEqual(action.runs, { using: 'node24', main: 'dist/index.js', post: 'dist/post/index.js', 'post-if': 'always()' });
  });
  it('declares exactly the inputs of the contract; defaults are stated, never declared', () => {
    // The runner passes a declared default as the input, which would hide the CX_* fallback.
    assert.deepEqual(
      Object.keys(action.inputs),
      INPUTS.map((i) => i.name),
    );
    for (const spec of INPUTS) {
      const declared = action.inputs[spec.name];
      const stated = spec.default === undefined ? spec.description : `${spec.description} Default: ${spec.default}.`;
      assert.equal(declared.description, stated, spec.name);
      assert.equal(declared.default, undefined, spec.name);
      assert.equal(declared.required ?? false, spec.required ?? false, spec.name);
    }
  });
  it('declares every output', () => {
    assert.deepEqual(
      Object.keys(action.outputs),
      OUTPUTS.map((o) => o.name),
    );
    for (const spec of OUTPUTS) assert.equal(action.outputs[spec.name].description, spec.description);
  });
  it('has Marketplace branding', () => {
    assert.ok(action.branding.icon && action.branding.color);
  });
});

describe('package', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  it('the User-Agent version is the package version', () => assert.equal(VERSION, pkg.version));
  it('declares the CLI bin', () => assert.equal(pkg.bin['checkmarx-auth'], 'dist/cli/index.js'));
});

describe('bundles', () => {
  for (const bundle of ['dist/index.js', 'dist/cli/index.js', 'dist/post/index.js']) {
    const code = readFileSync(new URL(bundle, root), 'utf8');
    it(`${bundle} resolved every import at build time`, () =>
      assert.ok(!code.includes('eval("require")'), 'ncc left an unresolved require'));
    it(`${bundle} does not carry undici, which the run never uses`, () => {
      // Module code, not the comment that explains why it is left out: ncc names each module by its path.
      assert.ok(!/node_modules\/undici\/|require\("undici"\)/.test(code), 'undici is bundled');
      assert.ok(code.length < 250_000, `${code.length} bytes`);
    });
  }
});
