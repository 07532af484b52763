// The token agent end to end through the committed bundles, the way a runner uses it: the action
// with `agent: true`, later steps as a shell with no node on PATH that run `checkmarx-auth token`,
// and the post step; then start-agent / token / stop-agent in a plain sh. Every agent a test
// starts is found by its PID and killed in `after`, even when the test fails.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertNoLeak,
  cleanEnv,
  CLI_ENTRY,
  parseFileCommands,
  parseStderrMasks,
  runAction,
  runCli,
  runPost,
  runProcess,
  type ActionRun,
  type Env,
} from './support/run.ts';
import { parseSock } from '../src/agent/protocol.ts';
import { isAlive, waitFor } from './support/processes.ts';
import { DEFAULT_SAST_USER, SAST_CLIENT_SECRET, startTokenServer, type TokenServer } from './support/token-server.ts';

const NODE = process.execPath;
const SH_DEADLINE_MS = 60_000;
const PASSWORD = DEFAULT_SAST_USER.password;
const SECRETS = [PASSWORD, SAST_CLIENT_SECRET];
/** What keeps the agent small (launch.ts): spelled out, so that losing one fails here. */
const AGENT_FLAGS = ['--lite-mode', '--max-semi-space-size=1', '--single-threaded', '--v8-pool-size=1'];

// ---- helpers ----

/**
 * PIDs of live agents listening on a socket below `prefix` (a test's own folder): found through
 * the socket's inode in /proc/net/unix, so that a test never touches an agent another test started.
 */
function agentPidsUnder(prefix: string): Set<number> {
  const inodes = new Set(
    readFileSync('/proc/net/unix', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[7]?.startsWith(prefix))
      .map((fields) => fields[6]),
  );
  const pids = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || !isAlive(Number(name))) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('__agent')) continue;
      const sockets = readdirSync(`/proc/${name}/fd`).map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`))?.[1]);
      if (sockets.some((inode) => inode !== undefined && inodes.has(inode))) pids.add(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Kills, by PID, every agent listening below this test's folder. */
function killAgentsUnder(prefix: string): void {
  for (const pid of agentPidsUnder(prefix)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const sh = (script: string, env: Env) =>
  runProcess('/bin/sh', ['-c', script], { env: env as NodeJS.ProcessEnv, cwd: tmpdir(), timeoutMs: SH_DEADLINE_MS });

/** A folder of the few tools a later step's shell needs, and no node. */
function toolsWithoutNode(parent: string): string {
  const bin = join(parent, 'system-bin');
  mkdirSync(bin);
  for (const tool of ['sh', 'cat', 'sleep', 'sort', 'uniq', 'wc', 'tr']) {
    const target = ['/bin', '/usr/bin'].map((dir) => join(dir, tool)).find((path) => existsSync(path));
    if (target) symlinkSync(target, join(bin, tool));
  }
  return bin;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function assertNoSecretIn(text: string, where: string): void {
  SECRETS.forEach((secret, index) => assert.ok(!text.includes(secret), `secret #${index} in ${where}`));
}

/** /proc/<pid>/cmdline and environ of the agent hold no credential. */
function assertCleanProcess(pid: number): void {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  assertNoSecretIn(cmdline, 'the agent command line');
  assertNoSecretIn(environ, 'the agent environment');
  assert.deepEqual(cmdline.split('\0').filter(Boolean), [NODE, ...AGENT_FLAGS, CLI_ENTRY, '__agent']);
  assert.ok(!/(^|\0)CX_/.test(environ), 'no CX_ variable in the agent environment');
}

const errorLine = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('checkmarx-auth: error:'));

// ---- the action, its later steps and its post step ----

