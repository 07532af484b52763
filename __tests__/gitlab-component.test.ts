// The GitLab CI/CD component (templates/checkmarx-auth/template.yml) read as GitLab reads it: a
// `spec:` header and the configuration. Its inputs are the action's non-secret inputs, each mapped
// to its CLI flag only when given; it pins the CLI version the package has; it makes no artifact.
// The header is validated against GitLab's own CI JSON schema, the one gitlab-ci-local (a
// devDependency) embeds, read from its bundle at test time. gitlab.e2e.test.ts runs it.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { INPUTS } from '../src/core/inputs.ts';
import { CXONE_REGIONS, PRODUCT_NAMES, PRODUCTS, REGION_ALIASES, SCA_REGIONS } from '../src/core/products.ts';
import { REPO_ROOT } from './support/run.ts';

interface SpecInput {
  type?: string;
  description?: string;
  default?: unknown;
  options?: unknown[];
  regex?: string;
}
interface HiddenJob {
  variables: Record<string, string>;
  before_script: string[];
  after_script: string[];
  [key: string]: unknown;
}

const TEMPLATE = join(REPO_ROOT, 'templates', 'checkmarx-auth', 'template.yml');
const text = readFileSync(TEMPLATE, 'utf8');
const documents = parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
const spec = (documents[0] as { spec: { inputs: Record<string, SpecInput> } }).spec;
const JOB_KEY = '$[[ inputs.job-name ]]';
const job = (documents[1] as Record<string, HiddenJob>)[JOB_KEY]!;
const packageVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Inputs of the component that are not inputs of the action: what to install, and the job's name. */
const INSTALL_INPUTS = ['version', 'install-from'];
const OWN_INPUTS = [...INSTALL_INPUTS, 'job-name'];
const SECRET_INPUTS: string[] = INPUTS.filter((input) => input.secret).map((input) => input.name);
const variableOf = (input: string) => `CHECKMARX_AUTH_${input.toUpperCase().replace(/-/g, '_')}`;

describe('GitLab component: spec:inputs', () => {
  const names = Object.keys(spec.inputs);

  it('are two YAML documents, the spec header and the hidden job the job-name input names', () => {
    assert.equal(documents.length, 2);
    assert.deepEqual(Object.keys(documents[1]!), [JOB_KEY]);
  });
  it('name the non-secret inputs of the issue, spelled as the action spells them', () => {
    const actionNames = new Set<string>(INPUTS.map((input) => input.name));
    for (const name of names.filter((name) => !OWN_INPUTS.includes(name))) assert.ok(actionNames.has(name), name);
    for (const name of [
      'product',
      'server-url',
      'token-url',
      'iam-url',
      'region',
      'tenant',
      'scope',
      'grant-type',
      'timeout-seconds',
      'max-attempts',
      'ca-cert',
      'insecure-skip-tls-verify',
      ...OWN_INPUTS,
    ]) {
      assert.ok(names.includes(name), `no input ${name}`);
    }
  });
  it('take no secret: those come from masked CI/CD variables', () => {
    assert.ok(SECRET_INPUTS.includes('api-key') && SECRET_INPUTS.includes('password') && SECRET_INPUTS.includes('client-secret'));
    for (const name of SECRET_INPUTS) assert.ok(!names.includes(name), name);
  });
  it("default to '' (not given, so the CX_* variable decides), except the pinned version and the job's name", () => {
    for (const name of names.filter((name) => name !== 'version' && name !== 'job-name'))
      assert.equal(spec.inputs[name]!.default, '', name);
    for (const name of names) assert.ok(spec.inputs[name]!.description, `${name} has no description`);
  });
  it("pin the package's own version, so a release's template installs that release", () => {
    assert.equal(spec.inputs['version']!.default, packageVersion);
    assert.match(packageVersion, new RegExp(spec.inputs['version']!.regex!));
  });
});

/** The values each closed-set input accepts, from the tables the CLI itself reads ('' = not given). */
const CLOSED_SETS: Record<string, string[]> = {
  product: ['', ...PRODUCT_NAMES],
  'grant-type': ['', ...new Set(Object.values(PRODUCTS).flatMap((profile) => profile.grantTypes))],
  region: ['', ...new Set([...Object.keys(CXONE_REGIONS), ...Object.keys(SCA_REGIONS), ...Object.keys(REGION_ALIASES)])],
  'insecure-skip-tls-verify': ['', 'true', 'false'],
  sealed: ['', 'true', 'false'],
};

