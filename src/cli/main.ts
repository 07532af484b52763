// The CLI for every other CI system: flags and environment in, the token on stdout.

import { isVerb, runVerb, VERB_FLAGS, VERBS, type Verb } from './verbs.ts';
import { actionOnlyWarnings } from './action-only.ts';
import { CLI_NAMING, variableOf } from './naming.ts';
import { didYouMean, notOneOf } from '../core/did-you-mean.ts';
import { AGENT_VERB } from '../agent/protocol.ts';
import { runAgentProcess } from '../agent/server.ts';
import { parseFlags, type Flags } from './command-line.ts';
import { CheckmarxAuthError, exitCodeOf, failureMessage, stackFrames } from '../core/errors.ts';
import { EXIT_USAGE } from '../core/exit-codes.ts';
import { exchangeCredentials } from '../core/exchange.ts';
import { FORMATS, formatResult, OTHER_VARIABLES, type Format } from './formats.ts';
import { INPUTS, readInputs, SECRET_INPUTS } from '../core/inputs.ts';
import { diagnosticLine, type Level } from '../core/printable.ts';
import type { SystemIo } from '../io/system.ts';
import { VERSION } from '../core/version.ts';
import { maskCommand } from '../core/masking.ts';
import { runTimeSecretValues, type RunTimeSecretValues } from '../core/run-time-secrets.ts';

/** What the CLI runs on. The bundle's entry passes the process's own; tests pass theirs. */
export interface CliDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: SystemIo;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

type Say = (level: Level) => (message: string) => void;

const FLAGS = {
  ...Object.fromEntries(INPUTS.map((spec) => [spec.name, { type: 'string' as const }])),
  format: { type: 'string' as const },
  help: { type: 'boolean' as const, short: 'h' },
  version: { type: 'boolean' as const, short: 'V' },
};

class UsageError extends CheckmarxAuthError {
  readonly exitCode = EXIT_USAGE;
}

function parseCommandLine(argv: string[], verb: Verb | undefined): Flags {
  try {
    return parseFlags(argv, verb ? { ...FLAGS, ...VERB_FLAGS[verb] } : FLAGS);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} See checkmarx-auth --help.`);
  }
}

function parseFormat(value: string | undefined, fallback: Format): Format {
  const format = (value ?? fallback).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${notOneOf(value ?? '', FORMATS)}`);
  }
  return format as Format;
}

/** Inputs whose action wording does not fit the CLI. */
const CLI_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'export-env': 'Action only: accepted and ignored by the CLI, whose --format decides what is printed.',
  'env-name': 'Name of the token variable in the env, azure and powershell formats.',
  agent: 'Action only: the CLI starts the agent with the start-agent verb.',
};

function helpText(): string {
  const rows = INPUTS.map((spec) => {
    const env = spec.env.join(', ');
    const fallback = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    const description = CLI_DESCRIPTIONS[spec.name] ?? spec.description;
    return `  --${spec.name} <value>\n      ${description}${fallback}\n      env: ${env}\n`;
  });
  return [
    `checkmarx-auth ${VERSION}: exchange Checkmarx credentials for a short-lived access token.`,
    '',
    'Usage: checkmarx-auth --product <sast|sast-odata|access-control|sca|cxone> [--flag value ...]',
    '       checkmarx-auth token [--min-validity SECONDS] [--format ...] [--flag value ...]',
    '       checkmarx-auth start-agent [--format env|json|azure] [--flag value ...]',
    '       checkmarx-auth stop-agent',
    '',
    'Verbs (for jobs that outlive a token):',
    '  start-agent  Exchange once like the bare command, then start the token agent, a background',
    '               process that keeps the credentials in memory only. Prints CX_AUTH_SOCK and the',
    '               token variables (--format env by default). Assign, then eval, so that a failed',
    '               exchange stops the script (eval "$(...)" would return 0):',
    '                 cx_env="$(checkmarx-auth start-agent ...)" || exit 1',
    '                 eval "$cx_env"',
    '  token        Print a token valid for at least --min-validity seconds (default 60). With',
    '               CX_AUTH_SOCK set it asks the agent, which reuses its token or exchanges again;',
    '               without it, the same one-shot exchange as the bare command.',
    '  stop-agent   Stop the agent that CX_AUTH_SOCK names (exit 0 also when it is already gone).',
    '',
    'Every flag may come from its environment variable instead; a flag wins. Give secrets',
    '(password, client-secret, api-key) by environment: process lists show flags.',
    '',
    ...rows,
    `  --format <${FORMATS.join('|')}>`,
    '      What stdout gets: token (the token and a newline), json (every output, camelCase keys),',
    "      env (export NAME='value' lines for eval or .), azure (##vso[task.setvariable] commands;",
    "      only the token is secret) or powershell ($env:NAME = 'value' lines for Invoke-Expression).",
    '      (default: token)',
    `      env, azure and powershell variables: the token as --env-name, then ${OTHER_VARIABLES.join(', ')}.`,
    '  -h, --help       Show this help.',
    '  -V, --version    Show the version.',
    '',
    'Exit codes: 0 success, 1 the token request failed, 2 bad usage or configuration.',
    '',
  ].join('\n');
}

