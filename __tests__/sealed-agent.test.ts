// Sealed jobs switched on (issue 28), in this process so that coverage sees it: the inputs and the
// CLI's switches, the sealed variables as the hostings table has them, the agent's wire format for
// a sealed agent (parsed as untrusted input), the agent's server loop with its facade in front of
// Checkmarx's IAM and API on separate origins (the API accepts only tokens its IAM issued), and
// exec's own facade for its child's life. The bundles end to end: sealed-agent.e2e.test.ts.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { askAgent } from '../src/agent/client.ts';
import { agentToken, formatSock, newKey, parseAnswer, type AgentSettings } from '../src/agent/protocol.ts';
import { serveAgent } from '../src/agent/server.ts';
import { startJobAgent, type PublishedAgent } from '../src/agent/job-agent.ts';
import { actionOnlyWarnings } from '../src/cli/action-only.ts';
import { flagSource, parseFlags } from '../src/cli/command-line.ts';
import { runExec } from '../src/cli/exec.ts';
import { CLI_NAMING } from '../src/cli/naming.ts';
import { startOutput } from '../src/cli/start-agent.ts';
import type { VerbContext } from '../src/cli/verb-context.ts';
import { ACTION_NAMING, exitCodeOf, failureMessage, RequiresInputError } from '../src/core/errors.ts';
import { requestToken } from '../src/core/grant.ts';
import { readInputs, type RawInputs } from '../src/core/inputs.ts';
import { PRODUCT_NAMES, type ProductName } from '../src/core/products.ts';
import { runTimeSecretValues } from '../src/core/run-time-secrets.ts';
import { sealedVariables, type SealedJob } from '../src/core/sealed-job.ts';
import { resolveSettings, type Settings } from '../src/core/settings.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { startCheckmarxUpstream, upstreamInputs, type CheckmarxUpstream } from './support/checkmarx-upstream.ts';
import { NO_FILES, sastResult } from './support/fixtures.ts';
import { decodeJwt } from './support/jwt.ts';
import { isAlive, killQuietly, waitFor } from './support/processes.ts';
import { DEFAULT_REALM, DEFAULT_SAST_USER } from './support/token-server.ts';

const WAIT_MS = 30_000;
const SILENT = { info: () => {}, warning: () => {}, debug: () => {} };
const CHILD = resolve(import.meta.dirname, 'support', 'ast-cli-client.ts');
const CLI_BUNDLE = resolve(import.meta.dirname, '..', 'dist', 'cli', 'index.js');

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cxauth-sealed-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** One request, the whole answer read; connection errors reject (a closed facade: ECONNREFUSED). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body;
    const headers = { ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }), ...options.headers };
    const request = http.request(url, { method: options.method ?? 'GET', headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.once('error', reject);
    request.end(body);
  });
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// ---- inputs, switches, warnings ----

