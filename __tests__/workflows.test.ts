// The repository's own GitHub workflows: valid for GitHub's parser, shaped as promised, and the
// e2e job actually passes when run here step by step (its `run:` steps in bash, its `uses: ./`
// steps through the committed bundle exactly as the runner starts it).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { PRODUCT_NAMES } from '../src/core/products.ts';
import { assertNoLeak, parseFileCommands, type ProcessRun, REPO_ROOT, runAction, runPost } from './support/run.ts';
import { freePort } from './support/token-server.ts';
import { workflowErrors } from './support/workflow-parser.ts';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | number | boolean>;
  'continue-on-error'?: boolean;
}

interface Job {
  'runs-on': string;
  container?: string;
  strategy?: { matrix?: Record<string, unknown> };
  defaults?: { run?: { shell?: string } };
  env?: Record<string, string | number>;
  steps: Step[];
}

interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS_DIR = join(REPO_ROOT, '.github', 'workflows');
const workflowText = (file: string) => readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
const workflow = (file: string) => parse(workflowText(file)) as Workflow;
const allSteps = (file: string) => Object.values(workflow(file).jobs).flatMap((job) => job.steps);
const SELF_HOSTED = ['sast', 'sast-odata', 'access-control'];

describe('workflow files', () => {
  const files = readdirSync(WORKFLOWS_DIR).filter((file) => file.endsWith('.yml'));

  it('are ci.yml, check-dist.yml, e2e.yml and release.yml', () => {
    for (const file of ['ci.yml', 'check-dist.yml', 'e2e.yml', 'release.yml']) assert.ok(files.includes(file), file);
  });
  for (const file of files) {
    it(`${file} is valid for GitHub's own parser`, () => assert.deepEqual(workflowErrors(file, workflowText(file)), []));
    if (file === 'release.yml') continue;
    it(`${file} asks only to read the repository`, () => assert.deepEqual(workflow(file).permissions, { contents: 'read' }));
  }
  it('the parser would catch a broken workflow (so the checks above can fail)', () => {
    assert.notDeepEqual(workflowErrors('e2e.yml', workflowText('e2e.yml').replace('runs-on:', 'runs_on:')), []);
  });
  it('every third-party action is pinned by its full commit SHA, with its version in a comment for dependabot', () => {
    const remote = files.flatMap(allSteps).flatMap((step) => (step.uses && step.uses !== './' ? [step.uses] : []));
    assert.ok(remote.length > 0);
    for (const uses of remote) assert.match(uses, /^[\w-]+\/[\w-]+@[0-9a-f]{40}$/, uses);
    // The comment is lost by the YAML parser, so the lines are read as text.
    const lines = files.flatMap((file) => workflowText(file).split('\n')).filter((line) => /^\s*(- )?uses: (?!\.\/)/.test(line));
    assert.equal(lines.length, remote.length);
    for (const line of lines) assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
  });
});

describe('ci.yml', () => {
  it('runs the checks of .ci/run on Node 24 set up by actions/setup-node', () => {
    const steps = allSteps('ci.yml');
    const setup = steps.findIndex((step) => step.uses?.startsWith('actions/setup-node@'));
    assert.ok(setup >= 0, 'no actions/setup-node step');
    assert.equal(String(steps[setup]!.with?.['node-version']), '24');
    assert.ok(steps.findIndex((step) => step.run?.trim() === '.ci/run') > setup, '.ci/run does not run after setup-node');
  });
});

describe('check-dist.yml', () => {
  it("rebuilds dist/ and the Azure task's bundles from a clean install and fails on any difference in either", () => {
    const runs = allSteps('check-dist.yml').flatMap((step) => (step.run ? [step.run.trim()] : []));
    assert.ok(runs.indexOf('npm ci') >= 0 && runs.indexOf('npm ci') < runs.indexOf('npm run build'), runs.join(' | '));
    for (const folder of [' dist/', ' azure-devops/CheckmarxAuth/dist/']) {
      const diff = runs.find((run) => run.includes('git diff --exit-code'));
      const status = runs.find((run) => run.includes('git status --porcelain'));
      assert.ok(diff && /git diff --exit-code[^|;]*/.exec(diff)![0].includes(folder), `git diff --exit-code misses${folder}`);
      assert.ok(status && /git status --porcelain[^)]*/.exec(status)![0].includes(folder), `git status --porcelain misses${folder}`);
    }
  });
});

