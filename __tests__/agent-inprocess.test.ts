// The token agent in this process, so that coverage sees it: the agent's server loop from
// src/agent-server.ts on a socket in a temp folder (with a host that records its exit instead of
// ending this process), talked to with src/agent-client.ts; the launcher of src/agent-launch.ts,
// the CLI verbs of src/agent-commands.ts and the action's wrappers of src/action-agent.ts, which
// start the committed CLI bundle as the agent child. Every agent started here is stopped in an
// after hook, also when a test fails: in-process ones through their SIGTERM handler, child ones by
// PID or by removing their socket folder (an agent stops when its socket goes).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startActionAgent } from '../src/action/start-agent.ts';
import { workflowCommands } from '../src/action/workflow-commands.ts';
import { AgentNotRunning, askAgent } from '../src/agent/client.ts';
import { runVerb } from '../src/cli/verbs.ts';
import type { VerbContext } from '../src/cli/verb-context.ts';
import { startAgent } from '../src/agent/launch.ts';
import { writeCommandFolder } from '../src/agent/command-folder.ts';
import {
  ACK_LINE,
  encodeLine,
  HEARTBEAT,
  formatSock,
  newKey,
  parseAnswer,
  parseSock,
  type AgentAnswer,
  type AgentSettings,
  type AgentToken,
} from '../src/agent/protocol.ts';
import { runAgentProcess, serveAgent, type AgentHost } from '../src/agent/server.ts';
import { resolveSettings, type Settings } from '../src/core/settings.ts';
import { AgentError } from '../src/agent/errors.ts';
import { InputError } from '../src/core/errors.ts';
import { UsageError } from '../src/cli/usage-error.ts';
import type { Format } from '../src/cli/formats.ts';
import type { TokenResult } from '../src/core/token-response.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { runTimeSecretValues } from '../src/core/run-time-secrets.ts';
import { sastResult } from './support/fixtures.ts';
import { isAlive, killQuietly, waitFor } from './support/processes.ts';
import { parseFileCommands } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI_BUNDLE = join(ROOT, 'dist', 'cli', 'index.js');
const ACTION_BUNDLE = join(ROOT, 'dist', 'index.js');
/** A bound for waits and agent deadlines that only a hang reaches, also on a loaded machine. */
const WAIT_MS = 30_000;

const FIRST = sastResult({ accessToken: 'first-token', apiUrl: 'http://127.0.0.1/cxrestapi', refreshToken: 'never-handed-out' });

let server: TokenServer;
let work: string;
let settings: Settings;
before(async () => {
  server = await startTokenServer();
  work = mkdtempSync(join(tmpdir(), 'cxauth-test-'));
  settings = resolveSettings(
    {
      product: 'sast',
      'server-url': server.url,
      username: DEFAULT_SAST_USER.username,
      password: DEFAULT_SAST_USER.password,
      'max-attempts': '1',
    },
    SYSTEM_IO,
  );
});
after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---- the agent's server loop, in this process ----

interface InProcessAgent {
  readonly address: string;
  readonly key: string;
  readonly folder: string;
  readonly sock: string;
  /** exits this agent asked its host for */
  exits(): number;
  /** what the agent does on SIGTERM */
  sigterm(): void;
}

const exitCalls: number[] = [];
const sigtermHandlers: Array<() => void> = [];

function withStdin<T>(text: string, fn: () => Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(text)]), configurable: true, enumerable: true });
  return fn().finally(() => Object.defineProperty(process, 'stdin', original));
}

async function startInProcess(
  overrides: Partial<AgentSettings> = {},
  host: Pick<AgentHost, 'pollMs' | 'heartbeatMs'> = {},
): Promise<InProcessAgent> {
  const folder = mkdtempSync(join(work, 'agent-'));
  const address = join(folder, 'agent.sock');
  const key = newKey();
  const agentSettings: AgentSettings = {
    plan: settings.plan,
    transport: settings.transport,
    address,
    key,
    folder,
    first: { ...FIRST, refreshToken: undefined } as AgentToken,
    ageMs: 0,
    ...overrides,
  };
  const exitsBefore = exitCalls.length;
  let onTerminate: (() => void) | undefined;
  await serveAgent(agentSettings, { ...host, exit: (code) => void exitCalls.push(code), onTerminate: (stop) => (onTerminate = stop) });
  assert.ok(onTerminate, 'the agent asks to hear of SIGTERM');
  const stop = onTerminate;
  sigtermHandlers.push(stop);
  return {
    address,
    key,
    folder,
    sock: formatSock(address, key),
    exits: () => exitCalls.length - exitsBefore,
    sigterm: stop,
  };
}

