// The agent ends with the job it serves, through the committed bundles as the runner starts them:
// it keeps the CI's process-tracking variables, stops when the folder the action made under
// RUNNER_TEMP goes, starts all or nothing (a failed runner file or a cancellation leaves no agent
// and nothing under RUNNER_TEMP), and the post step removes everything and signals only its own
// agent. The bundles also run from a copy of dist/ under a folder named with non-ASCII letters
// and `%`. Every agent a test starts is found by its socket and killed by PID when the test ends.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startAgent } from '../src/agent/launch.ts';
import { anyCiTempFolder, ciTempFolder } from '../src/ci/agent-environment.ts';
import { AZURE_PIPELINES, GITHUB_ACTIONS } from '../src/ci/systems.ts';
import { resolveSettings } from '../src/core/settings.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { newKey, parseSock } from '../src/agent/protocol.ts';
import { agentPidsUnder, environmentNames, isAlive, killAgentsUnder, killQuietly, waitFor } from './support/processes.ts';
import { cleanEnv, CLI_ENTRY, REPO_ROOT, runAction, runCli, runPost, runProcess, type ActionRun, type Env } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const PASSWORD = DEFAULT_SAST_USER.password;
const TRACKING = {
  RUNNER_TRACKING_ID: 'github_0f1e2d3c-test',
  VSTS_PROCESS_LOOKUP_ID: 'vsts_test',
  BUILD_ID: '42',
  JENKINS_NODE_COOKIE: 'cookie-test',
};
/** A folder name that cmd, shells and URL code each find hard. */
const HOSTILE_FOLDER = 'Jürgen 100% (ß) & ^co';

let server: TokenServer;
before(async () => {
  server = await startTokenServer();
});
after(() => server.close());

/** A folder for one test; its agents are killed and it is removed when the test ends. */
function testFolder(t: TestContext): string {
  const temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-life-'));
  t.after(() => {
    killAgentsUnder(temp);
    rmSync(temp, { recursive: true, force: true });
  });
  return temp;
}

function actionWithAgent(temp: string, env: Env = {}, entry?: string): Promise<ActionRun> {
  return runAction({
    inputs: { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: PASSWORD, agent: true },
    env: { RUNNER_TRACKING_ID: TRACKING.RUNNER_TRACKING_ID, ...env },
    keep: temp,
    ...(entry ? { entry } : {}),
  });
}

function postFor(run: ActionRun, entry?: string) {
  const state = Object.fromEntries(Object.entries(run.state).map(([name, value]) => [`STATE_${name}`, value]));
  if (!entry) return runPost(state);
  return runProcess(process.execPath, [entry], { env: cleanEnv({ GITHUB_ACTIONS: 'true', ...state }), cwd: tmpdir() });
}

function soleAgent(temp: string): number {
  const pids = [...agentPidsUnder(temp)];
  assert.equal(pids.length, 1, 'one agent runs');
  return pids[0]!;
}