describe('release.yml', () => {
  const release = parse(workflowText('release.yml')) as Workflow & { on: { push: { tags: string[] } } };
  const steps = allSteps('release.yml');
  const at = (match: (step: Step) => boolean, what: string) => {
    const index = steps.findIndex(match);
    assert.ok(index >= 0, `no step ${what}`);
    return index;
  };
  const runs = (text: string) => (step: Step) => step.run?.includes(text) === true;

  it('runs on a pushed version tag, with the permissions a release, provenance and npm need', () => {
    assert.deepEqual(release.on.push.tags, ['v*.*.*']);
    assert.deepEqual(release.permissions, { contents: 'write', 'id-token': 'write', attestations: 'write' });
  });
  it('checks dist/ and runs the tests on Node 24 before it publishes anything', () => {
    const setup = steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    assert.equal(String(setup?.with?.['node-version']), '24');
    const checks = Math.max(at(runs('npm run check:dist'), 'npm run check:dist'), at(runs('npm test'), 'npm test'));
    assert.ok(at(runs('npm ci'), 'npm ci') < checks);
    for (const publish of [runs('gh release create'), runs('npm publish'), runs('git push')]) assert.ok(at(publish, 'publishing') > checks);
  });
  it('releases and attests the assets scripts/release-assets.ts makes, then moves the major tag and publishes to npm', () => {
    const assets = at(runs('node scripts/release-assets.ts release'), 'making the assets');
    const attest = at((step) => step.uses?.startsWith('actions/attest-build-provenance@') === true, 'attesting');
    assert.match(String(steps[attest]!.with?.['subject-path']), /release\/checkmarx-auth-\*\.cjs\s+release\/SHA256SUMS/);
    const create = at(runs('gh release create "$GITHUB_REF_NAME" release/*'), 'creating the release');
    assert.ok(assets < attest && attest < create);
    assert.match(steps[at(runs('git push --force origin'), 'moving the tag')]!.run!, /major="\$\{GITHUB_REF_NAME%%\.\*\}"/);
    const publish = steps[at(runs('npm publish'), 'npm publish')]!;
    assert.match(publish.run!, /npm publish --provenance --access public/);
  });
  it('publishes to npm by trusted publishing (OIDC): no token, no registry-url placeholder, npm 11.5.1 or later', () => {
    // The parsed workflow, so that the comments explaining it may name what it no longer uses.
    assert.doesNotMatch(JSON.stringify(release), /NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
    assert.equal(steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['registry-url'], undefined);
    const npm = at(runs('npm install --global npm@11'), 'npm 11');
    assert.ok(npm < at(runs('npm publish'), 'npm publish'));
    assert.equal(release.permissions?.['id-token'], 'write');
  });
});

describe('e2e.yml', () => {
  const job = workflow('e2e.yml').jobs['e2e']!;
  const steps = job.steps;
  const actionSteps = allSteps('e2e.yml').filter((step) => step.uses === './');

  it('runs on Linux, Windows and macOS, bash steps saying so', () => {
    assert.equal(job['runs-on'], '${{ matrix.os }}');
    assert.deepEqual(job.strategy?.matrix?.['os'], ['ubuntu-latest', 'windows-latest', 'macos-latest']);
    assert.equal(job.defaults?.run?.shell, 'bash');
  });
  it('runs the CLI in PowerShell with --format powershell, and in cmd on Windows', () => {
    const pwsh = steps.find((step) => step.shell === 'pwsh');
    assert.match(pwsh?.run ?? '', /--format powershell[\s\S]*Invoke-Expression/);
    const cmd = steps.find((step) => step.shell === 'cmd');
    assert.equal(cmd?.if, "runner.os == 'Windows'");
  });

  it('starts the token server in the job and waits for it', () => {
    const start = steps.find((step) => step.run?.includes('node scripts/token-server.ts --port'));
    assert.ok(start, 'no step starts scripts/token-server.ts');
    assert.match(start.run!, /&\n/, 'the server is not started in the background');
    assert.match(start.run!, /for _ in \{1\.\.\d+\}; do\n\s+if curl /, 'nothing waits for the server, a bounded time');
  });
  it('runs the action from this checkout for all five products', () => {
    assert.deepEqual(new Set(actionSteps.map((step) => step.with?.['product'])), new Set(PRODUCT_NAMES));
  });
  it('points every product at the token server on 127.0.0.1', () => {
    for (const step of actionSteps) {
      const product = String(step.with?.['product']);
      const urlInputs = SELF_HOSTED.includes(product) ? ['server-url'] : product === 'sca' ? ['token-url'] : ['iam-url', 'token-url'];
      const urls = urlInputs.map((name) => step.with?.[name]).filter((url) => url !== undefined);
      assert.ok(urls.length > 0, `${step.id}: none of ${urlInputs.join(', ')}`);
      for (const url of urls) assert.match(String(url), /^http:\/\/127\.0\.0\.1:\$\{\{ env\.TOKEN_SERVER_PORT \}\}/, `${step.id}`);
    }
  });
  it('checks the outputs of every action step in a later step', () => {
    const check = steps.at(-1)!;
    const referenced = JSON.stringify(check.env ?? {});
    for (const step of steps.filter((step) => step.uses === './')) {
      assert.ok(step.id, `a uses: ./ step without an id: ${step.name}`);
      assert.ok(referenced.includes(`steps.${step.id}.`), `the last step does not look at ${step.id}`);
    }
  });
});

describe('e2e.yml, the token agent through the action', () => {
  const jobs = workflow('e2e.yml').jobs;
  const agentJobs = { agent: jobs['agent']!, 'agent-container': jobs['agent-container']! };
  const cliSteps = (job: Job, command: string) => job.steps.filter((step) => step.run?.includes(command));
  const shellOf = (job: Job, step: Step) => step.shell ?? job.defaults?.run?.shell;

  it('runs on Linux, Windows and macOS, and in a node:24 job container', () => {
    assert.ok(jobs['agent'] && jobs['agent-container'], 'no agent or agent-container job');
    assert.equal(agentJobs.agent['runs-on'], '${{ matrix.os }}');
    assert.deepEqual(agentJobs.agent.strategy?.matrix?.['os'], ['ubuntu-latest', 'windows-latest', 'macos-latest']);
    assert.equal(agentJobs['agent-container'].container, 'node:24');
  });
  for (const [name, job] of Object.entries(agentJobs)) {
    it(`${name}: starts the agent with agent: true through the action itself, after the token server`, () => {
      const server = job.steps.findIndex((step) => step.run?.includes('node scripts/token-server.ts --port'));
      const start = job.steps.findIndex((step) => step.uses === './' && step.with?.['agent'] === true);
      assert.ok(server >= 0 && start > server, `token server at ${server}, agent: true at ${start}`);
    });
    it(`${name}: later bash steps call checkmarx-auth token and exec, exec with CX_APIKEY set for it to hide`, () => {
      const bash = (step: Step) => shellOf(job, step) === 'bash';
      assert.ok(cliSteps(job, 'checkmarx-auth token').some(bash), 'no bash step runs checkmarx-auth token');
      const exec = cliSteps(job, 'checkmarx-auth exec -- ').filter(bash);
      assert.ok(exec.length > 0, 'no bash step runs checkmarx-auth exec');
      for (const step of exec) assert.match(String(step.env?.['CX_APIKEY']), /TOKEN_SERVER_CXONE_API_KEY/);
    });
    it(`${name}: the last step checks that the agent is still there for the post step`, () => {
      assert.match(job.steps.at(-1)!.run ?? '', /checkmarx-auth token/);
    });
  }
  it('agent: calls token and exec in pwsh, and in cmd (with call) on Windows', () => {
    const job = agentJobs.agent;
    const pwsh = job.steps.filter((step) => step.shell === 'pwsh');
    assert.ok(
      pwsh.some((step) => /checkmarx-auth token[\s\S]*checkmarx-auth exec -- /.test(step.run ?? '')),
      'pwsh',
    );
    const cmd = job.steps.find((step) => step.shell === 'cmd');
    assert.equal(cmd?.if, "runner.os == 'Windows'");
    assert.match(cmd?.run ?? '', /call checkmarx-auth token[\s\S]*call checkmarx-auth exec -- /);
  });
});

// ---- a small local runner for one job: enough of GitHub's behaviour for e2e.yml ----

type StepOutcome = 'success' | 'failure';

interface StepRecord {
  outcome: StepOutcome;
  outputs: Record<string, string>;
}

interface JobState {
  env: Record<string, string>;
  /** GITHUB_PATH additions, first first */
  path: string[];
  /** what `uses: ./` steps saved for their post step (GITHUB_STATE) */
  actionState: Record<string, string>;
  steps: Record<string, StepRecord>;
  runnerTemp: string;
  processGroups: number[];
  skipped: string[];
}

interface StepRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  exported: Record<string, string>;
}

