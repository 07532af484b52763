// End to end: a server value that would become an output or a variable (scope, token_type, the
// ast-base-url claim) and holds a CI command prefix (`##vso[`, `##[`, a leading `::`) makes the
// response a bad response on every path: the action, the CLI in every --format, the Azure task,
// and a token the agent gets from the server. Escaping is not enough: the value lands in a
// variable, and a later step that echoes it would run the command.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { FORMATS } from '../src/cli/formats.ts';
import { runTask } from './support/azure.ts';
import { commandLines } from './support/commands.ts';
import { makeJwt } from './support/jwt.ts';
import { agentPidsUnder, isAlive, killAgentsUnder, waitFor } from './support/processes.ts';
import { assertNoLeak, CLI_ENTRY, cleanEnv, runAction, runCli, runProcess, type ProcessRun } from './support/run.ts';
import { DEFAULT_REALM, DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const SECRETS = [DEFAULT_SAST_USER.password];
const BAD_RESPONSE =
  /HTTP 200 the (scope|token type|API URL) holds a CI command prefix, which a later step that prints it would run as a command/;

/** Each hostile answer, for the product whose profile reads it, and the text that must reach nothing. */
const HOSTILE = [
  {
    what: 'a scope that escapes into a second ##vso command',
    field: 'scope',
    value: 'x;issecret=false]##vso[task.setvariable variable=A]b',
  },
  { what: 'a scope word with a leading ::', field: 'scope', value: 'openid ::set-env name=A::b' },
  { what: "a scope with GitHub's legacy ##[", field: 'scope', value: 'a##[warning]b' },
  { what: 'a URI token_type holding ##vso[', field: 'token_type', value: 'urn:x:##VSO[task.complete]' },
  { what: 'an ast-base-url claim holding ##vso[', field: 'ast-base-url', value: 'https://eu.ast.checkmarx.net/##vso[task.complete]' },
] as const;

function hostileBody(field: string, value: string): object {
  if (field === 'ast-base-url') return { access_token: makeJwt({ 'ast-base-url': value }), token_type: 'Bearer', expires_in: 3600 };
  return { access_token: 'opaque-token-1', token_type: 'Bearer', expires_in: 3600, scope: 'openid', [field]: value };
}

/** The product and credentials whose profile reads the field: the claim only Checkmarx One reads. */
function cliArgs(server: TokenServer, field: string): { args: string[]; env: Record<string, string> } {
  if (field === 'ast-base-url') {
    return {
      args: ['--product', 'cxone', '--iam-url', server.url, '--tenant', DEFAULT_REALM.name, '--client-id', 'ci-client'],
      env: { CX_CLIENT_SECRET: DEFAULT_SAST_USER.password },
    };
  }
  return {
    args: ['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username],
    env: { CX_PASSWORD: DEFAULT_SAST_USER.password },
  };
}

function actionInputs(server: TokenServer, field: string): Record<string, string | number | boolean> {
  const common = { 'max-attempts': 1, 'export-env': true };
  if (field === 'ast-base-url') {
    return {
      ...common,
      product: 'cxone',
      'iam-url': server.url,
      tenant: DEFAULT_REALM.name,
      'client-id': 'ci-client',
      'client-secret': DEFAULT_SAST_USER.password,
    };
  }
  return {
    ...common,
    product: 'sast',
    'server-url': server.url,
    username: DEFAULT_SAST_USER.username,
    password: DEFAULT_SAST_USER.password,
  };
}

/** The tool's own commands, by design: masks, warnings, errors, and the Azure task's failure. */
const OWN_COMMANDS =
  /^(::(add-mask|warning|error|debug)::|##vso\[task\.(setsecret|logissue type=(warning|error(;code=[a-z-]+\/[a-z-]+)?);?|complete result=Failed;?)\])/;

/** No line is a command but the tool's own, and no hostile value is anywhere, whole or in part. */
function assertNothingHostile(run: ProcessRun): void {
  const text = `${run.stdout}\n${run.stderr}`;
  assert.deepEqual(commandLines(text, OWN_COMMANDS), []);
  for (const { value } of HOSTILE) {
    for (const part of value.split(/(?=##)|(?=::)/).filter((p) => p.length >= 4)) assert.ok(!text.includes(part), part);
  }
}

describe('a server value holding a CI command prefix is a bad response on every path', () => {
  let server: TokenServer;
  let temp: string;
  before(async () => {
    server = await startTokenServer();
    temp = mkdtempSync(join(tmpdir(), 'cx-ci-values-'));
  });
  beforeEach(() => server.reset());
  after(async () => {
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  for (const { what, field, value } of HOSTILE) {
    test(`${what}: the action fails and writes no output and no variable`, async () => {
      server.enqueue({ status: 200, body: hostileBody(field, value) });
      const run = await runAction({ inputs: actionInputs(server, field) });
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /^::error::\[token-request\/bad-response\] .*200/m);
      assert.match(run.stdout, BAD_RESPONSE);
      assert.deepEqual(run.outputs, {});
      assert.deepEqual(run.exported, {});
      assertNothingHostile(run);
      assertNoLeak(run, SECRETS);
    });

    for (const format of FORMATS) {
      test(`${what}: the CLI with --format ${format} exits 1 and prints nothing on stdout`, async () => {
        server.enqueue({ status: 200, body: hostileBody(field, value) });
        const { args, env } = cliArgs(server, field);
        const run = await runCli([...args, '--format', format, '--max-attempts', '1'], { env: { ...env, TF_BUILD: 'True' } });
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, BAD_RESPONSE);
        assertNothingHostile(run);
        assertNoLeak(run, SECRETS);
      });
    }
  }

  test('the Azure task fails, and the agent reads no variable from its output', async () => {
    for (const { field, value } of HOSTILE.filter((h) => h.field !== 'ast-base-url')) {
      server.enqueue({ status: 200, body: hostileBody(field, value) });
      const task = await runTask({
        node: process.execPath,
        inputs: {
          product: 'sast',
          serverUrl: server.url,
          username: DEFAULT_SAST_USER.username,
          password: DEFAULT_SAST_USER.password,
          maxAttempts: 1,
        },
        temp,
      });
      assert.equal(task.code, 1, task.stdout);
      assert.equal(task.agent.result, 'Failed');
      assert.match(task.agent.issues.find((issue) => issue.type === 'error')?.message ?? '', BAD_RESPONSE);
      assert.deepEqual(task.agent.variables, {}, 'no variable is set');
      assert.ok(
        task.agent.commands.every((command) => ['task.setsecret', 'task.logissue', 'task.complete', 'task.debug'].includes(command.name)),
        JSON.stringify(task.agent.commands.map((command) => command.name)),
      );
      assertNothingHostile(task);
      assertNoLeak(task, SECRETS);
    }
  });
});

describe('the agent path: a token the agent gets from the server is held to the same rule', () => {
  let server: TokenServer;
  let temp: string;
  before(async () => {
    server = await startTokenServer();
    temp = mkdtempSync(join(tmpdir(), 'cx-ci-values-agent-'));
  });
  after(async () => {
    killAgentsUnder(temp);
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  test('token asks the agent for a longer-lived token; the hostile answer fails the call, the agent stays up', async () => {
    const cli = `'${process.execPath}' '${CLI_ENTRY}'`;
    const sh = (script: string, env: Record<string, string>) =>
      runProcess('/bin/sh', ['-c', script], { env: cleanEnv({ TMPDIR: temp, ...env }), cwd: temp, timeoutMs: 60_000 });
    const started = await sh(`${cli} start-agent --product sast --server-url ${server.url} --username ${DEFAULT_SAST_USER.username}`, {
      CX_PASSWORD: DEFAULT_SAST_USER.password,
    });
    assert.equal(started.code, 0, started.stderr);
    const sock = /CX_AUTH_SOCK='([^']+)'/.exec(started.stdout)?.[1] ?? '';
    assert.ok(sock, started.stdout);
    const [pid] = agentPidsUnder(temp);
    assert.ok(pid !== undefined && isAlive(pid), 'the agent runs');

    const { field, value } = HOSTILE[0];
    server.enqueue({ status: 200, body: hostileBody(field, value) });
    // 7200 s is longer than the first token's 3600: the agent must exchange again.
    const run = await sh(`${cli} token --min-validity 7200 --format env`, { CX_AUTH_SOCK: sock });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, BAD_RESPONSE);
    assertNothingHostile(run);
    assertNoLeak(run, SECRETS);
    assert.equal(server.requests.length, 2, 'the first token, then the exchange the agent made for this call');

    const stop = await sh(`${cli} stop-agent`, { CX_AUTH_SOCK: sock });
    assert.equal(stop.code, 0, 'the agent was still up to be stopped');
    await waitFor('the agent to stop', () => !isAlive(pid), 10_000);
  });
});
