// Sealed jobs through the committed CLI bundle, for every product (issue 28): `start-agent --sealed`
// and a later step, `exec --sealed -- COMMAND` as the child. The job's code is a thief
// (support/sealed-thief.ts): it collects every value it can read (its environment, what `token`
// prints in every format, what the facade's token endpoint answers), shows they work inside the
// job, and replays each at the real Checkmarx (IAM and API on separate origins; the API accepts
// only tokens its IAM issued) as a bearer token, an API key, a client secret and a password: none
// is accepted. After stop-agent, or once exec's child has ended, the facade refuses connections.
// SCA's API is its real host name, reached through a proxy with the test CA, as in the field.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PRODUCT_NAMES, type ProductName } from '../src/core/products.ts';
import { startCheckmarxUpstream, type CheckmarxUpstream } from './support/checkmarx-upstream.ts';
import { decodeJwt } from './support/jwt.ts';
import { agentPidsUnder, killAgentsUnder, waitFor } from './support/processes.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import { assertNoLeak, cleanEnv, CLI_ENTRY, runCli, runProcess, type CliRun, type Env } from './support/run.ts';
import { sharedTestCa } from './support/tls.ts';
import { DEFAULT_REALM, DEFAULT_SAST_USER, DEFAULT_SCA, IDENTITY_TOKEN_PATH, SCA_TOKEN_PATH } from './support/token-server.ts';

const THIEF = resolve(import.meta.dirname, 'support', 'sealed-thief.ts');
const CX_CLIENT = resolve(import.meta.dirname, 'support', 'ast-cli-client.ts');
const SCA_API_HOST = 'api-sca.checkmarx.net';

interface Checkmarx {
  readonly upstream: CheckmarxUpstream;
  /** The job's own variables: the credential, and for SCA the proxy and CA. */
  readonly env: Env;
  /** What any step of the job has besides: the test CA for Node (the thief reaches the real SCA API with it). */
  readonly stepEnv: Env;
  readonly secrets: string[];
  readonly close: () => Promise<void>;
}

/**
 * No job here holds an API key: the real Keycloak takes as one only what its realm signed (or the
 * refresh tokens it issued), so a phantom, which is a realm-shaped JWT, must fail (support/thief.ts).
 */
const NO_API_KEYS: readonly string[] = [];

async function checkmarxFor(product: ProductName): Promise<Checkmarx> {
  if (product === 'sca') {
    const ca = await sharedTestCa();
    const upstream = await startCheckmarxUpstream({ apiTls: ca.issue([SCA_API_HOST]) });
    upstream.iam.config.signedApiKeys = NO_API_KEYS;
    const proxy: TestProxy = await startProxy({ routes: { [`${SCA_API_HOST}:443`]: `127.0.0.1:${upstream.api.port}` } });
    return {
      upstream,
      env: {
        CX_PRODUCT: 'sca',
        CX_TOKEN_URL: upstream.iam.url + SCA_TOKEN_PATH,
        CX_TENANT: DEFAULT_SCA.tenant,
        CX_USERNAME: DEFAULT_SCA.username,
        CX_PASSWORD: DEFAULT_SCA.password,
        CX_CA_CERT: ca.certPem,
        HTTPS_PROXY: proxy.url,
      },
      stepEnv: { NODE_EXTRA_CA_CERTS: ca.certPath },
      secrets: [DEFAULT_SCA.password],
      close: async () => {
        await proxy.close();
        await upstream.close();
      },
    };
  }
  const upstream = await startCheckmarxUpstream();
  upstream.iam.config.signedApiKeys = NO_API_KEYS;
  upstream.iam.config.realms[DEFAULT_REALM.name]!.astBaseUrl = upstream.api.url;
  const env: Env =
    product === 'cxone'
      ? {
          CX_PRODUCT: 'cxone',
          CX_IAM_URL: upstream.iam.url,
          CX_TENANT: DEFAULT_REALM.name,
          CX_CLIENT_ID: DEFAULT_REALM.clientId,
          CX_CLIENT_SECRET: DEFAULT_REALM.clientSecret,
        }
      : {
          CX_PRODUCT: product,
          CX_SERVER_URL: upstream.api.url,
          CX_TOKEN_URL: upstream.iam.url + IDENTITY_TOKEN_PATH,
          CX_USERNAME: DEFAULT_SAST_USER.username,
          CX_PASSWORD: DEFAULT_SAST_USER.password,
        };
  const secrets = product === 'cxone' ? [DEFAULT_REALM.clientSecret] : [DEFAULT_SAST_USER.password];
  return { upstream, env, stepEnv: {}, secrets, close: () => upstream.close() };
}