describe('the agent server loop, in process', () => {
  after(() => {
    for (const stop of sigtermHandlers.splice(0)) stop(); // a no-op for those already stopped
  });

  let agent: InProcessAgent;
  before(async () => {
    server.reset();
    agent = await startInProcess();
  });

  it('listens once serveAgent resolves, on a socket in its own folder', () => {
    assert.ok(statSync(agent.address).isSocket());
  });

  it('hands out the first token from its cache, without its refresh token and without an exchange', async () => {
    const answer = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 60 }, WAIT_MS);
    assert.equal(answer.ok, true);
    assert.ok('result' in answer);
    assert.equal(answer.source, 'cache');
    assert.equal(answer.result.accessToken, 'first-token');
    assert.equal('refreshToken' in answer.result, false);
    assert.equal(server.requests.length, 0);
  });

  it('exchanges again at the token server when the token is too short for min-validity, then reuses it', async () => {
    const fresh = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 7200 }, WAIT_MS);
    assert.ok(fresh.ok && 'result' in fresh);
    assert.equal(fresh.source, 'exchange');
    assert.equal(server.requests.length, 1);
    assert.equal(fresh.result.accessToken, server.issuedAccessTokens[0]);
    assert.match(fresh.warning ?? '', /valid for 3600 s only, less than the 7200 s/);
    const reused = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 60 }, WAIT_MS);
    assert.ok(reused.ok && 'result' in reused);
    assert.deepEqual([reused.source, reused.result.accessToken], ['cache', fresh.result.accessToken]);
    assert.equal(server.requests.length, 1);
  });

  it('a failed exchange is an answer with the one-shot message and exit code 1; the old token stays', async () => {
    server.enqueue({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid_username_or_password' } });
    const failed = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 7200 }, WAIT_MS);
    assert.equal(failed.ok, false);
    assert.ok('exitCode' in failed);
    assert.equal(failed.exitCode, 1);
    assert.match(failed.message, /CxSAST/);
    assert.doesNotMatch(failed.message, new RegExp(DEFAULT_SAST_USER.password.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const still = await askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 60 }, WAIT_MS);
    assert.ok(still.ok && 'result' in still && still.source === 'cache');
  });

  it('refuses a wrong key, with exit code 2 and no exchange', async () => {
    const count = server.requests.length;
    const answer = await askAgent(agent.address, { key: newKey(), op: 'token', minValidity: 86_400 }, WAIT_MS);
    assert.deepEqual(answer, {
      ok: false,
      code: 'agent/refused',
      message: "The token agent refused the request: the key in CX_AUTH_SOCK is not this agent's.",
      exitCode: 2,
    });
    assert.equal(server.requests.length, count);
  });

  it('acknowledges a line at once, and answers one that is not its protocol with a refusal', async () => {
    const [ack, line] = (await rawExchange(agent.address, 'GET / HTTP/1.1\r\n\r\n')).split('\n');
    assert.equal(`${ack}\n`, ACK_LINE);
    assert.deepEqual(parseAnswer(line!.trim()), {
      ok: false,
      code: 'agent/refused',
      message: 'The token agent got a request it does not understand.',
      exitCode: 2,
    });
  });

  it('hangs up without answering on a line longer than 64 KiB', async () => {
    assert.equal(await rawExchange(agent.address, 'a'.repeat(64 * 1024 + 1)), '');
  });

  it('a wrong key cannot stop it', async () => {
    const answer = await askAgent(agent.address, { key: newKey(), op: 'stop' }, WAIT_MS);
    assert.equal(answer.ok, false);
    assert.equal(agent.exits(), 0);
  });

  it('stops on request: answers, exits 0, removes its folder; then it is not running', async () => {
    const answer = await askAgent(agent.address, { key: agent.key, op: 'stop' }, WAIT_MS);
    assert.deepEqual(answer, { ok: true, stopped: true, pid: process.pid });
    await waitFor('the agent to exit', () => agent.exits() === 1);
    assert.equal(exitCalls.at(-1), 0);
    assert.equal(existsSync(agent.folder), false);
    await assert.rejects(askAgent(agent.address, { key: agent.key, op: 'token', minValidity: 0 }, WAIT_MS), AgentNotRunning);
  });

  it('while it works on a request (its exchange), it sends heartbeats after the acknowledgement, then the answer', async () => {
    let release!: () => void;
    server.config.responseGate = new Promise<void>((resolve) => (release = resolve));
    const beating = await startInProcess({}, { heartbeatMs: 10 });
    const socket = connect(beating.address);
    socket.on('error', () => {});
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.write(encodeLine({ key: beating.key, op: 'token', minValidity: 7200 }));
    try {
      const exchanges = server.requests.length;
      await waitFor('the exchange to reach the token server', () => server.requests.length > exchanges);
      await waitFor('three heartbeats', () => received.startsWith(`${ACK_LINE}${HEARTBEAT.repeat(3)}`));
      assert.match(received, /^\{"ok":true,"ack":true\}\n *$/, 'only spaces follow the acknowledgement while the exchange is held');
    } finally {
      release();
      server.config.responseGate = undefined;
    }
    await waitFor('the answer line', () => received.endsWith('}\n') && received.split('\n').length === 3);
    const line = received.slice(ACK_LINE.length).trimEnd();
    assert.match(line, /^ +\{/, 'the answer comes after the heartbeats, on the same line');
    const answer = parseAnswer(line);
    assert.ok(answer && 'result' in answer && answer.source === 'exchange', line);
    socket.destroy();
    beating.sigterm();
  });

  it('stops when its socket path becomes a regular file (or another socket)', async () => {
    const replacements: Array<(path: string) => Promise<(() => void) | undefined>> = [
      async (path) => void writeFileSync(path, 'not a socket'),
      async (path) => {
        const other = createServer();
        await new Promise<void>((resolve) => other.listen(path, resolve));
        return () => void other.close();
      },
    ];
    for (const replace of replacements) {
      const replaced = await startInProcess({}, { pollMs: 20 });
      rmSync(replaced.address);
      const cleanup = await replace(replaced.address);
      try {
        await waitFor('the agent to notice its socket path is not its socket', () => replaced.exits() === 1);
        assert.equal(existsSync(replaced.folder), false);
      } finally {
        cleanup?.();
      }
    }
  });

  it('stops when its socket file is removed', async () => {
    const second = await startInProcess();
    rmSync(second.address);
    await waitFor('the agent to notice its socket is gone', () => second.exits() === 1);
    assert.equal(existsSync(second.folder), false);
  });

  it('stops on SIGTERM, once', async () => {
    const third = await startInProcess();
    third.sigterm();
    third.sigterm();
    assert.equal(third.exits(), 1);
    assert.equal(existsSync(third.folder), false);
  });

  it('refuses settings that are not its own, and a socket address it cannot listen on', async () => {
    await assert.rejects(withStdin('{"address":"/tmp/x"}', runAgentProcess), /bad settings/);
    await assert.rejects(withStdin('not json', runAgentProcess), SyntaxError);
    await assert.rejects(withStdin('x'.repeat(1024 * 1024 + 1), runAgentProcess), /settings too large/);
    const file = join(work, 'not-a-folder');
    writeFileSync(file, '');
    await assert.rejects(startInProcess({ address: join(file, 'agent.sock') }), /ENOTDIR|EACCES|ENOENT/);
  });
});

