// The Azure DevOps task in this process, so that coverage sees src/azure: its logging commands and
// their escaping, the service connection's mapping onto the inputs, the task's run(deps) against
// the token server (the agent path starts the committed CLI bundle as the agent child), the
// post-job step; and the manifests (task.json, vss-extension.json) against the tables of src/core.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { connectionInputs, SCHEMES } from '../src/azure/connection.ts';
import { loggingCommand, loggingCommands } from '../src/azure/logging-commands.ts';
import { readTaskInputs, run } from '../src/azure/main.ts';
import { run as runPost } from '../src/azure/post.ts';
import { INPUTS } from '../src/core/inputs.ts';
import { camelCase } from '../src/core/camel-case.ts';
import { OUTPUTS } from '../src/core/outputs.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { agentView, assertNoAzureLeak, endpointVariables, parseAgentLine, TASK_DIR, TASK_ENTRY } from './support/azure.ts';
import { REPO_ROOT } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const ID = 'c0ffee00-0000-4000-8000-000000000001';

// ---- logging commands ----

describe('logging commands', () => {
  test('any value survives the agent’s parser: one command, the value back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, value) => {
        const line = loggingCommand('task.setvariable', { variable: name || 'x', issecret: 'true' }, value);
        assert.ok(line.endsWith('\n'));
        const body = line.slice(0, -1);
        assert.ok(!/[\r\n]/.test(body), 'one line');
        const command = parseAgentLine(body);
        assert.equal(command?.name, 'task.setvariable');
        assert.equal(command?.data, value);
        assert.equal(command?.properties['variable'], name || 'x');
        assert.equal(command?.properties['issecret'], 'true');
      }),
    );
  });

  test('text for people cannot become a command, and failing says so twice as the agent expects', () => {
    const out: string[] = [];
    const agent = loggingCommands((text) => out.push(text));
    agent.info('server said ##vso[task.setvariable variable=PATH]/evil\nsecond line');
    agent.warning('careful ##vso[task.complete result=Succeeded]');
    agent.fail('it broke;] 100%', 'token-request/invalid-grant');
    agent.setSecret('');
    const view = agentView(out.join(''));
    assert.equal(view.log.length, 1, 'the info message stays one log line');
    assert.ok(!view.log[0]?.includes('##vso['));
    assert.deepEqual(
      view.commands.map((command) => command.name),
      ['task.logissue', 'task.logissue', 'task.complete'],
    );
    assert.deepEqual(view.issues, [
      { type: 'warning', message: 'careful # #vso[task.complete result=Succeeded]' },
      { type: 'error', message: '[token-request/invalid-grant] it broke;] 100%', code: 'token-request/invalid-grant' },
    ]);
    assert.equal(view.result, 'Failed');
    assert.deepEqual(view.secrets, [], 'an empty value is not registered');
  });
});

// ---- the service connection ----

describe('service connection', () => {
  const env = (scheme: string, parameters: Record<string, string>, url = 'https://cx.example.com', jsonOnly = false) =>
    endpointVariables({ id: ID, url, scheme, parameters, jsonOnly });

  test('each scheme fills its inputs; the URL is the server or the IAM URL by product', () => {
    assert.deepEqual(connectionInputs(env('UsernamePassword', { username: 'u', password: 'p' }), ID, 'SAST').values, {
      username: 'u',
      password: 'p',
      'server-url': 'https://cx.example.com',
    });
    assert.deepEqual(connectionInputs(env('Token', { apitoken: 'k' }, 'https://eu.iam.checkmarx.net'), ID, 'cxone').values, {
      'api-key': 'k',
      'iam-url': 'https://eu.iam.checkmarx.net',
    });
    assert.deepEqual(
      connectionInputs(env('none', { clientid: 'c', clientsecret: 's', tenant: 't' }, undefined, true), ID, 'cxone').values,
      {
        'client-id': 'c',
        'client-secret': 's',
        tenant: 't',
        'iam-url': 'https://cx.example.com',
      },
    );
    const sca = connectionInputs(env('UsernamePassword', { username: 'u', password: 'p', tenant: 'acme' }), ID, 'sca');
    assert.deepEqual(sca.values, { username: 'u', password: 'p', tenant: 'acme' });
    assert.match(sca.warnings[0] ?? '', /URL is not used for sca/);
    assert.deepEqual(connectionInputs(env('Token', { apitoken: 'k' }), ID, undefined).values, { 'api-key': 'k' });
  });

  test('a missing connection, or one of another type, is a configuration error naming the input', () => {
    assert.throws(() => connectionInputs({}, ID, 'sast'), { message: /Input 'connection'.*not available to this job/ });
    assert.throws(() => connectionInputs(env('Certificate', { cert: 'x' }), ID, 'sast'), {
      message: /scheme 'Certificate'; a Checkmarx connection uses Token, None, UsernamePassword/,
    });
  });

  test('task inputs win over the connection, the connection over the environment', () => {
    const { values } = readTaskInputs({
      INPUT_PRODUCT: 'sast',
      INPUT_CONNECTION: ID,
      INPUT_USERNAME: 'from-input',
      INPUT_SERVERURL: '  ',
      CX_PASSWORD: 'from-env',
      CX_TENANT: 'env-tenant',
      ...env('UsernamePassword', { username: 'from-connection', password: 'from-connection-password' }),
    });
    assert.equal(values.username, 'from-input');
    assert.equal(values.password, 'from-connection-password');
    assert.equal(values['server-url'], 'https://cx.example.com', 'an empty input is not given');
    assert.equal(values.tenant, 'env-tenant');
  });
});

