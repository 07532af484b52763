// The GitLab CI/CD component, run by gitlab-ci-local as a GitLab runner's shell executor would
// run it: the repository's own .gitlab-ci.yml, in a temporary git copy of this checkout, includes
// the component from that commit, installs the CLI from `npm pack` of the copy (offline: no
// registry), and exchanges against the project's token server (scripts/token-server.ts), which
// the job starts. What a user sees is asserted: the job's result, the lines it printed, what the
// job log must not hold, and that nothing it started outlives it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { makeApiKey } from './support/jwt.ts';
import { freePort } from './support/token-server.ts';
import { REPO_ROOT, assertNoLeak, cleanEnv, runProcess, type ProcessRun } from './support/run.ts';

const GITLAB_CI_LOCAL = join(REPO_ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
const JOB = 'checkmarx-auth-e2e';
const RUN_DEADLINE_MS = 180_000;
/** The agent polls for its socket every 2 s; give it that and more to notice the folder is gone. */
const AGENT_GONE_WITHIN_MS = 10_000;
const START_LINE = 'cx_env="$(RUNNER_TEMP="$cx_auth_dir" checkmarx-auth start-agent "$@")" || exit 1';
/** A JWT (access tokens and API keys of the token server are JWTs): none may reach the log. */
const JWT = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*/;

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Why gitlab-ci-local cannot run here, or undefined when it can. */
function whyNot(): string | undefined {
  if (!existsSync(GITLAB_CI_LOCAL)) return 'gitlab-ci-local is not installed (npm ci installs it, a devDependency)';
  if (process.platform === 'win32') return 'the shell executor of gitlab-ci-local needs bash, which this test runs on Linux and macOS only';
  for (const command of ['git', 'bash', 'npm']) if (!has(command)) return `${command} is not on the PATH`;
  return undefined;
}

interface Sandbox {
  root: string;
  project: string;
  home: string;
  tmp: string;
  bin: string;
}

/** A git repository of this checkout's files (committed and not), with a GitLab-like origin. */
function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'cx-gitlab-'));
  const sandbox = { root, project: join(root, 'project'), home: join(root, 'home'), tmp: join(root, 'tmp'), bin: join(root, 'bin') };
  for (const dir of Object.values(sandbox)) mkdirSync(dir, { recursive: true });
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(files.status, 0, files.stderr);
  for (const file of files.stdout.split('\0').filter(Boolean)) {
    if (existsSync(join(REPO_ROOT, file))) cpSync(join(REPO_ROOT, file), join(sandbox.project, file));
  }
  const git = (...args: string[]) => {
    const run = spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd: sandbox.project, encoding: 'utf8' });
    assert.equal(run.status, 0, `git ${args.join(' ')}: ${run.stderr}`);
  };
  git('init', '--quiet');
  git('config', 'user.name', 'checkmarx-auth tests');
  git('config', 'user.email', 'tests@example.com');
  git('add', '--all');
  git('commit', '--quiet', '--no-verify', '--message', 'the checkout under test');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/checkmarx-auth/checkmarx-auth.git');
  // gitlab-ci-local copies the tree for container jobs with rsync, also when every job runs in the
  // shell; that copy is unused here, so a machine without rsync gets a stand-in that does nothing.
  if (!has('rsync')) {
    writeFileSync(join(sandbox.bin, 'rsync'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(sandbox.bin, 'rsync'), 0o755);
  }
  return sandbox;
}

interface JobRun extends ProcessRun {
  /** the job's log as gitlab-ci-local writes it */
  log: string;
  /** the commands the job ran, in order, as its log shows them */
  commands: string[];
}

