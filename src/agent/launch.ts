// Starts the token agent: a detached node process with a clean environment, its settings written
// to its stdin, so that the credentials are in no command line, environment block or file. It
// inherits no stdio and no other descriptor of the process that started it: a CI runner, or a
// reader downstream of a shell's `exec 30>&1`, waits for every holder of a pipe's write end.

import type { ChildProcess, StdioOptions } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_VERB, agentToken, READY_LINE, SOCKET_FOLDER_PREFIX, type AgentSettings, type AgentToken } from './protocol.ts';
import { askAgent } from './client.ts';
import type { SealedJob } from '../core/sealed-job.ts';

import type { Settings } from '../core/settings.ts';
import { AgentError } from './errors.ts';
import { builtin } from '../io/builtins.ts';
import type { TokenResult } from '../core/token-response.ts';

// Loaded when an agent starts, not at start-up: the CLI needs node:os for nothing else.
const tmpdir = (): string => builtin('node:os').tmpdir();

export interface AgentLaunch {
  /** The CLI bundle that runs the agent (dist/cli/index.js). */
  readonly entry: string;
  readonly settings: Settings;
  readonly first: TokenResult;
  /** performance.now() when the first token's answer arrived. */
  readonly arrivedAt: number;
  readonly key: string;
  /**
   * The folder the socket's folder goes under first (the CI's temp folder, which the front end
   * works out); then the system's temp folder, then /tmp, until a socket path fits.
   */
  readonly tempBase?: string;
  /** The agent's whole environment: the variables the front end keeps (no secrets; proxies go in the settings). */
  readonly environment: Readonly<Record<string, string>>;
  /** A folder whose removal stops the agent: the command folder the front end made. */
  readonly watch?: string;
  /** Aborted during the start-up wait (the step is cancelled): the agent is stopped, startAgent rejects. */
  readonly signal?: AbortSignal;
}

export interface StartedAgent {
  readonly address: string;
  readonly pid: number;
  /** The socket's own folder (Unix), removed when the agent stops. */
  readonly folder?: string;
  /**
   * Stops the agent this process started, for a start-up that fails after the spawn: by its
   * process handle, which never signals a reused PID, and removes its socket folder.
   */
  readonly abandon: () => void;
  /** A sealed agent's first phantom and its facade, for the job's variables (core/sealed-job.ts). */
  readonly sealed?: SealedStart;
}

export interface SealedStart {
  /** A phantom standing for the first token: what the job's code gets as the token variables. */
  readonly token: AgentToken;
  readonly job: SealedJob;
}

const READY_DEADLINE_MS = 10_000;
/** sun_path holds 108 bytes on Linux, 104 on macOS, with a terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 103;
/**
 * V8 flags that keep the agent small and flat for the whole job (BENCHMARKS.md). Its growth was
 * V8's, not the agent's objects: a young generation that grows to 16 MB (`--max-semi-space-size=1`,
 * in MB), GC and compiler threads (`--single-threaded`, `--v8-pool-size=1`), and optimized code
 * and feedback. An agent that only serves tokens now and then runs in the interpreter
 * (`--lite-mode`); one that forwards a sealed job's API traffic (the facade) needs the compilers
 * for its latency and throughput. Node 20's V8 (the Azure task) knows every flag.
 */
export const AGENT_NODE_FLAGS = {
  tokens: ['--lite-mode', '--max-semi-space-size=1', '--single-threaded', '--v8-pool-size=1'],
  facade: ['--max-semi-space-size=1', '--single-threaded', '--v8-pool-size=1'],
} as const;
/** Descriptors above this are left alone (a process rarely has more open). */
const MAX_INHERITED_FD = 4096;

export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}

/** Where the agent listens: a random named pipe on Windows, else a socket in a new 0700 folder. */
function agentAddress(platform: NodeJS.Platform, tempBase: string | undefined): { address: string; folder?: string } {
  if (platform === 'win32') return { address: `\\\\.\\pipe\\checkmarx-auth-${builtin('node:crypto').randomBytes(16).toString('hex')}` };
  const bases = [tempBase, tmpdir(), '/tmp'].filter((base): base is string => Boolean(base));
  for (const base of bases) {
    let folder: string;
    try {
      folder = mkdtempSync(join(base, SOCKET_FOLDER_PREFIX));
    } catch {
      continue;
    }
    chmodSync(folder, 0o700);
    const address = join(folder, 'agent.sock');
    if (socketPathFits(address)) return { address, folder };
    rmSync(folder, { recursive: true, force: true });
  }
  throw new AgentError('agent/start-failed', 'The token agent cannot start: no temporary folder gives a socket path short enough.');
}