/** Connects, writes text, returns everything read until the agent closes. */
function rawExchange(address: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no close within the deadline'));
    }, WAIT_MS);
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(text);
  });
}

// ---- askAgent against things that are not the agent ----

describe('askAgent', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });
  async function fakeAgent(onLine: (socket: import('node:net').Socket) => void): Promise<string> {
    const address = join(mkdtempSync(join(work, 'fake-')), 'agent.sock');
    const fake = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => onLine(socket));
    });
    servers.push(fake);
    await new Promise<void>((resolve) => fake.listen(address, resolve));
    return address;
  }
  const ask = (address: string, deadlineMs = WAIT_MS, ackMs = WAIT_MS, silenceMs = WAIT_MS) =>
    askAgent(address, { key: newKey(), op: 'token', minValidity: 0 }, deadlineMs, { ackMs, silenceMs });

  it('nothing at the address: AgentNotRunning, naming the address and CX_AUTH_SOCK', async () => {
    const address = join(work, 'nobody', 'agent.sock');
    await assert.rejects(
      ask(address),
      (error: Error) => error instanceof AgentNotRunning && error.message.includes(address) && /CX_AUTH_SOCK/.test(error.message),
    );
  });

  it('an answer that is not its protocol', async () => {
    const address = await fakeAgent((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await assert.rejects(ask(address), { name: 'AgentError', message: 'The token agent sent an answer that is not its protocol.' });
  });

  it('an answer that is too long', async () => {
    const address = await fakeAgent((socket) => socket.write('x'.repeat(70 * 1024)));
    await assert.rejects(ask(address), { message: 'The token agent sent an answer that is too long.' });
  });

  it('a silent peer (a frozen agent, a foreign socket) is reported after the short acknowledgement deadline', async () => {
    const address = await fakeAgent(() => {});
    await assert.rejects(ask(address, 60_000, 200), {
      message: `The token agent at ${address} (from CX_AUTH_SOCK) did not acknowledge the request within 0.2 s: it is stopped or frozen, or what listens there is not a token agent.`,
    });
  });

  it('an acknowledged request gets the long deadline for its answer (a slow exchange), and no more', async () => {
    const answer: AgentAnswer = { ok: false, code: 'token-request/timeout', message: 'slow', exitCode: 1 };
    // Acknowledged at once, answered after more than the acknowledgement deadline. That deadline is
    // 2 s, not less: on a loaded machine the acknowledgement itself can take a few hundred ms.
    const slow = await fakeAgent((socket) => {
      socket.write(ACK_LINE);
      setTimeout(() => socket.end(encodeLine(answer)), 2_400);
    });
    assert.deepEqual(await ask(slow, 60_000, 2_000), answer);
    const never = await fakeAgent((socket) => socket.write(ACK_LINE));
    await assert.rejects(ask(never, 2_500, 2_000), { message: `The token agent at ${never} did not answer within 2.5 s.` });
  });

  it(
    'a peer that acknowledges, then says nothing (an agent frozen mid exchange) is reported after the silence bound, not the deadline',
    { timeout: WAIT_MS },
    async () => {
      let peer: import('node:net').Socket | undefined;
      const address = await fakeAgent((socket) => {
        peer = socket;
        socket.write(ACK_LINE);
      });
      let peerClosedFirst = false;
      const asked = ask(address, 10 * 60_000, WAIT_MS, 200).catch((error: Error) => {
        // The client gave up while the peer still held the connection open: no answer, no end.
        peerClosedFirst = peer?.readableEnded === true || peer?.destroyed === true;
        throw error;
      });
      await assert.rejects(asked, {
        name: 'AgentError',
        message: `The token agent at ${address} (from CX_AUTH_SOCK) acknowledged the request, then said nothing for 0.2 s: it is stopped or frozen.`,
      });
      assert.equal(peerClosedFirst, false);
    },
  );

  it('heartbeats after the acknowledgement keep a slow answer alive past the silence bound; the answer line may follow them', async () => {
    const answer: AgentAnswer = { ok: false, code: 'token-request/timeout', message: 'slow', exitCode: 1 };
    let beats = 0;
    const slow = await fakeAgent((socket) => {
      socket.write(ACK_LINE);
      const beat = setInterval(() => {
        beats += 1;
        socket.write(HEARTBEAT);
      }, 20);
      // Answered once the client has waited at least five times its silence bound.
      setTimeout(() => {
        clearInterval(beat);
        socket.end(encodeLine(answer));
      }, 1_500);
      socket.once('close', () => clearInterval(beat));
    });
    assert.deepEqual(await ask(slow, WAIT_MS, WAIT_MS, 300), answer);
    assert.ok(beats > 5, `${beats} heartbeats`);
  });

  it('a well-formed answer after the acknowledgement is returned as parsed; one without it is not the protocol', async () => {
    const answer: AgentAnswer = { ok: false, code: 'token-request/invalid-grant', message: 'no', exitCode: 1 };
    const address = await fakeAgent((socket) => socket.end(`${ACK_LINE}${JSON.stringify(answer)}\nignored`));
    assert.deepEqual(await ask(address), answer);
    const unacknowledged = await fakeAgent((socket) => socket.end(`${JSON.stringify(answer)}\n`));
    await assert.rejects(ask(unacknowledged), { message: 'The token agent sent an answer that is not its protocol.' });
  });
});

