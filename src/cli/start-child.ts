// Starting exec's COMMAND, and what the user is told when the platform cannot start it: 127 when
// it does not exist, 126 when it exists but cannot run, as shells say; on Windows a batch file
// (`.cmd`, `.bat`), which Node starts only through cmd, with the line to run instead.

import type { ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { CheckmarxAuthError } from '../core/errors.ts';
import { builtin } from '../io/builtins.ts';

/** The platform and its spawn, passed in so that Windows' behaviour is tested on any system. */
export interface ChildLauncher {
  readonly platform: NodeJS.Platform;
  readonly spawn: typeof nodeSpawn;
}

export const NODE_LAUNCHER: ChildLauncher = {
  platform: process.platform,
  spawn: (...args: Parameters<typeof nodeSpawn>) => builtin('node:child_process').spawn(...args),
} as ChildLauncher;

/** Per platform: the file name endings that only a shell runs, and the line that runs one. */
const SHELL_ONLY: Partial<Record<NodeJS.Platform, { readonly endings: RegExp; readonly runWith: (command: string) => string }>> = {
  win32: { endings: /\.(cmd|bat)$/i, runWith: (command) => `cmd /c ${command}` },
};

/** COMMAND could not be started; the message says what to run instead where there is something. */
export class SpawnError extends CheckmarxAuthError {
  /** exec/not-found exits 127, exec/cannot-start 126 (error-codes.ts). */
  constructor(code: 'exec/not-found' | 'exec/cannot-start', message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'SpawnError';
  }
}

function batchFileError(command: string, runWith: string): SpawnError {
  return new SpawnError(
    'exec/cannot-start',
    `'${command}' is a batch file, which Windows runs only through cmd, and Node starts programs without a shell: run 'checkmarx-auth exec -- ${runWith} ...' instead.`,
  );
}

/** What an error from spawn (thrown at once, or its 'error' event) tells the user. */
export function startFailure(command: string, error: NodeJS.ErrnoException, platform: NodeJS.Platform): SpawnError {
  const shellOnly = SHELL_ONLY[platform];
  if (error.code === 'ENOENT') {
    const bare = !/\.[^./\\]*$/.test(command);
    const hint = shellOnly && bare ? ` If it is a batch file (${command}.cmd), run '${shellOnly.runWith(`${command}.cmd`)}'.` : '';
    return new SpawnError('exec/not-found', `'${command}' was not found (is it on PATH?).${hint}`, error);
  }
  if (shellOnly?.endings.test(command)) return batchFileError(command, shellOnly.runWith(command));
  return new SpawnError('exec/cannot-start', `'${command}' could not be started (${error.code ?? error.name}).`, error);
}

/**
 * Starts COMMAND with inherited stdio and `env`. A batch file on Windows is refused before the
 * spawn (since Node's 2024 fix for BatBadBut, spawn throws EINVAL for one); anything spawn throws
 * at once, or reports by its 'error' event, becomes a SpawnError.
 */
export function startChild(command: readonly string[], env: Record<string, string>, launcher: ChildLauncher): ChildProcess {
  const [file = '', ...args] = command;
  const shellOnly = SHELL_ONLY[launcher.platform];
  if (shellOnly?.endings.test(file)) throw batchFileError(file, shellOnly.runWith(file));
  try {
    return launcher.spawn(file, args, { stdio: 'inherit', env });
  } catch (error) {
    throw startFailure(file, error as NodeJS.ErrnoException, launcher.platform);
  }
}
