// The README and docs/ say nothing the code does not do: the README's tables are compared with
// action.yml and the product table, every workflow step they show is resolved the way the action
// would resolve it, every YAML snippet parses (GitHub's as GitHub parses it) and every shell
// snippet passes `bash -n`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { resolvePlan } from '../src/core/settings.ts';
import { astHostOf } from '../src/core/endpoints.ts';
import { INPUTS } from '../src/core/inputs.ts';
import { OUTPUTS } from '../src/core/outputs.ts';
import { CXONE_REGIONS, PRODUCT_NAMES, PRODUCTS, SCA_REGIONS } from '../src/core/products.ts';
import type { ProductName } from '../src/core/products.ts';
import { makeApiKey } from './support/jwt.ts';
import { pwshPath } from './support/powershell.ts';
import { REPO_ROOT } from './support/run.ts';
import { actionErrors, workflowErrors } from './support/workflow-parser.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const DOCS_DIR = join(REPO_ROOT, 'docs');
const docPages = readdirSync(DOCS_DIR)
  .filter((file) => file.endsWith('.md'))
  .sort();
/** README.md and every docs/ page, by path from the repository root. */
const pages: ReadonlyArray<[path: string, text: string]> = [
  ['README.md', readme],
  ...docPages.map((file): [string, string] => [`docs/${file}`, readFileSync(join(DOCS_DIR, file), 'utf8')]),
];

const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
  author: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
};
const USES = 'checkmarx-auth/checkmarx-auth@v1';

/** docs/reference.md: every input, output and product in full (the README has the short version). */
const reference = readFileSync(join(DOCS_DIR, 'reference.md'), 'utf8');

/** The rows of the first table after the line `heading` (cells trimmed, header and separator rows dropped). */
function tableAfter(heading: string, text = reference, page = 'docs/reference.md'): string[][] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no line '${heading}' in ${page}`);
  const first = lines.findIndex((line, index) => index > start && line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  return lines.slice(first + 2, end).map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim()),
  );
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

describe('docs/reference.md inputs table', () => {
  const rows = tableAfter('## Inputs');

  it('lists the inputs of action.yml, in order', () => {
    assert.deepEqual(
      rows.map((row) => unquote(row[0]!)),
      Object.keys(action.inputs),
    );
  });
  it('gives each input its description from the code (action.yml adds the default to it)', () => {
    for (const [name, description] of rows) {
      assert.equal(description, INPUTS.find((input) => input.name === unquote(name!))?.description, name);
    }
  });
  it('gives each input the default the code applies, and marks the required one', () => {
    for (const [name, , fallback] of rows) {
      const spec = INPUTS.find((input) => input.name === unquote(name!))!;
      const expected = 'required' in spec && spec.required ? '*required*' : spec.default === undefined ? '' : `\`${spec.default}\``;
      assert.equal(fallback, expected, name);
    }
  });
  it('action.yml itself matches src/core/inputs.ts (so the page does too)', () => {
    assert.deepEqual(
      Object.keys(action.inputs),
      INPUTS.map((spec) => spec.name),
    );
  });
});

describe('docs/reference.md outputs table', () => {
  const rows = tableAfter('## Outputs');

  it('lists the outputs of action.yml, in order, with their descriptions', () => {
    assert.deepEqual(
      rows.map(([name, description]) => [unquote(name!), description]),
      Object.entries(action.outputs).map(([name, output]) => [name, output.description]),
    );
    assert.deepEqual(
      Object.keys(action.outputs),
      OUTPUTS.map((spec) => spec.name),
    );
  });
});

