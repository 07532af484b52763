// The thief test (issue 28) through the front ends' committed bundles: the action with
// `sealed: true` (main, a later step, post) for Checkmarx One and CxSAST, and the Azure task as
// the agent runs it (CxSAST). A later step, with the job's environment and files, collects every
// value it can read (the variables, the runner's files or the task's variables, the outputs, what
// `checkmarx-auth token` prints in every format, what the facade's token endpoint answers the job
// credential) and replays each at the real (test) Checkmarx as a bearer token, an API key, a
// client secret and a password: none is accepted. A cx-shaped client in that step works through
// the facade with no flag. After the post step the facade refuses connections.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentView, runTask, runTaskPost, TASK_CLI_ENTRY, type ServiceConnection } from './support/azure.ts';
import { startCheckmarxUpstream, type CheckmarxUpstream } from './support/checkmarx-upstream.ts';
import { makeApiKey } from './support/jwt.ts';
import { isAlive, killQuietly, waitFor } from './support/processes.ts';
import { exactNode, EXACT_NODES } from './support/nodes.ts';
import { assertNoLeak, cleanEnv, CLI_ENTRY, runAction, runPost, runProcess, type Env } from './support/run.ts';
import { acceptedLoot, loot } from './support/thief.ts';
import { DEFAULT_REALM, DEFAULT_SAST_USER, IDENTITY_TOKEN_PATH } from './support/token-server.ts';

const AST_CLI_CLIENT = join(import.meta.dirname, 'support', 'ast-cli-client.ts');
const FORMATS = ['token', 'json', 'env', 'azure', 'powershell'];
const STEP_DEADLINE_MS = 60_000;
/** The agent polls for its folders every 2 s; the post step waits for it. */
const GONE_WITHIN_MS = 15_000;

type Product = 'cxone' | 'sast';

/** The upstream with its Keycloak checking keys as the real one does, and the API the token names. */
async function startUpstream(apiKey: (iam: string) => string): Promise<{ upstream: CheckmarxUpstream; key: string }> {
  const upstream = await startCheckmarxUpstream();
  const key = apiKey(upstream.iam.url);
  upstream.iam.config.signedApiKeys = [key];
  upstream.iam.config.realms[DEFAULT_REALM.name]!.astBaseUrl = upstream.api.url;
  return { upstream, key };
}

const realmKey = (iam: string) => makeApiKey({ realmUrl: `${iam}/auth/realms/${DEFAULT_REALM.name}` });

/** The action's inputs for a product, with the long-lived credential each one needs. */
function actionInputs(product: Product, upstream: CheckmarxUpstream, key: string): { inputs: Record<string, string>; secrets: string[] } {
  if (product === 'cxone') return { inputs: { product, 'iam-url': upstream.iam.url, 'api-key': key }, secrets: [key] };
  const inputs = {
    product,
    'server-url': upstream.api.url,
    'token-url': upstream.iam.url + IDENTITY_TOKEN_PATH,
    username: DEFAULT_SAST_USER.username,
    password: DEFAULT_SAST_USER.password,
  };
  return { inputs, secrets: [DEFAULT_SAST_USER.password] };
}

/** Every regular file below `dir` that a step can read, as text. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .flatMap((entry) => {
      try {
        return [readFileSync(join(entry.parentPath, entry.name), 'utf8')];
      } catch {
        return [];
      }
    });
}

/** What `checkmarx-auth token` prints to the step, in every format. */
async function printedTokens(step: Env, cli: string): Promise<string[]> {
  const printed: string[] = [];
  for (const format of FORMATS) {
    const run = await runProcess(process.execPath, [cli, 'token', '--format', format], {
      env: cleanEnv(step),
      cwd: tmpdir(),
      timeoutMs: STEP_DEADLINE_MS,
    });
    assert.equal(run.code, 0, `token --format ${format}: ${run.stderr}`);
    printed.push(run.stdout, run.stderr);
  }
  return printed;
}

/** The job's login at the facade, as the product's own tools send it; the answer is loot too. */
async function facadeLogin(step: Env): Promise<{ status: number; body: string; token?: string }> {
  const cxone = step['CX_BASE_AUTH_URI'] !== undefined;
  const url = cxone
    ? `${step['CX_BASE_AUTH_URI']}/auth/realms/${step['CX_TENANT']}/protocol/openid-connect/token`
    : `${step['CX_SEALED_SERVER_URL']}${IDENTITY_TOKEN_PATH}`;
  const fields = cxone
    ? { grant_type: 'client_credentials', client_id: step['CX_CLIENT_ID'] ?? '', client_secret: step['CX_CLIENT_SECRET'] ?? '' }
    : {
        grant_type: 'password',
        username: step['CX_SEALED_USERNAME'] ?? '',
        password: step['CX_SEALED_PASSWORD'] ?? '',
        scope: 'sast_rest_api',
        client_id: 'resource_owner_client',
      };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(STEP_DEADLINE_MS),
  });
  const body = await response.text();
  const token = response.ok ? (JSON.parse(body) as { access_token: string }).access_token : undefined;
  return { status: response.status, body, ...(token ? { token } : {}) };
}

