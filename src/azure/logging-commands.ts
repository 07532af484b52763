// The Azure Pipelines agent's logging commands (`##vso[area.event k=v;...]data`), the task's only
// way to talk to the agent: no azure-pipelines-task-lib at run time. Every property value and every
// data part passes through azureEscape, so no value can end the line, a property or the command.
// Text for people (info, warnings, errors) passes through printable first, so that a server's text
// can never become a command of its own.

import { azureEscape } from '../ci/log-commands.ts';
import { printable } from '../core/printable.ts';

export type Write = (text: string) => void;

export interface LoggingCommands {
  /** Registers a value with the agent's secret masker (`task.setsecret`). */
  readonly setSecret: (value: string) => void;
  /** A pipeline variable for later steps; `output` makes it `$(step.name)` for later jobs and stages too. */
  readonly setVariable: (name: string, value: string, options: { secret: boolean; output: boolean }) => void;
  /** A variable only this task's later steps see (its post-job step), as VSTS_TASKVARIABLE_<NAME>. */
  readonly setTaskVariable: (name: string, value: string, options: { secret: boolean }) => void;
  /** Puts a folder first on PATH for later steps (`task.prependpath`). */
  readonly prependPath: (folder: string) => void;
  readonly info: (message: string) => void;
  readonly debug: (message: string) => void;
  readonly warning: (message: string) => void;
  /** An error issue with its stable code (`[code] message`, and the issue's `code`), then the task's result Failed. */
  readonly fail: (message: string, code: string) => void;
}

/** `##vso[name k=v;...]data`; a property whose value is empty is left out, as the agent ignores it. */
export function loggingCommand(name: string, properties: Readonly<Record<string, string>>, data: string): string {
  const pairs = Object.entries(properties)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${azureEscape(value)};`)
    .join('');
  return `##vso[${name}${pairs ? ` ${pairs}` : ''}]${azureEscape(data)}\n`;
}

export function loggingCommands(write: Write): LoggingCommands {
  const command = (name: string, properties: Readonly<Record<string, string>>, data: string) =>
    write(loggingCommand(name, properties, data));
  return {
    setSecret: (value) => {
      if (value) command('task.setsecret', {}, value);
    },
    setVariable: (name, value, { secret, output }) =>
      command('task.setvariable', { variable: name, isOutput: String(output), issecret: String(secret) }, value),
    setTaskVariable: (name, value, { secret }) => command('task.settaskvariable', { variable: name, issecret: String(secret) }, value),
    prependPath: (folder) => command('task.prependpath', {}, folder),
    info: (message) => write(`${printable(message)}\n`),
    debug: (message) => command('task.debug', {}, printable(message)),
    warning: (message) => command('task.logissue', { type: 'warning' }, printable(message)),
    fail: (message, code) => {
      command('task.logissue', { type: 'error', code }, `[${code}] ${printable(message)}`);
      command('task.complete', { result: 'Failed' }, '');
    },
  };
}