describe('docs/reference.md product tables', () => {
  it('the overview names every product and its API path', () => {
    const rows = tableAfter('## Products');
    assert.deepEqual(
      rows.map((row) => unquote(row[0]!)),
      PRODUCT_NAMES,
    );
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
    assert.deepEqual(
      rows.map((row) => unquote(row[0]!)),
      PRODUCT_NAMES,
    );
    for (const [name, grant, clientId, , scope] of rows) {
      const profile = PRODUCTS[unquote(name!) as ProductName];
      assert.ok(grant!.startsWith(`\`${profile.grantTypes[0]}\``), name);
      for (const client of Object.values(profile.defaultClients)) assert.ok(clientId!.includes(`\`${client.id}\``), `${name} ${client.id}`);
      for (const grantType of profile.grantTypes) assert.ok(grant!.includes(`\`${grantType}\``), `${name} ${grantType}`);
      if (profile.defaultScope) assert.equal(scope, `\`${profile.defaultScope}\``, name);
    }
  });
  describe('the Checkmarx One region table', () => {
    const rows = tableAfter('## Checkmarx One regions').map(([region, aliases, iam, api]) => ({
      region: unquote(region!.replace(' (default)', '')),
      aliases: aliases!
        .split(',')
        .map((alias) => unquote(alias.trim()))
        .filter(Boolean),
      iam: unquote(iam!),
      api: unquote(api!),
    }));

    it("lists every region of the code with its hosts, and the API host is the IAM host's ast twin", () => {
      for (const [region, iam] of Object.entries(CXONE_REGIONS)) {
        assert.deepEqual(
          rows.find((row) => row.region === region),
          { ...rows.find((row) => row.region === region)!, iam },
          region,
        );
      }
      for (const row of rows) {
        assert.equal(row.api, astHostOf(row.iam), row.region);
        assert.ok(row.region in CXONE_REGIONS, `${row.region} is not a region`);
      }
    });
    it('every name and alias, in any case, leads the action to that IAM host', () => {
      let resolved = 0;
      for (const row of rows) {
        for (const name of [row.region, ...row.aliases]) {
          for (const spelling of [name, name.toUpperCase()]) {
            const inputs = { product: 'cxone', region: spelling, tenant: 'acme', 'client-id': 'ci', 'client-secret': 'stand-in' };
            const tokenUrl = resolvePlan(inputs).endpoint.tokenUrl;
            assert.equal(tokenUrl, `${row.iam}/auth/realms/acme/protocol/openid-connect/token`, spelling);
            resolved++;
          }
        }
      }
      assert.ok(resolved >= Object.keys(CXONE_REGIONS).length * 2, `only ${resolved} spellings resolved`);
    });
  });
});

// ---- the workflow steps the README shows ----

interface ShownStep {
  block: string;
  step: { uses?: string; with?: Record<string, unknown> };
}

