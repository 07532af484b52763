// Starts the token agent: a detached node process with a clean environment, its settings written
// to its stdin, so that the credentials are in no command line, environment block or file. It
// inherits no stdio: a CI runner waits for every holder of a step's stdout.

import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_VERB, agentToken, READY_LINE, type AgentSettings } from './protocol.ts';

import type { Settings } from '../core/settings.ts';
import { AgentError } from './errors.ts';
import type { TokenResult } from '../core/token-response.ts';

// Loaded when an agent starts, not at start-up: the CLI needs node:os for nothing else.
const tmpdir = (): string => process.getBuiltinModule('node:os').tmpdir();

type Env = Readonly<Record<string, string | undefined>>;

export interface AgentLaunch {
  /** The CLI bundle that runs the agent (dist/cli/index.js). */
  readonly entry: string;
  readonly settings: Settings;
  readonly first: TokenResult;
  /** performance.now() when the first token's answer arrived. */
  readonly arrivedAt: number;
  readonly key: string;
  readonly env: Env;
}

export interface StartedAgent {
  readonly address: string;
  readonly pid: number;
}

const READY_DEADLINE_MS = 10_000;
/** sun_path holds 108 bytes on Linux, 104 on macOS, with a terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 103;
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
/** Not secrets, and read at start-up, so they must be in the environment itself. */
const PASSED_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'windir'];

export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}

/** Where the agent listens: a random named pipe on Windows, else a socket in a new 0700 folder. */
function agentAddress(platform: NodeJS.Platform, env: Env): { address: string; folder?: string } {
  if (platform === 'win32')
    return { address: `\\\\.\\pipe\\checkmarx-auth-${process.getBuiltinModule('node:crypto').randomBytes(16).toString('hex')}` };
  const bases = [env.RUNNER_TEMP, tmpdir(), '/tmp'].filter((base): base is string => Boolean(base));
  for (const base of bases) {
    let folder: string;
    try {
      folder = mkdtempSync(join(base, 'cxauth-'));
    } catch {
      continue;
    }
    chmodSync(folder, 0o700);
    const address = join(folder, 'agent.sock');
    if (socketPathFits(address)) return { address, folder };
    rmSync(folder, { recursive: true, force: true });
  }
  throw new AgentError('The token agent cannot start: no temporary folder gives a socket path short enough.');
}

function agentEnvironment(env: Env): Record<string, string> {
  return pick(env, PASSED_VARIABLES);
}

export async function startAgent(launch: AgentLaunch): Promise<StartedAgent> {
  const { address, folder } = agentAddress(process.platform, launch.env);
  const settings: AgentSettings = {
    plan: launch.settings.plan,
    transport: launch.settings.transport,
    address,
    key: launch.key,
    ...(folder ? { folder } : {}),
    first: agentToken(launch.first),
    ageMs: Math.max(0, performance.now() - launch.arrivedAt),
    proxyEnv: pick(launch.env, PROXY_VARIABLES),
  };
  // Loaded here, not at start-up: only a run that starts an agent needs it.
  const { spawn } = process.getBuiltinModule('node:child_process');
  const child = spawn(process.execPath, [launch.entry, AGENT_VERB], {
    detached: true,
    windowsHide: true,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: agentEnvironment(launch.env),
    cwd: tmpdir(),
  });
  child.stdin.on('error', () => {});
  child.stdin.end(JSON.stringify(settings));
  try {
    await waitUntilReady(child);
    return { address, pid: child.pid! };
  } catch (error) {
    child.kill();
    if (folder) rmSync(folder, { recursive: true, force: true });
    throw error;
  } finally {
    child.stdout.destroy();
    child.stdin.destroy();
    child.unref();
  }
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  const failed = (why: string) => new AgentError(`The token agent did not start (${why}).`);
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(failed(`no answer within ${READY_DEADLINE_MS / 1000} s`)), READY_DEADLINE_MS);
    const settle = (error?: AgentError) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      if (error) reject(error);
      else resolve();
    };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      said += chunk;
      if (said.includes('\n')) settle(said.startsWith(`${READY_LINE}\n`) ? undefined : failed('it said something unexpected'));
    });
    child.once('error', (error: NodeJS.ErrnoException) => settle(failed(error.code ?? 'spawn failed')));
    child.once('exit', (code) => settle(failed(`it exited with code ${code}`)));
  });
}

function pick(env: Env, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value) picked[name] = value;
  }
  return picked;
}