// ---- the launcher: the committed CLI bundle as the agent child ----

describe('startAgent', () => {
  const pids: number[] = [];
  after(() => pids.forEach((pid) => killQuietly(pid)));

  it('starts a detached agent in a 0700 folder under its temp base that serves the first token', async () => {
    const runnerTemp = mkdtempSync(join(work, 'rt-'));
    const key = newKey();
    const started = await startAgent({
      entry: CLI_BUNDLE,
      settings,
      first: FIRST,
      arrivedAt: performance.now(),
      key,
      tempBase: runnerTemp,
      environment: {},
    });
    pids.push(started.pid);
    assert.equal(dirname(dirname(started.address)), runnerTemp);
    assert.match(started.address, /\/cxauth-[^/]+\/agent\.sock$/);
    assert.equal(statSync(dirname(started.address)).mode & 0o777, 0o700);
    const answer = await askAgent(started.address, { key, op: 'token', minValidity: 60 }, WAIT_MS);
    assert.ok(answer.ok && 'result' in answer);
    assert.deepEqual([answer.source, answer.result.accessToken], ['cache', 'first-token']);
    // It answers a stop with its own PID: the post step signals only the process that said so.
    assert.deepEqual(await askAgent(started.address, { key, op: 'stop' }, WAIT_MS), { ok: true, stopped: true, pid: started.pid });
    await waitFor('the agent process to end', () => !isAlive(started.pid));
    assert.equal(existsSync(dirname(started.address)), false);
  });

  it('a temp base too deep for a socket path falls back to the system temp folder', async () => {
    const deep = join(work, 'd'.repeat(60), 'e'.repeat(60));
    mkdirSync(deep, { recursive: true });
    const started = await startAgent({
      entry: CLI_BUNDLE,
      settings,
      first: FIRST,
      arrivedAt: performance.now(),
      key: newKey(),
      tempBase: deep,
      environment: {},
    });
    pids.push(started.pid);
    try {
      assert.equal(dirname(dirname(started.address)), tmpdir());
      assert.deepEqual(readdirSync(deep), [], 'the folder that did not fit is removed');
    } finally {
      rmSync(dirname(started.address), { recursive: true, force: true });
    }
  });

  it('an entry that exits, or says something else than ready, fails with AgentError and leaves no folder', async () => {
    const runnerTemp = mkdtempSync(join(work, 'rt-'));
    const exits = join(work, 'exits.mjs');
    writeFileSync(exits, 'process.exit(3);\n');
    const babbles = join(work, 'babbles.mjs');
    writeFileSync(babbles, "process.stdout.write('hello\\n'); setTimeout(() => {}, 5000);\n");
    const launch = { settings, first: FIRST, arrivedAt: performance.now(), key: newKey(), tempBase: runnerTemp, environment: {} };
    await assert.rejects(
      startAgent({ ...launch, entry: exits }),
      (error: Error) => error instanceof AgentError && error.message === 'The token agent did not start (it exited with code 3).',
    );
    await assert.rejects(startAgent({ ...launch, entry: babbles }), {
      message: 'The token agent did not start (it said something unexpected).',
    });
    assert.deepEqual(readdirSync(runnerTemp), []);
  });
});