describe('GitLab component: typed inputs', () => {
  it('declare a type GitLab knows, and a default of that type', () => {
    for (const [name, input] of Object.entries(spec.inputs)) {
      assert.ok(['string', 'boolean', 'number'].includes(input.type!), `${name}: type ${input.type}`);
      assert.equal(typeof input.default, input.type, name);
    }
  });
  it('list the options of every closed set, as the product and region tables have them', () => {
    for (const [name, values] of Object.entries(CLOSED_SETS)) {
      assert.deepEqual(spec.inputs[name]!.options, values, `${name}: options drifted from src/core/products.ts`);
    }
    const open = Object.keys(spec.inputs).filter((name) => !(name in CLOSED_SETS));
    for (const name of open) assert.equal(spec.inputs[name]!.options, undefined, name);
  });
  it('name the hidden job .checkmarx-auth by default, and accept only hidden-job names', () => {
    const jobName = spec.inputs['job-name']!;
    assert.equal(jobName.default, '.checkmarx-auth');
    const pattern = new RegExp(jobName.regex!);
    for (const good of ['.checkmarx-auth', '.checkmarx-one', '.cx_sast.2']) assert.match(good, pattern);
    for (const bad of ['checkmarx-auth', '.checkmarx auth', '.a\nb', '']) assert.doesNotMatch(bad, pattern);
  });
});

/** The `{ ... }` object literal that starts at `start` in JavaScript source (strings skipped). */
function objectLiteralAt(source: string, start: number): string {
  let depth = 0;
  let quote = '';
  for (let at = start; at < source.length; at++) {
    const char = source[at]!;
    if (quote) {
      if (char === '\\') at++;
      else if (char === quote) quote = '';
    } else if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return source.slice(start, at + 1);
  }
  throw new Error('unterminated object literal');
}

