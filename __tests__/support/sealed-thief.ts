// A thief in a sealed job (issue 28): the job's code gone bad. It collects every value it can read
// (its environment; what `checkmarx-auth token` prints in every format when CX_AUTH_SOCK is there;
// what the facade's token endpoint answers the job credential), proves they work inside the job (a
// login at the facade and an API call through it), then replays each value at the real Checkmarx
// the ways thief.ts does (a bearer token, an API key, a client secret, a password). It writes what
// it saw to REPORT as JSON and prints nothing.
//
// node sealed-thief.ts REPORT CLI_ENTRY REAL_IAM REAL_API PRODUCT
//   REAL_IAM, REAL_API  the real token server's and API's origins (never in the job's variables)

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { acceptedLoot, loot } from './thief.ts';
import { defaultTokenServerConfig } from './token-server.ts';

const [report, cli, realIam, realApi, product] = process.argv.slice(2) as [string, string, string, string, string];
const env = process.env;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const FORMATS = ['token', 'json', 'env', 'azure', 'powershell'];
const timeout = () => AbortSignal.timeout(20_000);

// What the job can read, whole: loot (thief.ts) cuts it into every value that could be a credential.
const collected = new Set<string>(Object.values(env).filter((value): value is string => Boolean(value)));
const printed: Record<string, string> = {};
if (env.CX_AUTH_SOCK) {
  for (const format of FORMATS) {
    const out = execFileSync(process.execPath, [cli, 'token', '--format', format], { env, encoding: 'utf8', timeout: 60_000 });
    printed[format] = out;
    collected.add(out);
  }
}

/** The job's login at the facade, as the product's tools do it: what it answers is collected too. */
async function loginAtFacade(): Promise<{ status: number; token?: string; apiBase?: string }> {
  let url: string;
  let body: URLSearchParams;
  let apiBase: string;
  if (env.CX_BASE_AUTH_URI) {
    url = `${env.CX_BASE_AUTH_URI}/auth/realms/${(env.CX_TENANT ?? '').toLowerCase()}/protocol/openid-connect/token`;
    body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: env.CX_CLIENT_ID ?? '',
      client_secret: env.CX_CLIENT_SECRET ?? '',
    });
    apiBase = `${env.CX_BASE_URI}/api/projects`;
  } else {
    const sca = product === 'sca';
    url = `${env.CX_SEALED_SERVER_URL}${sca ? '/identity/connect/token' : '/cxrestapi/auth/identity/connect/token'}`;
    body = new URLSearchParams({
      grant_type: 'password',
      username: env.CX_SEALED_USERNAME ?? '',
      password: env.CX_SEALED_PASSWORD ?? '',
      scope: sca ? 'sca_api' : 'sast_rest_api',
      client_id: sca ? 'sca_resource_owner' : 'resource_owner_client',
      ...(sca ? { acr_values: `Tenant:${env.CX_TOKEN_TENANT ?? ''}` } : { client_secret: '014DF517-39D1-4453-B7B3-9930C563627C' }),
    });
    apiBase = `${env.CX_API_URL}${sca ? '/risk-management/projects' : '/projects'}`;
  }
  const response = await fetch(url, { method: 'POST', headers: FORM, body, signal: timeout() });
  const text = await response.text();
  collected.add(text);
  const token = response.ok ? (JSON.parse(text) as { access_token: string }).access_token : undefined;
  return { status: response.status, ...(token ? { token } : {}), apiBase };
}

const login = await loginAtFacade();
let apiStatus = 0;
if (login.token && login.apiBase) {
  apiStatus = (await fetch(login.apiBase, { headers: { Authorization: `Bearer ${login.token}` }, signal: timeout() })).status;
}

// Every value cut as thief.ts cuts it, replayed as thief.ts replays it, at the URLs given: the job
// does not know the real Checkmarx's clients, so the test server's defaults stand in for them.
const real = { iamUrl: realIam, apiUrl: realApi, sastClients: defaultTokenServerConfig().sastClients };
const values = loot(collected);
const accepted: Record<string, string[]> = {};
for (const [value, ways] of await acceptedLoot(real, values)) accepted[value.slice(0, 12)] = ways;

writeFileSync(
  report,
  JSON.stringify({
    env: { ...env },
    printed,
    values: [...values],
    login: { status: login.status, token: login.token },
    apiStatus,
    accepted,
  }),
);