// ---- the CLI verbs, with a fake context ----

interface FakeRun {
  code: number;
  out: string;
  said: string[];
  warned: string[];
  debugged: string[];
  exchanges: number;
  /** The run-time secrets the verb registered with the log's masking, in order. */
  masked: string[];
  /** What had been masked when the verb first wrote to stdout. */
  maskedBeforeWrite?: string[];
}

async function verb(
  name: Parameters<typeof runVerb>[0],
  format: Format,
  env: Record<string, string | undefined>,
  flags: VerbContext['flags'] = {},
  result: TokenResult = FIRST,
): Promise<FakeRun> {
  const run: FakeRun = { code: -1, out: '', said: [], warned: [], debugged: [], exchanges: 0, masked: [] };
  run.code = await runVerb(name, {
    flags,
    format,
    env,
    exchangeCredentials: async () => {
      run.exchanges += 1;
      return { settings, result };
    },
    say: (m) => void run.said.push(m),
    warn: (m) => void run.warned.push(m),
    debug: (m) => void run.debugged.push(m),
    write: (text) => {
      run.maskedBeforeWrite ??= [...run.masked];
      run.out += text;
      return 0;
    },
    mask: (values) => void run.masked.push(...runTimeSecretValues(values)),
  });
  return run;
}

describe('runVerb', () => {
  after(() => {
    for (const stop of sigtermHandlers.splice(0)) stop();
  });

  it('token without CX_AUTH_SOCK is the one-shot exchange, warning when the token is shorter than min-validity', async () => {
    const run = await verb('token', 'token', {}, { 'min-validity': '7200' });
    assert.deepEqual([run.code, run.out, run.exchanges], [0, 'first-token\n', 1]);
    assert.deepEqual(run.warned, ['The new token is valid for 3600 s only, less than the 7200 s asked for (--min-validity).']);
    const quiet = await verb('token', 'token', {});
    assert.deepEqual(quiet.warned, []);
    // The printed token is registered with the log's masking before it is printed.
    assert.deepEqual(quiet.maskedBeforeWrite, ['first-token', 'never-handed-out']);
  });

  it('min-validity must be a whole number of seconds up to a day', async () => {
    for (const bad of ['soon', '-1', '1.5', '86401']) {
      await assert.rejects(
        verb('token', 'token', {}, { 'min-validity': bad }),
        (error: Error) => error instanceof InputError && error.message.includes(`'${bad}' is not a whole number of seconds`),
      );
    }
  });

  it('token with CX_AUTH_SOCK asks the agent, names its env variable from --env-name or CX_ENV_NAME', async () => {
    const agent = await startInProcess();
    const run = await verb('token', 'env', { CX_AUTH_SOCK: agent.sock, CX_ENV_NAME: 'FROM_ENV' });
    assert.equal(run.exchanges, 0);
    assert.match(run.out, /^export FROM_ENV='first-token'$/m);
    assert.deepEqual(run.debugged, ['The token agent acknowledged the request.', "The token came from the agent's cache."]);
    const flagged = await verb('token', 'env', { CX_AUTH_SOCK: agent.sock, CX_ENV_NAME: 'FROM_ENV' }, { 'env-name': 'FROM_FLAG' });
    assert.match(flagged.out, /^export FROM_FLAG='first-token'$/m);
    const fresh = await verb('token', 'token', { CX_AUTH_SOCK: agent.sock }, { 'min-validity': '7000' });
    assert.deepEqual(fresh.debugged, ['The token agent acknowledged the request.', 'The token came from a new exchange by the agent.']);
    assert.equal(fresh.warned.length, 1);
    // A token the agent minted later is masked before it is printed, like the first.
    assert.notEqual(fresh.out, 'first-token\n');
    assert.deepEqual(fresh.maskedBeforeWrite, [fresh.out.trim()]);
    assert.deepEqual(run.maskedBeforeWrite, ['first-token']);
    // The agent's refusal is the command's error, with the agent's exit code.
    await assert.rejects(
      verb('token', 'token', { CX_AUTH_SOCK: formatSock(agent.address, newKey()) }),
      (error: Error) => error instanceof AgentError && error.code === 'agent/refused' && error.exitCode === 2,
    );
    const stopped = await verb('stop-agent', 'token', { CX_AUTH_SOCK: agent.sock });
    assert.deepEqual([stopped.code, stopped.said], [0, ['Stopped the token agent.']]);
    await waitFor('the agent to exit', () => agent.exits() === 1);
  });

  it('stop-agent: without CX_AUTH_SOCK there is nothing to stop (exit 0); an agent already gone is fine; a wrong key is an error', async () => {
    const none = await verb('stop-agent', 'token', {});
    assert.deepEqual([none.code, none.said, none.out], [0, ['CX_AUTH_SOCK is not set: there is no token agent to stop.'], '']);
    const gone = await verb('stop-agent', 'token', { CX_AUTH_SOCK: formatSock(join(work, 'gone', 'agent.sock'), newKey()) });
    assert.deepEqual([gone.code, gone.said], [0, ['The token agent had already stopped.']]);
    const agent = await startInProcess();
    await assert.rejects(verb('stop-agent', 'token', { CX_AUTH_SOCK: formatSock(agent.address, newKey()) }), /not this agent's/);
    assert.equal(agent.exits(), 0);
    agent.sigterm();
  });

  it('start-agent --format token is refused before any exchange', async () => {
    await assert.rejects(
      verb('start-agent', 'token', {}),
      (error: Error) => error instanceof UsageError && error.code === 'usage/unknown-format' && error.exitCode === 2,
    );
  });

  it('start-agent prints CX_AUTH_SOCK and the variables; the agent it started serves the token and stops', async (t) => {
    const runnerTemp = mkdtempSync(join(work, 'rt-'));
    const argv1 = process.argv[1];
    process.argv[1] = CLI_BUNDLE; // start-agent runs the agent from the running CLI's own file
    // However the test ends, the agent goes with its socket folder.
    t.after(() => {
      process.argv[1] = argv1 ?? '';
      for (const entry of readdirSync(runnerTemp)) rmSync(join(runnerTemp, entry), { recursive: true, force: true });
    });
    const run = await verb('start-agent', 'env', { RUNNER_TEMP: runnerTemp });
    const sock = /^export CX_AUTH_SOCK='([^']+)'$/m.exec(run.out)?.[1];
    assert.ok(sock, run.out);
    assert.match(run.out, /^export CX_ACCESS_TOKEN='first-token'$/m);
    assert.match(run.said[0] ?? '', /^Started the token agent/);
    // The token, the agent's key and CX_AUTH_SOCK are registered for masking before anything is printed.
    assert.deepEqual(run.maskedBeforeWrite, ['first-token', 'never-handed-out', parseSock(sock).key, sock]);
    assert.equal(dirname(dirname(parseSock(sock).address)), runnerTemp);
    const token = await verb('token', 'token', { CX_AUTH_SOCK: sock });
    assert.equal(token.out, 'first-token\n');
    const stopped = await verb('stop-agent', 'token', { CX_AUTH_SOCK: sock });
    assert.deepEqual(stopped.said, ['Stopped the token agent.']);
    await waitFor('the agent to remove its folder', () => !existsSync(dirname(parseSock(sock).address)));
  });
});

