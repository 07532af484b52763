// The committed bundles on the oldest Node that each runtime declares, the official builds from
// the npm registry (support/nodes.ts), run as the runner or a shell runs them: the action's main
// and post steps on the Node 24 of runner 2.327.1 (action.yml's `node24`), and the CLI's verbs on
// Node 24.0.0 (package.json's engines). The Azure task's Nodes are in azure.e2e.test.ts and
// azure-mock-runner.e2e.test.ts. Every agent a test starts is killed by PID in `after`.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exactNode, EXACT_NODES } from './support/nodes.ts';
import { isAlive, killAgentsUnder, waitFor } from './support/processes.ts';
import { assertNoLeak, cleanEnv, CLI_ENTRY, runAction, runCli, runPost, runProcess } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const PASSWORD = DEFAULT_SAST_USER.password;

let server: TokenServer;
let temp: string;
before(async () => {
  server = await startTokenServer();
  temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-exact-nodes-'));
});
after(async () => {
  killAgentsUnder(temp);
  await server.close();
  rmSync(temp, { recursive: true, force: true });
});

describe(`the action on Node ${EXACT_NODES.action} (runner 2.327.1's node24)`, () => {
  test('main with agent: true sets the outputs and starts the agent; a later step gets its token; post stops it', async () => {
    const node = exactNode(EXACT_NODES.action);
    const keep = mkdtempSync(join(temp, 'action-'));
    const action = await runAction({
      node,
      inputs: { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: PASSWORD, agent: true },
      keep,
    });
    assert.equal(action.code, 0, action.stderr + action.stdout);
    const token = action.outputs['access-token'] ?? '';
    assert.equal(token, server.issuedAccessTokens[0]);
    assert.equal(action.exported['CX_ACCESS_TOKEN'], token);
    const pid = Number(action.state['agent_pid']);
    assert.ok(isAlive(pid), 'the agent runs after the step');
    // The agent runs on the runner's Node, as the runner started the action.
    assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0], node);

    const folder = readFileSync(action.files.path, 'utf8').trim();
    const later = await runProcess('sh', ['-c', 'checkmarx-auth token'], {
      env: cleanEnv({ ...action.exported, PATH: `${folder}:/usr/bin:/bin` }),
      cwd: keep,
      timeoutMs: 60_000,
    });
    assert.equal(later.code, 0, later.stderr);
    assert.equal(later.stdout, `${token}\n`, "the action's token, from the agent");

    const state = Object.fromEntries(Object.entries(action.state).map(([name, value]) => [`STATE_${name}`, value]));
    const post = await runPost(state, node);
    assert.equal(post.code, 0, post.stderr + post.stdout);
    await waitFor('the agent to stop', () => !isAlive(pid), 30_000);
    assertNoLeak(action, [PASSWORD]);
    assertNoLeak(post, [PASSWORD, token]);
  });
});

describe(`the CLI on Node ${EXACT_NODES.cli} (engines: node >= 24)`, () => {
  const env = { CX_PASSWORD: PASSWORD, TMPDIR: temp };
  const sast = ['--product', 'sast', '--server-url', '', '--username', DEFAULT_SAST_USER.username];
  const flags = () => sast.map((word) => word || server.url);

  test('--version, the bare command and token: one exchange each, the token on stdout', async () => {
    const node = exactNode(EXACT_NODES.cli);
    const version = await runCli(['--version'], { node, env });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    for (const argv of [flags(), ['token', ...flags()]]) {
      const run = await runCli(argv, { node, env });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${server.issuedAccessTokens.at(-1)}\n`);
      assertNoLeak(run, [PASSWORD]);
    }
  });

  test('exec runs the command with the token and without the credential', async () => {
    const node = exactNode(EXACT_NODES.cli);
    const run = await runCli(['exec', ...flags(), '--', 'sh', '-c', 'printf "%s|%s" "$CX_ACCESS_TOKEN" "${CX_PASSWORD-unset}"'], {
      node,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${server.issuedAccessTokens.at(-1)}|unset`);
    assertNoLeak(run, [PASSWORD]);
  });

  test('start-agent, token from the agent, stop-agent', async () => {
    const node = exactNode(EXACT_NODES.cli);
    const cli = `'${node}' '${CLI_ENTRY}'`;
    const script = [
      `eval "$(${cli} start-agent ${flags().join(' ')})" || exit 9`,
      'unset CX_PASSWORD',
      `echo "token=$(${cli} token)"`,
      'echo "start=$CX_ACCESS_TOKEN"',
      `${cli} stop-agent; echo "stop=$?"`,
    ].join('\n');
    const run = await runProcess('sh', ['-c', script], { env: cleanEnv(env), cwd: temp, timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    const said = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.match(said['start'] ?? '', /\S/);
    assert.equal(said['token'], said['start'], "the start-agent token, from the agent's cache");
    assert.equal(said['stop'], '0');
    assertNoLeak(run, [PASSWORD]);
  });
});