/** Runs the job with gitlab-ci-local, the given CI/CD variables in its variables file. */
async function runJob(sandbox: Sandbox, variables: Record<string, string>): Promise<JobRun> {
  const variablesFile = join(sandbox.home, 'variables.yml');
  writeFileSync(
    variablesFile,
    Object.entries(variables)
      .map(([name, value]) => `${name}: '${value}'\n`)
      .join(''),
  );
  rmSync(join(sandbox.project, '.gitlab-ci-local'), { recursive: true, force: true });
  rmSync(join(sandbox.project, '.gitlab-ci-e2e'), { recursive: true, force: true });
  const run = await runProcess(
    process.execPath,
    [GITLAB_CI_LOCAL, '--force-shell-executor', '--no-color', '--home', sandbox.home, '--variables-file', variablesFile, JOB],
    {
      cwd: sandbox.project,
      env: cleanEnv({
        // the job's node is this one (the token server is TypeScript, run by Node 24)
        PATH: [sandbox.bin, dirname(process.execPath), process.env['PATH']].join(delimiter),
        HOME: sandbox.home,
        TMPDIR: sandbox.tmp,
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
      }),
      timeoutMs: RUN_DEADLINE_MS,
    },
  );
  const logFile = join(sandbox.project, '.gitlab-ci-local', 'output', `${JOB}.log`);
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const commands = [...run.stdout.matchAll(new RegExp(`^${JOB} \\$ (.*)$`, 'gm'))].map((match) => match[1]!);
  return { ...run, log, commands };
}

/** PIDs of processes that run from, or in, the sandbox (the token server, the agent). */
function sandboxProcesses(sandbox: Sandbox): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cmdline.includes(sandbox.root) || cwd.startsWith(sandbox.root)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