const GITLAB_CI_LOCAL = join(REPO_ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
const SCHEMA_ID = '$id:"https://gitlab.com/.gitlab-ci.yml"';

/** GitLab's CI JSON schema (app/assets/javascripts/editor/schema/ci.json), as gitlab-ci-local embeds it. */
function gitlabCiSchema(): Record<string, unknown> {
  const bundle = readFileSync(GITLAB_CI_LOCAL, 'utf8');
  const id = bundle.indexOf(SCHEMA_ID);
  assert.ok(id > 0, `no ${SCHEMA_ID} in gitlab-ci-local's bundle: has it stopped embedding GitLab's schema?`);
  return runInNewContext(`(${objectLiteralAt(bundle, bundle.lastIndexOf('{', id))})`) as Record<string, unknown>;
}

/**
 * The header's check: GitLab's schema as is (with the options gitlab-ci-local compiles it with),
 * and SPEC's rule that every input declares its type, which GitLab's schema leaves optional.
 */
function headerValidator(schema: Record<string, unknown>): ValidateFunction {
  const everyInputTyped = {
    properties: { spec: { properties: { inputs: { additionalProperties: { type: 'object', required: ['type'] } } } } },
  };
  const ajv = new Ajv({
    allErrors: true,
    allowUnionTypes: true,
    validateFormats: false,
    strictTypes: false,
    keywords: ['markdownDescription'],
  });
  return ajv.compile({ allOf: [schema, everyInputTyped] });
}

const header = () => structuredClone(documents[0]!) as { spec: { inputs: Record<string, SpecInput> } };

describe(
  "GitLab component: the spec header against GitLab's CI JSON schema",
  { skip: !existsSync(GITLAB_CI_LOCAL) && 'gitlab-ci-local is not installed (npm ci installs it)' },
  () => {
    const schema = existsSync(GITLAB_CI_LOCAL) ? gitlabCiSchema() : {};
    const validate = headerValidator(schema);
    const errors = () => JSON.stringify(validate.errors);

    it('is the schema of GitLab CI files, with the spec:inputs definition', () => {
      assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
      assert.ok((schema['definitions'] as Record<string, unknown>)['configInputs'], 'no configInputs definition');
    });
    it('validates', () => {
      assert.ok(validate(header()), errors());
    });
    it('fails a header with one untyped input', () => {
      const untyped = header();
      delete untyped.spec.inputs['server-url']!.type;
      assert.equal(validate(untyped), false);
      assert.match(errors(), /must have required property 'type'/);
    });
    it("fails a default that is not of the input's type (GitLab's own rule)", () => {
      const mistyped = header();
      mistyped.spec.inputs['max-attempts']!.type = 'number';
      assert.equal(validate(mistyped), false);
      assert.match(errors(), /"instancePath":"\/spec\/inputs\/max-attempts\/default"/);
    });
    it('fails an input type GitLab does not know, or a key it does not know', () => {
      const unknownType = header();
      unknownType.spec.inputs['product']!.type = 'enum';
      assert.equal(validate(unknownType), false);
      const unknownKey = header() as { spec: Record<string, unknown> };
      unknownKey.spec['input'] = {};
      assert.equal(validate(unknownKey), false);
    });
  },
);

describe('GitLab component: the hidden job', () => {
  const script = job.before_script.join('\n');
  const inputs = Object.keys(spec.inputs);

  it('hands every input over as a variable, never as script text', () => {
    for (const name of inputs.filter((name) => name !== 'job-name')) {
      assert.equal(job.variables[variableOf(name)], `$[[ inputs.${name} ]]`, name);
    }
    assert.doesNotMatch([...job.before_script, ...job.after_script].join('\n'), /\$\[\[/);
  });
  it('turns an action input into its flag only when it is not empty', () => {
    for (const name of inputs.filter((name) => !OWN_INPUTS.includes(name))) {
      const variable = variableOf(name);
      assert.ok(script.includes(`[ -z "$${variable}" ] || set -- "$@" "--${name}=$${variable}"`), name);
    }
  });
  it('starts the agent with assign-then-eval, on lines of their own, then drops the credential', () => {
    const start = job.before_script.findIndex((line) => /^cx_env="\$\(.*checkmarx-auth start-agent "\$@"\)" \|\| exit 1$/.test(line));
    assert.ok(start > 0, 'no start-agent line');
    assert.equal(job.before_script[start + 1], 'eval "$cx_env"');
    assert.match(job.before_script[start + 2]!, /^unset cx_env CX_APIKEY CX_API_KEY CX_PASSWORD CX_CLIENT_SECRET\b/);
  });
  it('checks that the CLI it installed is the pinned version', () => {
    assert.match(script, /checkmarx-auth --version/);
    assert.match(script, /!= "\$CHECKMARX_AUTH_VERSION"/);
  });
  it('stops the agent in after_script by removing the folder its socket is in', () => {
    const after = job.after_script.join('\n');
    const folder = /cx_auth_dir="([^"]+)"/;
    assert.equal(folder.exec(after)?.[1], folder.exec(script)?.[1]);
    assert.match(after, /rm -rf "\$cx_auth_dir"/);
    assert.match(script, /RUNNER_TEMP="\$cx_auth_dir" checkmarx-auth start-agent/);
  });
  it('makes no artifact, dotenv or other: GitLab serves artifacts to anyone who may download them', () => {
    assert.equal(job['artifacts'], undefined);
    assert.doesNotMatch(text.replace(/^\s*#.*$/gm, ''), /dotenv|artifacts:/);
  });
});

describe("the repository's .gitlab-ci.yml", () => {
  const ci = readFileSync(join(REPO_ROOT, '.gitlab-ci.yml'), 'utf8');
  it('includes the component from the same commit', () => {
    assert.match(ci, /component: \$CI_SERVER_FQDN\/\$CI_PROJECT_PATH\/checkmarx-auth@\$CI_COMMIT_SHA\n/);
  });
  it('runs a job that extends the hidden job', () => {
    assert.match(ci, /^checkmarx-auth-e2e:\n {2}extends: \.checkmarx-auth$/m);
  });
});

describe('docs/gitlab.md', () => {
  const page = readFileSync(join(REPO_ROOT, 'docs', 'gitlab.md'), 'utf8');
  const table = page.slice(page.indexOf('| input | CLI flag | when empty |'));
  const rows = [...table.matchAll(/^\| `([\w-]+)` \|\s*(`--[\w-]+`)?\s*\|/gm)].map((match) => [match[1]!, match[2]]);

  it('lists every input of the component, in order, with its flag', () => {
    assert.deepEqual(
      rows.map(([name]) => name),
      Object.keys(spec.inputs),
    );
    for (const [name, flag] of rows) assert.equal(flag, OWN_INPUTS.includes(name!) ? undefined : `\`--${name}\``, name);
  });
  it('names the version the template pins', () => {
    assert.match(page, new RegExp(`checkmarx-auth@${packageVersion.replace(/\./g, '\\.')}\` from npm`));
  });
});

describe('the catalog release job', () => {
  const ci = parseAllDocuments(readFileSync(join(REPO_ROOT, '.gitlab-ci.yml'), 'utf8'))[0]!.toJS() as Record<
    string,
    { rules?: Array<{ if?: string }>; release?: { tag_name?: string }; stage?: string }
  >;
  const release = ci['checkmarx-auth-catalog-release']!;
  it('runs only for a plain semantic-version tag, after the test stage', () => {
    assert.deepEqual(release.rules, [{ if: '$CI_COMMIT_TAG =~ /^\\d+\\.\\d+\\.\\d+$/' }]);
    assert.equal(release.release?.tag_name, '$CI_COMMIT_TAG');
    assert.equal(release.stage, 'deploy');
  });
});
