// Stable error codes (SPEC, Behaviour): every code in src/core/error-codes.ts has its entry in
// docs/troubleshooting.md, and is reached here through a real front end (the committed CLI, action
// or Azure task bundle, against the token server or a peer made for it), which prints it with its
// message and exits as the table says. A code that only a slow or timed scenario reaches is
// asserted in the test file named for it, which this test checks.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../src/core/error-codes.ts';
import { ACK_LINE } from '../src/agent/protocol.ts';
import { runTask } from './support/azure.ts';
import { killAgentsUnder } from './support/processes.ts';
import {
  ACTION_ENTRY,
  assertNoLeak,
  LOOPBACK_ONLY_DNS_ENV,
  REPO_ROOT,
  runAction,
  runCli,
  unescapeCommandData,
  type ProcessRun,
} from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type ScriptedResponse, type TokenServer } from './support/token-server.ts';

const PASSWORD = DEFAULT_SAST_USER.password;
const A_KEY = 'k'.repeat(43);

let server: TokenServer;
let work: string;
const peers: Server[] = [];
/** A TCP server on 127.0.0.1 that accepts and never answers: only a deadline ends a request to it. */
let blackHole: { server: Server; url: string; sockets: Set<Socket> };

before(async () => {
  server = await startTokenServer();
  work = mkdtempSync(join(tmpdir(), 'cxauth-codes-'));
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => void sockets.add(socket.on('error', () => {})));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  blackHole = { server: silent, url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token`, sockets };
});
after(async () => {
  killAgentsUnder(work);
  blackHole.sockets.forEach((socket) => socket.destroy());
  await Promise.all([...peers, blackHole.server].map((peer) => new Promise((resolve) => peer.close(resolve))));
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A Unix socket under the test's folder that answers each connection as `answer` says. */
async function peer(name: string, answer: (socket: Socket) => void): Promise<string> {
  const address = join(work, `${name}.sock`);
  const listening = createServer((socket) => {
    // Read to the end, so that the caller's close ends the connection and close() can finish.
    socket.on('error', () => {}).resume();
    answer(socket);
  });
  peers.push(listening);
  await new Promise<void>((resolve) => listening.listen(address, resolve));
  return address;
}

const sastFlags = (extra: string[] = []) => [
  '--product',
  'sast',
  '--server-url',
  server.url,
  '--username',
  DEFAULT_SAST_USER.username,
  ...extra,
];
const sastInputs = { product: 'sast', 'server-url': '', username: DEFAULT_SAST_USER.username, password: PASSWORD };

/** The CLI against the token server, after queueing one scripted answer. */
function cliAfter(answer: ScriptedResponse, extra: string[] = []) {
  return () => {
    server.enqueue(answer);
    return runCli(sastFlags(['--max-attempts', '1', ...extra]), { env: { CX_PASSWORD: PASSWORD } });
  };
}

const oauthError = (status: number, error: string) => cliAfter({ status, body: { error, error_description: 'from the server' } });

type FrontEnd = 'cli' | 'cli in Azure Pipelines' | 'action' | 'task';

interface Reached {
  readonly frontEnd: FrontEnd;
  readonly run: () => Promise<ProcessRun>;
}

/** The code that the front end printed with its error, and the exit code the table gives it. */
function printedCode(frontEnd: FrontEnd, run: ProcessRun): string | undefined {
  switch (frontEnd) {
    case 'cli':
      return /^checkmarx-auth: error \[([^\]]+)\]: /m.exec(run.stderr)?.[1];
    case 'action': {
      const line = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
      return /^\[([^\]]+)\] /.exec(unescapeCommandData(line.slice('::error::'.length)))?.[1];
    }
    case 'cli in Azure Pipelines':
      return /^##vso\[task\.logissue type=error;code=([^;\]]+)\]checkmarx-auth: \[/m.exec(run.stderr)?.[1];
    case 'task':
      return /^##vso\[task\.logissue type=error;code=([^;\]]+);\]\[/m.exec(run.stdout)?.[1];
  }
}

const cli = (run: () => Promise<ProcessRun>): Reached => ({ frontEnd: 'cli', run });
const action = (run: () => Promise<ProcessRun>): Reached => ({ frontEnd: 'action', run });

/** Codes reached only by a scenario that waits or signals: the file that asserts each. */
const ASSERTED_ELSEWHERE = {
  'agent/no-answer': 'agent-lifetime.e2e.test.ts', // the agent's 10 s acknowledgement deadline
  'agent/cancelled': 'agent-lifetime.e2e.test.ts', // a SIGINT while the agent starts
  'internal/unexpected': 'entries.test.ts', // needs a bug: I/O that throws what no code of ours throws
} as const satisfies Partial<Record<ErrorCode, string>>;

type ReachedHere = Exclude<ErrorCode, keyof typeof ASSERTED_ELSEWHERE>;

/** One way to meet each code (the compiler insists on every one). */
const SCENARIOS: Record<ReachedHere, Reached> = {
  'input/missing': cli(() => runCli(['--product', 'sast'])),
  'input/invalid': cli(() => runCli(sastFlags(['--product', 'sats']), { env: { CX_PASSWORD: PASSWORD } })),
  'input/ca-cert': cli(() => runCli(sastFlags(['--ca-cert', join(work, 'no-such.pem')]), { env: { CX_PASSWORD: PASSWORD } })),
  'input/connection': {
    frontEnd: 'task',
    run: () => runTask({ node: process.execPath, inputs: { connection: 'no-such-connection', product: 'sast' }, temp: folder('task') }),
  },
  'input/runner': action(() =>
    runAction({ inputs: { ...sastInputs, 'server-url': server.url, agent: 'true' }, env: { RUNNER_TEMP: undefined } }),
  ),
  'usage/unknown-flag': cli(() => runCli(sastFlags(['--pasword', 'x']))),
  'usage/flag-value': cli(() => runCli(sastFlags(['--region']))),
  'usage/unexpected-argument': cli(() => runCli(['s3cretHalf', ...sastFlags()])),
  'usage/unknown-verb': cli(() => runCli(['tokn', ...sastFlags()])),
  'usage/unknown-format': cli(() => runCli(sastFlags(['--format', 'yaml']))),
  'usage/no-command': cli(() => runCli(['exec', ...sastFlags(), '--'])),
  'token-request/invalid-grant': cli(() => runCli(sastFlags(['--max-attempts', '1']), { env: { CX_PASSWORD: 'not the password' } })),
  'token-request/invalid-client': cli(oauthError(400, 'invalid_client')),
  'token-request/unauthorized-client': cli(oauthError(400, 'unauthorized_client')),
  'token-request/unsupported-grant-type': cli(oauthError(400, 'unsupported_grant_type')),
  'token-request/invalid-scope': cli(oauthError(400, 'invalid_scope')),
  'token-request/invalid-request': cli(oauthError(400, 'invalid_request')),
  'token-request/rate-limited': cli(cliAfter({ status: 429, body: { error: 'too_many_requests' } })),
  'token-request/server-error': cli(cliAfter({ status: 503, body: 'down' })),
  'token-request/http-error': cli(cliAfter({ status: 403, body: { error: 'access_denied' } })),
  'token-request/redirect': cli(cliAfter({ status: 302, headers: { location: 'https://sso.example.com/login' } })),
  'token-request/html': cli(cliAfter({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Sign in</body></html>' })),
  'token-request/bad-response': cli(cliAfter({ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } })),
  'token-request/timeout': cli(() =>
    runCli(sastFlags(['--max-attempts', '1', '--token-url', blackHole.url, '--timeout-seconds', '0.5']), {
      env: { CX_PASSWORD: PASSWORD },
    }),
  ),
  'token-request/tls': cli(() =>
    runCli(sastFlags(['--max-attempts', '1', '--server-url', server.url.replace('http:', 'https:')]), { env: { CX_PASSWORD: PASSWORD } }),
  ),
  'token-request/network': cli(() =>
    runCli(sastFlags(['--max-attempts', '1', '--server-url', 'https://cx.invalid']), {
      env: { CX_PASSWORD: PASSWORD, ...LOOPBACK_ONLY_DNS_ENV },
    }),
  ),
  'token-request/proxy': cli(() =>
    runCli(sastFlags(['--max-attempts', '1', '--server-url', 'https://cx.example.com']), {
      env: { CX_PASSWORD: PASSWORD, HTTPS_PROXY: 'http://[not-a-host', ...LOOPBACK_ONLY_DNS_ENV },
    }),
  ),
  'runner/file': action(() => runAction({ inputs: { ...sastInputs, 'server-url': server.url }, env: { GITHUB_OUTPUT: folder('output') } })),
  'agent/not-running': cli(() => runCli(['token'], { env: { CX_AUTH_SOCK: `${join(work, 'gone.sock')}#${A_KEY}` } })),
  // A later Azure Pipelines step that did not map the agent's secret variable.
  'agent/not-mapped': { frontEnd: 'cli in Azure Pipelines', run: () => runCli(['token'], { env: { TF_BUILD: 'True' } }) },
  'agent/bad-sock': cli(() => runCli(['token'], { env: { CX_AUTH_SOCK: 'not an agent' } })),
  'agent/refused': cli(() =>
    withAgent((sock) => runCli(['token'], { env: { CX_AUTH_SOCK: `${sock.slice(0, sock.lastIndexOf('#'))}#${A_KEY}` } })),
  ),
  'agent/bad-answer': cli(async () => {
    const address = await peer('bad-answer', (socket) => socket.end(`${ACK_LINE}{"ok":"perhaps"}\n`));
    return runCli(['token'], { env: { CX_AUTH_SOCK: `${address}#${A_KEY}` } });
  }),
  // A path longer than a Unix socket address can be: connect fails with EINVAL, not as a gone agent.
  'agent/unreachable': cli(() => runCli(['token'], { env: { CX_AUTH_SOCK: `${join(work, 'x'.repeat(120))}#${A_KEY}` } })),
  // The action run from a copy of its bundle without the CLI bundle beside it: the agent exits at once.
  'agent/start-failed': action(() => {
    const copy = folder('action-copy');
    copyFileSync(ACTION_ENTRY, join(copy, 'index.js'));
    return runAction({ inputs: { ...sastInputs, 'server-url': server.url, agent: 'true' }, entry: join(copy, 'index.js') });
  }),
  // exec --sealed needs a sealed agent: an unsealed one is refused before anything starts.
  'exec/agent-not-sealing': cli(() => withAgent((sock) => runCli(['exec', '--sealed', '--', 'true'], { env: { CX_AUTH_SOCK: sock } }))),
  'exec/not-found': cli(() =>
    runCli(['exec', ...sastFlags(), '--', 'checkmarx-auth-no-such-command'], { env: { CX_PASSWORD: PASSWORD, PATH: process.env.PATH } }),
  ),
  'exec/cannot-start': cli(() =>
    runCli(['exec', ...sastFlags(), '--', join(REPO_ROOT, 'package.json')], { env: { CX_PASSWORD: PASSWORD } }),
  ),
};

/** Starts an (unsealed) agent with start-agent, runs `use` with its CX_AUTH_SOCK, stops the agent. */
async function withAgent(use: (sock: string) => Promise<ProcessRun>): Promise<ProcessRun> {
  const started = await runCli(['start-agent', ...sastFlags()], { env: { CX_PASSWORD: PASSWORD, RUNNER_TEMP: folder('agent') } });
  assert.equal(started.code, 0, started.stderr);
  const sock = /^export CX_AUTH_SOCK='([^']+)'$/m.exec(started.stdout)?.[1] ?? '';
  try {
    return await use(sock);
  } finally {
    assert.equal((await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: sock } })).code, 0);
  }
}

