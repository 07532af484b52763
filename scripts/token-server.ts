// Starts the project's Checkmarx-compatible token server (the one the tests use) on 127.0.0.1, for
// the e2e workflow and for trying the action by hand. The credentials it accepts are test fixtures,
// not secrets; --write-env writes them as NAME=value lines (GitHub's $GITHUB_ENV format).

import { appendFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { makeApiKey } from '../__tests__/support/jwt.ts';
import {
  DEFAULT_OIDC_CLIENT,
  DEFAULT_REALM,
  DEFAULT_SAST_TOKEN,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  IDENTITY_TOKEN_PATH,
  SCA_TOKEN_PATH,
  keycloakTokenPath,
  startTokenServer,
} from '../__tests__/support/token-server.ts';

const USAGE = `Usage: node scripts/token-server.ts [--port <port>] [--write-env <file>]

Serves, on http://127.0.0.1:<port> (default: a free port):
  CxSAST / Access Control  ${IDENTITY_TOKEN_PATH}
  SCA                      ${SCA_TOKEN_PATH}
  Checkmarx One            ${keycloakTokenPath(DEFAULT_REALM.name)}

The test credentials it accepts (fixtures, not secrets):
  CxSAST / Access Control  username ${DEFAULT_SAST_USER.username}, password '${DEFAULT_SAST_USER.password}';
                           or api-key ${DEFAULT_SAST_TOKEN} (a GenerateToken token);
                           or client-id ${DEFAULT_OIDC_CLIENT.clientId}, client-secret '${DEFAULT_OIDC_CLIENT.clientSecret}' (client_credentials)
  SCA                      tenant ${DEFAULT_SCA.tenant}, username ${DEFAULT_SCA.username}, password '${DEFAULT_SCA.password}'
  Checkmarx One            tenant ${DEFAULT_REALM.name}; client-id ${DEFAULT_REALM.clientId}, client-secret '${DEFAULT_REALM.clientSecret}';
                           or an API key for this server's URL (--write-env writes one)

--write-env appends the URL and those credentials (TOKEN_SERVER_*) to a file, e.g. "$GITHUB_ENV",
once the port is its own and before it answers a request. A port that is taken ends it with exit
code 2 and a message. Stop it with Ctrl-C or SIGTERM.
`;

/** The test credentials the server accepts, named for environment variables. */
function fixtureVariables(url: string): Record<string, string> {
  return {
    TOKEN_SERVER_URL: url,
    TOKEN_SERVER_SAST_USERNAME: DEFAULT_SAST_USER.username,
    TOKEN_SERVER_SAST_PASSWORD: DEFAULT_SAST_USER.password,
    TOKEN_SERVER_SAST_TOKEN: DEFAULT_SAST_TOKEN,
    TOKEN_SERVER_OIDC_CLIENT_ID: DEFAULT_OIDC_CLIENT.clientId,
    TOKEN_SERVER_OIDC_CLIENT_SECRET: DEFAULT_OIDC_CLIENT.clientSecret,
    TOKEN_SERVER_SCA_TENANT: DEFAULT_SCA.tenant,
    TOKEN_SERVER_SCA_USERNAME: DEFAULT_SCA.username,
    TOKEN_SERVER_SCA_PASSWORD: DEFAULT_SCA.password,
    TOKEN_SERVER_CXONE_TENANT: DEFAULT_REALM.name,
    TOKEN_SERVER_CXONE_API_KEY: makeApiKey({ realmUrl: `${url}/auth/realms/${DEFAULT_REALM.name}` }),
    TOKEN_SERVER_CXONE_CLIENT_ID: DEFAULT_REALM.clientId,
    TOKEN_SERVER_CXONE_CLIENT_SECRET: DEFAULT_REALM.clientSecret,
  };
}

function parsePort(value: string | undefined): number {
  const port = Number(value ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port '${value}' is not a port number`);
  return port;
}

/** Listens on 127.0.0.1; a port that is taken (EADDRINUSE) or not allowed (EACCES) is an error that says what to do. */
function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = LISTEN_PROBLEMS[error.code ?? ''] ?? `cannot listen on it (${error.code ?? error.message})`;
      reject(new Error(`port ${port} on 127.0.0.1: ${why}. Leave --port out for a free port, or choose another.`));
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'another program already listens there (EADDRINUSE)',
  EACCES: 'this user may not listen there (EACCES)',
};

function writeEnvFile(file: string, url: string): void {
  const lines = Object.entries(fixtureVariables(url)).map(([name, value]) => `${name}=${value}\n`);
  appendFileSync(file, lines.join(''));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'write-env': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const port = parsePort(values.port);
  const envFile = values['write-env'];

  // The test server listens on a free port; a second listener on the asked-for port shares its handler.
  const tokenServer = await startTokenServer();
  const server = http.createServer(tokenServer.handler);
  let url: string;
  try {
    url = `http://127.0.0.1:${await listen(server, port)}`;
  } catch (error) {
    // Nothing may keep the process alive: a script waiting for the server must see it exit.
    await tokenServer.close();
    throw error;
  }
  // Written once the port is ours and before the event loop serves a request (the write is
  // synchronous), so that "it answers" still means "the file is complete", and a failed start
  // leaves no URL of somebody else's server behind.
  if (envFile) writeEnvFile(envFile, url);

  console.log(`Checkmarx-compatible token server listening on ${url}`);
  const stop = () => {
    server.closeAllConnections();
    server.close();
    void tokenServer.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`token-server: ${(error as Error).message}`);
  process.exitCode = 2;
});