/** Whether a TCP connection to 127.0.0.1:port is refused (the facade has stopped). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

/** No value the job could read holds a token the real IAM issued, and none works at the real Checkmarx. */
async function assertNothingWorksOutside(upstream: CheckmarxUpstream, texts: string[]): Promise<void> {
  const everything = texts.join('\n');
  for (const real of upstream.iam.issuedAccessTokens) assert.ok(!everything.includes(real), 'the job can read a real token');
  const values = loot(texts);
  assert.ok(values.size > 20, `only ${values.size} values collected`);
  const accepted = await acceptedLoot(upstream, values);
  assert.deepEqual(
    [...accepted].map(([value, ways]) => `${value.slice(0, 10)}...: ${ways.join(', ')}`),
    [],
    'a value the job can read works at the real Checkmarx',
  );
}

// Checkmarx One also on runner 2.327.1's node24 (24.4.0), the oldest Node the action runs on.
for (const [product, version] of [
  ['cxone', undefined],
  ['sast', undefined],
  ['cxone', EXACT_NODES.action],
] as const) {
  describe(`the action, sealed: ${product}, on ${version ? `Node ${version}` : 'this Node'}`, () => {
    const node = version ? exactNode(version) : process.execPath;
    let upstream: CheckmarxUpstream;
    let temp: string;
    let agentPid = 0;
    before(async () => {
      ({ upstream } = await startUpstream(realmKey));
      temp = mkdtempSync(join(tmpdir(), 'cx-sealed-action-'));
    });
    after(async () => {
      if (agentPid > 0) killQuietly(agentPid, 'SIGKILL');
      await upstream.close();
      rmSync(temp, { recursive: true, force: true });
    });

    test('a later step reads only values that fail at the real Checkmarx; cx works through the facade; post closes the facade', async () => {
      const key = upstream.iam.config.signedApiKeys![0]!;
      const { inputs, secrets } = actionInputs(product, upstream, key);
      const action = await runAction({ inputs: { ...inputs, sealed: true }, keep: temp, node });
      assert.equal(action.code, 0, action.stderr + action.stdout);
      agentPid = Number(action.state['agent_pid']);
      if (existsSync(`/proc/${agentPid}/exe`)) assert.equal(realpathSync(`/proc/${agentPid}/exe`), realpathSync(node));
      assert.ok(isAlive(agentPid), 'the sealed agent runs after the step');

      // What the job's code is handed: a phantom and the facade, each masked before it was written.
      const phantom = action.outputs['access-token']!;
      assert.ok(!upstream.iam.issuedAccessTokens.includes(phantom), 'the access-token output is a real token');
      assert.equal(action.exported['CX_ACCESS_TOKEN'], phantom);
      assert.match(action.outputs['api-url']!, /^http:\/\/127\.0\.0\.1:\d+\//);
      const jobKey = action.exported[product === 'cxone' ? 'CX_CLIENT_SECRET' : 'CX_SEALED_PASSWORD']!;
      assert.ok(jobKey && action.masks.includes(jobKey) && action.masks.includes(phantom), 'the phantom and the job key are masked');
      assert.ok(action.stdout.indexOf(`::add-mask::${phantom}`) !== -1);
      assertNoLeak(action, [...secrets, ...upstream.iam.issuedAccessTokens]);

      // A later step: the job's environment and the command folder on PATH.
      const path = readFileSync(action.files.path, 'utf8').trim();
      const step: Env = { ...action.exported, PATH: `${path}:${process.env['PATH']}` };
      const printed = await printedTokens(step, CLI_ENTRY);
      const login = await facadeLogin(step);
      assert.equal(login.status, 200, login.body);

      // A plain cx in that step: no flag, it logs in at the facade and calls the API through it.
      if (product === 'cxone') {
        const report = join(temp, 'cx.json');
        const cx = await runProcess(process.execPath, [AST_CLI_CLIENT, report], {
          env: cleanEnv(step),
          cwd: temp,
          timeoutMs: STEP_DEADLINE_MS,
        });
        assert.equal(cx.code, 0, cx.stderr);
        const seen = JSON.parse(readFileSync(report, 'utf8')) as { logins: Array<{ status: number; body: { access_token: string } }> };
        assert.equal(seen.logins[0]?.status, 200);
        const projects = await fetch(`${step['CX_BASE_URI']}/api/projects`, {
          headers: { Authorization: `Bearer ${seen.logins[0]!.body.access_token}` },
          signal: AbortSignal.timeout(STEP_DEADLINE_MS),
        });
        assert.equal(projects.status, 200, await projects.text());
        assert.ok(upstream.api.requests.at(-1)?.authorized, 'the API got a real token from the facade');
      }

      const texts = [
        ...Object.values(action.outputs),
        ...Object.values(action.exported),
        ...Object.values(action.state),
        ...filesUnder(temp),
        ...printed,
        login.body,
        // The job log: the runner consumes its workflow commands (::add-mask:: of the real token too).
        ...action.stdout.split('\n').filter((line) => !line.startsWith('::')),
      ];
      await assertNothingWorksOutside(upstream, texts);

      const state = Object.fromEntries(Object.entries(action.state).map(([name, value]) => [`STATE_${name}`, value]));
      const post = await runPost(state, node);
      assert.equal(post.code, 0, post.stderr);
      assert.match(post.stdout, /Stopped the token agent/);
      await waitFor('the sealed agent to stop', () => !isAlive(agentPid), GONE_WITHIN_MS);
      assert.ok(await refused(portOf(action.outputs['api-url']!)), 'the facade still accepts connections after the post step');
    });
  });
}

// The task's agent, and so its facade, runs on the task's own Node: the oldest its Node20_1 handler
// gets (agent 3.232.1's 20.9.0) as well as this one.
for (const version of [undefined, EXACT_NODES.azureNode20]) {
  describe(`the Azure task, sealed: sast, on ${version ? `Node ${version}` : 'this Node'}`, () => {
    const node = version ? exactNode(version) : process.execPath;
    const CONNECTION_ID = '3d7b1f0e-5c2a-4e8b-9f61-2a4c6e8b0d13';
    let upstream: CheckmarxUpstream;
    let temp: string;
    let agentPid = 0;
    before(async () => {
      ({ upstream } = await startUpstream(realmKey));
      temp = mkdtempSync(join(tmpdir(), 'cx-sealed-azure-'));
    });
    after(async () => {
      if (agentPid > 0) killQuietly(agentPid, 'SIGKILL');
      await upstream.close();
      rmSync(temp, { recursive: true, force: true });
    });

    test('later steps read only values that fail at the real Checkmarx; the post-job step closes the facade', async () => {
      const connection: ServiceConnection = {
        id: CONNECTION_ID,
        url: upstream.api.url,
        scheme: 'UsernamePassword',
        parameters: { username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password },
      };
      const task = await runTask({
        node,
        inputs: { product: 'sast', connection: CONNECTION_ID, tokenUrl: upstream.iam.url + IDENTITY_TOKEN_PATH, sealed: true },
        connections: [connection],
        temp,
      });
      assert.equal(task.code, 0, task.stdout);
      agentPid = Number(task.agent.taskVariables['agent_pid']?.value);
      // The sealed agent (its facade too) runs on the task's Node.
      if (existsSync(`/proc/${agentPid}/exe`)) assert.equal(realpathSync(`/proc/${agentPid}/exe`), realpathSync(node));
      const variables = task.agent.variables;
      const phantom = variables['accessToken']!.value;
      assert.ok(!upstream.iam.issuedAccessTokens.includes(phantom), 'accessToken is a real token');
      assert.deepEqual(variables['CX_ACCESS_TOKEN'], { value: phantom, secret: true, output: false });
      assert.equal(variables['CX_SEALED_PASSWORD']?.secret, true, 'the job key is a secret variable');
      assert.ok(task.agent.secrets.includes(phantom) && task.agent.secrets.includes(variables['CX_SEALED_PASSWORD']!.value));
      assert.match(variables['apiUrl']!.value, /^http:\/\/127\.0\.0\.1:\d+\/cxrestapi$/);

      // A later step that maps every secret variable into its environment: the worst a pipeline does.
      const step: Env = {
        ...Object.fromEntries(Object.entries(variables).map(([name, { value }]) => [name, value])),
        PATH: `${task.agent.prependPaths[0]}:${process.env['PATH']}`,
        TF_BUILD: 'True',
      };
      const printed = await printedTokens(step, TASK_CLI_ENTRY);
      const login = await facadeLogin(step);
      assert.equal(login.status, 200, login.body);
      const texts = [
        ...Object.values(variables).map(({ value }) => value),
        ...Object.values(task.agent.taskVariables).map(({ value }) => value),
        ...filesUnder(temp),
        ...printed,
        login.body,
        // The job log: the agent consumes its logging commands (task.setsecret of the real token too).
        ...task.agent.log,
      ];
      await assertNothingWorksOutside(upstream, texts);

      const post = await runTaskPost({ node, temp, taskVariables: task.agent.taskVariables });
      assert.equal(post.code, 0, post.stdout);
      assert.ok(agentView(post.stdout).log.some((line) => /Stopped the token agent/.test(line)));
      await waitFor('the sealed agent to stop', () => !isAlive(agentPid), GONE_WITHIN_MS);
      assert.ok(await refused(portOf(variables['apiUrl']!.value)), 'the facade still accepts connections after the post-job step');
    });
  });
}