function folder(name: string): string {
  const path = join(work, `${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path);
  return path;
}

describe('stable error codes', () => {
  it('the table, the scenarios here and the tests named elsewhere cover each code exactly once', () => {
    const reached = [...Object.keys(SCENARIOS), ...Object.keys(ASSERTED_ELSEWHERE)].sort();
    assert.deepEqual(reached, Object.keys(ERROR_CODES).sort());
  });

  for (const [code, file] of Object.entries(ASSERTED_ELSEWHERE)) {
    it(`${code} is asserted in ${file}`, () => {
      const text = readFileSync(join(REPO_ROOT, '__tests__', file), 'utf8');
      const escaped = `\\[${code.replace('/', '\\/')}\\]`;
      assert.ok(text.includes(`[${code}]`) || text.includes(escaped), `${file} does not assert [${code}]`);
    });
  }

  for (const [code, { frontEnd, run }] of Object.entries(SCENARIOS) as Array<[ReachedHere, Reached]>) {
    it(`${code}: the ${frontEnd} prints it with its message and exits as the table says`, { timeout: 120_000 }, async () => {
      const result = await run();
      assert.equal(printedCode(frontEnd, result), code, `${result.stdout}\n${result.stderr}`);
      assert.equal(result.code, frontEnd.startsWith('cli') ? ERROR_CODES[code].exit : 1);
      assertNoLeak(result, [PASSWORD]);
    });
  }
});

describe('docs/troubleshooting.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'troubleshooting.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Error codes\n'), doc.indexOf('\n## ', doc.indexOf('\n## Error codes\n') + 1));
  const rows = [...section.matchAll(/^\| `([a-z-]+\/[a-z-]+)` \|.*\| (\d+) \|$/gm)].map((match) => [match[1]!, Number(match[2])] as const);

  it('has one entry per code, in the order of the table, with its exit code', () => {
    assert.deepEqual(
      rows,
      Object.entries(ERROR_CODES).map(([code, spec]) => [code, spec.exit]),
    );
  });
});

describe('--format json: a failure is also a line of JSON on stderr', () => {
  /** The stderr lines that are JSON objects. */
  const jsonLines = (run: ProcessRun) =>
    run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('with the code and the message, after the line for people, for the bare command and for inspect; stdout stays empty', async () => {
    const refused = await runCli(sastFlags(['--max-attempts', '1', '--format', 'json']), { env: { CX_PASSWORD: 'not the password' } });
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    const lines = refused.stderr.trimEnd().split('\n');
    const [json] = jsonLines(refused);
    assert.deepEqual(Object.keys(json ?? {}), ['code', 'message']);
    assert.equal(json?.code, 'token-request/invalid-grant');
    assert.equal(lines.at(-1), JSON.stringify(json));
    assert.equal(lines.at(-2), `checkmarx-auth: error [${String(json?.code)}]: ${String(json?.message)}`);
    assertNoLeak(refused, ['not the password']);
    const inspect = await runCli(['inspect', '--product', 'sast', '--format', 'JSON']);
    assert.equal(inspect.code, 2);
    assert.equal(inspect.stdout, '');
    assert.deepEqual(
      jsonLines(inspect).map((line) => line.code),
      ['input/missing'],
    );
  });

  it('not for another format, nor for exec, which prints nothing of its own', async () => {
    const token = await runCli(['--product', 'sast']);
    assert.equal(token.code, 2);
    assert.deepEqual(jsonLines(token), []);
    const exec = await runCli(['exec', '--format', 'json', '--product', 'sast', '--', 'true']);
    assert.equal(exec.code, 2);
    assert.deepEqual(jsonLines(exec), []);
  });
});