/** `${{ env.X }}`, `${{ steps.ID.outputs.NAME }}` and `${{ steps.ID.outcome }}`: all e2e.yml uses. */
function evaluate(template: string | number | boolean, state: JobState): string {
  return String(template).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
    const env = /^env\.(\w+)$/.exec(expression);
    if (env) return state.env[env[1]!] ?? '';
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (output) return state.steps[output[1]!]?.outputs[output[2]!] ?? '';
    const outcome = /^steps\.([\w-]+)\.(outcome|conclusion)$/.exec(expression);
    if (outcome) return state.steps[outcome[1]!]?.outcome ?? '';
    throw new Error(`the local runner does not evaluate \${{ ${expression} }}`);
  });
}

function evaluateAll(map: Step['with'], state: JobState): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([name, value]) => [name, evaluate(value, state)]));
}

const LOCAL_OS = ({ win32: 'Windows', darwin: 'macOS' } as Record<string, string>)[process.platform] ?? 'Linux';

/** `runner.os == '...'`, the only condition e2e.yml uses. */
function runsHere(step: Step): boolean {
  if (step.if === undefined) return true;
  const os = /^runner\.os == '(\w+)'$/.exec(step.if.trim());
  if (!os) throw new Error(`the local runner does not evaluate if: ${step.if}`);
  return os[1] === LOCAL_OS;
}

