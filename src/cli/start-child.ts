// Starting exec's COMMAND, and what the user is told when the platform cannot start it: 127 when
// it does not exist, 126 when it exists but cannot run, as shells say; on Windows a batch file
// (`.cmd`, `.bat`), which Node starts only through cmd, with the line to run instead.

import type { ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { CheckmarxAuthError } from '../core/errors.ts';
import { builtin } from '../io/builtins.ts';

export const EXIT_CANNOT_RUN = 126;
export const EXIT_NOT_FOUND = 127;

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
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'SpawnError';
    this.exitCode = exitCode;
  }
}

function batchFileError(command: string, runWith: string): SpawnError {
  return new SpawnError(
    `'${command}' is a batch file, which Windows runs only through cmd, and Node starts programs without a shell: run 'checkmarx-auth exec -- ${runWith} ...' instead.`,
    EXIT_CANNOT_RUN,
  );
}

/** What an error from spawn (thrown at once, or its 'error' event) tells the user. */
export function startFailure(command: string, error: NodeJS.ErrnoException, platform: NodeJS.Platform): SpawnError {
  const shellOnly = SHELL_ONLY[platform];
  if (error.code === 'ENOENT') {
    const bare = !/\.[^./\\]*$/.test(command);
    const hint = shellOnly && bare ? ` If it is a batch file (${command}.cmd), run '${shellOnly.runWith(`${command}.cmd`)}'.` : '';
    return new SpawnError(`'${command}' was not found (is it on PATH?).${hint}`, EXIT_NOT_FOUND);
  }
  if (shellOnly?.endings.test(command)) return batchFileError(command, shellOnly.runWith(command));
  return new SpawnError(`'${command}' could not be started (${error.code ?? error.name}).`, EXIT_CANNOT_RUN);
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