// ---- the command folder on disk ----

describe('writeCommandFolder', () => {
  it('where no ASCII path reaches the CLI or node, it writes a copy of the CLI and names the variable for node', () => {
    const base = mkdtempSync(join(work, 'cmd-'));
    const elsewhere = mkdtempSync(join(work, 'Jürgen ß-'));
    const cli = join(elsewhere, 'index.js');
    writeFileSync(cli, "console.log('the bundle');\n");
    const node = join(elsewhere, 'nöde');
    const { folder, variables } = writeCommandFolder(base, node, cli);
    assert.deepEqual(readdirSync(folder).sort(), ['checkmarx-auth', 'checkmarx-auth.cjs', 'checkmarx-auth.cmd']);
    assert.equal(readFileSync(join(folder, 'checkmarx-auth.cjs'), 'utf8'), "console.log('the bundle');\n");
    assert.equal(readFileSync(join(folder, 'checkmarx-auth.cmd'), 'latin1'), '@"%CX_AUTH_NODE%" "%~dp0checkmarx-auth.cjs" %*\r\n');
    assert.deepEqual(variables, { CX_AUTH_NODE: node });
  });

  it('the copy of the committed CLI runs from the command folder as CommonJS, whatever package.json is above it', async () => {
    const elsewhere = mkdtempSync(join(work, 'Jürgen dist-'));
    writeFileSync(join(elsewhere, 'index.js'), readFileSync(CLI_BUNDLE));
    const base = mkdtempSync(join(work, 'cmd-'));
    // A job's package.json up the tree says ES modules: the copy is .cjs, so it still runs.
    writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n');
    const { folder } = writeCommandFolder(base, join(elsewhere, 'nöde'), join(elsewhere, 'index.js'));
    rmSync(elsewhere, { recursive: true, force: true });
    const { stdout } = await promisify(execFile)(process.execPath, [join(folder, 'checkmarx-auth.cjs'), '--help'], { timeout: 30_000 });
    assert.match(stdout, /^checkmarx-auth \d+\.\d+\.\d+: exchange Checkmarx credentials/);
  });

  it('a base folder that is gone is an AgentError naming it, not an unexpected failure', () => {
    const gone = join(work, 'gone-base');
    assert.throws(
      () => writeCommandFolder(gone, process.execPath, CLI_BUNDLE),
      (error: Error) =>
        error instanceof AgentError &&
        error.message === `The token agent did not start: cannot make its command folder under ${gone} (ENOENT).`,
    );
  });
});