/** The fenced code blocks of one language, in README.md and docs/, with the page each is on. */
function codeBlocks(...languages: string[]): Array<{ page: string; code: string }> {
  return pages.flatMap(([page, text]) =>
    [...text.matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```/gm)]
      .filter((match) => languages.includes(match[2]!))
      .map((match) => ({ page, code: match[3]!.replace(new RegExp(`^${match[1]}`, 'gm'), '') })),
  );
}

const yamlBlocks = codeBlocks('yaml').map(({ code }) => code);

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

describe('YAML examples in README.md and docs/', () => {
  // GitHub examples only: other CI systems' YAML (GitLab, Azure Pipelines) has neither.
  const githubBlocks = yamlBlocks.filter((block) => /\buses:|\$\{\{/.test(block));

  it('all parse as YAML', () => {
    assert.ok(yamlBlocks.length >= 15, `only ${yamlBlocks.length} YAML blocks`);
    for (const block of yamlBlocks) assert.doesNotThrow(() => parse(block), block);
  });
  it('every GitHub step that runs a script names its shell (the default is PowerShell on Windows)', () => {
    let checked = 0;
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (typeof value !== 'object' || value === null) return;
      const step = value as { run?: unknown; shell?: unknown };
      if (typeof step.run === 'string') {
        assert.ok(['bash', 'pwsh'].includes(String(step.shell)), `no shell: ${step.run}`);
        checked++;
      }
      Object.values(value).forEach(visit);
    };
    for (const block of githubBlocks) visit(parse(block));
    assert.ok(checked >= 6, `only ${checked} run steps`);
  });

  it("are valid for GitHub's own parser", () => {
    let checked = 0;
    for (const block of githubBlocks) {
      const errors = exampleErrors(block);
      if (errors === undefined) continue;
      assert.deepEqual(errors, [], block);
      checked++;
    }
    assert.ok(checked >= 10, `only ${checked} of ${githubBlocks.length} GitHub examples checked`);
  });
  it('the check can fail', () => {
    assert.notDeepEqual(exampleErrors('- uses: checkmarx-auth/checkmarx-auth@v1\n  with: [product]\n'), []);
  });
});

describe('workflow steps in README.md and docs/', () => {
  const steps = shownSteps();

  it('show every product', () => {
    const products = new Set(steps.map(({ step }) => step.with?.['product']));
    for (const product of PRODUCT_NAMES) assert.ok(products.has(product), product);
  });
  it(`use ${USES}`, () => {
    for (const { step } of steps) if (step.uses !== undefined) assert.equal(step.uses, USES);
  });
  it('use only inputs the action has', () => {
    const names = new Set<string>(INPUTS.map((spec) => spec.name));
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

// ---- the shell snippets ----

/** The script of every bash step in a GitHub or Azure Pipelines YAML example. */
function yamlBashScripts(): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const step = value as { run?: unknown; shell?: unknown; bash?: unknown };
    if (typeof step.run === 'string' && step.shell === 'bash') found.push(step.run);
    if (typeof step.bash === 'string') found.push(step.bash);
    Object.values(value).forEach(visit);
  };
  for (const block of yamlBlocks) visit(parse(block));
  return found;
}

const syntaxErrors = (shell: string, script: string) => {
  const run = spawnSync(shell, ['-n'], { input: script, encoding: 'utf8', timeout: 10_000 });
  return run.status === 0 ? '' : run.stderr || `exit ${run.status}`;
};

describe('shell snippets in README.md and docs/', () => {
  const sh = codeBlocks('sh', 'bash', 'shell');
  const scripts = [...sh.map(({ code }) => code), ...yamlBashScripts()];

  it('pass bash -n, and sh -n where they are marked sh', () => {
    assert.ok(sh.length >= 6 && scripts.length >= 14, `only ${sh.length} sh blocks, ${scripts.length} scripts`);
    for (const script of scripts) assert.equal(syntaxErrors('bash', script), '', script);
    for (const { code } of codeBlocks('sh')) assert.equal(syntaxErrors('sh', code), '', code);
  });
  it('the check can fail', () => {
    assert.notEqual(syntaxErrors('bash', 'if true; then echo\n'), '');
  });
  it('never put the token on a command line (curl gets it on stdin)', () => {
    const onCommandLine = /(?:-H|--header|--oauth2-bearer|-u)\s+["']?[^@\s"'][^\n]*\$\{?(?:CX_ACCESS_TOKEN|token)\b/;
    for (const script of scripts) assert.doesNotMatch(script, onCommandLine, script);
    assert.match('curl -H "Authorization: Bearer $CX_ACCESS_TOKEN" x', onCommandLine);
  });
  const pwsh = pwshPath();
  it('PowerShell snippets parse', { skip: pwsh ? false : 'pwsh is not installed here' }, () => {
    for (const { code } of codeBlocks('powershell')) {
      const check = `$e = $null; [void][Management.Automation.Language.Parser]::ParseInput([Console]::In.ReadToEnd(), [ref]$null, [ref]$e); if ($e) { $e; exit 1 }`;
      const run = spawnSync(pwsh!, ['-NoProfile', '-NonInteractive', '-Command', check], {
        input: code,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}\n${code}`);
    }
  });
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
  it('Python snippets parse', { skip: python ? false : 'python3 is not installed here' }, () => {
    const parse = (code: string) =>
      spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code, encoding: 'utf8', timeout: 10_000 });
    assert.ok(codeBlocks('python').length >= 1, 'docs/exec.md shows the SDK with a token callback');
    for (const { code } of codeBlocks('python')) assert.equal(parse(code).status, 0, `${parse(code).stderr}\n${code}`);
    assert.notEqual(parse('def x(:\n').status, 0, 'the check can fail');
  });
});

