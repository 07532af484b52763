// The Azure Pipelines agent, as far as the task sees it: it starts the task's bundle with the
// inputs as INPUT_<NAME>, the service connection as ENDPOINT_* and the task variables as
// VSTS_TASKVARIABLE_<NAME>, and reads the task's stdout a line at a time, turning `##vso[...]`
// lines into commands with its own parser (microsoft/azure-pipelines-agent: Command.TryParse and
// CommandStringConvertor.Unescape, percent decoding on, the agent's default), written out here
// so that the tests do not trust src/ for it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, REPO_ROOT, runProcess, type Env, type ProcessRun } from './run.ts';

export const TASK_DIR = join(REPO_ROOT, 'azure-devops', 'CheckmarxAuth');
export const TASK_ENTRY = join(TASK_DIR, 'dist', 'main', 'index.js');
export const TASK_POST_ENTRY = join(TASK_DIR, 'dist', 'post', 'index.js');
export const TASK_CLI_ENTRY = join(TASK_DIR, 'dist', 'cli', 'index.js');

export interface AgentCommand {
  /** `area.event` as written, e.g. task.setvariable */
  readonly name: string;
  /** keys as written; the agent compares them case-insensitively */
  readonly properties: Readonly<Record<string, string>>;
  readonly data: string;
}

/** CommandStringConvertor.Unescape with unescapePercents: its four escapes first, then %AZP25. */
export function unescapeAgent(value: string): string {
  return value
    .replace(/%3B/g, ';')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%AZP25/g, '%');
}

/** Command.TryParse: `##vso[` anywhere in the line, the first `]` after it ends the command info. */
export function parseAgentLine(line: string): AgentCommand | undefined {
  const prefix = line.indexOf('##vso[');
  if (prefix < 0) return undefined;
  const end = line.indexOf(']', prefix);
  if (end < 0) return undefined;
  const info = line.slice(prefix + '##vso['.length, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (name.split('.').filter(Boolean).length !== 2) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const equals = pair.indexOf('=');
      if (equals > 0 && equals < pair.length - 1) properties[pair.slice(0, equals)] = unescapeAgent(pair.slice(equals + 1));
    }
  }
  return { name, properties, data: unescapeAgent(line.slice(end + 1)) };
}

export interface AgentView {
  /** every line, as the agent got it (without its line break) */
  readonly lines: string[];
  readonly commands: AgentCommand[];
  /** the lines that are not commands: what the job log shows */
  readonly log: string[];
  /** task.setsecret values, in order */
  readonly secrets: string[];
  /** task.setvariable, by name as written */
  readonly variables: Record<string, { value: string; secret: boolean; output: boolean }>;
  /** task.settaskvariable, by name as written */
  readonly taskVariables: Record<string, { value: string; secret: boolean }>;
  /** task.logissue; `code` only when the issue has one (every error the task reports) */
  readonly issues: Array<{ type: string; message: string; code?: string }>;
  /** task.complete's result, when the task sent one */
  readonly result: string | undefined;
  readonly prependPaths: string[];
}

const property = (command: AgentCommand, key: string) =>
  Object.entries(command.properties).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
const flag = (command: AgentCommand, key: string) => property(command, key)?.toLowerCase() === 'true';

/** What the agent makes of a task's stdout. */
export function agentView(stdout: string): AgentView {
  const lines = stdout.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  const view: AgentView = {
    lines,
    commands: [],
    log: [],
    secrets: [],
    variables: {},
    taskVariables: {},
    issues: [],
    result: undefined,
    prependPaths: [],
  };
  let result: string | undefined;
  for (const line of lines) {
    const command = parseAgentLine(line);
    if (!command) {
      view.log.push(line);
      continue;
    }
    view.commands.push(command);
    switch (command.name.toLowerCase()) {
      case 'task.setsecret':
        view.secrets.push(command.data);
        break;
      case 'task.setvariable':
        view.variables[property(command, 'variable') ?? ''] = {
          value: command.data,
          secret: flag(command, 'issecret'),
          output: flag(command, 'isOutput'),
        };
        break;
      case 'task.settaskvariable':
        view.taskVariables[property(command, 'variable') ?? ''] = { value: command.data, secret: flag(command, 'issecret') };
        break;
      case 'task.logissue':
      case 'task.issue': {
        const code = property(command, 'code');
        view.issues.push({ type: property(command, 'type') ?? '', message: command.data, ...(code ? { code } : {}) });
        break;
      }
      case 'task.complete':
        result = property(command, 'result');
        break;
      case 'task.prependpath':
        view.prependPaths.push(command.data);
        break;
    }
  }
  return { ...view, result };
}

/** The commands the agent consumes without showing them in the log. */
const SILENT_COMMANDS = ['task.setsecret', 'task.setvariable', 'task.settaskvariable'];

/**
 * No secret where the job log or a reader of the commands could see it: only the lines the agent
 * consumes silently (setsecret, setvariable, settaskvariable) may hold one, and only once it was
 * registered by an earlier task.setsecret (or the variable is itself secret). Every other line,
 * the text the agent logs, must hold no spelling of any secret, escaped or not.
 */
