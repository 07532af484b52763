// The README says nothing the code does not do: its tables are compared with action.yml and the
// product table, and every workflow step it shows is resolved the way the action would resolve it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { resolvePlan } from '../src/config.ts';
import { astHostOf } from '../src/endpoints.ts';
import { INPUTS } from '../src/inputs.ts';
import { OUTPUTS } from '../src/outputs.ts';
import { CXONE_REGIONS, PRODUCT_NAMES, PRODUCTS, SCA_REGIONS } from '../src/products.ts';
import type { ProductName } from '../src/products.ts';
import { makeApiKey } from './support/jwt.ts';
import { REPO_ROOT } from './support/run.ts';
import { actionErrors, workflowErrors } from './support/workflow-parser.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
};
const USES = 'checkmarx-auth/checkmarx-auth@v1';

/** The rows of the first table after the line `heading` (cells trimmed, header and separator rows dropped). */
function tableAfter(heading: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no line '${heading}' in README.md`);
  const first = lines.findIndex((line, index) => index > start && line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  return lines.slice(first + 2, end).map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()));
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

describe('README inputs table', () => {
  const rows = tableAfter('## Inputs');

  it('lists the inputs of action.yml, in order', () => {
    assert.deepEqual(rows.map((row) => unquote(row[0]!)), Object.keys(action.inputs));
  });
  it("gives each input its description from src/inputs.ts", () => {
    for (const [name, description] of rows) assert.equal(description, INPUTS.find((spec) => spec.name === unquote(name!))?.description, name);
  });
  it('gives each input the default applied in code, and marks the required one', () => {
    for (const [name, , fallback] of rows) {
      const spec = INPUTS.find((s) => s.name === unquote(name!))!;
      const expected = spec.required ? '*required*' : spec.default === undefined ? '' : `\`${spec.default}\``;
      assert.equal(fallback, expected, name);
    }
  });
  it('action.yml itself matches src/inputs.ts (so the README does too)', () => {
    assert.deepEqual(Object.keys(action.inputs), INPUTS.map((spec) => spec.name));
  });
});

describe('README outputs table', () => {
  const rows = tableAfter('## Outputs');

  it('lists the outputs of action.yml, in order, with their descriptions', () => {
    assert.deepEqual(
      rows.map(([name, description]) => [unquote(name!), description]),
      Object.entries(action.outputs).map(([name, output]) => [name, output.description]),
    );
    assert.deepEqual(Object.keys(action.outputs), OUTPUTS.map((spec) => spec.name));
  });
});

describe('README product tables', () => {
  it('the overview names every product and its API path', () => {
    const rows = tableAfter('# checkmarx-auth');
    assert.deepEqual(rows.map((row) => unquote(row[0]!)), PRODUCT_NAMES);
    for (const row of rows) {
      const profile = PRODUCTS[unquote(row[0]!) as ProductName];
      if (profile.apiPath) assert.equal(row[3], `\`{server-url}${profile.apiPath}\``, profile.name);
      if (profile.tokenPath && profile.name === 'sast') assert.equal(row[2], `\`{server-url}${profile.tokenPath}\``);
    }
    const sca = rows.find((row) => row[0] === '`sca`')!;
    for (const region of Object.values(SCA_REGIONS)) {
      assert.ok(sca[2]!.includes(`\`${region.tokenUrl}\``), region.tokenUrl);
      assert.ok(sca[3]!.includes(`\`${region.apiUrl}\``), region.apiUrl);
    }
  });
  it('the defaults per product are the product table', () => {
    const rows = tableAfter('The defaults per product:');
    assert.deepEqual(rows.map((row) => unquote(row[0]!)), PRODUCT_NAMES);
    for (const [name, grant, clientId, , scope] of rows) {
      const profile = PRODUCTS[unquote(name!) as ProductName];
      assert.ok(grant!.startsWith(`\`${profile.grantTypes[0]}\``), name);
      if (profile.defaultClientId) assert.equal(clientId, `\`${profile.defaultClientId}\``, name);
      if (profile.defaultScope) assert.equal(scope, `\`${profile.defaultScope}\``, name);
    }
  });
  it('the Checkmarx One regions are the region table', () => {
    const rows = tableAfter('### Checkmarx One');
    assert.deepEqual(
      rows.map(([region, iam, api]) => [unquote(region!.replace(' (default)', '')), unquote(iam!), unquote(api!)]),
      Object.entries(CXONE_REGIONS).map(([region, iam]) => [region, iam, astHostOf(iam)]),
    );
  });
});

// ---- the workflow steps the README shows ----

interface ShownStep {
  block: string;
  step: { uses?: string; with?: Record<string, unknown> };
}

const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** Every object in the block that is a step of this action, or a bare `with:` for it. */
function shownSteps(): ShownStep[] {
  const found: ShownStep[] = [];
  const visit = (block: string, value: unknown): void => {
    if (Array.isArray(value)) return value.forEach((item) => visit(block, item));
    if (typeof value !== 'object' || value === null) return;
    const object = value as ShownStep['step'];
    const isStep = typeof object.uses === 'string' && object.uses.startsWith('checkmarx-auth/');
    const isBareWith = object.uses === undefined && typeof object.with === 'object' && object.with !== null && 'product' in object.with;
    if (isStep || isBareWith) found.push({ block, step: object });
    else Object.values(object).forEach((item) => visit(block, item));
  };
  for (const block of yamlBlocks) visit(block, parse(block));
  return found;
}

