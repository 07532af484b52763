// The token agent process: reads its settings from stdin, listens, hands out tokens to requests
// that carry its key, and stops on request, SIGTERM, when its socket file goes, or after 24 hours.
// A sealed agent also runs the facade (sealed/) beside its socket and hands out phantoms only.
// It has no stdout or stderr after start-up, and logs nothing: no secret can leak from it.

import { lstat, lstatSync, rmSync, type Stats } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import {
  ACK_LINE,
  agentToken,
  encodeLine,
  HEARTBEAT,
  HEARTBEAT_MS,
  keysMatch,
  MAX_LINE_BYTES,
  parseRequest,
  READY_LINE,
  type AgentAnswer,
  type AgentRequest,
  type AgentSettings,
} from './protocol.ts';
import { EXIT_USAGE } from '../core/exit-codes.ts';
import { errorCodeOf, exitCodeOf, failureMessage } from '../core/errors.ts';
import { requestToken, type GrantDeps } from '../core/grant.ts';
import { SYSTEM_IO } from '../io/system.ts';
import { TokenCache } from './cache.ts';
import { realTokensFrom } from './sealed/real-tokens.ts';
import { startSeal, upstreamSettings, type Seal } from './sealed/seal.ts';

const MAX_SETTINGS_BYTES = 1024 * 1024;
const SETTINGS_DEADLINE_MS = 10_000;
const REQUEST_DEADLINE_MS = 10_000;
const SOCKET_POLL_MS = 2_000;
const LIFETIME_MS = 24 * 60 * 60 * 1000;

const SILENT: GrantDeps['log'] = { info: () => {}, warning: () => {}, debug: () => {} };

function isNamedPipe(address: string): boolean {
  return address.startsWith('\\\\.\\pipe\\') || address.startsWith('\\\\?\\pipe\\');
}

/** What the agent does to the process around it, passed in so that the loop also runs inside a test. */
export interface AgentHost {
  /** Ends the process once the agent has stopped and removed its folder. */
  readonly exit: (code: number) => void;
  /** Calls `stop` when the process is asked to terminate (SIGTERM). */
  readonly onTerminate: (stop: () => void) => void;
  /** How often it looks for its socket file and the folder it watches (default 2 s). */
  readonly pollMs?: number;
  /** How often it tells a caller that it still works on the request (default HEARTBEAT_MS). */
  readonly heartbeatMs?: number;
  /** The process id it reports when asked to stop (default process.pid). */
  readonly pid?: number;
}

/** The agent as a process: settings from stdin, `ready` on stdout once it listens, then it lives on. */
export async function runAgentProcess(): Promise<void> {
  // The proxy variables come in settings.transport, so they are in no environment block.
  const settings = parseSettings(await readStdin());
  await serveAgent(settings, { exit: (code) => process.exit(code), onTerminate: (stop) => process.once('SIGTERM', stop) });
  process.stdout.on('error', () => {});
  process.stdout.write(`${READY_LINE}\n`);
}

/** The server loop around the one exchange, and a sealed agent's facade; resolves once both listen. */
export async function serveAgent(settings: AgentSettings, host: AgentHost): Promise<void> {
  const cache = new TokenCache(
    () => requestToken(settings.plan, settings.transport, { ...SYSTEM_IO, log: SILENT }).then(agentToken),
    () => performance.now(),
    { result: settings.first, arrivedAt: performance.now() - settings.ageMs },
  );
  const seal = settings.sealed
    ? await startSeal({
        product: settings.plan.profile.name,
        readOnly: settings.sealed.readOnly,
        tokens: realTokensFrom(cache),
        upstream: upstreamSettings(settings.transport, settings.transport.proxy ?? {}),
        ...(settings.first.tenant ? { tenant: settings.first.tenant } : {}),
      })
    : undefined;
  try {
    await new Agent(settings, cache, host, seal).listen();
  } catch (error) {
    await seal?.close();
    throw error;
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(new Error('no settings on stdin')), SETTINGS_DEADLINE_MS);
    process.stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SETTINGS_BYTES) reject(new Error('settings too large'));
      else chunks.push(chunk);
    });
    process.stdin.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    process.stdin.once('error', reject);
  });
}

function parseSettings(text: string): AgentSettings {
  const settings = JSON.parse(text) as AgentSettings;
  const ok =
    typeof settings.address === 'string' && typeof settings.key === 'string' && typeof settings.plan?.endpoint?.tokenUrl === 'string';
  if (!ok || typeof settings.first?.accessToken !== 'string') throw new Error('bad settings');
  return settings;
}