describe('the sealed and read-only inputs', () => {
  const base: RawInputs = { product: 'sast', 'server-url': 'https://cx.example.com', ...DEFAULT_SAST_USER };

  test('sealed implies agent; read-only rides on it; neither is on by default', () => {
    const plain = resolveSettings(base, NO_FILES);
    assert.deepEqual([plain.sealed, plain.readOnly, plain.agent], [false, false, false]);
    const sealed = resolveSettings({ ...base, sealed: 'true', 'read-only': 'yes' }, NO_FILES);
    assert.deepEqual([sealed.sealed, sealed.readOnly, sealed.agent], [true, true, true]);
  });

  test('read-only without sealed is an input error that names both, the way each front end names inputs', () => {
    const error = (() => {
      try {
        resolveSettings({ ...base, 'read-only': 'true' }, NO_FILES);
      } catch (caught) {
        return caught;
      }
      return assert.fail('read-only alone was accepted');
    })();
    assert.ok(error instanceof RequiresInputError);
    assert.deepEqual(error.inputs, ['read-only', 'sealed']);
    assert.match(failureMessage(error, ACTION_NAMING), /^Input 'read-only' needs 'sealed' to be true: /);
    assert.match(failureMessage(error, CLI_NAMING), /^--read-only \/ CX_READ_ONLY needs --sealed \/ CX_SEALED to be true: /);
    assert.equal(exitCodeOf(error), 2);
  });

  test('CX_SEALED and CX_READ_ONLY are their variables; on the command line both are switches that also take =value', () => {
    const specs = { sealed: { type: 'switch' as const }, 'read-only': { type: 'switch' as const }, product: { type: 'string' as const } };
    const flags = parseFlags(['--sealed', '--read-only=false', '--product', 'cxone'], specs);
    assert.deepEqual(flags, { sealed: true, 'read-only': 'false', product: 'cxone' });
    assert.deepEqual(readInputs(flagSource(flags), {}), { product: 'cxone', sealed: 'true', 'read-only': 'false' });
    assert.deepEqual(readInputs(flagSource({}), { CX_SEALED: 'true', CX_READ_ONLY: 'true' }), { sealed: 'true', 'read-only': 'true' });
    // A switch's value is never taken from the next word: that would swallow the `--` of exec.
    assert.deepEqual(parseFlags(['--sealed'], specs), { sealed: true });
  });

  test('--sealed and --read-only warn where they change nothing: the bare command, token, stop-agent, inspect', () => {
    for (const verb of [undefined, 'token', 'stop-agent', 'inspect']) {
      const warnings = actionOnlyWarnings({ sealed: true, 'read-only': true }, {}, verb);
      assert.equal(warnings.length, 2, String(verb));
      assert.match(warnings[0]!, /^--sealed is read by start-agent and exec only/);
      assert.match(warnings[1]!, /^--read-only is read by start-agent and exec only/);
    }
    for (const verb of ['start-agent', 'exec']) assert.deepEqual(actionOnlyWarnings({ sealed: true, 'read-only': true }, {}, verb), []);
  });
});

// ---- the variables, from the hostings table ----

const JOB: Omit<SealedJob, 'product'> = {
  origin: 'http://127.0.0.1:4711',
  tenant: 'acme',
  jobName: 'checkmarx-auth-job',
  jobKey: 'k'.repeat(43),
  readOnly: false,
};

describe('the sealed variables', () => {
  test('Checkmarx One: what a plain cx reads, pointing at the facade, the job key secret', () => {
    assert.deepEqual(sealedVariables({ product: 'cxone', ...JOB }), [
      { name: 'CX_BASE_URI', value: JOB.origin, secret: false },
      { name: 'CX_BASE_AUTH_URI', value: JOB.origin, secret: false },
      { name: 'CX_TENANT', value: 'acme', secret: false },
      { name: 'CX_CLIENT_ID', value: JOB.jobName, secret: false },
      { name: 'CX_CLIENT_SECRET', value: JOB.jobKey, secret: true },
    ]);
  });

  test('the self-hosted products and SCA: the facade as the server, the job user and key', () => {
    for (const product of PRODUCT_NAMES.filter((name) => name !== 'cxone')) {
      assert.deepEqual(
        sealedVariables({ product, ...JOB }),
        [
          { name: 'CX_SEALED_SERVER_URL', value: JOB.origin, secret: false },
          { name: 'CX_SEALED_USERNAME', value: JOB.jobName, secret: false },
          { name: 'CX_SEALED_PASSWORD', value: JOB.jobKey, secret: true },
        ],
        product,
      );
    }
  });

  test('the phantom and the job key are run-time secrets, masked like any token', () => {
    assert.deepEqual(runTimeSecretValues({ phantom: 'p', jobKey: 'k', tenant: 't' } as never), ['p', 'k']);
  });

  test('start-agent prints them after CX_AUTH_SOCK and the token variables, in every format; json by name', () => {
    const variables = sealedVariables({ product: 'sast', ...JOB });
    const token = agentToken(sastResult({ accessToken: 'phantom.jwt.sig', apiUrl: `${JOB.origin}/cxrestapi` }));
    const env = startOutput('env', 'sock#key', token, 'CX_ACCESS_TOKEN', variables);
    assert.match(
      env,
      /^export CX_AUTH_SOCK='sock#key'\nexport CX_ACCESS_TOKEN='phantom\.jwt\.sig'\n[\s\S]*export CX_API_URL='http:\/\/127\.0\.0\.1:4711\/cxrestapi'\n/,
    );
    assert.match(
      env,
      /export CX_SEALED_SERVER_URL='http:\/\/127\.0\.0\.1:4711'\nexport CX_SEALED_USERNAME='checkmarx-auth-job'\nexport CX_SEALED_PASSWORD='k+'\n$/,
    );
    const azure = startOutput('azure', 'sock#key', token, 'CX_ACCESS_TOKEN', variables);
    assert.match(azure, /variable=CX_SEALED_PASSWORD;issecret=true\]k+\n$/);
    assert.match(azure, /variable=CX_SEALED_USERNAME;issecret=false\]/);
    assert.match(
      startOutput('powershell', 'sock#key', token, 'CX_ACCESS_TOKEN', variables),
      /\$env:CX_SEALED_SERVER_URL = 'http:\/\/127\.0\.0\.1:4711'\n/,
    );
    const json = JSON.parse(startOutput('json', 'sock#key', token, 'CX_ACCESS_TOKEN', variables)) as Record<string, unknown>;
    assert.equal(json.accessToken, 'phantom.jwt.sig');
    assert.deepEqual(json.sealedVariables, {
      CX_SEALED_SERVER_URL: JOB.origin,
      CX_SEALED_USERNAME: JOB.jobName,
      CX_SEALED_PASSWORD: JOB.jobKey,
    });
    assert.equal('sealedVariables' in (JSON.parse(startOutput('json', 'sock#key', token, 'CX_ACCESS_TOKEN')) as object), false);
  });
});