const CXONE_KEY = makeApiKey({ realmUrl: 'https://eu.iam.checkmarx.net/auth/realms/acme' });

/** Inputs as the action would see them, with a stand-in for each `${{ ... }}`. */
function inputsOf(step: ShownStep['step']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => {
      const text = String(value);
      if (!text.includes('${{')) return [name, text];
      return [name, name === 'api-key' ? CXONE_KEY : 'stand-in'];
    }),
  );
}

/** GitHub's parser's errors for a README example: a whole action.yml, a `jobs:` map, or a list of steps. */
function exampleErrors(example: string): string[] | undefined {
  const block = example.replace(/^#.*\n/gm, '');
  if (/^runs:/m.test(block)) return actionErrors('action.yml', block);
  if (block.startsWith('jobs:')) return workflowErrors('example.yml', `on: push\n${block}`);
  if (block.startsWith('- ')) {
    const steps = block.replace(/^(?=.)/gm, '      ');
    return workflowErrors('example.yml', `on: push\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`);
  }
  return undefined; // a fragment, such as a bare `with:`
}

describe('README YAML examples', () => {
  // GitHub examples only: other CI systems' YAML (GitLab, Azure Pipelines) has neither.
  const githubBlocks = yamlBlocks.filter((block) => /\buses:|\$\{\{/.test(block));

  it('are valid for GitHub\'s own parser', () => {
    let checked = 0;
    for (const block of githubBlocks) {
      const errors = exampleErrors(block);
      if (errors === undefined) continue;
      assert.deepEqual(errors, [], block);
      checked++;
    }
    assert.ok(checked >= 8, `only ${checked} of ${githubBlocks.length} GitHub examples checked`);
  });
  it('the check can fail', () => {
    assert.notDeepEqual(exampleErrors('- uses: checkmarx-auth/checkmarx-auth@v1\n  with: [product]\n'), []);
  });
});

describe('README workflow steps', () => {
  const steps = shownSteps();

  it('show every product', () => {
    const products = new Set(steps.map(({ step }) => step.with?.['product']));
    for (const product of PRODUCT_NAMES) assert.ok(products.has(product), product);
  });
  it(`use ${USES}`, () => {
    for (const { step } of steps) if (step.uses !== undefined) assert.equal(step.uses, USES);
  });
  it('use only inputs the action has', () => {
    const names = new Set(INPUTS.map((spec) => spec.name));
    for (const { step } of steps) for (const name of Object.keys(step.with ?? {})) assert.ok(names.has(name), name);
  });
  it('are complete: the action would accept each one', () => {
    for (const { step } of steps) assert.doesNotThrow(() => resolvePlan(inputsOf(step)), JSON.stringify(step.with));
  });
  it('say the api-url the action would output, where they say one', () => {
    let checked = 0;
    for (const { block, step } of steps) {
      const said = /outputs\.api-url \}\} # (https:\/\/\S+)/.exec(block)?.[1];
      if (!said || step.uses === undefined) continue;
      assert.equal(said, resolvePlan(inputsOf(step)).endpoint.apiUrl, String(step.with?.['product']));
      checked++;
    }
    assert.ok(checked >= 4, `only ${checked} api-url comments checked`);
  });
});

describe('README layout', () => {
  it('keeps the order the issue asks for', () => {
    const order = [
      '## Quick start',
      '## Inputs',
      '## Outputs',
      '## Inside a composite action',
      '## Passing the token to another job',
      '## Security model',
      '## Versions',
      '## Performance',
      '## Development',
    ].map((heading) => ({ heading, at: readme.indexOf(`\n${heading}`) }));
    for (const { heading, at } of order) assert.ok(at >= 0, `missing ${heading}`);
    assert.deepEqual(order.map(({ heading }) => heading), [...order].sort((a, b) => a.at - b.at).map(({ heading }) => heading));
  });
  it('puts the sections written elsewhere before the security model, once each', () => {
    const security = readme.indexOf('\n## Security model');
    for (const part of ['self-hosted', 'cli', 'troubleshooting']) {
      const marker = `<!-- include: ${part} -->`;
      if (!readme.includes(marker)) continue; // already spliced in
      assert.equal(readme.split(marker).length, 2, marker);
      assert.ok(readme.indexOf(marker) < security, marker);
    }
  });
  it('gives the two commands a newcomer needs, and both exist', () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(readme, /npm ci && npm run demo/);
    assert.match(readme, /\nnpm test /);
    assert.ok(scripts['demo'] && scripts['test']);
  });
  it('links the files it names', () => {
    for (const file of ['BENCHMARKS.md', 'CHANGELOG.md', 'SECURITY.md', 'LICENSE']) assert.ok(readme.includes(`](${file})`), file);
  });
});

describe('Marketplace listing', () => {
  it("action.yml's description fits the Marketplace's 125 characters", () => {
    assert.ok(action.description.length <= 125, `${action.description.length} characters`);
  });
  it('has an icon GitHub accepts (it rejects some Feather icons, such as key)', () => {
    assert.notEqual(action.branding.icon, 'key');
    assert.ok(action.branding.icon && action.branding.color);
  });
});