// ---- the task and its post-job step, in process ----

describe('the task in process', () => {
  let server: TokenServer;
  let temp: string;

  before(async () => {
    server = await startTokenServer();
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-azure-inprocess-'));
  });
  after(async () => {
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  const runTaskHere = async (env: Record<string, string | undefined>) => {
    const out: string[] = [];
    const code = await run({
      env: { AGENT_TEMPDIRECTORY: temp, ...env },
      io: SYSTEM_IO,
      stdout: (text) => out.push(text),
      scriptPath: TASK_ENTRY,
    });
    return { code, stdout: out.join(''), stderr: '', agent: agentView(out.join('')) };
  };
  const post = async (env: Record<string, string | undefined>) => {
    const out: string[] = [];
    await runPost({
      env,
      stdout: (text) => out.push(text),
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    return agentView(out.join(''));
  };
  const sast = {
    INPUT_PRODUCT: 'sast',
    INPUT_CONNECTION: ID,
    INPUT_MAXATTEMPTS: '1',
    ...endpointVariables({ id: ID, url: '', scheme: 'UsernamePassword', parameters: DEFAULT_SAST_USER }),
  };

  test('agent: true runs the agent until the post-job step stops it; CX_AUTH_SOCK, PATH and the task variables are set', async () => {
    const task = await runTaskHere({ ...sast, [`ENDPOINT_URL_${ID}`]: server.url, INPUT_AGENT: 'true', SYSTEM_DEBUG: 'true' });
    assert.equal(task.code, 0, task.stdout);
    const pid = Number(task.agent.taskVariables['agent_pid']?.value);
    try {
      assert.ok(pid > 0);
      assert.ok(
        task.agent.commands.some((command) => command.name === 'task.debug'),
        'SYSTEM_DEBUG turns debug lines on',
      );
      assert.equal(task.agent.prependPaths.length, 1);
      assert.ok(existsSync(join(task.agent.prependPaths[0] ?? '', 'checkmarx-auth')));
      assertNoAzureLeak(task, [DEFAULT_SAST_USER.password, task.agent.taskVariables['agent_sock']?.value ?? '']);
      const stopped = await post(
        Object.fromEntries(
          Object.entries(task.agent.taskVariables).map(([name, { value }]) => [`VSTS_TASKVARIABLE_${name.toUpperCase()}`, value]),
        ),
      );
      assert.deepEqual(stopped.log, ['Stopped the token agent.']);
      assert.ok(!existsSync(task.agent.prependPaths[0] ?? ''), 'the post-job step removes the command folder');
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // stopped
      }
    }
  });

  test('every missing input is named in one message, as the task names them (camelCase)', async () => {
    const task = await runTaskHere({ INPUT_PRODUCT: 'cxone', INPUT_GRANTTYPE: 'client_credentials', INPUT_TENANT: 'acme' });
    assert.equal(task.code, 1);
    const issue = task.agent.issues.find((issue) => issue.type === 'error');
    assert.equal(issue?.code, 'input/missing');
    const message = issue?.message ?? '';
    assert.match(message, /^\[input\/missing\] Inputs 'clientId' and 'clientSecret' are required for/);
    assert.ok(!/client-id|client-secret/.test(message), message);
  });

  test('a cancel while the agent starts stops it and leaves nothing: no CX_AUTH_SOCK, no folder', async () => {
    const jobTemp = mkdtempSync(join(temp, 'cancel-'));
    const baseline = process.listenerCount('SIGINT');
    // Once the task listens for SIGINT (the agent is starting), the agent cancels the step.
    const cancel = setInterval(() => {
      if (process.listenerCount('SIGINT') > baseline) {
        clearInterval(cancel);
        process.emit('SIGINT');
      }
    }, 1);
    try {
      const task = await runTaskHere({ ...sast, [`ENDPOINT_URL_${ID}`]: server.url, INPUT_AGENT: 'true', AGENT_TEMPDIRECTORY: jobTemp });
      assert.equal(task.code, 1);
      assert.match(task.agent.issues.find((issue) => issue.type === 'error')?.message ?? '', /cancelled/);
      assert.deepEqual(task.agent.variables, {}, 'no CX_AUTH_SOCK, and no token or output variable either');
      assert.deepEqual(task.agent.prependPaths, []);
      assert.deepEqual(readdirSync(jobTemp), [], 'the command folder and the socket folder are gone');
    } finally {
      clearInterval(cancel);
    }
  });

  test('agent: true without Agent.TempDirectory fails before any variable is set', async () => {
    const task = await runTaskHere({ ...sast, [`ENDPOINT_URL_${ID}`]: server.url, INPUT_AGENT: 'yes', AGENT_TEMPDIRECTORY: '' });
    assert.equal(task.code, 1);
    assert.match(task.agent.issues.find((issue) => issue.type === 'error')?.message ?? '', /Input 'agent'.*AGENT_TEMPDIRECTORY/);
    assert.deepEqual(task.agent.variables, {});
  });

  test('agent: true with Agent.TempDirectory missing, or a file, is an input error naming it, before any request', async () => {
    const file = join(temp, 'not-a-folder');
    writeFileSync(file, '');
    for (const [path, why] of [
      [join(temp, 'no-such-folder'), 'does not exist'],
      [file, 'is not a folder'],
    ] as const) {
      const requestsBefore = server.requests.length;
      const task = await runTaskHere({ ...sast, [`ENDPOINT_URL_${ID}`]: server.url, INPUT_AGENT: 'true', AGENT_TEMPDIRECTORY: path });
      assert.equal(task.code, 1);
      const error = task.agent.issues.find((issue) => issue.type === 'error')?.message ?? '';
      assert.ok(error.includes(`needs AGENT_TEMPDIRECTORY to be a folder; '${path}' ${why}.`), error);
      assert.doesNotMatch(error, /Unexpected failure/);
      assert.equal(server.requests.length, requestsBefore);
      assert.deepEqual(task.agent.variables, {});
    }
  });

  test("a variable name that Azure Pipelines uses itself is refused, named as the task's envName", async () => {
    const requestsBefore = server.requests.length;
    const task = await runTaskHere({ ...sast, [`ENDPOINT_URL_${ID}`]: server.url, INPUT_ENVNAME: 'System_AccessToken' });
    assert.equal(task.code, 1);
    assert.match(
      task.agent.issues.find((issue) => issue.type === 'error')?.message ?? '',
      /Input 'envName': 'System_AccessToken' is a name Azure Pipelines uses itself/,
    );
    assert.equal(server.requests.length, requestsBefore, 'refused before any request');
  });

  test('exportEnv false sets the output variables only; a bug is reported by type, never by its message', async () => {
    const task = await runTaskHere({ ...sast, [`ENDPOINT_URL_${ID}`]: server.url, INPUT_EXPORTENV: 'false' });
    assert.equal(task.code, 0, task.stdout);
    assert.ok(!('CX_ACCESS_TOKEN' in task.agent.variables));
    assert.ok('accessToken' in task.agent.variables);
    const said: string[] = [];
    const broken = await run({
      env: { ...sast, [`ENDPOINT_URL_${ID}`]: server.url, SYSTEM_DEBUG: 'true' },
      io: {
        ...SYSTEM_IO,
        postForm: () => {
          throw new TypeError(`boom ${DEFAULT_SAST_USER.password}`);
        },
      },
      stdout: (text) => said.push(text),
      scriptPath: TASK_ENTRY,
    });
    assert.equal(broken, 1);
    const view = agentView(said.join(''));
    assert.match(view.issues.find((issue) => issue.type === 'error')?.message ?? '', /Unexpected failure \(TypeError\)/);
    assert.ok(
      view.commands.some((command) => command.name === 'task.debug' && command.data.startsWith('at ')),
      'SYSTEM_DEBUG adds the stack frames',
    );
    assertNoAzureLeak({ stdout: said.join(''), stderr: '' }, [DEFAULT_SAST_USER.password]);
  });

  test('the post-job step warns when the saved agent cannot be read, and does nothing without one', async () => {
    assert.deepEqual((await post({})).lines, []);
    const view = await post({ VSTS_TASKVARIABLE_AGENT_PID: '12345', VSTS_TASKVARIABLE_AGENT_SOCK: 'not-a-sock' });
    assert.equal(view.issues[0]?.type, 'warning');
    assert.match(view.issues[0]?.message ?? '', /Stopping the token agent failed: CX_AUTH_SOCK is not/);
  });
});

// ---- the manifests ----

interface TaskJson {
  id: string;
  name: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs: Array<{ name: string; type: string; required?: boolean; defaultValue?: unknown; helpMarkDown?: string }>;
  outputVariables: Array<{ name: string }>;
  execution: Record<string, { target: string }>;
  postjobexecution: Record<string, { target: string }>;
}

describe('task.json and vss-extension.json', () => {
  const task = JSON.parse(readFileSync(join(TASK_DIR, 'task.json'), 'utf8')) as TaskJson;
  const extension = JSON.parse(readFileSync(join(REPO_ROOT, 'azure-devops', 'vss-extension.json'), 'utf8')) as {
    version: string;
    contributions: Array<{ type: string; properties: Record<string, unknown> }>;
  };
  const packageVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  test('CheckmarxAuth@1: the action’s inputs in camelCase plus connection, no defaults, the SPEC’s output variables', () => {
    assert.equal(task.name, 'CheckmarxAuth');
    assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(`${task.version.Major}.${task.version.Minor}.${task.version.Patch}`, packageVersion);
    assert.equal(extension.version, packageVersion);
    assert.deepEqual(
      task.inputs.map((input) => input.name),
      ['connection', ...INPUTS.map((spec) => camelCase(spec.name))],
    );
    assert.equal(task.inputs[0]?.type, 'connectedService:checkmarx-auth');
    // An empty input means "not given", so that the connection and the environment fill it.
    assert.deepEqual(
      task.inputs.filter((input) => input.defaultValue !== undefined),
      [],
    );
    for (const spec of INPUTS.filter((spec) => spec.default)) {
      const input = task.inputs.find((input) => input.name === camelCase(spec.name));
      assert.ok(input?.helpMarkDown?.includes(`Default: ${spec.default}.`), `${spec.name} states its default`);
    }
    assert.deepEqual(
      task.outputVariables.map((variable) => variable.name),
      ['accessToken', 'tokenType', 'expiresIn', 'expiresAt', 'scope', 'apiUrl', 'tenant', 'apiKeyExpiresAt'],
    );
    assert.deepEqual(
      OUTPUTS.map((spec) => camelCase(spec.name)),
      task.outputVariables.map((variable) => variable.name),
    );
  });

  test('Node24 and Node20_1 for execution and postjobexecution, each pointing at a committed bundle', () => {
    for (const handlers of [task.execution, task.postjobexecution]) {
      assert.deepEqual(Object.keys(handlers).sort(), ['Node20_1', 'Node24']);
      for (const handler of Object.values(handlers)) assert.ok(existsSync(join(TASK_DIR, handler.target)), handler.target);
    }
    assert.equal(task.execution['Node24']?.target, 'dist/main/index.js');
    assert.equal(task.postjobexecution['Node24']?.target, 'dist/post/index.js');
  });

  test('the service connection type checkmarx-auth: three schemes whose parameters are the ones the task reads', () => {
    const endpoint = extension.contributions.find((c) => c.type === 'ms.vss-endpoint.service-endpoint-type');
    assert.equal(endpoint?.properties['name'], 'checkmarx-auth');
    const schemes = endpoint?.properties['authenticationSchemes'] as Array<{
      type: string;
      inputDescriptors: Array<{ id: string; isConfidential: boolean }>;
    }>;
    // The scheme name the agent passes for each built-in scheme type.
    const SCHEME_OF: Record<string, string> = {
      'ms.vss-endpoint.endpoint-auth-scheme-token': 'Token',
      'ms.vss-endpoint.endpoint-auth-scheme-none': 'None',
      'ms.vss-endpoint.endpoint-auth-scheme-basic': 'UsernamePassword',
    };
    assert.deepEqual(schemes.map((scheme) => SCHEME_OF[scheme.type]).sort(), Object.keys(SCHEMES).sort());
    for (const scheme of schemes) {
      const read = SCHEMES[SCHEME_OF[scheme.type] ?? ''] ?? {};
      assert.deepEqual(scheme.inputDescriptors.map((input) => input.id).sort(), Object.keys(read).sort());
      for (const input of scheme.inputDescriptors) {
        const secret = INPUTS.find((spec) => spec.name === read[input.id])?.secret ?? false;
        assert.equal(input.isConfidential, secret, `${input.id} is confidential exactly when it is a secret`);
      }
    }
  });
});