/** Steps in a shell other than bash (pwsh, cmd) are left to GitHub's runners; the formats they use have their own tests. */
const runsInBash = (step: Step) => step.shell === undefined || step.shell === 'bash';

async function runStep(step: Step, state: JobState): Promise<StepRun | undefined> {
  if (!runsHere(step) || !runsInBash(step)) {
    state.skipped.push(step.name ?? step.id ?? '?');
    return undefined;
  }
  if (step.uses === './') {
    // The job's RUNNER_TEMP, and the runner's files kept there: an agent lives on in it, and its
    // GITHUB_PATH and GITHUB_STATE are for later steps and the post step.
    const env = { RUNNER_TEMP: state.runnerTemp, ...state.env, ...evaluateAll(step.env, state) };
    const run = await runAction({ inputs: evaluateAll(step.with, state), env, keep: mkdtempSync(join(state.runnerTemp, 'action-')) });
    const added = readFileSync(run.files.path, 'utf8').split('\n').filter(Boolean);
    state.path.unshift(...added.reverse());
    Object.assign(state.actionState, run.state);
    return run;
  }
  if (step.run) return runBash(step, state);
  return undefined; // actions/checkout, actions/setup-node: this checkout and this node already are
}

/** As GitHub runs `shell: bash`, in its own process group so that background jobs can be stopped. */
async function runBash(step: Step, state: JobState): Promise<StepRun> {
  const dir = mkdtempSync(join(state.runnerTemp, 'step-'));
  const files = { script: join(dir, 'script.sh'), env: join(dir, 'env'), output: join(dir, 'output') };
  writeFileSync(files.script, step.run!);
  writeFileSync(files.env, '');
  writeFileSync(files.output, '');
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', files.script], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      HOME: process.env['HOME'],
      PATH: [...state.path, dirname(process.execPath), process.env['PATH']].join(':'),
      RUNNER_TEMP: state.runnerTemp,
      GITHUB_ENV: files.env,
      GITHUB_OUTPUT: files.output,
      ...state.env,
      ...evaluateAll(step.env, state),
    },
  });
  state.processGroups.push(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => stopGroup(child.pid!), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(killer);
  const read = (file: string) => parseFileCommands(readFileSync(file, 'utf8'));
  return { code, stdout, stderr, outputs: read(files.output), exported: read(files.env) };
}

