// End to end: the Azure DevOps task CheckmarxAuth@1 as the agent runs it, from its committed
// bundles under azure-devops/CheckmarxAuth/dist, on the exact Nodes of the oldest agents: 20.9.0
// (agent 3.232.1's Node20_1 handler) and 24.10.0 (the first agent with a Node24 handler): inputs as INPUT_<NAME>, a service connection as ENDPOINT_*, stdout read with the
// agent's own parsing and unescaping rules (support/azure.ts), against the project's token
// server; then the post-job step with the task variables the task set.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  agentView,
  assertNoAzureLeak,
  parseAgentLine,
  runTask,
  runTaskPost,
  TASK_CLI_ENTRY,
  type ServiceConnection,
  type TaskRun,
} from './support/azure.ts';
import { makeApiKey } from './support/jwt.ts';
import { exactNode, EXACT_NODES } from './support/nodes.ts';
import { cleanEnv, runProcess } from './support/run.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  IDENTITY_TOKEN_PATH,
  keycloakTokenPath,
  SAST_CLIENT_SECRET,
  startTokenServer,
  type TokenServer,
} from './support/token-server.ts';

const NODES = [
  { title: `Node ${EXACT_NODES.azureNode24} (Node24 handler)`, version: EXACT_NODES.azureNode24 },
  { title: `Node ${EXACT_NODES.azureNode20} (Node20_1 handler)`, version: EXACT_NODES.azureNode20 },
];

const CONNECTION_ID = '6f0c2a8e-3b1d-4c55-9a8f-0d2e7c1b9a44';
// A password with every character the agent's command parser treats specially.
const PASSWORD = 'p;a]s%AZP25s%0Aw%3Bo]rd;';
const API_KEY = makeApiKey({ realmUrl: `https://iam.checkmarx.net/auth/realms/${DEFAULT_REALM.name}` });
const TRICKY_TOKEN = `ey'J$HOME\`id\`"dq"\\n%AZP25%0A100%;]$(echo)'`;
const BASE = { maxAttempts: 1, timeoutSeconds: 10 };