// ---- the wire: a sealed agent's answer, as a client reads it ----

describe("a sealed agent's answer on the client side (untrusted input)", () => {
  const result = agentToken(sastResult({ accessToken: 'phantom.jwt.sig', apiUrl: `${JOB.origin}/api`, tenant: 'acme' }));
  const sealed = { product: 'cxone', ...JOB };
  const line = (extra: Record<string, unknown>) => JSON.stringify({ ok: true, result, source: 'cache', sealed: { ...sealed, ...extra } });

  test('is read with its facade facts; an answer without them (an older agent, or not sealed) is read as before', () => {
    const answer = parseAnswer(line({}));
    assert.ok(answer?.ok && 'result' in answer);
    assert.deepEqual(answer.sealed, sealed);
    const plain = parseAnswer(JSON.stringify({ ok: true, result, source: 'cache' }));
    assert.ok(plain?.ok && 'result' in plain && plain.sealed === undefined);
  });

  test('a facade anywhere but loopback, an unknown product, a bad key or name, another tenant: not the protocol', () => {
    for (const extra of [
      { origin: 'http://evil.example:80' },
      { origin: 'http://127.0.0.1:80/path' },
      { origin: 'https://127.0.0.1:443' },
      { product: 'nope' },
      { product: '__proto__' },
      { jobKey: 'short' },
      { jobKey: `${'k'.repeat(43)}\n::add-mask::x` },
      { jobName: 'job name' },
      { tenant: 'other' },
      { readOnly: 'yes' },
    ]) {
      assert.equal(parseAnswer(line(extra)), undefined, JSON.stringify(extra));
    }
    assert.equal(parseAnswer(JSON.stringify({ ok: true, result, source: 'cache', sealed: 'yes' })), undefined);
  });
});

// ---- the agent's server loop with its facade, in this process ----

interface SealedAgent {
  readonly upstream: CheckmarxUpstream;
  readonly address: string;
  readonly key: string;
  readonly stop: () => void;
  readonly exits: number[];
}