// ---- the action's agent: later steps' wrappers and the post step's state ----

describe('startActionAgent', () => {
  let pid: number | undefined;
  after(() => killQuietly(pid));

  it('masks the key and CX_AUTH_SOCK, saves the PID and socket for the post step, exports CX_AUTH_SOCK, and puts a working checkmarx-auth on PATH', async () => {
    const runner = mkdtempSync(join(work, 'runner-'));
    const files = Object.fromEntries(['GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((name) => [name, join(runner, name.toLowerCase())]));
    for (const path of Object.values(files)) writeFileSync(path, '');
    const env = { ...files, RUNNER_TEMP: runner };
    let text = '';
    const workflow = workflowCommands({ env, stdout: (chunk) => void (text += chunk) });
    const envBefore = { ...process.env };
    await startActionAgent({
      settings,
      first: FIRST,
      arrivedAt: performance.now(),
      deps: { env, scriptPath: ACTION_BUNDLE },
      workflow,
      handOver: ({ variables = [] }) => workflow.exportVariables(variables),
    });
    assert.deepEqual({ ...process.env }, envBefore, "this process's environment is left alone");
    const state = parseFileCommands(readFileSync(files.GITHUB_STATE!, 'utf8'));
    pid = Number(state['agent_pid']);
    assert.ok(pid > 0 && isAlive(pid), `agent_pid ${state['agent_pid']}`);
    const sock = state['agent_sock'] ?? '';
    const { address, key } = parseSock(sock);
    assert.deepEqual(parseFileCommands(readFileSync(files.GITHUB_ENV!, 'utf8')), { CX_AUTH_SOCK: sock });
    const masks = text.split(/\r?\n/).filter((line) => line.startsWith('::add-mask::'));
    assert.deepEqual(masks, [`::add-mask::${key}`, `::add-mask::${sock}`]);
    assert.match(text, /Started the token agent: later steps run 'checkmarx-auth token'/);
    const bin = readFileSync(files.GITHUB_PATH!, 'utf8').trim();
    assert.equal(dirname(bin), runner);
    assert.equal(statSync(join(bin, 'checkmarx-auth')).mode & 0o777, 0o755);
    // The cmd wrapper names node and the CLI relative to its own folder (%~dp0).
    const cmd = readFileSync(join(bin, 'checkmarx-auth.cmd'), 'utf8');
    const named = [...cmd.matchAll(/"%~dp0([^"]+)"/g)].map((match) => resolve(bin, match[1]!.replaceAll('\\', '/')));
    assert.deepEqual(named, [process.execPath, CLI_BUNDLE]);
    assert.match(cmd, / %\*\r\n$/);
    // The wrapper runs the CLI bundle next to the action's, which asks this agent.
    const { stdout } = await promisify(execFile)(join(bin, 'checkmarx-auth'), ['token'], {
      env: { CX_AUTH_SOCK: sock, PATH: '/usr/bin:/bin' },
      timeout: WAIT_MS,
    });
    assert.equal(stdout, 'first-token\n');
    assert.deepEqual(await askAgent(address, { key, op: 'stop' }, WAIT_MS), { ok: true, stopped: true, pid });
    await waitFor('the agent process to end', () => !isAlive(pid!));
  });
});