/** The CLI with its arguments (argv without node and the script); resolves to the exit code, never rejects. */
export async function run(argv: string[], deps: CliDeps): Promise<number> {
  const say: Say = (level) => (message) => deps.stderr(diagnosticLine(level, message, Boolean(deps.env.TF_BUILD)));
  try {
    return await main(argv, deps, say);
  } catch (error) {
    say('error')(failureMessage(error, CLI_NAMING));
    if (deps.env.RUNNER_DEBUG === '1') stackFrames(error).forEach((frame) => say('info')(frame));
    return exitCodeOf(error);
  }
}

async function main(argv: string[], deps: CliDeps, say: Say): Promise<number> {
  const write = (text: string): number => {
    deps.stdout(text);
    return 0;
  };
  if (argv[0] === AGENT_VERB) {
    await runAgentProcess();
    return 0;
  }
  const verb = isVerb(argv[0]) ? argv[0] : undefined;
  if (!verb) rejectUnknownVerb(argv[0]);
  const flags = parseCommandLine(verb ? argv.slice(1) : argv, verb);
  if (flags.help) return write(helpText());
  if (flags.version) return write(`${VERSION}\n`);
  actionOnlyWarnings(flags, deps.env, verb).forEach(say('warning'));
  const format = parseFormat(flags.format as string | undefined, verb === 'start-agent' ? 'env' : 'token');
  const debug = deps.env.RUNNER_DEBUG === '1' ? say('info') : () => {};
  const masking = logMasking(deps);
  const mask = (values: RunTimeSecretValues) => runTimeSecretValues(values).forEach((value) => masking?.(value));
  const exchange = () => oneShot(flags, deps, say, debug, masking);
  if (verb) return runVerb(verb, { flags, format, env: deps.env, exchange, say: say('info'), warn: say('warning'), debug, write, mask });
  const { settings, result } = await exchange();
  mask(result);
  return write(formatResult(format, result, settings.envName));
}

/**
 * A first word that is not a flag is meant as a verb. It is named only when it is close to one:
 * any other word may be half of an unquoted secret.
 */
function rejectUnknownVerb(word: string | undefined): void {
  if (word === undefined || word.startsWith('-')) return;
  const suggestion = didYouMean(word, VERBS);
  const verbs = `${VERBS.slice(0, -1).join(', ')} or ${VERBS.at(-1)}`;
  throw new UsageError(
    suggestion
      ? `Unknown verb '${word}'. Did you mean '${suggestion}'? See checkmarx-auth --help.`
      : `Unexpected argument: the first word is a verb (${verbs}) or a --flag. See checkmarx-auth --help.`,
  );
}

/**
 * Inside GitHub Actions or Azure Pipelines, registers a secret with the log's masking on stderr
 * (the runner reads workflow commands there too), once, before anything prints it.
 */
function logMasking(deps: CliDeps): ((value: string) => void) | undefined {
  const line = maskCommand(deps.env);
  if (!line) return undefined;
  const registered = new Set<string>();
  return (value) => {
    if (registered.has(value)) return;
    registered.add(value);
    deps.stderr(line(value));
  };
}

function oneShot(flags: Flags, deps: CliDeps, say: Say, debug: (message: string) => void, mask: ((value: string) => void) | undefined) {
  const flagged = SECRET_INPUTS.filter((name) => flags[name] !== undefined);
  if (flagged.length > 0) {
    const envs = flagged.map(variableOf).join(', ');
    say('warning')(`${flagged.map((n) => `--${n}`).join(', ')} on the command line can be seen in process lists; set ${envs} instead.`);
  }
  const values = readInputs((name) => (typeof flags[name] === 'string' ? flags[name] : undefined), deps.env);
  return exchangeCredentials(values, {
    ...(mask ? { mask } : {}),
    log: { info: say('info'), warning: say('warning'), debug },
    ...deps.io,
  });
}