class Agent {
  private readonly server: Server;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly settings: AgentSettings;
  private readonly cache: TokenCache;
  private readonly host: AgentHost;
  /** A sealed agent's facade: its answers carry phantoms, never a real token. */
  private readonly seal: Seal | undefined;

  constructor(settings: AgentSettings, cache: TokenCache, host: AgentHost, seal: Seal | undefined) {
    this.settings = settings;
    this.cache = cache;
    this.host = host;
    this.seal = seal;
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.settings.address, () => resolve());
    });
    this.server.on('error', () => this.stop());
    this.host.onTerminate(() => this.stop());
    this.timers.push(setTimeout(() => this.stop(), LIFETIME_MS));
    // A named pipe has no file; the command folder the front end made is watched everywhere.
    const watched = [
      ...(isNamedPipe(this.settings.address) ? [] : [this.settings.address]),
      ...(this.settings.watch ? [this.settings.watch] : []),
    ].map((path) => ({ path, identity: identityOf(lstatSync(path)) }));
    if (watched.length > 0) {
      const look = () =>
        watched.forEach(({ path, identity }) =>
          lstat(path, (error, stats) => {
            if (error ? GONE.has(error.code ?? '') : identityOf(stats) !== identity) this.stop();
          }),
        );
      this.timers.push(setInterval(look, this.host.pollMs ?? SOCKET_POLL_MS));
    }
  }

  private serve(socket: Socket): void {
    socket.on('error', () => {});
    const deadline = setTimeout(() => socket.destroy(), REQUEST_DEADLINE_MS);
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x0a);
      if (end === -1 && received.length <= MAX_LINE_BYTES) return;
      socket.off('data', onData);
      clearTimeout(deadline);
      if (end === -1 || end > MAX_LINE_BYTES) return void socket.destroy();
      // At once: a caller tells a live agent busy with a slow exchange from a frozen one by this.
      socket.write(ACK_LINE);
      // While it works (an exchange), it says so: a caller tells it from a frozen agent by this.
      const heartbeat = setInterval(() => socket.write(HEARTBEAT), this.host.heartbeatMs ?? HEARTBEAT_MS);
      socket.once('close', () => clearInterval(heartbeat));
      void this.answer(parseRequest(received.subarray(0, end).toString('utf8'))).then((answer) => {
        clearInterval(heartbeat);
        // On 'close', which comes also when the caller hangs up first.
        if ('stopped' in answer) socket.once('close', () => this.stop());
        socket.end(encodeLine(answer));
      });
    };
    socket.on('data', onData);
  }

  private async answer(request: AgentRequest | undefined): Promise<AgentAnswer> {
    if (!request) return refusal('The token agent got a request it does not understand.');
    if (!keysMatch(request.key, this.settings.key)) {
      return refusal("The token agent refused the request: the key in CX_AUTH_SOCK is not this agent's.");
    }
    if (request.op === 'stop') {
      // Before the answer: once stop-agent has heard it, the facade refuses connections.
      void this.seal?.close();
      return { ok: true, stopped: true, pid: this.host.pid ?? process.pid };
    }
    try {
      const served = await this.cache.get(request.minValidity);
      const hosting = this.settings.plan.profile.hosting;
      if (!this.seal) return { ok: true, hosting, ...served };
      // The real token stays here: the phantom stands for it (the cache serves it again, no exchange).
      const phantom = await this.seal.phantom(request.minValidity);
      return { ok: true, hosting, ...served, result: phantom, sealed: this.seal.job };
    } catch (error) {
      return { ok: false, code: errorCodeOf(error), message: failureMessage(error), exitCode: exitCodeOf(error) };
    }
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.timers.forEach(clearTimeout);
    this.server.close();
    // After the job nothing works: the facade refuses connections from now on.
    void this.seal?.close();
    if (this.settings.folder) rmSync(this.settings.folder, { recursive: true, force: true });
    this.host.exit(0);
  }
}

/** What the agent watches may be removed, or replaced: by a regular file, by another socket or folder. */
const GONE = new Set(['ENOENT', 'ENOTDIR']);

/** A path's identity: its device, inode and type; another file at the same path has another one. */
function identityOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.mode & 0o170000}`;
}

function refusal(message: string): AgentAnswer {
  return { ok: false, code: 'agent/refused', message, exitCode: EXIT_USAGE };
}