// ---- the README as a landing page, and the pages it links ----

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
const headingsOf = (text: string) =>
  new Set([...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));

describe('README layout: a landing page (issue 23)', () => {
  const prose = readme.replace(/^( *)```[\s\S]*?^\1```/gm, '');
  /** The text of a `## ` section, up to the next one. */
  const section = (heading: string) => {
    const start = readme.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `missing ${heading}`);
    const end = readme.indexOf('\n## ', start + heading.length + 2);
    return readme.slice(start + heading.length + 2, end === -1 ? undefined : end);
  };

  it('has at most 1,800 words of prose (code blocks not counted)', () => {
    const words = prose.split(/\s+/).filter(Boolean).length;
    assert.ok(words <= 1800, `${words} words`);
  });
  it('has its sections in this order', () => {
    const order = [
      '## Before you start',
      '## Quick start: Checkmarx One',
      '## Other products',
      '## Inputs',
      '## Outputs',
      '## Long jobs: the token agent',
      '## Other CI systems',
      '## Security',
      '## Try it without a Checkmarx account',
      '## Development',
      '## Versions',
      '## License',
    ].map((heading) => ({ heading, at: readme.indexOf(`\n${heading}\n`) }));
    for (const { heading, at } of order) assert.ok(at >= 0, `missing ${heading}`);
    assert.deepEqual(
      order.map(({ heading }) => heading),
      [...order].sort((a, b) => a.at - b.at).map(({ heading }) => heading),
    );
  });
  it('says what it is in two sentences', () => {
    const intro = readme.slice(readme.indexOf('\n') + 1, readme.indexOf('\n## ')).trim();
    assert.equal(intro.split(/(?<=\.)\s+(?=[A-Z])/).length, 2, intro);
  });
  it('before you start: make an API key and store it as CX_APIKEY', () => {
    const text = section('## Before you start');
    assert.match(text, /API Keys/);
    assert.match(text, /`CX_APIKEY`/);
  });
  it('the first example is a complete Checkmarx One workflow that GitHub accepts', () => {
    const first = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const workflow = parse(first) as { on?: unknown; jobs?: Record<string, { 'runs-on'?: string; steps?: ShownStep['step'][] }> };
    assert.ok(workflow.on && workflow.jobs, 'no on: and jobs:');
    const [job] = Object.values(workflow.jobs);
    assert.ok(job?.['runs-on'] && job.steps, 'no runs-on: and steps:');
    const step = job.steps.find((s) => s.uses === USES);
    assert.deepEqual(step?.with, { product: 'cxone', 'api-key': '${{ secrets.CX_APIKEY }}' });
    assert.deepEqual(workflowErrors('checkmarx.yml', first), []);
  });
  it('marks every input required or optional, and every output always or when it is set', () => {
    for (const [heading, names] of [
      ['## Inputs', INPUTS.map((spec) => spec.name)],
      ['## Outputs', OUTPUTS.map((spec) => spec.name)],
    ] as const) {
      const rows = tableAfter(heading, readme, 'README.md');
      for (const name of names) {
        const row = rows.find((cells) => cells[0]!.split(/,\s*/).map(unquote).includes(name));
        assert.ok(row, `${heading}: ${name} is not in the table`);
        assert.ok(row[1] !== '' || heading === '## Inputs', `${heading}: ${name} is not marked`);
      }
    }
    assert.match(tableAfter('## Inputs', readme, 'README.md')[0]!.join('|'), /^`product`\|\*\*required\*\*/);
  });
  it('other CI systems: the GitLab component, then the Azure task, then the CLI', () => {
    const text = section('## Other CI systems');
    const at = ['component:', 'CheckmarxAuth@1', 'npx --yes checkmarx-auth@'].map((word) => text.indexOf(word));
    assert.ok(
      at.every((index) => index >= 0),
      at.join(', '),
    );
    assert.deepEqual(
      at,
      [...at].sort((a, b) => a - b),
    );
  });
  it('security in five lines, with a link to the full model', () => {
    const lines = section('## Security')
      .split('\n')
      .filter((line) => line.trim() !== '');
    assert.ok(lines.length <= 5, lines.join('\n'));
    assert.ok(lines.some((line) => line.includes('](docs/security.md)')));
  });
  it('try it: clone, Node 24 and how to get it, then npm ci && npm run demo', () => {
    const text = section('## Try it without a Checkmarx account');
    for (const word of ['git clone', 'Node.js 24', 'nvm', 'fnm', 'volta', 'nodejs.org', 'npm ci && npm run demo']) {
      assert.ok(text.includes(word), word);
    }
  });
  it('says how long npm test takes, and that the pwsh tests skip without pwsh', () => {
    const text = section('## Development');
    assert.match(text, /npm test/);
    assert.match(text, /minutes/);
    assert.match(text, /pwsh/);
  });
  it('leaves the validation rules to docs/', () => {
    for (const rule of [/BASH_ENV/, /1 MiB/, /Retry-After/, /255\s+letters/]) assert.doesNotMatch(prose, rule);
  });
  it('links every page in docs/', () => {
    for (const file of docPages) assert.ok(readme.includes(`](docs/${file})`), `docs/${file} is not linked from the README`);
  });
});