export function assertNoAzureLeak(run: { stdout: string; stderr: string }, secrets: string[]): void {
  const view = agentView(run.stdout);
  const registered: string[] = [];
  view.lines.forEach((line, index) => {
    const command = parseAgentLine(line);
    const silent = command && SILENT_COMMANDS.includes(command.name.toLowerCase());
    const texts = command ? [line, command.data, ...Object.values(command.properties)] : [line];
    secrets.forEach((secret, number) => {
      if (!secret) return;
      const spelled = spellings(secret).filter((form) => texts.some((text) => text.includes(form)));
      if (spelled.length === 0) return;
      if (!silent) assert.fail(`secret #${number} in stdout line ${index + 1}, which the job log shows`);
      const covered = registered.includes(secret) || (command.name.toLowerCase() !== 'task.setsecret' && flag(command, 'issecret'));
      if (!covered && command.name.toLowerCase() !== 'task.setsecret') {
        assert.fail(`secret #${number} in stdout line ${index + 1} before a task.setsecret registered it`);
      }
    });
    if (command?.name.toLowerCase() === 'task.setsecret') registered.push(command.data);
  });
  secrets.forEach((secret, number) => {
    if (secret && spellings(secret).some((form) => run.stderr.includes(form))) assert.fail(`secret #${number} in stderr`);
  });
}

function spellings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    // as an agent would see it escaped in a command line, and as a sloppy escaper might write it
    secret.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'),
  ];
}

// ---- running the task as the agent does ----

/** The task.json inputs' defaults, which the agent passes for every input not given. */
export function taskDefaults(): Record<string, string> {
  const task = JSON.parse(readFileSync(join(TASK_DIR, 'task.json'), 'utf8')) as { inputs: Array<{ name: string; defaultValue?: string }> };
  return Object.fromEntries(
    task.inputs.filter((input) => input.defaultValue !== undefined).map((input) => [input.name, String(input.defaultValue)]),
  );
}

/** The agent's INPUT_<NAME>: upper case, `.` and space as `_` (VarUtil.ConvertToEnvVariableFormat). */
export const envName = (name: string) => name.replace(/[. ]/g, '_').toUpperCase();

export interface ServiceConnection {
  /** the endpoint id the `connection` input holds */
  readonly id: string;
  readonly url?: string;
  readonly scheme: string;
  readonly parameters: Record<string, string>;
  /** only ENDPOINT_AUTH_<id> (the JSON), without the per-parameter variables */
  readonly jsonOnly?: boolean;
}

/** The variables the agent sets for a service connection (Handler.AddEndpointsToEnvironment). */
export function endpointVariables(connection: ServiceConnection): Env {
  const { id } = connection;
  const env: Env = {
    [`ENDPOINT_URL_${id}`]: connection.url,
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters: connection.parameters, scheme: connection.scheme }),
  };
  if (connection.jsonOnly) return env;
  env[`ENDPOINT_AUTH_SCHEME_${id}`] = connection.scheme;
  for (const [name, value] of Object.entries(connection.parameters)) env[`ENDPOINT_AUTH_PARAMETER_${id}_${envName(name)}`] = value;
  return env;
}

export interface TaskRunOptions {
  /** the Node that runs the bundle (the agent's Node20_1 or Node24 handler) */
  readonly node: string;
  /** task.json input names (camelCase); undefined drops a default */
  readonly inputs: Record<string, string | number | boolean | undefined>;
  readonly connections?: readonly ServiceConnection[];
  /** Agent.TempDirectory */
  readonly temp: string;
  readonly env?: Env;
}

export interface TaskRun extends ProcessRun {
  readonly agent: AgentView;
}

export async function runTask(options: TaskRunOptions): Promise<TaskRun> {
  const inputs: Env = {};
  for (const [name, value] of Object.entries({ ...taskDefaults(), ...options.inputs })) {
    inputs[`INPUT_${envName(name)}`] = value === undefined ? undefined : String(value);
  }
  const env = cleanEnv({
    ...agentEnvironment(options.temp),
    ...inputs,
    ...Object.assign({}, ...(options.connections ?? []).map(endpointVariables)),
    ...options.env,
  });
  const run = await runProcess(options.node, [TASK_ENTRY], { env, cwd: options.temp, timeoutMs: 60_000 });
  return { ...run, agent: agentView(run.stdout) };
}

/** The post-job step, with the task variables that the task set. */
export async function runTaskPost(options: {
  node: string;
  temp: string;
  taskVariables: Record<string, { value: string }>;
  env?: Env;
}): Promise<TaskRun> {
  const variables: Env = {};
  for (const [name, { value }] of Object.entries(options.taskVariables)) variables[`VSTS_TASKVARIABLE_${envName(name)}`] = value;
  const env = cleanEnv({ ...agentEnvironment(options.temp), ...variables, ...options.env });
  const run = await runProcess(options.node, [TASK_POST_ENTRY], { env, cwd: options.temp, timeoutMs: 30_000 });
  return { ...run, agent: agentView(run.stdout) };
}

function agentEnvironment(temp: string): Env {
  return { TF_BUILD: 'True', AGENT_TEMPDIRECTORY: temp, SYSTEM_HOSTTYPE: 'build', AGENT_OS: 'Linux' };
}
