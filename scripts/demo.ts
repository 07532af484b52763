// `npm run demo`: the committed action bundle (run as the GitHub runner runs it) and the CLI get a
// token for each of the five products from the project's Checkmarx-compatible token server. A
// local HTTPS proxy answers as the real hosts (cx.example.test, platform.checkmarx.net,
// iam.checkmarx.net) with certificates from a throwaway CA, so nothing leaves 127.0.0.1 and no
// Checkmarx account is needed. The demo fails when a run fails, a token is not masked or a secret
// shows up in a log.

import { makeApiKey } from '../__tests__/support/jwt.ts';
import { startProxy } from '../__tests__/support/proxy.ts';
import type { TestProxy } from '../__tests__/support/proxy.ts';
import { assertNoLeak, runAction, runCli } from '../__tests__/support/run.ts';
import type { ActionRun, CliRun } from '../__tests__/support/run.ts';
import { makeTestCa } from '../__tests__/support/tls.ts';
import { DEFAULT_SAST_USER, DEFAULT_SCA, startTokenServer } from '../__tests__/support/token-server.ts';

const SAST_SERVER = 'https://cx.example.test';
const SAST_CREDENTIALS = { 'server-url': SAST_SERVER, username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password };
const CXONE_API_KEY = makeApiKey({ realmUrl: 'https://iam.checkmarx.net/auth/realms/acme' });

const PRODUCTS: ReadonlyArray<{ product: string; inputs: Record<string, string> }> = [
  { product: 'sast', inputs: SAST_CREDENTIALS },
  { product: 'sast-odata', inputs: SAST_CREDENTIALS },
  { product: 'access-control', inputs: SAST_CREDENTIALS },
  { product: 'sca', inputs: { tenant: DEFAULT_SCA.tenant, username: DEFAULT_SCA.username, password: DEFAULT_SCA.password } },
  { product: 'cxone', inputs: { 'api-key': CXONE_API_KEY } },
];
const SECRETS = [DEFAULT_SAST_USER.password, DEFAULT_SCA.password, CXONE_API_KEY];

interface Row {
  product: string;
  tokenUrl: string;
  expiresAt: string;
  actionToken: string;
  cliToken: string;
}

async function main(): Promise<void> {
  const started = performance.now();
  const ca = await makeTestCa();
  const server = await startTokenServer();
  let proxy: TestProxy | undefined;
  try {
    proxy = await startProxy({ mitm: { ca, handler: server.handler } });
    const env = { HTTPS_PROXY: proxy.url };
    const rows = await Promise.all(PRODUCTS.map(({ product, inputs }) => runBoth(product, { ...inputs, 'ca-cert': ca.certPath }, env)));
    printTable(rows);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `\n${server.requests.length} token requests, all answered on 127.0.0.1 through the local proxy ` +
        `(${[...new Set(proxy.connects)].sort().join(', ')}), in ${seconds} s.`,
    );
  } finally {
    await proxy?.close();
    await server.close();
    await ca.cleanup();
  }
}

async function runBoth(product: string, inputs: Record<string, string>, env: Record<string, string>): Promise<Row> {
  const flags = Object.entries({ product, ...inputs }).flatMap(([name, value]) => [`--${name}`, value]);
  const [action, cli] = await Promise.all([
    runAction({ inputs: { product, ...inputs }, env }),
    runCli([...flags, '--format', 'json'], { env }),
  ]);
  const fromAction = checkAction(product, action);
  const fromCli = checkCli(product, cli);
  if (fromAction.tokenUrl !== fromCli.tokenUrl) fail(product, `the action used ${fromAction.tokenUrl}, the CLI ${fromCli.tokenUrl}`);
  return {
    product,
    tokenUrl: fromAction.tokenUrl,
    expiresAt: fromAction.expiresAt,
    actionToken: fromAction.token,
    cliToken: fromCli.token,
  };
}

function checkAction(product: string, run: ActionRun): { tokenUrl: string; expiresAt: string; token: string } {
  if (run.code !== 0) fail(product, `the action exited with ${run.code}:\n${run.stdout}${run.stderr}`);
  const token = run.outputs['access-token'] ?? '';
  if (!token || !run.masks.includes(token)) fail(product, 'the action did not mask its access-token output');
  assertNoLeak(run, [...SECRETS, token]);
  return { tokenUrl: requestedUrl(product, run.stdout), expiresAt: run.outputs['expires-at'] ?? '', token };
}

function checkCli(product: string, run: CliRun): { tokenUrl: string; token: string } {
  if (run.code !== 0) fail(product, `the CLI exited with ${run.code}:\n${run.stderr}`);
  assertNoLeak({ stdout: '', stderr: run.stderr }, SECRETS); // stdout is the result, token included
  const result = JSON.parse(run.stdout) as { accessToken?: string };
  return { tokenUrl: requestedUrl(product, run.stderr), token: result.accessToken ?? '' };
}

/** The token endpoint, as both front ends log it: "Requesting a ... token from <url> (grant type ...". */
function requestedUrl(product: string, log: string): string {
  const url = / token from (\S+) \(grant type /.exec(log)?.[1];
  if (!url) fail(product, `no "Requesting a ... token from <url>" line in:\n${log}`);
  return url;
}

/** Enough to recognise a token, not enough to use it. */
function shorten(token: string): string {
  return `${token.slice(0, 6)}…****** (${token.length} chars)`;
}

function printTable(rows: Row[]): void {
  const header = ['product', 'token endpoint', 'expires-at', 'token (action)', 'token (CLI)'];
  const cells = rows.map((row) => [row.product, row.tokenUrl, row.expiresAt, shorten(row.actionToken), shorten(row.cliToken)]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  console.log('checkmarx-auth demo: the action and the CLI against a local Checkmarx-compatible token server\n');
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of cells) console.log(line(row));
}

function fail(product: string, why: string): never {
  throw new Error(`${product}: ${why}`);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
