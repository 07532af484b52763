// The GitLab CI/CD component (templates/checkmarx-auth/template.yml) read as GitLab reads it: a
// `spec:` header and the configuration. Its inputs are the action's non-secret inputs, each mapped
// to its CLI flag only when given; it pins the CLI version the package has; it makes no artifact.
// gitlab.e2e.test.ts runs it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { INPUTS } from '../src/core/inputs.ts';
import { REPO_ROOT } from './support/run.ts';

interface SpecInput {
  description?: string;
  default?: unknown;
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
const job = (documents[1] as Record<string, HiddenJob>)['.checkmarx-auth']!;
const packageVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Inputs of the component that are not inputs of the action: what to install. */
const INSTALL_INPUTS = ['version', 'install-from'];
const SECRET_INPUTS: string[] = INPUTS.filter((input) => input.secret).map((input) => input.name);
const variableOf = (input: string) => `CHECKMARX_AUTH_${input.toUpperCase().replace(/-/g, '_')}`;

describe('GitLab component: spec:inputs', () => {
  const names = Object.keys(spec.inputs);

  it('are two YAML documents, the spec header and the hidden job .checkmarx-auth', () => {
    assert.equal(documents.length, 2);
    assert.deepEqual(Object.keys(documents[1]!), ['.checkmarx-auth']);
  });
  it('name the non-secret inputs of the issue, spelled as the action spells them', () => {
    const actionNames = new Set<string>(INPUTS.map((input) => input.name));
    for (const name of names.filter((name) => !INSTALL_INPUTS.includes(name))) assert.ok(actionNames.has(name), name);
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
      ...INSTALL_INPUTS,
    ]) {
      assert.ok(names.includes(name), `no input ${name}`);
    }
  });
  it('take no secret: those come from masked CI/CD variables', () => {
    assert.ok(SECRET_INPUTS.includes('api-key') && SECRET_INPUTS.includes('password') && SECRET_INPUTS.includes('client-secret'));
    for (const name of SECRET_INPUTS) assert.ok(!names.includes(name), name);
  });
  it("default to '' (not given, so the CX_* variable decides), except the pinned version", () => {
    for (const name of names.filter((name) => name !== 'version')) assert.equal(spec.inputs[name]!.default, '', name);
    for (const name of names) assert.ok(spec.inputs[name]!.description, `${name} has no description`);
  });
  it("pin the package's own version, so a release's template installs that release", () => {
    assert.equal(spec.inputs['version']!.default, packageVersion);
    assert.match(packageVersion, new RegExp(spec.inputs['version']!.regex!));
  });
});

describe('GitLab component: the hidden job', () => {
  const script = job.before_script.join('\n');
  const inputs = Object.keys(spec.inputs);

  it('hands every input over as a variable, never as script text', () => {
    for (const name of inputs) assert.equal(job.variables[variableOf(name)], `$[[ inputs.${name} ]]`, name);
    assert.doesNotMatch([...job.before_script, ...job.after_script].join('\n'), /\$\[\[/);
  });
  it('turns an action input into its flag only when it is not empty', () => {
    for (const name of inputs.filter((name) => !INSTALL_INPUTS.includes(name))) {
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
    for (const [name, flag] of rows) assert.equal(flag, INSTALL_INPUTS.includes(name!) ? undefined : `\`--${name}\``, name);
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