async function waitUntilNoProcesses(sandbox: Sandbox): Promise<number[]> {
  const deadline = performance.now() + AGENT_GONE_WITHIN_MS;
  let left = sandboxProcesses(sandbox);
  while (left.length > 0 && performance.now() < deadline) {
    await sleep(200);
    left = sandboxProcesses(sandbox);
  }
  return left;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version.replace(/\./g, '\\.');

/** A pipeline with two includes of the component, as docs/gitlab.md shows. */
const TWO_INCLUDES = `include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/checkmarx-auth@$CI_COMMIT_SHA
    inputs:
      product: sast
      server-url: https://cx.example.com
      username: ci-scanner
      job-name: .checkmarx-sast
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/checkmarx-auth@$CI_COMMIT_SHA
    inputs:
      product: cxone
      job-name: .checkmarx-one

.print-inputs:
  before_script:
    - 'echo "inputs: $CHECKMARX_AUTH_PRODUCT $CHECKMARX_AUTH_SERVER_URL $CHECKMARX_AUTH_USERNAME $CHECKMARX_AUTH_VERSION"'

cxsast-job:
  extends: [.checkmarx-sast, .print-inputs]
  script:
    - 'true'

checkmarx-one-job:
  extends: [.checkmarx-one, .print-inputs]
  script:
    - 'true'
`;

const skip = whyNot();

describe(
  'GitLab CI/CD component in gitlab-ci-local (shell executor)',
  { skip: skip ? `cannot run gitlab-ci-local here: ${skip}` : false },
  () => {
    let sandbox: Sandbox;
    let port: number;
    before(async () => {
      sandbox = makeSandbox();
      port = await freePort();
    });
    after(() => {
      killAll(sandboxProcesses(sandbox));
      rmSync(sandbox.root, { recursive: true, force: true });
    });

    it('passes: the token and a fresh one from the agent come from the token server, and no secret is in the log', async () => {
      // CX_PRODUCT, as a CI/CD variable, loses to the product input, which the component makes a flag.
      const run = await runJob(sandbox, { TOKEN_SERVER_PORT: String(port), CX_PRODUCT: 'sca' });
      const left = await waitUntilNoProcesses(sandbox);
      killAll(left);
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 0, output);
      assert.match(run.stdout, new RegExp(`PASS {2}${JOB}`));
      assert.ok(run.commands.includes(START_LINE), run.commands.join('\n'));
      assert.ok(run.commands.includes('eval "$cx_env"'));
      // the token of `checkmarx-auth token`, asked of the agent, was issued by the job's token server
      assert.match(run.log, new RegExp(`^token issuer: http://127\\.0\\.0\\.1:${port}/auth/realms/acme$`, 'm'));
      assert.match(run.log, /^api url: https:\/\/ast\.checkmarx\.net\/api$/m);
      assert.match(run.log, /^checkmarx-auth: stopping the token agent \(removing its socket\)\.$/m);

      const fixtures = Object.fromEntries(
        readFileSync(join(sandbox.project, '.gitlab-ci-e2e', 'token-server.env'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      assert.ok(fixtures['TOKEN_SERVER_CXONE_API_KEY'], 'the token server wrote no API key');
      assertNoLeak({ stdout: run.stdout, stderr: `${run.stderr}\n${run.log}` }, [fixtures['TOKEN_SERVER_CXONE_API_KEY']!]);
      assert.doesNotMatch(output + run.log, JWT);
      assert.doesNotMatch(output + run.log, /agent\.sock#/);

      assert.deepEqual(left, [], 'the token server or the agent outlived the job');
      assert.deepEqual(
        readdirSync(sandbox.tmp).filter((name) => name.startsWith('cxauth-job-')),
        [],
        "the job's folder is left",
      );
    });

    it('keeps both hidden jobs when a pipeline includes the component twice under two job-names', async () => {
      // CxSAST and Checkmarx One in one pipeline: each job extends its own include's hidden job and
      // prints the inputs that job hands over. With one fixed job name the second include would
      // replace the first, and .checkmarx-sast would not exist.
      const file = 'two-includes.gitlab-ci.yml';
      writeFileSync(join(sandbox.project, file), TWO_INCLUDES);
      rmSync(join(sandbox.project, '.gitlab-ci-local'), { recursive: true, force: true });
      const run = await runProcess(
        process.execPath,
        [
          GITLAB_CI_LOCAL,
          '--force-shell-executor',
          '--no-color',
          '--home',
          sandbox.home,
          '--file',
          file,
          'cxsast-job',
          'checkmarx-one-job',
        ],
        {
          cwd: sandbox.project,
          env: cleanEnv({ PATH: [sandbox.bin, process.env['PATH']].join(delimiter), HOME: sandbox.home }),
          timeoutMs: RUN_DEADLINE_MS,
        },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 0, output);
      assert.match(run.stdout, /PASS {2}cxsast-job/);
      assert.match(run.stdout, /PASS {2}checkmarx-one-job/);
      assert.match(run.stdout, new RegExp(`^cxsast-job +> inputs: sast https://cx\\.example\\.com ci-scanner ${VERSION}$`, 'm'));
      assert.match(run.stdout, new RegExp(`^checkmarx-one-job +> inputs: cxone {3}${VERSION}$`, 'm'));
      // and each job has the rest of its hidden job: the component's after_script
      for (const job of ['cxsast-job', 'checkmarx-one-job']) {
        assert.match(run.stdout, new RegExp(`^${job} +\\$ # checkmarx-auth: stop the token agent`, 'm'));
      }
    });

    it('fails at the start-agent line with exit 1 when the exchange fails, and runs nothing after it', async () => {
      // A masked CI/CD variable, as a user sets one: a key for a realm the server does not have.
      const apiKey = makeApiKey({ realmUrl: `http://127.0.0.1:${port}/auth/realms/no-such-realm` });
      const run = await runJob(sandbox, { TOKEN_SERVER_PORT: String(port), CX_APIKEY: apiKey });
      killAll(await waitUntilNoProcesses(sandbox));
      const output = `${run.stdout}\n${run.stderr}`;
      assert.notEqual(run.code, 0, output);
      assert.match(output, new RegExp(`^${JOB} finished in .* FAIL 1 *$`, 'm'));
      assert.match(run.stdout, new RegExp(`FAIL {2}${JOB}`));
      assert.match(run.log, /Realm does not exist/);
      // the last command of before_script and script that ran is the start line
      const main = run.commands.slice(
        0,
        run.commands.findIndex((command) => command.startsWith('# checkmarx-auth: stop the token agent')),
      );
      assert.equal(main.at(-1), START_LINE, main.join('\n'));
      assert.doesNotMatch(run.log, /^token issuer:/m);
      assertNoLeak({ stdout: run.stdout, stderr: `${run.stderr}\n${run.log}` }, [apiKey]);
      assert.doesNotMatch(output + run.log, JWT);
    });
  },
);
