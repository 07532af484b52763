// The Azure DevOps task CheckmarxAuth@1: inputs from the agent (INPUT_<NAME>) and the service
// connection (ENDPOINT_*), the token back as logging commands on stdout (##vso[...]), which the
// agent reads line by line. The same exchange as the action and the CLI.
//
// Where an input is given twice, the task's own input wins, then the service connection, then
// the environment (CX_*): an explicit input is the pipeline author's last word, and the
// connection is what the project set up for everyone (docs/azure-devops.md).

import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { checkedFolder, startJobAgent } from '../agent/job-agent.ts';
import type { AgentToken } from '../agent/protocol.ts';
import { keptVariables } from '../ci/agent-environment.ts';
import { SAVED_AGENT } from '../ci/saved-state.ts';
import { AZURE_PIPELINES } from '../ci/systems.ts';
import { errorCodeOf, failureMessage, InputError, stackFrames } from '../core/errors.ts';
import { exchangeCredentials } from '../core/exchange.ts';
import { readInputs, secretValues, type InputName, type RawInputs } from '../core/inputs.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { sealedVariables } from '../core/sealed-job.ts';
import { isSecretVariable } from '../core/run-time-secrets.ts';
import { camelCase } from '../core/camel-case.ts';
import { OUTPUTS } from '../core/outputs.ts';
import { secretForms } from '../core/secrets.ts';
import { oncePerValue } from '../core/once-per-value.ts';
import type { Settings } from '../core/settings.ts';
import type { TokenResult } from '../core/token-response.ts';
import { proxySettings } from '../core/transport.ts';
import type { SystemIo } from '../io/system.ts';
import { connectionInputs } from './connection.ts';
import { loggingCommands, type LoggingCommands, type Write } from './logging-commands.ts';
import { TASK_NAMING } from './naming.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The name of the input that holds the service connection's id. */
export const CONNECTION_INPUT = 'connection';

/** What the task runs on. The bundle's entry passes the process's own; tests pass theirs. */
export interface TaskDeps {
  readonly env: Env;
  readonly io: SystemIo;
  /** Where the agent's logging commands go: the process's stdout. */
  readonly stdout: Write;
  /** This bundle's path (process.argv[1]): the CLI bundle for the token agent sits beside it. */
  readonly scriptPath: string;
}

/** Exit code 0 when the task succeeded, else 1 (after an error issue and `task.complete result=Failed`). */
export async function run(deps: TaskDeps): Promise<number> {
  const commands = loggingCommands(deps.stdout);
  try {
    await exchangeAndSet(deps, commands);
    return 0;
  } catch (error) {
    commands.fail(failureMessage(error, TASK_NAMING), errorCodeOf(error));
    if (isTrue(deps.env.SYSTEM_DEBUG)) stackFrames(error).forEach((frame) => commands.debug(frame));
    return 1;
  }
}

/** A task input, in the variable the agent hands it over in. */
function taskInput(env: Env, name: string): string | undefined {
  return env[AZURE_PIPELINES.inputVariable(name)];
}

/** The task's inputs (the action's in camelCase), then the connection's, then the environment. */
export function readTaskInputs(env: Env): { values: RawInputs; warnings: readonly string[] } {
  const own = (name: InputName) => clean(taskInput(env, camelCase(name)));
  const id = clean(taskInput(env, CONNECTION_INPUT));
  const connection = id ? connectionInputs(env, id, own('product') ?? clean(env.CX_PRODUCT)) : { values: {}, warnings: [] };
  const values = readInputs((name) => own(name) ?? connection.values[name], env);
  return { values, warnings: connection.warnings };
}

async function exchangeAndSet(deps: TaskDeps, commands: LoggingCommands): Promise<void> {
  const { env } = deps;
  const { values, warnings } = readTaskInputs(env);
  // Every secret, from the inputs and the connection, is registered before the first log line;
  // the exchange registers the rest (the forms the settings use, the token) only once.
  const mask = oncePerValue((value) => commands.setSecret(value));
  secretForms(secretValues(values)).forEach(mask);
  warnings.forEach(commands.warning);
  if (values['env-name']) checkVariableName(values['env-name']);
  const tempDirectory = clean(env[AZURE_PIPELINES.tempVariable]);
  const { settings, result } = await exchangeCredentials(values, {
    mask,
    // Before any request: a task that fails sets no variable.
    check: (settings) => void (settings.agent && agentTempFolder(tempDirectory)),
    log: { info: commands.info, warning: commands.warning, debug: isTrue(env.SYSTEM_DEBUG) ? commands.debug : () => {} },
    proxy: proxySettings(env),
    ...deps.io,
  });
  const arrivedAt = settings.agent ? performance.now() : 0;
  // The outputs and the token come last, and only once everything that can fail has succeeded. A
  // sealed job hands over the agent's phantom instead: the real token is never set anywhere.
  const handOver = (token: AgentToken = result) => {
    for (const spec of OUTPUTS) {
      const value = spec.value(token);
      if (value !== undefined) commands.setVariable(camelCase(spec.name), value, { secret: spec.secret, output: true });
    }
    if (settings.exportEnv) {
      commands.setVariable(settings.envName, token.accessToken, { secret: true, output: false });
      commands.info(`Set the secret variable ${settings.envName} for later steps (map it into a step's env to use it there).`);
    }
  };
  if (settings.agent) await startTaskAgent(deps, commands, mask, settings, result, arrivedAt, agentTempFolder(tempDirectory), handOver);
  else handOver();
}

