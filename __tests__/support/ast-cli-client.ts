// A stand-in for `cx` (ast-cli) as `exec` runs it: it logs in the way internal/wrappers/client.go
// does (POST {CX_BASE_AUTH_URI}/auth/realms/{lower-cased CX_TENANT}/protocol/openid-connect/token,
// a form body of grant_type=client_credentials, client_id and client_secret, keeping only
// access_token), and writes what it saw as JSON to REPORT for the test to read. It prints nothing.
//
// node ast-cli-client.ts REPORT [--logins N] [--basic] [--exit CODE] [--ready FILE] [--wait-signal]
//   --logins N     log in N times (default 1 when CX_BASE_AUTH_URI is set, else 0)
//   --basic        send the client as HTTP Basic instead of form fields
//   --exit CODE    exit with CODE
//   --ready FILE   write FILE once the report is written, then wait for a signal (--wait-signal)
//   --wait-signal  keep running until SIGTERM or SIGINT, then write `signal` into the report and exit 7

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    logins: { type: 'string' },
    basic: { type: 'boolean' },
    exit: { type: 'string' },
    ready: { type: 'string' },
    'wait-signal': { type: 'boolean' },
    'no-handler': { type: 'boolean' },
  },
});
const report = positionals[0]!;
const env = process.env;

interface Login {
  status: number;
  body: Record<string, unknown>;
}

async function login(): Promise<Login> {
  const url = `${env.CX_BASE_AUTH_URI}/auth/realms/${(env.CX_TENANT ?? '').toLowerCase()}/protocol/openid-connect/token`;
  const escape = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'ASTCLI/test' };
  let body = 'grant_type=client_credentials';
  if (values.basic) {
    headers.Authorization = `Basic ${Buffer.from(`${escape(env.CX_CLIENT_ID ?? '')}:${escape(env.CX_CLIENT_SECRET ?? '')}`).toString('base64')}`;
  } else {
    body += `&client_id=${escape(env.CX_CLIENT_ID ?? '')}&client_secret=${escape(env.CX_CLIENT_SECRET ?? '')}`;
  }
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const logins: Login[] = [];
const count = values.logins !== undefined ? Number(values.logins) : env.CX_BASE_AUTH_URI ? 1 : 0;
for (let n = 0; n < count; n++) logins.push(await login());
const state = { env: { ...env }, logins, signal: undefined as string | undefined };
writeFileSync(report, JSON.stringify(state));

if (values['wait-signal']) {
  const keepAlive = setInterval(() => {}, 1000);
  if (!values['no-handler']) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        clearInterval(keepAlive);
        writeFileSync(report, JSON.stringify({ ...state, signal }));
        process.exit(7);
      });
    }
  }
  setTimeout(() => process.exit(99), 30_000).unref();
}
if (values.ready) writeFileSync(values.ready, 'ready');
if (values.exit !== undefined && !values['wait-signal']) process.exit(Number(values.exit));