describe('lifetime: the agent ends with the job', () => {
  it('keeps the CI process-tracking variables, and nothing else, in its environment', async (t) => {
    const temp = testFolder(t);
    const run = await actionWithAgent(temp, { ...TRACKING, SOME_VARIABLE: 'x', CX_PASSWORD: PASSWORD });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const pid = soleAgent(temp);
    assert.equal(Number(run.state['agent_pid']), pid);
    // NODE_V8_COVERAGE: Node passes it to every child while the suite measures coverage.
    const names = environmentNames(pid).filter((name) => name !== 'NODE_V8_COVERAGE');
    assert.deepEqual(names.sort(), Object.keys(TRACKING).sort());
    assert.ok(readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`RUNNER_TRACKING_ID=${TRACKING.RUNNER_TRACKING_ID}\0`));
  });

  it('RUNNER_TEMP cleaned mid-job stops the agent; the post step then has nothing to stop', async (t) => {
    const temp = testFolder(t);
    const run = await actionWithAgent(temp);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const pid = soleAgent(temp);
    for (const entry of readdirSync(run.files.runnerTemp)) rmSync(join(run.files.runnerTemp, entry), { recursive: true, force: true });
    await waitFor('the agent to stop', () => !isAlive(pid), 15_000);
    const post = await postFor(run);
    assert.equal(post.code, 0, post.stdout + post.stderr);
    assert.match(post.stdout, /The token agent had already stopped\./);
    assert.deepEqual(readdirSync(run.files.runnerTemp), []);
  });

  it('removing only the command folder stops it: the watch that Windows relies on, where a named pipe has no file', async (t) => {
    const temp = testFolder(t);
    const run = await actionWithAgent(temp);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const pid = soleAgent(temp);
    const bin = readFileSync(run.files.path, 'utf8').trim();
    assert.match(basename(bin), /^checkmarx-auth-bin-/);
    rmSync(bin, { recursive: true, force: true });
    await waitFor('the agent to stop', () => !isAlive(pid), 15_000);
    assert.deepEqual(readdirSync(run.files.runnerTemp), [], 'it removed its socket folder as it stopped');
  });

  for (const variable of ['GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT']) {
    it(`an unwritable ${variable} fails the step and leaves no agent, nothing under RUNNER_TEMP and no token in GITHUB_ENV`, async (t) => {
      const temp = testFolder(t);
      const unwritable = join(temp, 'a-folder-not-a-file');
      mkdirSync(unwritable);
      const run = await actionWithAgent(temp, { [variable]: unwritable });
      assert.equal(run.code, 1);
      assert.match(run.stdout, new RegExp(`^::error::\\[runner/file\\] Cannot write .* to ${variable} \\(`, 'm'));
      assert.doesNotMatch(run.stdout, /Started the token agent/);
      await waitFor('no agent to run', () => agentPidsUnder(temp).size === 0);
      assert.deepEqual(readdirSync(run.files.runnerTemp), []);
      assert.deepEqual(run.exported, {}, 'the token and CX_AUTH_SOCK are exported last, once everything else was written');
      assert.doesNotMatch(run.stdout, /Unexpected failure/);
      // The state comes first: nothing else was written.
      if (variable === 'GITHUB_STATE') assert.equal(readFileSync(run.files.path, 'utf8'), '');
    });
  }

  for (const [what, make] of [
    ['a missing folder', (temp: string) => join(temp, 'no-such-folder')],
    ['a file', (temp: string) => (writeFileSync(join(temp, 'a-file'), ''), join(temp, 'a-file'))],
  ] as const) {
    it(`RUNNER_TEMP naming ${what} is an input error naming it, before any request; nothing is exported`, async (t) => {
      const temp = testFolder(t);
      const runnerTemp = make(temp);
      const before = server.requests.length;
      const run = await actionWithAgent(temp, { RUNNER_TEMP: runnerTemp });
      assert.equal(run.code, 1);
      const why = what === 'a file' ? 'is not a folder' : 'does not exist';
      assert.ok(
        run.stdout.includes(`::error::[input/runner] Input 'agent': needs RUNNER_TEMP to be a folder; '${runnerTemp}' ${why}.`),
        run.stdout,
      );
      assert.doesNotMatch(run.stdout, /Unexpected failure/);
      assert.equal(server.requests.length, before, 'no request was sent');
      assert.deepEqual([run.exported, run.state, run.outputs], [{}, {}, {}]);
      assert.equal(agentPidsUnder(temp).size, 0);
    });
  }

  it('agent: true without RUNNER_TEMP is an input error before any request, and starts no agent', async (t) => {
    const temp = testFolder(t);
    const before = server.requests.length;
    const run = await actionWithAgent(temp, { RUNNER_TEMP: undefined });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^::error::\[input\/runner\] Input 'agent': needs RUNNER_TEMP, which every GitHub runner sets; it is not set here\.$/m,
    );
    assert.equal(server.requests.length, before, 'no request was sent');
    assert.deepEqual(run.state, {});
    assert.deepEqual(run.exported, {});
  });
});