interface ThiefReport {
  env: Record<string, string>;
  printed: Record<string, string>;
  values: string[];
  login: { status: number; token?: string };
  apiStatus: number;
  accepted: Record<string, string[]>;
}

const thiefArgs = (report: string, upstream: CheckmarxUpstream, product: ProductName) => [
  THIEF,
  report,
  CLI_ENTRY,
  upstream.iam.url,
  upstream.api.url,
  product,
];

/** What the thief found: it worked inside the job, and nothing it read works at the real Checkmarx. */
function assertThiefGotNothing(report: ThiefReport, upstream: CheckmarxUpstream): void {
  assert.equal(report.login.status, 200, 'the job credential did not work at the facade');
  assert.equal(report.apiStatus, 200, 'the phantom did not work through the facade');
  assert.ok(
    upstream.api.requests.some((request) => request.authorized),
    'nothing reached the real API with a real token',
  );
  assert.deepEqual(report.accepted, {}, 'the real Checkmarx accepted a value the job could read');
  const real = upstream.iam.issuedAccessTokens;
  for (const value of report.values) for (const token of real) assert.ok(!value.includes(token), 'the job could read a real token');
}

/** After the agent or exec has stopped: connections to the facade are refused. */
function assertRefused(origin: string): Promise<void> {
  return assert.rejects(
    new Promise((resolve, reject) => {
      const request = http.get(`${origin}/`, { agent: false }, resolve);
      request.once('error', reject);
    }),
    { code: 'ECONNREFUSED' },
  );
}

function exported(run: CliRun): Record<string, string> {
  return Object.fromEntries([...run.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((match) => [match[1]!, match[2]!]));
}

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'cxauth-sealed-e2e-'));
});
after(() => {
  killAgentsUnder(work);
  rmSync(work, { recursive: true, force: true });
});

for (const product of PRODUCT_NAMES) {
  describe(`${product}, sealed`, () => {
    let checkmarx: Checkmarx;
    before(async () => {
      checkmarx = await checkmarxFor(product);
    });
    after(async () => {
      await checkmarx.close();
    });

    test('start-agent --sealed prints phantoms and the sealed variables; a later step gets nothing that works outside the job; stop-agent ends the facade', async () => {
      const { upstream } = checkmarx;
      const folder = mkdtempSync(join(work, `${product}-`));
      const start = await runCli(['start-agent', '--sealed'], { env: { ...checkmarx.env, RUNNER_TEMP: folder } });
      assert.equal(start.code, 0, start.stderr);
      assertNoLeak(start, [...checkmarx.secrets, ...upstream.iam.issuedAccessTokens]);
      const variables = exported(start);
      const origin = product === 'cxone' ? variables.CX_BASE_URI! : variables.CX_SEALED_SERVER_URL!;
      assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(variables.CX_API_URL!.startsWith(origin));
      assert.ok(decodeJwt(variables.CX_ACCESS_TOKEN!), 'the phantom is JWT-shaped');
      const names =
        product === 'cxone'
          ? ['CX_BASE_URI', 'CX_BASE_AUTH_URI', 'CX_TENANT', 'CX_CLIENT_ID', 'CX_CLIENT_SECRET']
          : ['CX_SEALED_SERVER_URL', 'CX_SEALED_USERNAME', 'CX_SEALED_PASSWORD'];
      for (const name of ['CX_AUTH_SOCK', 'CX_ACCESS_TOKEN', ...names]) assert.ok(variables[name], `${name} is not printed`);

      // A later step: the job's variables only (no credential), the thief as its code.
      const report = join(folder, 'thief.json');
      const step = await runProcess(process.execPath, thiefArgs(report, upstream, product), {
        env: cleanEnv({ ...checkmarx.stepEnv, ...variables }),
        cwd: folder,
      });
      assert.equal(step.code, 0, step.stderr);
      const seen = JSON.parse(readFileSync(report, 'utf8')) as ThiefReport;
      for (const format of ['token', 'json', 'env', 'azure', 'powershell']) {
        assert.ok(seen.printed[format], `token --format ${format} printed nothing`);
        for (const token of upstream.iam.issuedAccessTokens)
          assert.ok(!seen.printed[format]!.includes(token), `token --format ${format} printed a real token`);
      }
      assertThiefGotNothing(seen, upstream);

      const stop = await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: variables.CX_AUTH_SOCK } });
      assert.equal(stop.code, 0, stop.stderr);
      await assertRefused(origin);
    });

    test('exec --sealed: the child gets phantoms and the sealed variables, never CX_AUTH_SOCK nor a working credential; then the facade is gone', async () => {
      const { upstream } = checkmarx;
      const folder = mkdtempSync(join(work, `${product}-exec-`));
      const report = join(folder, 'thief.json');
      const run = await runCli(['exec', '--sealed', '--', process.execPath, ...thiefArgs(report, upstream, product)], {
        env: { ...checkmarx.env, ...checkmarx.stepEnv, CX_AUTH_SOCK: undefined },
      });
      assert.equal(run.code, 0, run.stderr);
      assertNoLeak(run, [...checkmarx.secrets, ...upstream.iam.issuedAccessTokens]);
      const seen = JSON.parse(readFileSync(report, 'utf8')) as ThiefReport;
      assert.equal(seen.env.CX_AUTH_SOCK, undefined);
      for (const name of ['CX_PASSWORD', 'CX_CLIENT_SECRET']) assert.ok(!checkmarx.secrets.includes(seen.env[name] ?? ''), name);
      assertThiefGotNothing(seen, upstream);
      const origin = seen.env.CX_BASE_URI ?? seen.env.CX_SEALED_SERVER_URL!;
      await assertRefused(origin);
    });
  });
}

