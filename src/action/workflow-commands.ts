// The runner's workflow commands (mask, log, outputs, exported variables, PATH, state), written to
// the step's stdout and the runner's files that its environment names. Both come in as the
// action's deps: the bundle's entry passes process.env and process.stdout, tests their own.

import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { githubCommand } from '../ci/log-commands.ts';
import { CheckmarxAuthError } from '../core/errors.ts';
import { printable } from '../core/printable.ts';
import { builtin } from '../io/builtins.ts';

type Env = Readonly<Record<string, string | undefined>>;
export type Write = (text: string) => void;
type Pairs = ReadonlyArray<readonly [name: string, value: string]>;

/** What the workflow commands talk to: the step's environment (the runner's files) and its stdout. */
export interface Runner {
  readonly env: Env;
  readonly stdout: Write;
}

export interface WorkflowCommands {
  readonly setSecret: (secret: string) => void;
  readonly info: (message: string) => void;
  readonly debug: (message: string) => void;
  readonly warning: (message: string) => void;
  /** An error annotation; the step fails by the exit code its entry sets. */
  readonly error: (message: string) => void;
  /** Sets the step's outputs, appended to the runner's file in one write. */
  readonly setOutputs: (outputs: Pairs) => void;
  /** Exports variables for later steps in one write to GITHUB_ENV: all of them, or none. */
  readonly exportVariables: (variables: Pairs) => void;
  /** Adds a folder to PATH for later steps (the runner's GITHUB_PATH file command: one line). */
  readonly addPath: (folder: string) => void;
  /** Saves a value for this action's post step, which gets it as STATE_<name>. */
  readonly saveState: (name: string, value: string) => void;
}

export function workflowCommands({ env, stdout }: Runner): WorkflowCommands {
  const command = (name: string, properties: Readonly<Record<string, string>>, data: string) =>
    stdout(githubCommand(name, properties, data) + EOL);
  const appendTo = (variable: RunnerFile, name: string, text: string) => appendFileCommand(env, variable, name, text);
  return {
    setSecret: (secret) => command('add-mask', {}, secret),
    info: (message) => stdout(printable(message) + EOL),
    debug: (message) => command('debug', {}, printable(message)),
    warning: (message) => command('warning', {}, printable(message)),
    error: (message) => command('error', {}, printable(message)),
    setOutputs: (outputs) => {
      if (!env.GITHUB_OUTPUT) return outputs.forEach(([name, value]) => command('set-output', { name }, value));
      appendTo('GITHUB_OUTPUT', 'the outputs', outputs.map(([name, value]) => fileCommand(name, value)).join(''));
    },
    exportVariables: (variables) => {
      if (variables.length === 0) return;
      if (!env.GITHUB_ENV) return variables.forEach(([name, value]) => command('set-env', { name }, value));
      const names = variables.map(([name]) => name).join(', ');
      appendTo('GITHUB_ENV', names, variables.map(([name, value]) => fileCommand(name, value)).join(''));
    },
    addPath: (folder) => {
      if (env.GITHUB_PATH) appendTo('GITHUB_PATH', 'a folder', `${folder}${EOL}`);
      else command('add-path', {}, folder);
    },
    saveState: (name, value) => {
      if (env.GITHUB_STATE) appendTo('GITHUB_STATE', name, fileCommand(name, value));
      else command('save-state', { name }, value);
    },
  };
}

/**
 * A single-line value takes the runner's `name=value` form, which needs no delimiter; anything
 * else the heredoc form with a random delimiter, as @actions/core writes it. Loading node:crypto
 * only for that rare case keeps it out of every run's start-up.
 */
export function fileCommand(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}${EOL}`;
  const delimiter = `ghadelimiter_${builtin('node:crypto').randomUUID()}`;
  if (value.includes(delimiter)) throw new Error(`the value of ${name} contains the delimiter`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/** GITHUB_OUTPUT or GITHUB_ENV could not be written; the message names the file, never the value. */
class RunnerFileError extends CheckmarxAuthError {
  constructor(message: string, cause: unknown) {
    super('runner/file', message, { cause });
    this.name = 'RunnerFileError';
  }
}

type RunnerFile = 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE' | 'GITHUB_PATH';

function appendFileCommand(env: Env, variable: RunnerFile, name: string, text: string): void {
  const path = env[variable]!;
  try {
    appendFileSync(path, text, { encoding: 'utf8' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RunnerFileError(`Cannot write ${name} to ${variable} (${path}): ${code}. Check that the file exists and is writable.`, error);
  }
}