/** AGENT_TEMPDIRECTORY, which the agent's folders go under: set, and a folder. */
function agentTempFolder(tempDirectory: string | undefined): string {
  if (!tempDirectory) {
    throw new InputError('agent', 'needs the agent temporary folder (AGENT_TEMPDIRECTORY), which every Azure Pipelines agent sets.', {
      code: 'input/runner',
    });
  }
  return checkedFolder(AZURE_PIPELINES.tempVariable, tempDirectory);
}

/**
 * Starts the token agent, as the action does: later steps get CX_AUTH_SOCK and a `checkmarx-auth`
 * command on PATH that runs the task's own CLI bundle; the post-job step gets the agent's PID,
 * socket and folders as task variables, which only this task's later steps see. All or nothing:
 * once the agent runs, a failure or a cancel (SIGINT, SIGTERM) stops it and removes what was made
 * before the task fails.
 */
async function startTaskAgent(
  deps: TaskDeps,
  commands: LoggingCommands,
  mask: (value: string) => void,
  settings: Settings,
  first: TokenResult,
  arrivedAt: number,
  tempDirectory: string,
  handOver: (token?: AgentToken) => void,
): Promise<void> {
  // <task>/dist/main/index.js → <task>/dist/cli/index.js
  const entry = join(dirname(dirname(deps.scriptPath)), 'cli', 'index.js');
  await startJobAgent({
    // The folders go under the job's temporary folder, which the agent empties after every job: the
    // token agent stops when they go. In a container job that folder is the host's (/__w/_temp), so
    // the container's own temporary folder is used, as the action does.
    base: AZURE_PIPELINES.isContainerTemp(tempDirectory) ? tmpdir() : tempDirectory,
    entry,
    settings,
    first,
    arrivedAt,
    environment: keptVariables(deps.env),
    mask,
    stepWord: 'the task',
    publish: ({ sock, pid, commandFolder, folders, variables, sealed }) => {
      commands.setTaskVariable(SAVED_AGENT.folders, JSON.stringify(folders), { secret: false });
      commands.setTaskVariable(SAVED_AGENT.pid, String(pid), { secret: false });
      commands.setTaskVariable(SAVED_AGENT.sock, sock, { secret: true });
      commands.prependPath(commandFolder);
      for (const [name, value] of Object.entries(variables)) commands.setVariable(name, value, { secret: false, output: false });
      // Sealed: the facade's variables (the job key as a secret variable, masked already) and the phantom.
      for (const { name, value, secret } of sealed ? sealedVariables(sealed.job) : [])
        commands.setVariable(name, value, { secret, output: false });
      handOver(sealed?.token);
      // A secret variable, as every variable whose value is a run-time secret: later steps map it
      // into their environment (env: CX_AUTH_SOCK: $(CX_AUTH_SOCK)) where they need the agent.
      commands.setVariable(SOCK_VARIABLE, sock, { secret: isSecretVariable(SOCK_VARIABLE), output: false });
    },
  });
  commands.info(`Started the token agent: later steps run 'checkmarx-auth token' for a fresh token (${SOCK_VARIABLE} names the agent).`);
}

/**
 * Azure Pipelines' own variables: a token set as one of them would change what the agent or a
 * later task does. Variable names are case-insensitive there.
 */
const AZURE_RESERVED_PREFIXES = [
  'AGENT_',
  'BUILD_',
  'SYSTEM_',
  'RELEASE_',
  'PIPELINE_',
  'TF_',
  'VSTS_',
  'ENDPOINT_',
  'INPUT_',
  'SECRET_',
  'SECUREFILE_',
];

function checkVariableName(name: string): void {
  const upper = name.toUpperCase();
  if (AZURE_RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
    throw new InputError('env-name', `'${name}' is a name Azure Pipelines uses itself; choose another name, such as CX_ACCESS_TOKEN.`);
  }
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}