function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // the group is gone already
  }
}

interface JobReport {
  state: JobState;
  runs: Map<Step, StepRun>;
}

async function runJob(job: Job, state: JobState): Promise<JobReport> {
  const runs = new Map<Step, StepRun>();
  for (const step of job.steps) {
    const run = await runStep(step, state);
    const outcome: StepOutcome = !run || run.code === 0 ? 'success' : 'failure';
    if (run) {
      runs.set(step, run);
      Object.assign(state.env, run.exported);
    }
    if (step.id) state.steps[step.id] = { outcome, outputs: run?.outputs ?? {} };
    if (outcome === 'failure' && !step['continue-on-error']) {
      assert.fail(`step '${step.name ?? step.id}' failed (exit ${run?.code}):\n${run?.stdout}\n${run?.stderr}`);
    }
  }
  return { state, runs };
}

describe('e2e.yml, run here', () => {
  const job = workflow('e2e.yml').jobs['e2e']!;
  const checkStep = job.steps.at(-1)!;
  let report: JobReport;
  let state: JobState | undefined;

  before(async () => {
    state = {
      env: Object.fromEntries(Object.entries(job.env ?? {}).map(([name, value]) => [name, String(value)])),
      path: [],
      actionState: {},
      steps: {},
      runnerTemp: mkdtempSync(join(tmpdir(), 'checkmarx-auth-e2e-')),
      processGroups: [],
      skipped: [],
    };
    state.env['TOKEN_SERVER_PORT'] = String(await freePort()); // the workflow's fixed port may be taken here
    report = await runJob(job, state);
  });
  // Also when a step failed and runJob threw: the background token server must not outlive the test.
  after(() => {
    if (!state) return;
    state.processGroups.forEach(stopGroup);
    rmSync(state.runnerTemp, { recursive: true, force: true });
  });

  it('passes: every step as expected, the check step included', () => {
    assert.match(report.runs.get(checkStep)!.stdout, /All outputs as expected\./);
  });
  it('skips only the steps for another shell or OS', () => {
    const elsewhere = job.steps.filter((step) => !runsInBash(step) || !runsHere(step)).map((step) => step.name);
    assert.deepEqual(report.state.skipped, elsewhere);
    assert.ok(elsewhere.length <= 2, elsewhere.join(', '));
  });
  it('the wrong password failed its step, with a message that says why', () => {
    assert.equal(report.state.steps['wrong-password']?.outcome, 'failure');
    const wrong = job.steps.find((step) => step.id === 'wrong-password')!;
    assert.match(
      report.runs.get(wrong)!.stdout,
      /::error::\[token-request\/invalid-grant\] CxSAST REST API token request to .* failed: HTTP 400 invalid_grant/,
    );
  });
  it('no step printed a test credential or a token outside a mask command', () => {
    const exported = report.state.env;
    const secrets = [
      exported['TOKEN_SERVER_SAST_PASSWORD']!,
      exported['TOKEN_SERVER_SCA_PASSWORD']!,
      exported['TOKEN_SERVER_CXONE_API_KEY']!,
      exported['TOKEN_SERVER_CXONE_CLIENT_SECRET']!,
      ...Object.values(report.state.steps).map((step) => step.outputs['access-token'] ?? ''),
    ];
    for (const run of report.runs.values()) assertNoLeak(run, secrets);
  });
  it('started no agent', () => assert.deepEqual(report.state.actionState, {}));
  it('the check step fails when an output is not what it should be', async () => {
    const steps = {
      ...report.state.steps,
      sast: { ...report.state.steps['sast']!, outputs: { ...report.state.steps['sast']!.outputs, 'api-url': 'https://elsewhere' } },
    };
    const run = await runBash(checkStep, { ...report.state, steps });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /::error::sast api-url: expected 'http:\/\/127\.0\.0\.1:\d+\/cxrestapi', got 'https:\/\/elsewhere'/);
  });
});