export async function startAgent(launch: AgentLaunch): Promise<StartedAgent> {
  if (launch.signal?.aborted) throw cancelled();
  const { address, folder } = agentAddress(process.platform, launch.tempBase);
  const settings: AgentSettings = {
    plan: launch.settings.plan,
    transport: launch.settings.transport,
    address,
    key: launch.key,
    ...(folder ? { folder } : {}),
    ...(launch.watch ? { watch: launch.watch } : {}),
    first: agentToken(launch.first),
    ageMs: Math.max(0, performance.now() - launch.arrivedAt),
    ...(launch.settings.sealed ? { sealed: { readOnly: launch.settings.readOnly } } : {}),
  };
  // Loaded here, not at start-up: only a run that starts an agent needs it.
  const { spawn } = builtin('node:child_process');
  const nullFd = process.platform === 'win32' ? undefined : openSync('/dev/null', 'r');
  let child: ChildProcess & { stdin: NonNullable<ChildProcess['stdin']>; stdout: NonNullable<ChildProcess['stdout']> };
  try {
    child = spawn(process.execPath, [...AGENT_NODE_FLAGS[launch.settings.sealed ? 'facade' : 'tokens'], launch.entry, AGENT_VERB], {
      detached: true,
      windowsHide: true,
      stdio: agentStdio(nullFd),
      env: { ...launch.environment },
      cwd: tmpdir(),
    }) as typeof child;
  } finally {
    if (nullFd !== undefined) closeSync(nullFd);
  }
  const abandon = () => {
    child.kill('SIGKILL');
    if (folder) rmSync(folder, { recursive: true, force: true });
  };
  child.stdin.on('error', () => {});
  child.stdin.end(JSON.stringify(settings));
  try {
    await waitUntilReady(child, launch.signal);
    const sealed = launch.settings.sealed ? await firstPhantom(address, launch.key) : undefined;
    return { address, pid: child.pid!, ...(folder ? { folder } : {}), abandon, ...(sealed ? { sealed } : {}) };
  } catch (error) {
    abandon();
    throw error;
  } finally {
    child.stdout.destroy();
    child.stdin.destroy();
    child.unref();
  }
}

/**
 * stdin and stdout are pipes for the start-up only; every other descriptor the starting process
 * has open (one a shell opened with `exec 30>&1`, which the process inherited and holds without
 * close-on-exec) becomes /dev/null in the agent, so nothing downstream waits for the agent.
 * Node's own descriptors are close-on-exec and would not be inherited anyway. Windows passes a
 * child only the handles it is given.
 */
export function agentStdio(nullFd: number | undefined): StdioOptions {
  const stdio: Array<'pipe' | 'ignore' | number> = ['pipe', 'pipe', 'ignore'];
  if (nullFd === undefined) return stdio;
  for (const fd of openDescriptors()) {
    if (fd < 3 || fd > MAX_INHERITED_FD) continue;
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = nullFd;
  }
  return stdio;
}

/** The descriptors this process has open (Linux /proc/self/fd, macOS /dev/fd). */
function openDescriptors(): number[] {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      return readdirSync(dir)
        .filter((name) => /^\d+$/.test(name))
        .map(Number);
    } catch {
      // not this system's way
    }
  }
  return [];
}

/** A sealed agent's first answer: the phantom for the token the launcher got, and the facade it serves. */
async function firstPhantom(address: string, key: string): Promise<SealedStart> {
  const answer = await askAgent(address, { key, op: 'token', minValidity: 0 }, READY_DEADLINE_MS);
  if (!answer.ok || !('result' in answer) || !answer.sealed) {
    throw new AgentError('agent/start-failed', 'The token agent did not start (its facade did not answer as a sealed agent does).');
  }
  return { token: answer.result, job: answer.sealed };
}

const cancelled = () => new AgentError('agent/cancelled', 'The token agent did not start: the step was cancelled.');

function waitUntilReady(child: ChildProcess, signal: AbortSignal | undefined): Promise<void> {
  const failed = (why: string) => new AgentError('agent/start-failed', `The token agent did not start (${why}).`);
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => settle(failed(`no answer within ${READY_DEADLINE_MS / 1000} s`)), READY_DEADLINE_MS);
    const onAbort = () => settle(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    function settle(error?: AgentError): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.removeAllListeners('exit');
      if (error) reject(error);
      else resolve();
    }
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      said += chunk;
      if (said.includes('\n')) settle(said.startsWith(`${READY_LINE}\n`) ? undefined : failed('it said something unexpected'));
    });
    child.once('error', (error: NodeJS.ErrnoException) => settle(failed(error.code ?? 'spawn failed')));
    child.once('exit', (code) => settle(failed(`it exited with code ${code}`)));
  });
}