async function realSettings(
  product: ProductName,
  upstream: CheckmarxUpstream,
  extra: RawInputs = {},
): Promise<{ settings: Settings; first: ReturnType<typeof agentToken> }> {
  upstream.iam.config.realms[DEFAULT_REALM.name]!.astBaseUrl = upstream.api.url;
  const settings = resolveSettings({ ...upstreamInputs(product, upstream), sealed: 'true', 'max-attempts': '1', ...extra }, NO_FILES);
  const first = agentToken(await requestToken(settings.plan, settings.transport, { ...SYSTEM_IO, log: SILENT }));
  return { settings, first };
}

async function startSealedAgent(product: ProductName, extra: RawInputs = {}): Promise<SealedAgent> {
  const upstream = await startCheckmarxUpstream();
  const { settings, first } = await realSettings(product, upstream, extra);
  const folder = mkdtempSync(join(work, 'agent-'));
  const address = join(folder, 'agent.sock');
  const key = newKey();
  const agentSettings: AgentSettings = {
    plan: settings.plan,
    transport: settings.transport,
    address,
    key,
    folder,
    first,
    ageMs: 0,
    sealed: { readOnly: settings.readOnly },
  };
  const exits: number[] = [];
  let stop: () => void = () => {};
  await serveAgent(agentSettings, { exit: (code) => void exits.push(code), onTerminate: (onStop) => (stop = onStop) });
  return { upstream, address, key, stop: () => stop(), exits };
}

describe('a sealed agent, in process: phantoms only, its facade until it stops', () => {
  let agent: SealedAgent;
  before(async () => {
    agent = await startSealedAgent('cxone');
  });
  after(async () => {
    agent.stop();
    await agent.upstream.close();
  });

  test("token answers carry a phantom that Checkmarx's API refuses, and the facade's facts", async () => {
    const answer = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 60 }, WAIT_MS);
    assert.ok(answer.ok && 'result' in answer && answer.sealed);
    const { result, sealed } = answer;
    assert.ok(!agent.upstream.iam.issuedAccessTokens.includes(result.accessToken), 'the agent handed out a real token');
    assert.equal(decodeJwt(result.accessToken)?.['ast-base-url'], sealed.origin);
    assert.equal(result.apiUrl, `${sealed.origin}/api`);
    assert.match(sealed.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual([sealed.product, sealed.tenant, sealed.readOnly], ['cxone', DEFAULT_REALM.name, false]);
    const direct = await send(`${agent.upstream.api.url}/api/projects`, { headers: { Authorization: `Bearer ${result.accessToken}` } });
    assert.equal(direct.status, 401);
    const through = await send(`${result.apiUrl}/projects`, { headers: { Authorization: `Bearer ${result.accessToken}` } });
    assert.equal(through.status, 200, through.body);
    assert.ok(agent.upstream.api.requests.at(-1)!.authorized);
  });

  test('cx logs in at the facade with the job client the answer names, and gets a phantom', async () => {
    const answer = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 0 }, WAIT_MS);
    assert.ok(answer.ok && 'sealed' in answer && answer.sealed);
    const { origin, jobName, jobKey, tenant } = answer.sealed;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: jobName, client_secret: jobKey }).toString();
    const login = await send(`${origin}/auth/realms/${tenant}/protocol/openid-connect/token`, { method: 'POST', headers: FORM, body });
    assert.equal(login.status, 200, login.body);
    const phantom = (JSON.parse(login.body) as { access_token: string }).access_token;
    assert.ok(!agent.upstream.iam.issuedAccessTokens.includes(phantom));
  });

  test('after stop the facade refuses connections', async () => {
    const answer = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 0 }, WAIT_MS);
    assert.ok(answer.ok && 'sealed' in answer && answer.sealed);
    agent.stop();
    assert.deepEqual(agent.exits, [0]);
    await assert.rejects(send(`${answer.sealed.origin}/api/projects`), { code: 'ECONNREFUSED' });
  });
});

// ---- exec, in this process: its own facade, or a sealed agent's ----