describe('e2e.yml, the agent job run here (bash steps, then the post step)', () => {
  const job = workflow('e2e.yml').jobs['agent']!;
  let report: JobReport;
  let state: JobState | undefined;
  let post: ProcessRun;
  let pid: number;

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  before(async () => {
    state = {
      env: Object.fromEntries(Object.entries(job.env ?? {}).map(([name, value]) => [name, String(value)])),
      path: [],
      actionState: {},
      steps: {},
      runnerTemp: mkdtempSync(join(tmpdir(), 'checkmarx-auth-e2e-agent-')),
      processGroups: [],
      skipped: [],
    };
    state.env['TOKEN_SERVER_PORT'] = String(await freePort());
    report = await runJob(job, state);
    pid = Number(state.actionState['agent_pid']);
    post = await runPost(Object.fromEntries(Object.entries(state.actionState).map(([name, value]) => [`STATE_${name}`, value])));
  });
  after(() => {
    if (!state) return;
    // Only if the post step did not stop it: the agent the action started, by its PID.
    const started = Number(state.actionState['agent_pid']);
    if (started > 0 && alive(started)) process.kill(started, 'SIGTERM');
    state.processGroups.forEach(stopGroup);
    rmSync(state.runnerTemp, { recursive: true, force: true });
  });

  it('passes: the bash steps got a token from the agent and exec hid CX_APIKEY', () => {
    const said = [...report.runs.values()].map((run) => run.stdout).join('');
    assert.match(said, /bash: the agent served a token; exec handed on a token and no API key\./);
    assert.match(said, /The agent is alive; the post step stops it\./);
  });
  it('skips only the pwsh and cmd steps', () => {
    assert.deepEqual(report.state.skipped, ['checkmarx-auth token and exec in PowerShell', 'checkmarx-auth token and exec in cmd']);
  });
  it('the post step says it stopped the agent, and no agent survives', () => {
    assert.ok(pid > 0, 'the action saved no agent PID');
    assert.equal(post.code, 0, post.stdout + post.stderr);
    assert.match(post.stdout, /Stopped the token agent\./);
    assert.equal(alive(pid), false, `agent ${pid} is still running`);
    for (const folder of JSON.parse(state!.actionState['agent_folders'] ?? '[]') as string[])
      assert.equal(existsSync(folder), false, folder);
  });
  it('no step printed a test credential or a token outside a mask command', () => {
    const secrets = [report.state.env['TOKEN_SERVER_CXONE_API_KEY']!, report.state.steps['agent']?.outputs['access-token'] ?? ''];
    assert.ok(secrets.every(Boolean));
    for (const run of [...report.runs.values(), post]) assertNoLeak(run, secrets);
  });
});

describe('dependabot.yml', () => {
  it("updates npm packages and the workflows' actions weekly", () => {
    const config = parse(readFileSync(join(REPO_ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
      version: number;
      updates: Array<{ 'package-ecosystem': string; directory: string; schedule: { interval: string } }>;
    };
    assert.equal(config.version, 2);
    const weekly = config.updates.filter((update) => update.schedule.interval === 'weekly' && update.directory === '/');
    assert.deepEqual(weekly.map((update) => update['package-ecosystem']).sort(), ['github-actions', 'npm']);
  });
});