describe('lifetime: the post step signals only its own agent', () => {
  it('a PID that is no longer the agent (reused) is never signalled', async (t) => {
    const temp = testFolder(t);
    const run = await actionWithAgent(temp);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const agentPid = soleAgent(temp);
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    t.after(() => killQuietly(stranger.pid, 'SIGKILL'));
    // The saved PID now names another process: the agent answers the stop with its own PID, so
    // the stranger is left alone, and the agent, asked to stop, stops.
    const post = await postFor({ ...run, state: { ...run.state, agent_pid: String(stranger.pid) } });
    assert.equal(post.code, 0, post.stdout + post.stderr);
    assert.match(post.stdout, /^::warning::The token agent did not answer \(another answer\); it was not signalled\./m);
    await waitFor('the agent to stop', () => !isAlive(agentPid));
    assert.ok(isAlive(stranger.pid!), 'the other process was not signalled');
    // With the agent gone, its PID taken by another process: nothing answers, nothing is signalled.
    const again = await postFor({ ...run, state: { ...run.state, agent_pid: String(stranger.pid) } });
    assert.match(again.stdout, /The token agent had already stopped\./);
    assert.ok(isAlive(stranger.pid!));
    assert.deepEqual(readdirSync(run.files.runnerTemp), []);
  });

  it('a frozen agent is not signalled; its folders are removed, so it stops once it runs again', async (t) => {
    const temp = testFolder(t);
    const run = await actionWithAgent(temp);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const pid = soleAgent(temp);
    process.kill(pid, 'SIGSTOP');
    t.after(() => killQuietly(pid, 'SIGCONT'));
    const post = await postFor(run);
    assert.equal(post.code, 0, post.stdout + post.stderr);
    assert.match(post.stdout, /^::warning::The token agent did not answer \(no answer\); it was not signalled\./m);
    assert.deepEqual(readdirSync(run.files.runnerTemp), []);
    process.kill(pid, 'SIGCONT');
    await waitFor('the agent to stop on its own', () => !isAlive(pid), 15_000);
  });
});

