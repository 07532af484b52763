// The runner's workflow commands (mask, log, outputs, exported variables), built on @actions/core's
// own command modules. Its entry module would also load its OIDC client and, through it,
// @actions/http-client's undici: about 100 ms of start-up for code this action never runs
// (see BENCHMARKS.md). Relative paths, because the package's exports map lists only its entry.

import { EOL } from 'node:os';
import { issueCommand } from '../node_modules/@actions/core/lib/command.js';
import { issueFileCommand, prepareKeyValueMessage } from '../node_modules/@actions/core/lib/file-command.js';

export const setSecret = (secret: string): void => issueCommand('add-mask', {}, secret);
export const info = (message: string): void => void process.stdout.write(message + EOL);
export const debug = (message: string): void => issueCommand('debug', {}, message);
export const warning = (message: string): void => issueCommand('warning', {}, message);

export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', {}, message);
}

export function setOutput(name: string, value: string): void {
  if (process.env.GITHUB_OUTPUT) issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
  else issueCommand('set-output', { name }, value);
}

export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  if (process.env.GITHUB_ENV) issueFileCommand('ENV', prepareKeyValueMessage(name, value));
  else issueCommand('set-env', { name }, value);
}