describe('agent: the action with agent: true, later steps, and the post step', () => {
  let server: TokenServer;
  let temp: string;
  let action: ActionRun;
  let agentPid: number;
  let step: Env;

  before(async () => {
    server = await startTokenServer({ identityExpiresIn: 30 });
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-agent-e2e-'));
    action = await runAction({
      inputs: { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: PASSWORD, agent: true },
      keep: temp,
    });
    agentPid = Number(action.state['agent_pid']);
    const path = readFileSync(action.files.path, 'utf8').trim();
    step = { ...action.exported, PATH: `${path}:${toolsWithoutNode(temp)}` };
  });
  after(async () => {
    killAgentsUnder(temp);
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it('the action succeeds, starts one agent, and masks CX_AUTH_SOCK and its key before anything else uses them', () => {
    assert.equal(action.code, 0, action.stderr);
    assert.equal(server.requests.length, 1);
    assert.ok(isAlive(agentPid), 'the agent runs after the step ended');
    assert.deepEqual([...agentPidsUnder(temp)], [agentPid], 'found by its socket, so after() can kill it');
    const sock = action.exported['CX_AUTH_SOCK'] ?? '';
    const key = sock.slice(sock.lastIndexOf('#') + 1);
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(action.masks.includes(sock) && action.masks.includes(key));
    assert.equal(action.state['agent_sock'], sock);
    assert.ok(sock.startsWith(join(action.files.runnerTemp, 'cxauth-')), sock);
    assert.equal(statSync(dirname(sock.slice(0, sock.lastIndexOf('#')))).mode & 0o777, 0o700);
    const folder = readFileSync(action.files.path, 'utf8').trim();
    assert.deepEqual(readdirSync(folder).sort(), ['checkmarx-auth', 'checkmarx-auth.cmd']);
    assert.equal(statSync(join(folder, 'checkmarx-auth')).mode & 0o777, 0o755);
  });

  it("a later step has no node, yet checkmarx-auth token prints the action's own token without a request", async () => {
    assert.notEqual((await sh('command -v node', step)).code, 0, "node is not on the later step's PATH");
    const run = await sh('checkmarx-auth token --min-validity 10', { ...step, RUNNER_DEBUG: '1' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${action.outputs['access-token']}\n`);
    assert.match(run.stderr, /from the agent's cache/);
    assert.equal(server.requests.length, 1);
  });

  it('a token too short for --min-validity is exchanged again, then reused', async () => {
    server.config.identityExpiresIn = 3600;
    const first = await sh('checkmarx-auth token', { ...step, RUNNER_DEBUG: '1' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /from a new exchange by the agent/);
    assert.notEqual(first.stdout, `${action.outputs['access-token']}\n`);
    assert.equal(first.stdout, `${server.issuedAccessTokens.at(-1)}\n`);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[1]?.form['password'], PASSWORD, 'the agent sent the same credentials');
    const second = await sh('checkmarx-auth token --format json', step);
    assert.equal(JSON.parse(second.stdout).accessToken, first.stdout.trim());
    assert.equal(server.requests.length, 2);
  });

  it('12 concurrent callers cause one exchange and all get its token', async () => {
    // A barrier, not a delay: the token server holds the agent's exchange until every caller has
    // said (RUNNER_DEBUG) that the agent acknowledged its request, however slowly they started.
    let release!: () => void;
    server.config.responseGate = new Promise<void>((resolve) => (release = resolve));
    const before = server.requests.length;
    const script =
      'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do checkmarx-auth token --min-validity 4000 > out.$i 2> err.$i & done; wait; cat out.* | sort | uniq -c | wc -l; cat out.* | wc -l';
    const running = sh(`cd '${temp}' && ${script}`, { ...step, RUNNER_DEBUG: '1' });
    const acknowledged = () =>
      Array.from({ length: 12 }, (_, i) => join(temp, `err.${i + 1}`)).filter(
        (file) => existsSync(file) && readFileSync(file, 'utf8').includes('The token agent acknowledged the request.'),
      ).length;
    try {
      await waitFor('all 12 callers to be acknowledged', () => acknowledged() === 12, SH_DEADLINE_MS);
      await waitFor('the one exchange to reach the token server', () => server.requests.length === before + 1);
    } finally {
      release();
      server.config.responseGate = undefined;
    }
    const run = await running;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split(/\s+/), ['1', '12'], 'twelve lines, one distinct token');
    assert.equal(server.requests.length, before + 1);
    assert.match(
      readFileSync(join(temp, 'err.1'), 'utf8'),
      /warning: The new token is valid for 3600 s only, less than the 4000 s asked for/,
    );
  });

  it('a failed exchange fails the call with the one-shot message and exit 1; the agent stays up', async () => {
    const failure = { status: 400, body: { error: 'invalid_grant', error_description: 'invalid_username_or_password' } };
    server.enqueue(failure);
    const viaAgent = await sh('checkmarx-auth token --min-validity 4000', step);
    server.enqueue(failure);
    const oneShot = await runCli(['token', '--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username], {
      env: { CX_PASSWORD: PASSWORD },
    });
    assert.equal(viaAgent.code, 1);
    assert.equal(oneShot.code, 1);
    assert.ok(errorLine(oneShot.stderr));
    assert.equal(errorLine(viaAgent.stderr), errorLine(oneShot.stderr));
    assert.equal(viaAgent.stdout, '');
    const next = await sh('checkmarx-auth token --min-validity 4000', step);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.stdout, `${server.issuedAccessTokens.at(-1)}\n`);
  });

  it('a wrong key is refused without an exchange', async () => {
    const before = server.requests.length;
    const sock = step['CX_AUTH_SOCK'] ?? '';
    const at = sock.lastIndexOf('#');
    const otherKey = [...sock.slice(at + 1)].reverse().join('');
    for (const wrong of [`${sock.slice(0, at)}#${otherKey}`, `${sock}AAAA`]) {
      const run = await sh('checkmarx-auth token', { ...step, CX_AUTH_SOCK: wrong });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /refused the request: the key in CX_AUTH_SOCK is not this agent's/);
      assert.equal(run.stdout, '');
    }
    assert.equal(server.requests.length, before);
  });

  it("no credential is in the agent's command line, its environment, or any file under RUNNER_TEMP or the runner's files", () => {
    assertCleanProcess(agentPid);
    for (const file of [
      ...filesUnder(action.files.runnerTemp),
      action.files.env,
      action.files.state,
      action.files.path,
      action.files.output,
    ]) {
      assertNoSecretIn(readFileSync(file, 'utf8'), file);
    }
  });

  it('the post step stops the agent and removes everything the action made under RUNNER_TEMP', async () => {
    const state = parseFileCommands(readFileSync(action.files.state, 'utf8'));
    const sockPath = (state['agent_sock'] ?? '').replace(/#[^#]*$/, '');
    const bin = readFileSync(action.files.path, 'utf8').trim();
    assert.ok(existsSync(sockPath));
    assert.deepEqual(readdirSync(action.files.runnerTemp).sort(), [basename(bin), basename(dirname(sockPath))].sort());
    const post = await runPost(Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value])));
    assert.equal(post.code, 0, post.stdout + post.stderr);
    assert.match(post.stdout, /^Stopped the token agent\.$/m);
    await waitFor('the agent to be gone', () => !isAlive(agentPid));
    assert.deepEqual(readdirSync(action.files.runnerTemp), [], 'nothing is left under RUNNER_TEMP');
    const later = await runCli(['token'], { env: { CX_AUTH_SOCK: action.exported['CX_AUTH_SOCK'] } });
    assert.equal(later.code, 1);
    assert.match(later.stderr, /No token agent is running at/);
  });

  it('the post step of a run without an agent does nothing', async () => {
    const post = await runPost({});
    assert.equal(post.code, 0);
    assert.equal(post.stdout + post.stderr, '');
  });
});

describe('agent: a failing exchange starts no agent', () => {
  it('exports nothing, adds nothing to PATH, saves no state', async (t) => {
    const server = await startTokenServer();
    const temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-agent-e2e-'));
    t.after(async () => {
      killAgentsUnder(temp);
      await server.close();
      rmSync(temp, { recursive: true, force: true });
    });
    const run = await runAction({
      inputs: { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: 'wrong', agent: true },
      keep: temp,
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.exported, {});
    assert.deepEqual(run.state, {});
    assert.equal(readFileSync(run.files.path, 'utf8'), '');
    assert.deepEqual(readdirSync(run.files.runnerTemp), []);
    assert.deepEqual([...agentPidsUnder(temp)], []);
  });
});

// ---- the CLI in a plain sh ----

describe('agent: start-agent, token and stop-agent in a plain sh', () => {
  let server: TokenServer;
  let temp: string;
  const cli = `'${NODE}' '${CLI_ENTRY}'`;
  const startScript = (server: TokenServer) =>
    `eval "$(${cli} start-agent --product sast --server-url ${server.url} --username ${DEFAULT_SAST_USER.username})" || exit 9`;

  before(async () => {
    server = await startTokenServer();
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-agent-sh-'));
  });
  after(async () => {
    killAgentsUnder(temp);
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  /** A plain environment: the CLI's clean one, TMPDIR in this test's folder. */
  const plain = (extra: Env = {}) => cleanEnv({ TMPDIR: temp, ...extra }) as Env;

  it('eval "$(checkmarx-auth start-agent)" then token, then stop-agent (twice)', async () => {
    const script = [
      startScript(server),
      'unset CX_PASSWORD',
      'echo "start=$CX_ACCESS_TOKEN"',
      'echo "sock=$CX_AUTH_SOCK"',
      `echo "token=$(${cli} token)"`,
      `${cli} stop-agent; echo "stop=$?"`,
      `${cli} stop-agent; echo "again=$?"`,
      `${cli} token; echo "after=$?"`,
    ].join('\n');
    const run = await sh(script, plain({ CX_PASSWORD: PASSWORD, RUNNER_DEBUG: '1' }));
    const said = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.requests.length, 1);
    assert.equal(said['start'], server.issuedAccessTokens[0]);
    assert.equal(said['token'], said['start']);
    assert.ok(said['sock']?.startsWith(join(temp, 'cxauth-')), said['sock']);
    assert.equal(said['stop'], '0');
    assert.equal(said['again'], '0');
    assert.equal(said['after'], '1');
    assert.match(run.stderr, /from the agent's cache/);
    assert.match(run.stderr, /Stopped the token agent\.\n[\s\S]*had already stopped/);
    assert.equal(existsSync(dirname(said['sock']!.replace(/#[^#]*$/, ''))), false, 'the socket folder is removed');
    assertNoSecretIn(run.stdout + run.stderr, 'the output');
  });

  /** Starts an agent with the CLI and returns its PID and socket path. */
  async function startOne(): Promise<{ pid: number; sockPath: string; env: Env }> {
    const run = await runCli(
      ['start-agent', '--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username, '--format', 'json'],
      {
        env: { CX_PASSWORD: PASSWORD, TMPDIR: temp },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const sock = JSON.parse(run.stdout).authSock as string;
    const sockPath = sock.replace(/#[^#]*$/, '');
    const pids = [...agentPidsUnder(sockPath)];
    assert.equal(pids.length, 1);
    return { pid: pids[0]!, sockPath, env: { CX_AUTH_SOCK: sock } };
  }

  it('the agent holds no credential in its command line or environment', async () => {
    const { pid, env } = await startOne();
    assertCleanProcess(pid);
    assert.equal((await runCli(['stop-agent'], { env })).code, 0);
    await waitFor('the agent to be gone', () => !isAlive(pid));
  });

  it('SIGTERM stops the agent, which removes its socket; stop-agent then exits 0', async () => {
    const { pid, sockPath, env } = await startOne();
    process.kill(pid, 'SIGTERM');
    await waitFor('the agent to be gone', () => !isAlive(pid));
    assert.equal(existsSync(dirname(sockPath)), false);
    const stop = await runCli(['stop-agent'], { env });
    assert.equal(stop.code, 0);
    assert.match(stop.stderr, /had already stopped/);
  });

  it('removing the socket file stops the agent', async () => {
    const { pid, sockPath } = await startOne();
    rmSync(sockPath);
    await waitFor('the agent to be gone', () => !isAlive(pid));
  });

  it('token without CX_AUTH_SOCK is a one-shot exchange; stop-agent without it says there is no agent and exits 0', async () => {
    const run = await runCli(['token', '--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username], {
      env: { CX_PASSWORD: PASSWORD },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${server.issuedAccessTokens.at(-1)}\n`);
    const stop = await runCli(['stop-agent']);
    assert.equal(stop.code, 0);
    assert.equal(stop.stdout, '');
    assert.equal(stop.stderr, 'checkmarx-auth: CX_AUTH_SOCK is not set: there is no token agent to stop.\n');
    // So an exit trap after a failed start adds no second error.
    const trapped = await sh(
      `trap '${NODE} ${CLI_ENTRY} stop-agent' EXIT; ${NODE} ${CLI_ENTRY} start-agent --product sast; exit 7`,
      cleanEnv({}) as Env,
    );
    assert.equal(trapped.code, 7);
    assert.equal(trapped.stderr.split('\n').filter((line) => line.includes(': error:')).length, 1, trapped.stderr);
  });
});

// ---- masking: every token any verb prints inside a CI is registered with its log first ----

describe('masking: inside GitHub Actions and Azure Pipelines every printed token is registered on stderr first', () => {
  let server: TokenServer;
  let temp: string;

  before(async () => {
    // Tokens of 30 s: every `token --min-validity 60` makes the agent exchange again.
    server = await startTokenServer({ identityExpiresIn: 30 });
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-mask-'));
  });
  after(async () => {
    killAgentsUnder(temp);
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  const flags = () => ['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username];
  const CI = {
    'GitHub Actions': { env: { GITHUB_ACTIONS: 'true' }, line: /^::add-mask::/ },
    'Azure Pipelines': { env: { TF_BUILD: 'True' }, line: /^##vso\[task\.setsecret\]/ },
  };

  for (const [name, ci] of Object.entries(CI)) {
    it(`${name}: the bare command, start-agent, and each later token from the agent`, async () => {
      const env = { ...ci.env, TMPDIR: temp };
      const bare = await runCli(flags(), { env: { ...env, CX_PASSWORD: PASSWORD } });
      assert.equal(bare.code, 0, bare.stderr);
      const token = bare.stdout.trim();
      assert.equal(token, server.issuedAccessTokens.at(-1));
      assert.ok(parseStderrMasks(bare.stderr).includes(token), 'the printed token is masked');
      assert.ok(parseStderrMasks(bare.stderr).includes(PASSWORD), 'the password is masked too');
      assertNoLeak(bare, SECRETS);
      assertNoLeak({ stdout: '', stderr: bare.stderr }, [token]);

      const start = await runCli(['start-agent', ...flags(), '--format', 'json'], { env: { ...env, CX_PASSWORD: PASSWORD } });
      assert.equal(start.code, 0, start.stderr);
      const started = JSON.parse(start.stdout) as { authSock: string; accessToken: string };
      const startMasks = parseStderrMasks(start.stderr);
      for (const secret of [started.authSock, parseSock(started.authSock).key, started.accessToken]) {
        assert.ok(startMasks.includes(secret), 'CX_AUTH_SOCK, its key and the token are masked');
      }
      assertNoLeak(start, SECRETS);
      assertNoLeak({ stdout: '', stderr: start.stderr }, [started.authSock, started.accessToken]);

      const later = { ...env, CX_AUTH_SOCK: started.authSock };
      const printed: string[] = [];
      for (const format of ['token', 'env', 'json']) {
        const run = await runCli(['token', '--format', format], { env: later });
        assert.equal(run.code, 0, run.stderr);
        const fresh = server.issuedAccessTokens.at(-1)!;
        assert.ok(run.stdout.includes(fresh), `--format ${format} prints the agent's new token`);
        assert.ok(parseStderrMasks(run.stderr).includes(fresh), `--format ${format}: the new token is masked`);
        assert.ok(run.stderr.split('\n').every((line) => !line.includes(fresh) || ci.line.test(line)));
        printed.push(fresh);
      }
      assert.equal(new Set([started.accessToken, ...printed]).size, 4, 'each call got a token minted later');
      assert.equal((await runCli(['stop-agent'], { env: later })).code, 0);
    });
  }

  it('outside a CI nothing is registered', async () => {
    const run = await runCli(flags(), { env: { CX_PASSWORD: PASSWORD } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(parseStderrMasks(run.stderr), []);
  });
});