describe('lifetime: from a copy of dist/ under a folder named with non-ASCII letters and %', () => {
  let temp: string;
  let dist: string;
  before(() => {
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-copy-'));
    dist = join(temp, HOSTILE_FOLDER, 'dist');
    cpSync(join(REPO_ROOT, 'dist'), dist, { recursive: true });
  });
  after(() => {
    killAgentsUnder(temp);
    rmSync(temp, { recursive: true, force: true });
  });

  it('the action starts the agent, a later sh step runs checkmarx-auth token, the post step stops it', async () => {
    // The runner's folders under the same named folder as the action, as on a self-hosted runner.
    const runs = join(temp, HOSTILE_FOLDER, 'ok');
    mkdirSync(runs);
    const run = await actionWithAgent(runs, { TMPDIR: temp }, join(dist, 'index.js'));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const pid = soleAgent(temp);
    assert.equal(dirname(dirname(parseSock(run.exported['CX_AUTH_SOCK']!).address)), run.files.runnerTemp);
    const bin = readFileSync(run.files.path, 'utf8').trim();
    assert.ok(readFileSync(join(bin, 'checkmarx-auth'), 'utf8').includes(HOSTILE_FOLDER));
    // The cmd wrapper: pure ASCII (cmd reads it in the OEM code page), no absolute path in it.
    const cmd = readFileSync(join(bin, 'checkmarx-auth.cmd'), 'utf8');
    assert.match(cmd, /^@"%~dp0[\x20-\x7e]+" "%~dp0[\x20-\x7e]+" %\*\r\n$/);
    assert.ok(!cmd.includes(HOSTILE_FOLDER) && !cmd.includes(tmpdir()), cmd);
    const later = await runProcess('/bin/sh', ['-c', 'checkmarx-auth token'], {
      env: cleanEnv({ ...run.exported, PATH: `${bin}:/usr/bin:/bin` }),
      cwd: tmpdir(),
    });
    assert.equal(later.code, 0, later.stderr);
    assert.equal(later.stdout, `${run.outputs['access-token']}\n`);
    const post = await postFor(run, join(dist, 'post', 'index.js'));
    assert.match(post.stdout, /^Stopped the token agent\.$/m);
    await waitFor('the agent to stop', () => !isAlive(pid));
    assert.deepEqual(readdirSync(run.files.runnerTemp), []);
  });

  it('RUNNER_TEMP that does not share the non-ASCII folder: the cmd wrapper stays ASCII and runs a copy of the CLI beside it', async () => {
    const runs = join(temp, 'plain-runner');
    mkdirSync(runs);
    const run = await actionWithAgent(runs, { TMPDIR: temp }, join(dist, 'index.js'));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const pid = soleAgent(temp);
    const bin = readFileSync(run.files.path, 'utf8').trim();
    const cmd = readFileSync(join(bin, 'checkmarx-auth.cmd'));
    assert.ok(
      cmd.every((byte) => byte === 0x0d || byte === 0x0a || (byte >= 0x20 && byte <= 0x7e)),
      cmd.toString('latin1'),
    );
    assert.match(cmd.toString('ascii'), /^@"%~dp0[\x20-\x7e]+node[\x20-\x7e]*" "%~dp0checkmarx-auth\.cjs" %\*\r\n$/);
    assert.ok(readFileSync(join(bin, 'checkmarx-auth.cjs')).equals(readFileSync(join(dist, 'cli', 'index.js'))), 'the copy is the bundle');
    // The copy runs on its own, as the cmd wrapper runs it.
    const later = await runProcess(process.execPath, [join(bin, 'checkmarx-auth.cjs'), 'token'], {
      env: cleanEnv({ ...run.exported }),
      cwd: tmpdir(),
    });
    assert.equal(later.code, 0, later.stderr);
    assert.equal(later.stdout, `${run.outputs['access-token']}\n`);
    const post = await postFor(run, join(dist, 'post', 'index.js'));
    assert.match(post.stdout, /^Stopped the token agent\.$/m);
    await waitFor('the agent to stop', () => !isAlive(pid));
    assert.deepEqual(readdirSync(run.files.runnerTemp), [], 'the copy goes with the command folder');
  });

  it('a step cancelled (SIGINT) during the start-up wait stops the agent before it fails', async () => {
    const runs = join(temp, HOSTILE_FOLDER, 'cancelled');
    mkdirSync(runs);
    // An agent that never says it is ready: it notes its PID, then the step is cancelled.
    const cancelled = join(temp, 'dist-cancel');
    cpSync(dist, cancelled, { recursive: true });
    const pidFile = join(temp, 'fake-agent.pid');
    writeFileSync(
      join(cancelled, 'cli', 'index.js'),
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\n` +
        `process.kill(process.ppid, 'SIGINT');\nsetInterval(() => {}, 1000);\n`,
    );
    const run = await actionWithAgent(runs, {}, join(cancelled, 'index.js'));
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^::error::\[agent\/cancelled\] The token agent did not start: the step was cancelled\.$/m);
    const fake = Number(readFileSync(pidFile, 'utf8'));
    await waitFor('the started agent to be stopped', () => !isAlive(fake));
    assert.deepEqual(readdirSync(run.files.runnerTemp), []);
    assert.deepEqual(run.state, {});
    assert.equal(run.exported['CX_AUTH_SOCK'], undefined);
    assert.equal(readFileSync(run.files.path, 'utf8'), '');
  });
});

describe('lifetime: inside a job container', () => {
  it('RUNNER_TEMP under /__w puts the socket in the container temp folder, within the sun_path limit', async (t) => {
    for (const system of [GITHUB_ACTIONS, AZURE_PIPELINES]) {
      assert.equal(system.isContainerTemp('/__w/_temp'), true);
      assert.equal(system.isContainerTemp('/__work/_temp'), false);
      assert.equal(system.isContainerTemp('/home/runner/work/_temp'), false);
    }
    const env = { RUNNER_TEMP: '/__w/_temp', AGENT_TEMPDIRECTORY: '/__w/_temp' };
    assert.equal(ciTempFolder(GITHUB_ACTIONS, env), undefined);
    assert.equal(ciTempFolder(AZURE_PIPELINES, env), undefined);
    assert.equal(ciTempFolder(GITHUB_ACTIONS, { RUNNER_TEMP: '/home/runner/work/_temp' }), '/home/runner/work/_temp');
    const tempBase = anyCiTempFolder(env);
    assert.equal(tempBase, undefined);
    const settings = resolveSettings(
      { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: PASSWORD },
      SYSTEM_IO,
    );
    const started = await startAgent({
      entry: CLI_ENTRY,
      settings,
      first: { accessToken: 'first-token', tokenType: 'Bearer', expiresIn: 3600, expiresAt: '2030-01-01T00:00:00Z', apiUrl: server.url },
      arrivedAt: performance.now(),
      key: newKey(),
      environment: {},
    });
    t.after(() => started.abandon());
    assert.equal(dirname(dirname(started.address)), tmpdir());
    assert.ok(Buffer.byteLength(started.address) <= 103);
    assert.ok(!existsSync('/__w/_temp') || readdirSync('/__w/_temp').every((name) => !name.startsWith('cxauth-')));
  });
});

describe('hostile peers: the agent holds no descriptor of the process that started it', () => {
  it("bash's `exec 30>&1`: the reader of that pipe sees its end although the agent runs on", async (t) => {
    const temp = testFolder(t);
    const script = [
      'exec 30>&1',
      `cx_env="$('${process.execPath}' '${CLI_ENTRY}' start-agent --product sast --server-url ${server.url} --username ${DEFAULT_SAST_USER.username})" || exit 9`,
      'eval "$cx_env"',
      'echo "started $CX_AUTH_SOCK" >&30',
    ].join('\n');
    const child = spawn('bash', ['-c', script], {
      env: cleanEnv({ CX_PASSWORD: PASSWORD, TMPDIR: temp }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    let ended = false;
    child.stdout.once('end', () => (ended = true));
    await waitFor('the shell to exit', () => child.exitCode !== null);
    assert.equal(child.exitCode, 0);
    await waitFor('the end of the pipe that fd 30 held', () => ended);
    assert.match(stdout, /^started \//);
    soleAgent(temp);
    assert.equal((await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: /^started (.*)$/m.exec(stdout)![1]! } })).code, 0);
  });
});

describe('hostile peers: a frozen agent or a foreign socket is reported, not waited for', () => {
  it('checkmarx-auth token fails within the acknowledgement deadline for both, naming the address', async (t) => {
    const temp = testFolder(t);
    const started = await runCli(
      ['start-agent', '--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username, '--format', 'json'],
      { env: { CX_PASSWORD: PASSWORD, TMPDIR: temp } },
    );
    assert.equal(started.code, 0, started.stderr);
    const frozenSock = (JSON.parse(started.stdout) as { authSock: string }).authSock;
    const pid = soleAgent(temp);
    process.kill(pid, 'SIGSTOP');
    t.after(() => killQuietly(pid, 'SIGCONT'));
    // Something else listens where CX_AUTH_SOCK points: it accepts and never says a word.
    const foreignPath = join(temp, 'foreign.sock');
    const foreign = createServer(() => {});
    await new Promise<void>((resolve) => foreign.listen(foreignPath, resolve));
    t.after(() => foreign.close());
    const [frozen, stranger] = await Promise.all([
      runCli(['token'], { env: { CX_AUTH_SOCK: frozenSock } }),
      runCli(['token'], { env: { CX_AUTH_SOCK: `${foreignPath}#${newKey()}` } }),
    ]);
    for (const [run, address] of [
      [frozen, frozenSock.replace(/#[^#]*$/, '')],
      [stranger, foreignPath],
    ] as const) {
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.ok(
        run.stderr.includes(
          `checkmarx-auth: error [agent/no-answer]: The token agent at ${address} (from CX_AUTH_SOCK) did not acknowledge the request within 10 s: it is stopped or frozen, or what listens there is not a token agent.`,
        ),
        run.stderr,
      );
    }
    process.kill(pid, 'SIGCONT');
    assert.equal((await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: frozenSock } })).code, 0);
  });

  it('an agent stopped (SIGSTOP) mid exchange, after its acknowledgement, is reported after 10 s of silence, not the 600 s deadline', async (t) => {
    const temp = testFolder(t);
    const started = await runCli(
      ['start-agent', '--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username, '--format', 'json'],
      { env: { CX_PASSWORD: PASSWORD, TMPDIR: temp } },
    );
    assert.equal(started.code, 0, started.stderr);
    const sock = (JSON.parse(started.stdout) as { authSock: string }).authSock;
    const pid = soleAgent(temp);
    // The token server holds the agent's exchange until the test ends: it never completes.
    let release!: () => void;
    server.config.responseGate = new Promise<void>((resolve) => (release = resolve));
    t.after(() => {
      killQuietly(pid, 'SIGCONT');
      killQuietly(pid, 'SIGKILL');
      release();
      server.config.responseGate = undefined;
    });
    const before = server.requests.length;
    const asking = runCli(['token', '--min-validity', '7200'], { env: { CX_AUTH_SOCK: sock, RUNNER_DEBUG: '1' } });
    // The agent acknowledged the request and is in its exchange: then it freezes.
    await waitFor('the agent to start its exchange', () => server.requests.length === before + 1);
    process.kill(pid, 'SIGSTOP');
    const run = await asking;
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /The token agent acknowledged the request\./);
    const address = sock.replace(/#[^#]*$/, '');
    assert.ok(
      run.stderr.includes(
        `checkmarx-auth: error [agent/no-answer]: The token agent at ${address} (from CX_AUTH_SOCK) acknowledged the request, then said nothing for 10 s: it is stopped or frozen.`,
      ),
      run.stderr,
    );
    // Structurally not the deadline: the exchange is still held at the token server, unanswered.
    assert.equal(server.requests.length, before + 1);
    assert.ok(isAlive(pid), 'the agent is still there, stopped');
  });
});
