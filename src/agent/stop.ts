// Stopping an agent that a front end started, from its post step: ask it over its socket; signal
// (SIGTERM) only the process that has just answered the stop with its key and its own PID and is
// still alive after a grace period, never a PID that may have been reused or a frozen process;
// then remove the folders the front end made (the socket folder, the command folder), each only
// if it carries the name they are given. Shared by the action's post step and the Azure task's
// post-job step.

import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { AgentNotRunning, askAgent, STOP_DEADLINE_MS } from './client.ts';
import { COMMAND_FOLDER_PREFIX, parseSock, SOCKET_FOLDER_PREFIX } from './protocol.ts';

const EXIT_WAIT_MS = 3_000;

export interface StopDeps {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * What became of the agent: it stopped (or was signalled after it said it stops); it was gone
 * already; it did not answer in time (frozen, or something else listens); it answered as
 * another process (another PID or key).
 */
export type StopOutcome = 'stopped' | 'gone' | 'silent' | 'not-ours';

/** Stops the agent `pid` listening at `sock` (`<address>#<key>`), then removes `folders` and the socket folder. */
export async function stopStartedAgent(pid: number, sock: string, deps: StopDeps, folders: readonly string[] = []): Promise<StopOutcome> {
  const { address, key } = parseSock(sock);
  const outcome: StopOutcome = await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS).then(
    (answer) => (answer.ok && 'stopped' in answer && answer.pid === pid ? 'stopped' : 'not-ours'),
    (error: unknown) => (error instanceof AgentNotRunning ? 'gone' : 'silent'),
  );
  if (outcome === 'stopped' && !(await exited(pid, EXIT_WAIT_MS, deps))) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  // The agent removes its socket folder itself; this covers an agent that was killed or is frozen
  // (which then stops on its own once it runs again and finds its folders gone).
  for (const path of new Set([...folders, dirname(address)])) {
    const name = basename(path);
    if (name.startsWith(COMMAND_FOLDER_PREFIX) || name.startsWith(SOCKET_FOLDER_PREFIX)) rmSync(path, { recursive: true, force: true });
  }
  return outcome;
}

/** The folders a front end saved for its post step (a JSON array of paths); anything else is none. */
export function savedFolders(saved: string | undefined): string[] {
  try {
    const folders: unknown = JSON.parse(saved ?? '[]');
    return Array.isArray(folders) ? folders.filter((path): path is string => typeof path === 'string') : [];
  } catch {
    return [];
  }
}

/** What a post step says for each outcome; undefined for the ones that are a warning. */
export function stopMessage(outcome: StopOutcome): { info?: string; warning?: string } {
  if (outcome === 'stopped') return { info: 'Stopped the token agent.' };
  if (outcome === 'gone') return { info: 'The token agent had already stopped.' };
  const why = outcome === 'silent' ? 'no answer' : 'another answer';
  return {
    warning: `The token agent did not answer (${why}); it was not signalled. Its folders are removed, so it stops within seconds if it runs at all, and the runner's end-of-job cleanup stops it in any case.`,
  };
}

async function exited(pid: number, withinMs: number, deps: StopDeps): Promise<boolean> {
  for (const end = deps.now() + withinMs; deps.now() < end;) {
    if (!isAlive(pid)) return true;
    await deps.sleep(50);
  }
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a front end's main step saved for its post step about the agent it started, as saved. */
export interface SavedAgent {
  readonly pid: string | undefined;
  /** CX_AUTH_SOCK's value. */
  readonly sock: string | undefined;
  /** The folders it made, as a JSON array. */
  readonly folders: string | undefined;
}

/** Where a post step says what became of the agent. */
export interface PostStepLog {
  readonly info: (message: string) => void;
  readonly warning: (message: string) => void;
}

/**
 * Every front end's post step: stops the agent its main step saved, if it saved one, removes what
 * it made and says what became of it. A failure is a warning (the job's result is the main step's).
 */
export async function stopSavedAgent(saved: SavedAgent, deps: StopDeps, log: PostStepLog): Promise<void> {
  try {
    const pid = Number(saved.pid);
    const sock = saved.sock?.trim();
    if (!sock || !Number.isInteger(pid) || pid <= 0) return;
    const { info, warning } = stopMessage(await stopStartedAgent(pid, sock, deps, savedFolders(saved.folders)));
    if (info) log.info(info);
    if (warning) log.warning(warning);
  } catch (error) {
    log.warning(`Stopping the token agent failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