describe("Checkmarx One's own tools, sealed", () => {
  let checkmarx: Checkmarx;
  before(async () => {
    checkmarx = await checkmarxFor('cxone');
  });
  after(async () => checkmarx.close());

  test('a plain cx (ast-cli-client.ts) as the child of exec --sealed logs in at the facade, by form and by HTTP Basic', async () => {
    const folder = mkdtempSync(join(work, 'cx-'));
    for (const basic of [false, true]) {
      const report = join(folder, `cx-${basic}.json`);
      const run = await runCli(['exec', '--sealed', '--', process.execPath, CX_CLIENT, report, ...(basic ? ['--basic'] : [])], {
        env: checkmarx.env,
      });
      assert.equal(run.code, 0, run.stderr);
      const seen = JSON.parse(readFileSync(report, 'utf8')) as {
        env: Record<string, string>;
        logins: Array<{ status: number; body: { access_token: string } }>;
      };
      assert.equal(seen.logins.length, 1);
      assert.equal(seen.logins[0]!.status, 200);
      const phantom = seen.logins[0]!.body.access_token;
      assert.ok(!checkmarx.upstream.iam.issuedAccessTokens.includes(phantom), 'cx got a real token');
      assert.equal(decodeJwt(phantom)?.['ast-base-url'], seen.env.CX_BASE_URI);
    }
  });

  test('an MCP client in a later step reads server-sent events through the agent facade, one by one', async () => {
    const folder = mkdtempSync(join(work, 'mcp-'));
    const start = await runCli(['start-agent', '--sealed', '--read-only', '--format', 'json'], {
      env: { ...checkmarx.env, RUNNER_TEMP: folder },
    });
    assert.equal(start.code, 0, start.stderr);
    // A sealed agent forwards the job's API traffic: it keeps V8's compilers (launch.ts, AGENT_NODE_FLAGS.facade).
    const [pid] = [...agentPidsUnder(folder)];
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes('--max-semi-space-size=1') && !argv.includes('--lite-mode'), argv.join(' '));
    const printed = JSON.parse(start.stdout) as {
      authSock: string;
      accessToken: string;
      apiUrl: string;
      sealedVariables: Record<string, string>;
    };
    try {
      let read = 0;
      checkmarx.upstream.api.route('/api/security-mcp/', (req, res) => {
        req.resume();
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        void (async () => {
          for (let id = 1; id <= 3; id++) {
            res.write(`id: ${id}\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\n\n`);
            // The next event only once the client has this one: a facade that held the stream fails here.
            await waitFor(`the client to read event ${id}`, () => read >= id, 20_000);
          }
          res.end();
        })();
      });
      // read-only: MCP's streamable HTTP GET stream passes; its POST would be 405.
      const events = await new Promise<string[]>((resolve, reject) => {
        const request = http.get(
          `${printed.apiUrl}/security-mcp/mcp/acme`,
          { agent: false, headers: { Authorization: `Bearer ${printed.accessToken}`, Accept: 'text/event-stream' } },
          (response) => {
            const seen: string[] = [];
            let buffered = '';
            response.setEncoding('utf8').on('data', (chunk: string) => {
              buffered += chunk;
              for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
                seen.push(buffered.slice(0, end));
                buffered = buffered.slice(end + 2);
                read = seen.length;
              }
            });
            response.once('end', () => resolve(seen));
          },
        );
        request.once('error', reject);
      });
      assert.equal(events.length, 3);
      const post = await new Promise<number>((resolve, reject) => {
        const request = http.request(
          `${printed.apiUrl}/security-mcp/mcp/acme`,
          { method: 'POST', agent: false, headers: { Authorization: `Bearer ${printed.accessToken}`, 'Content-Length': '2' } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.once('error', reject);
        request.end('{}');
      });
      assert.equal(post, 405);
    } finally {
      await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: printed.authSock } });
    }
  });
});
