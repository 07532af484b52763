// The runner's workflow commands (mask, log, outputs, exported variables). Commands go through
// @actions/core's own command module. Its entry module is not used: it loads its OIDC client and,
// through it, @actions/http-client's undici: a large share of start-up for code this action never
// runs (see BENCHMARKS.md). The relative path is needed because the package's exports map lists
// only its entry.

import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { issueCommand } from '../../node_modules/@actions/core/lib/command.js';
import { CheckmarxAuthError } from '../core/errors.ts';
import { printable } from '../core/printable.ts';
import { builtin } from '../io/builtins.ts';

export const setSecret = (secret: string): void => issueCommand('add-mask', {}, secret);
export const info = (message: string): void => void process.stdout.write(printable(message) + EOL);
export const debug = (message: string): void => issueCommand('debug', {}, printable(message));
export const warning = (message: string): void => issueCommand('warning', {}, printable(message));

export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', {}, printable(message));
}

/** Sets the step's outputs, appended to the runner's file in one write. */
export function setOutputs(outputs: ReadonlyArray<readonly [name: string, value: string]>): void {
  if (!process.env.GITHUB_OUTPUT) {
    for (const [name, value] of outputs) issueCommand('set-output', { name }, value);
    return;
  }
  const text = outputs.map(([name, value]) => fileCommand(name, value)).join('');
  appendFileCommand('GITHUB_OUTPUT', 'the outputs', text);
}

export function exportVariable(name: string, value: string): void {
  exportVariables([[name, value]]);
}

/** Exports variables for later steps in one write to GITHUB_ENV: all of them, or none. */
export function exportVariables(variables: ReadonlyArray<readonly [name: string, value: string]>): void {
  if (variables.length === 0) return;
  if (process.env.GITHUB_ENV) {
    const names = variables.map(([name]) => name).join(', ');
    appendFileCommand('GITHUB_ENV', names, variables.map(([name, value]) => fileCommand(name, value)).join(''));
  } else for (const [name, value] of variables) issueCommand('set-env', { name }, value);
  for (const [name, value] of variables) process.env[name] = value;
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

function appendFileCommand(variable: RunnerFile, name: string, text: string): void {
  const path = process.env[variable]!;
  try {
    appendFileSync(path, text, { encoding: 'utf8' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RunnerFileError(`Cannot write ${name} to ${variable} (${path}): ${code}. Check that the file exists and is writable.`, error);
  }
}

/** Adds a folder to PATH for later steps (the runner's GITHUB_PATH file command: one line). */
export function addPath(folder: string): void {
  if (process.env.GITHUB_PATH) appendFileCommand('GITHUB_PATH', 'a folder', `${folder}${EOL}`);
  else issueCommand('add-path', {}, folder);
}

/** Saves a value for this action's post step, which gets it as STATE_<name>. */
export function saveState(name: string, value: string): void {
  if (process.env.GITHUB_STATE) appendFileCommand('GITHUB_STATE', name, fileCommand(name, value));
  else issueCommand('save-state', { name }, value);
}