describe('README links and names', () => {
  it('every relative link in README.md and docs/ leads to a file and heading that exist', () => {
    for (const [page, text] of pages) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, anchor] = target!.split('#');
        const path = file ? join(dirname(page), file).replace(/\\/g, '/') : page;
        assert.ok(existsSync(join(REPO_ROOT, path)), `${page}: ${target} does not exist`);
        if (anchor)
          assert.ok(headingsOf(readFileSync(join(REPO_ROOT, path), 'utf8')).has(anchor), `${page}: no heading #${anchor} in ${path}`);
      }
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
  it('names one owner and repository everywhere, with no placeholders', () => {
    const files = [
      ...pages,
      ...['action.yml', 'package.json', 'SECURITY.md', 'CHANGELOG.md'].map((file): [string, string] => [
        file,
        readFileSync(join(REPO_ROOT, file), 'utf8'),
      ]),
    ];
    for (const [file, text] of files) {
      assert.doesNotMatch(text, /<owner>|your-org\/checkmarx-auth|OWNER\/checkmarx-auth/i, file);
      for (const [, repository] of text.matchAll(/github\.com\/([\w.-]+\/[\w.-]+?)(?:\.git)?(?=[/#)\s"'`]|$)/gm)) {
        if (/checkmarx-auth/i.test(repository!)) assert.equal(repository, 'checkmarx-auth/checkmarx-auth', `${file}: ${repository}`);
      }
    }
    assert.equal(action.author, 'checkmarx-auth');
  });
});

describe('one way of saying each thing in README.md and docs/', () => {
  const allBlocks = pages.flatMap(([page, text]) =>
    [...text.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```/gm)].map((match) => ({ page, code: match[3]! })),
  );
  const workflows = readdirSync(join(REPO_ROOT, '.github', 'workflows')).map((file): [string, string] => [
    `.github/workflows/${file}`,
    readFileSync(join(REPO_ROOT, '.github', 'workflows', file), 'utf8'),
  ]);

  it('the API key secret is CX_APIKEY, as everywhere else', () => {
    for (const [page, text] of [...pages, ...workflows]) assert.doesNotMatch(text, /secrets\.CX_API_KEY\b/, page);
  });
  it('one actions/checkout version everywhere', () => {
    // The docs name the major tag (@v5); the workflows pin a commit with its version in a comment
    // (@<sha> # v5.1.0): both count by their major version.
    const versions = new Set(
      [...pages, ...workflows].flatMap(([, text]) =>
        [...text.matchAll(/actions\/checkout@(?:[0-9a-f]{40} # )?(v\d+)[.\w]*/g)].map((m) => m[1]),
      ),
    );
    const mentions = [...pages, ...workflows].flatMap(([, text]) => [...text.matchAll(/actions\/checkout@/g)]).length;
    assert.equal(
      [...pages, ...workflows].flatMap(([, text]) => [...text.matchAll(/actions\/checkout@(?:[0-9a-f]{40} # )?v\d+/g)]).length,
      mentions,
      'every actions/checkout names a version',
    );
    assert.equal(versions.size, 1, [...versions].join(', '));
  });
  it('every install of the CLI names an exact version, not a range', () => {
    for (const [page, text] of pages) {
      for (const [spec] of text.matchAll(/(?<![\w/.-])checkmarx-auth@[^\s`"')]+/g)) {
        // `<version>` names the template's input, not a range.
        assert.match(spec, /^checkmarx-auth@(?:\d+\.\d+\.\d+|<version>)$/, `${page}: ${spec}`);
      }
    }
  });
  it('every CxSAST REST call sends Accept: application/json;v=1.0 and cxOrigin', () => {
    const productsOf = (code: string) =>
      new Set([...code.matchAll(/(?:product:|--product|CX_PRODUCT:|CX_PRODUCT=)\s*['"]?([a-z-]+)/g)].map((m) => m[1]));
    let calls = 0;
    for (const { page, code } of allBlocks) {
      const products = productsOf(code);
      // A block of one CxSAST product, or a step with no product that says it calls /cxrestapi.
      const cxsastBlock =
        products.size === 1 ? products.has('sast') || products.has('access-control') : products.size === 0 && /\/cxrestapi\b/.test(code);
      // A command: its lines joined where they end with \, | or a PowerShell backtick.
      const commands = code.replace(/(?:\\|\||`)\n/g, ' ').split('\n');
      for (const command of commands.filter((line) => /\bcurl(?:\.exe)?\b|Invoke-RestMethod/.test(line))) {
        const direct = /\/cxrestapi\/(?!auth\/identity)/i.test(command);
        const viaOutput = cxsastBlock && /CX_API_URL|CX_API\b|CX_AC\b/.test(command);
        if (!direct && !viaOutput) continue;
        calls++;
        assert.match(command, /Accept: application\/json;v=1\.0/, `${page}: ${command.trim()}`);
        assert.match(command, /cxOrigin: /, `${page}: ${command.trim()}`);
      }
    }
    assert.ok(calls >= 5, `only ${calls} CxSAST calls found: the check finds nothing`);
  });
  it('each page has one H1, and each docs/ page links back to the README', () => {
    for (const [page, text] of pages) {
      const outsideCode = text.replace(/^( *)```[\s\S]*?^\1```/gm, '');
      assert.equal(outsideCode.match(/^# /gm)?.length, 1, `${page}: ${outsideCode.match(/^# .*/gm)?.join(' | ')}`);
      if (page.startsWith('docs/')) assert.ok(text.includes('](../README.md)'), `${page} has no link back to the README`);
    }
  });
  it('the masking rules have one home, docs/security.md, and the agent page links to it', () => {
    for (const [page, text] of pages) {
      if (page === 'docs/security.md') assert.match(text, /::add-mask::[\s\S]*##vso\[task\.setsecret\]/);
      else assert.doesNotMatch(text, /::add-mask::|task\.setsecret/, `${page} spells out the masking rules: link to docs/security.md`);
    }
    assert.ok(pages.find(([page]) => page === 'docs/agent.md')![1].includes('](security.md)'));
  });
});

describe('docs/cli.md', () => {
  it('names the variables the env, azure and powershell formats set, as src/outputs.ts names them', () => {
    const cli = pages.find(([page]) => page === 'docs/cli.md')![1];
    const said = /variables are the token under `--env-name` \(`CX_ACCESS_TOKEN`\), then\s+([\s\S]*?)\s+\(the last two/.exec(cli)?.[1];
    assert.ok(said, 'no sentence that lists the variables');
    assert.deepEqual(
      [...said.matchAll(/`(\w+)`/g)].map((m) => m[1]),
      OUTPUTS.slice(1).flatMap((spec) => (spec.envName ? [spec.envName] : [])),
    );
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