const sastUser = (overrides: Partial<ServiceConnection> = {}): ServiceConnection => ({
  id: CONNECTION_ID,
  url: '',
  scheme: 'UsernamePassword',
  parameters: { username: DEFAULT_SAST_USER.username, password: PASSWORD },
  ...overrides,
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, withinMs: number): Promise<boolean> {
  for (const end = Date.now() + withinMs; Date.now() < end;) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

for (const { title, version } of NODES) {
  describe(`Azure task on ${title}`, () => {
    let server: TokenServer;
    let temp: string;
    const startedAgents: number[] = [];
    const nodeBin = () => exactNode(version);

    before(async () => {
      server = await startTokenServer();
      server.config.sastUsers[DEFAULT_SAST_USER.username] = PASSWORD;
      temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-azure-'));
    });
    after(async () => {
      for (const pid of startedAgents) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // stopped already
        }
      }
      await server.close();
      rmSync(temp, { recursive: true, force: true });
    });

    const run = (inputs: Record<string, string | number | boolean | undefined>, connections: ServiceConnection[] = []) =>
      runTask({ node: nodeBin(), inputs: { ...BASE, ...inputs }, connections, temp });

    test('sast with a user-and-password connection: output variables, CX_ACCESS_TOKEN secret, every secret registered first', async () => {
      server.reset();
      server.enqueue({ body: { access_token: TRICKY_TOKEN, token_type: 'Bearer', expires_in: 3600, scope: 'sast_rest_api' } });
      const task = await run({ product: 'sast', connection: CONNECTION_ID }, [sastUser({ url: `${server.url}/` })]);
      assert.equal(task.code, 0, task.stdout);
      assert.equal(task.agent.result, undefined, 'no task.complete: the task succeeded');
      assert.deepEqual(
        task.agent.issues.filter((issue) => issue.type === 'error'),
        [],
      );
      const { variables } = task.agent;
      assert.deepEqual(variables['accessToken'], { value: TRICKY_TOKEN, secret: true, output: true });
      assert.deepEqual(variables['tokenType'], { value: 'Bearer', secret: false, output: true });
      assert.deepEqual(variables['expiresIn'], { value: '3600', secret: false, output: true });
      assert.match(variables['expiresAt']?.value ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.deepEqual(variables['scope'], { value: 'sast_rest_api', secret: false, output: true });
      assert.deepEqual(variables['apiUrl'], { value: `${server.url}/cxrestapi`, secret: false, output: true });
      assert.deepEqual(variables['CX_ACCESS_TOKEN'], { value: TRICKY_TOKEN, secret: true, output: false });
      // The server got the connection's credentials, at the connection's server.
      const request = server.requests[0];
      assert.equal(request?.path, IDENTITY_TOKEN_PATH);
      assert.equal(request?.form['username'], DEFAULT_SAST_USER.username);
      assert.equal(request?.form['password'], PASSWORD);
      // The password is registered before the first line the log shows; the token before it is set.
      const firstLog = task.agent.lines.findIndex((line) => !line.startsWith('##vso['));
      const passwordAt = task.agent.lines.findIndex((line) => {
        const command = parseAgentLine(line);
        return command?.name === 'task.setsecret' && command.data === PASSWORD;
      });
      assert.ok(passwordAt !== -1 && passwordAt < firstLog, 'the password is registered before the first log line');
      assert.ok(task.agent.secrets.includes(PASSWORD) && task.agent.secrets.includes(TRICKY_TOKEN));
      assertNoAzureLeak(task, [PASSWORD, TRICKY_TOKEN, SAST_CLIENT_SECRET]);
    });

    test('cxone with an API-key connection (Token scheme): the connection URL is the IAM URL, tenant from the key', async () => {
      server.reset();
      const task = await run({ product: 'cxone', connection: CONNECTION_ID }, [
        { id: CONNECTION_ID, url: server.url, scheme: 'Token', parameters: { apitoken: API_KEY } },
      ]);
      assert.equal(task.code, 0, task.stdout);
      assert.equal(server.requests[0]?.path, keycloakTokenPath(DEFAULT_REALM.name));
      assert.equal(server.requests[0]?.form['grant_type'], 'refresh_token');
      assert.equal(server.requests[0]?.form['refresh_token'], API_KEY);
      assert.equal(task.agent.variables['tenant']?.value, DEFAULT_REALM.name);
      assert.ok(task.agent.secrets.includes(API_KEY));
      const token = task.agent.variables['accessToken']?.value ?? '';
      assert.equal(token, server.issuedAccessTokens[0]);
      assertNoAzureLeak(task, [API_KEY, token, ...server.issuedRefreshTokens]);
    });

    test('cxone with an OAuth-client connection read from ENDPOINT_AUTH_<id> alone (the JSON the agent also sets)', async () => {
      server.reset();
      const task = await run({ product: 'cxone', connection: CONNECTION_ID }, [
        {
          id: CONNECTION_ID,
          url: server.url,
          scheme: 'None',
          parameters: { clientid: DEFAULT_REALM.clientId, clientsecret: DEFAULT_REALM.clientSecret, tenant: DEFAULT_REALM.name },
          jsonOnly: true,
        },
      ]);
      assert.equal(task.code, 0, task.stdout);
      assert.equal(server.requests[0]?.form['grant_type'], 'client_credentials');
      assert.equal(server.requests[0]?.form['client_id'], DEFAULT_REALM.clientId);
      assert.equal(server.requests[0]?.form['client_secret'], DEFAULT_REALM.clientSecret);
      assert.equal(task.agent.variables['tenant']?.value, DEFAULT_REALM.name);
      assertNoAzureLeak(task, [DEFAULT_REALM.clientSecret, task.agent.variables['accessToken']?.value ?? '']);
    });

    test("an explicit input wins over the connection's value", async () => {
      server.reset();
      const task = await run({ product: 'sast', connection: CONNECTION_ID, serverUrl: server.url, username: DEFAULT_SAST_USER.username }, [
        sastUser({ url: 'https://elsewhere.example.test', parameters: { username: 'someone-else', password: PASSWORD } }),
      ]);
      assert.equal(task.code, 0, task.stdout);
      assert.equal(server.requests[0]?.form['username'], DEFAULT_SAST_USER.username);
      assert.equal(server.requests[0]?.form['password'], PASSWORD, 'what the input did not give still comes from the connection');
    });

    test('a rejected password fails the task: an error issue, task.complete Failed, exit 1, and no secret in sight', async () => {
      server.reset();
      const wrong = 'wr0ng;pass]word%';
      const task = await run({ product: 'sast', connection: CONNECTION_ID }, [
        sastUser({ url: server.url, parameters: { username: DEFAULT_SAST_USER.username, password: wrong } }),
      ]);
      assert.equal(task.code, 1);
      assert.equal(task.agent.result, 'Failed');
      const errors = task.agent.issues.filter((issue) => issue.type === 'error');
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /CxSAST/);
      assert.match(errors[0]?.message ?? '', new RegExp(IDENTITY_TOKEN_PATH.replace(/\//g, '\\/')));
      assert.match(errors[0]?.message ?? '', /invalid_grant|400/);
      assert.deepEqual(Object.keys(task.agent.variables), [], 'no variable is set by a failed task');
      assertNoAzureLeak(task, [wrong, SAST_CLIENT_SECRET]);
    });

    test('a missing input is named as the task names it (camelCase), before any request', async () => {
      server.reset();
      const task = await run({ product: 'sast', username: 'u', password: 'secret-pass' });
      assert.equal(task.code, 1);
      assert.equal(task.agent.result, 'Failed');
      assert.match(task.agent.issues[0]?.message ?? '', /Input 'serverUrl'/);
      assert.equal(server.requests.length, 0);
    });

    test('a connection the job cannot see fails naming the connection input', async () => {
      server.reset();
      const task = await run({ product: 'sast', connection: 'no-such-connection' });
      assert.equal(task.code, 1);
      assert.match(task.agent.issues[0]?.message ?? '', /Input 'connection'.*no-such-connection.*not available/);
      assert.equal(server.requests.length, 0);
    });

    test('agent: true starts the token agent; a later step gets tokens from it; the post-job step stops it', async () => {
      server.reset();
      const task: TaskRun = await run({ product: 'sast', connection: CONNECTION_ID, agent: true }, [sastUser({ url: server.url })]);
      assert.equal(task.code, 0, task.stdout);
      const pid = Number(task.agent.taskVariables['agent_pid']?.value);
      assert.ok(Number.isInteger(pid) && pid > 0, 'the task saved the agent PID');
      startedAgents.push(pid);
      assert.ok(isAlive(pid), 'the agent runs after the task ended');
      const sock = task.agent.taskVariables['agent_sock'];
      assert.equal(sock?.secret, true);
      assert.deepEqual(task.agent.variables['CX_AUTH_SOCK'], { value: sock?.value, secret: true, output: false });
      assert.ok(task.agent.secrets.includes(sock?.value ?? ''), 'CX_AUTH_SOCK is registered as a secret');
      assert.ok(sock?.value.startsWith(join(temp, 'cxauth-')), 'the socket lives under Agent.TempDirectory');
      // The agent runs the task's own CLI bundle, with no credential on its command line.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      assert.deepEqual(cmdline, [
        nodeBin(),
        '--lite-mode',
        '--max-semi-space-size=1',
        '--single-threaded',
        '--v8-pool-size=1',
        TASK_CLI_ENTRY,
        '__agent',
      ]);
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      assert.ok(!environ.includes(PASSWORD) && !cmdline.join(' ').includes(PASSWORD));
      assertNoAzureLeak(task, [PASSWORD, sock?.value ?? '', task.agent.variables['accessToken']?.value ?? '']);

      // A later script step: the prepended folder's checkmarx-auth, CX_AUTH_SOCK mapped from the secret variable.
      assert.equal(task.agent.prependPaths.length, 1);
      const folder = task.agent.prependPaths[0] ?? '';
      assert.ok(existsSync(join(folder, 'checkmarx-auth')) && existsSync(join(folder, 'checkmarx-auth.cmd')));
      const later = await runProcess('sh', ['-c', 'checkmarx-auth token'], {
        env: cleanEnv({ PATH: `${folder}:/usr/bin:/bin`, CX_AUTH_SOCK: sock?.value, TF_BUILD: 'True' }),
        cwd: temp,
        timeoutMs: 30_000,
      });
      assert.equal(later.code, 0, later.stderr);
      assert.equal(later.stdout.trim(), task.agent.variables['accessToken']?.value, 'the cached token, from the agent');

      const post = await runTaskPost({ node: nodeBin(), temp, taskVariables: task.agent.taskVariables });
      assert.equal(post.code, 0, post.stdout);
      assert.ok(await waitFor(() => !isAlive(pid), 10_000), 'the agent is gone');
      assert.ok(!existsSync((sock?.value ?? '').replace(/#[^#]*$/, '')), 'its socket is removed');
      assert.ok(!existsSync(folder), 'the command folder is removed');
      assert.deepEqual(JSON.parse(task.agent.taskVariables['agent_folders']?.value ?? '[]'), [folder, dirname(sock?.value ?? '')]);
      assert.ok(post.agent.log.some((line) => /Stopped the token agent/.test(line)));
      assert.deepEqual(post.agent.issues, []);
      assertNoAzureLeak(post, [sock?.value ?? '']);
    });

    test('without a post-job step, the agent stops when the agent empties Agent.TempDirectory after the job', async () => {
      server.reset();
      const jobTemp = mkdtempSync(join(temp, 'job-'));
      const task = await runTask({
        node: nodeBin(),
        inputs: { ...BASE, product: 'sast', connection: CONNECTION_ID, agent: true },
        connections: [sastUser({ url: server.url })],
        temp: jobTemp,
      });
      assert.equal(task.code, 0, task.stdout);
      const pid = Number(task.agent.taskVariables['agent_pid']?.value);
      startedAgents.push(pid);
      assert.ok(isAlive(pid));
      for (const entry of readdirSync(jobTemp)) rmSync(join(jobTemp, entry), { recursive: true, force: true });
      assert.ok(await waitFor(() => !isAlive(pid), 15_000), 'the agent stopped once its folders were gone');
    });

    test('a later step that did not map CX_AUTH_SOCK is told how to map it, before what its own exchange lacks', async () => {
      for (const args of [['token'], ['exec', '--', 'true']]) {
        const later = await runProcess(nodeBin(), [TASK_CLI_ENTRY, ...args], {
          env: cleanEnv({ TF_BUILD: 'True' }),
          cwd: temp,
          timeoutMs: 30_000,
        });
        assert.equal(later.code, 2, later.stderr);
        assert.equal(later.stdout, '');
        const errors = agentView(later.stderr).issues.filter((issue) => issue.type === 'error');
        assert.equal(errors.length, 1, later.stderr);
        const message = errors[0]?.message ?? '';
        assert.match(message, /^checkmarx-auth: CX_AUTH_SOCK is not set in this step\./);
        const mapping = message.indexOf('`env: CX_AUTH_SOCK: $(CX_AUTH_SOCK)`');
        assert.ok(mapping !== -1 && mapping < message.indexOf('--product / CX_PRODUCT'), message);
      }
    });

    test('the post-job step of a task that started no agent does nothing', async () => {
      const post = await runTaskPost({ node: nodeBin(), temp, taskVariables: {} });
      assert.equal(post.code, 0);
      assert.equal(post.stdout, '');
    });
  });
}