/** exec with a context as the CLI makes it; the child (ast-cli-client.ts) writes its environment and logins to a report. */
async function execIn(
  env: Record<string, string | undefined>,
  flags: Record<string, string | boolean>,
  exchange: VerbContext['exchangeCredentials'],
): Promise<{
  code: number;
  report: { env: Record<string, string>; logins: Array<{ status: number; body: Record<string, unknown> }> };
  masked: string[];
}> {
  const report = join(mkdtempSync(join(work, 'exec-')), 'report.json');
  const masked: string[] = [];
  const context: VerbContext = {
    flags,
    format: 'token',
    env: { PATH: process.env.PATH, ...env },
    exchangeCredentials: exchange,
    say: () => {},
    warn: () => {},
    debug: () => {},
    write: () => 0,
    mask: (values) => void masked.push(...runTimeSecretValues(values)),
    command: [process.execPath, CHILD, report, '--logins', '0'],
  };
  const code = await runExec(context);
  return { code, report: JSON.parse(readFileSync(report, 'utf8')) as never, masked };
}

describe('exec --sealed, in process', () => {
  let upstream: CheckmarxUpstream;
  before(async () => {
    upstream = await startCheckmarxUpstream();
  });
  after(async () => upstream.close());

  test('without an agent: one exchange, its own facade for the child, phantoms and the sealed variables, no CX_AUTH_SOCK', async () => {
    const { settings, first } = await realSettings('sast', upstream);
    const result = { ...first, refreshToken: undefined } as never;
    const { code, report, masked } = await execIn(
      { CX_AUTH_SOCK: undefined, CX_PASSWORD: DEFAULT_SAST_USER.password },
      { sealed: true },
      async () => ({ settings, result }),
    );
    assert.equal(code, 0);
    const env = report.env;
    assert.equal(env.CX_AUTH_SOCK, undefined);
    assert.equal(env.CX_PASSWORD, undefined);
    assert.ok(!upstream.iam.issuedAccessTokens.includes(env.CX_ACCESS_TOKEN!), 'the child got a real token');
    assert.match(env.CX_SEALED_SERVER_URL!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(env.CX_API_URL, `${env.CX_SEALED_SERVER_URL}/cxrestapi`);
    assert.ok(masked.includes(env.CX_ACCESS_TOKEN!) && masked.includes(env.CX_SEALED_PASSWORD!));
    // The child's life is over: so is the facade.
    await assert.rejects(send(`${env.CX_SEALED_SERVER_URL}/cxrestapi/projects`), { code: 'ECONNREFUSED' });
  });
});

describe("exec with a sealed agent's CX_AUTH_SOCK, in process", () => {
  let agent: SealedAgent;
  let sock: string;
  before(async () => {
    agent = await startSealedAgent('cxone');
    sock = formatSock(agent.address, agent.key);
  });
  after(async () => {
    agent.stop();
    await agent.upstream.close();
  });
  const noExchange: VerbContext['exchangeCredentials'] = () => assert.fail('exec exchanged although an agent was named');

  test('not sealed itself, the child still gets the agent facade and phantoms (a sealed job never unseals)', async () => {
    const { code, report } = await execIn({ CX_AUTH_SOCK: sock }, {}, noExchange);
    assert.equal(code, 0);
    const { env } = report;
    assert.equal(env.CX_AUTH_SOCK, sock);
    assert.ok(!agent.upstream.iam.issuedAccessTokens.includes(env.CX_ACCESS_TOKEN!));
    assert.equal(env.CX_BASE_AUTH_URI, env.CX_BASE_URI);
    assert.equal(env.CX_API_URL, `${env.CX_BASE_URI}/api`);
    assert.equal(env.CX_CLIENT_ID, 'checkmarx-auth-job');
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: env.CX_CLIENT_ID!,
      client_secret: env.CX_CLIENT_SECRET!,
    }).toString();
    const login = await send(`${env.CX_BASE_AUTH_URI}/auth/realms/${env.CX_TENANT}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: FORM,
      body,
    });
    assert.equal(login.status, 200, login.body);
  });

  test('exec --sealed drops CX_AUTH_SOCK from the child', async () => {
    const { code, report } = await execIn({ CX_AUTH_SOCK: sock }, { sealed: true }, noExchange);
    assert.equal(code, 0);
    assert.equal(report.env.CX_AUTH_SOCK, undefined);
    assert.match(report.env.CX_BASE_URI!, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('exec --read-only with an agent that forwards writes is refused before the child starts (exit 2)', async () => {
    await assert.rejects(execIn({ CX_AUTH_SOCK: sock }, { 'read-only': true }, noExchange), (error: unknown) => {
      assert.match(failureMessage(error, CLI_NAMING), /forwards writes too.*start-agent --sealed --read-only/);
      return exitCodeOf(error) === 2;
    });
  });
});

describe('exec --sealed with an agent that is not sealed', () => {
  test('is refused before the child starts (exit 2): a sealed child gets no real token', async () => {
    const upstream = await startCheckmarxUpstream();
    const folder = mkdtempSync(join(work, 'agent-'));
    const address = join(folder, 'agent.sock');
    const key = newKey();
    let stop: () => void = () => {};
    try {
      const { settings, first } = await realSettings('sast', upstream, { sealed: 'false' });
      const agentSettings: AgentSettings = {
        plan: settings.plan,
        transport: settings.transport,
        address,
        key,
        folder,
        first,
        ageMs: 0,
      };
      await serveAgent(agentSettings, { exit: () => {}, onTerminate: (onStop) => (stop = onStop) });
      const sock = formatSock(address, key);
      await assert.rejects(
        execIn({ CX_AUTH_SOCK: sock }, { sealed: true }, async () => assert.fail('exchanged')),
        (error: unknown) => {
          assert.match(failureMessage(error, CLI_NAMING), /is not sealed/);
          return exitCodeOf(error) === 2;
        },
      );
      await assert.rejects(
        execIn({ CX_AUTH_SOCK: sock }, { 'read-only': true }, async () => assert.fail('exchanged')),
        RequiresInputError,
      );
    } finally {
      stop();
      await upstream.close();
    }
  });
});

describe('the job agent of the action and the Azure task, sealed (the launcher in process, the agent from the CLI bundle)', () => {
  let upstream: CheckmarxUpstream;
  const pids: number[] = [];
  before(async () => {
    upstream = await startCheckmarxUpstream();
  });
  after(async () => {
    for (const pid of pids) killQuietly(pid, 'SIGKILL');
    await upstream.close();
  });

  test('publishes the first phantom and the facade, never the real token, with the phantom and job key masked first', async () => {
    const { settings, first } = await realSettings('sast', upstream, { 'read-only': 'true' });
    const masked: string[] = [];
    let published: PublishedAgent | undefined;
    const base = mkdtempSync(join(work, 'job-'));
    await startJobAgent({
      base,
      entry: CLI_BUNDLE,
      settings,
      first: { ...first, refreshToken: undefined } as never,
      arrivedAt: performance.now(),
      environment: {},
      mask: (secret) => void masked.push(secret),
      stepWord: 'the step',
      publish: (agent) => {
        published = agent;
        // Everything the job's code will hold is masked before it is handed over.
        assert.ok(masked.includes(agent.sealed!.token.accessToken) && masked.includes(agent.sealed!.job.jobKey));
      },
    });
    assert.ok(published?.sealed);
    pids.push(published.pid);
    const { token, job } = published.sealed;
    assert.ok(!upstream.iam.issuedAccessTokens.includes(token.accessToken), 'the job agent published a real token');
    assert.deepEqual([job.product, job.readOnly], ['sast', true]);
    assert.equal(token.apiUrl, `${job.origin}/cxrestapi`);
    const write = await send(`${token.apiUrl}/projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token.accessToken}` },
      body: '{}',
    });
    assert.equal(write.status, 405, 'read-only let a write through');
    const read = await send(`${token.apiUrl}/projects`, { headers: { Authorization: `Bearer ${token.accessToken}` } });
    assert.equal(read.status, 200, read.body);
    rmSync(published.commandFolder, { recursive: true, force: true }); // the end of the job: the agent stops
    await waitFor('the agent to stop', () => !isAlive(published!.pid), WAIT_MS);
    await assert.rejects(send(`${job.origin}/cxrestapi/projects`), { code: 'ECONNREFUSED' });
  });
});
