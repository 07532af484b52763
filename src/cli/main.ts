// The CLI for every other CI system: flags and environment in, the token on stdout.

import { helpText } from './help.ts';
import { isVerb, runVerb, VERB_FLAGS, VERBS, type Verb } from './verbs.ts';
import { actionOnlyWarnings } from './action-only.ts';
import { withAgentMappingHint } from './agent-mapping.ts';
import { CLI_NAMING, variableOf } from './naming.ts';
import { didYouMean, notOneOf } from '../core/did-you-mean.ts';
import { AGENT_VERB } from '../agent/protocol.ts';
import { runAgentProcess } from '../agent/server.ts';
import { inputsFromFlags, parseFlags, type Flags } from './command-line.ts';
import { runInspect } from './inspect.ts';
import { errorCodeOf, exitCodeOf, failureMessage, stackFrames } from '../core/errors.ts';
import { UsageError } from './usage-error.ts';
import { exchangeCredentials } from '../core/exchange.ts';
import { FORMATS, formatResult, type Format } from './formats.ts';
import { INPUTS, SECRET_INPUTS } from '../core/inputs.ts';
import { diagnosticLine, type Level } from '../ci/diagnostics.ts';
import { printable } from '../core/printable.ts';
import type { SystemIo } from '../io/system.ts';
import { VERSION } from '../core/version.ts';
import { ciWith } from '../ci/systems.ts';
import { proxySettings } from '../core/transport.ts';
import { oncePerValue } from '../core/once-per-value.ts';
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
  ...Object.fromEntries(
    INPUTS.map((spec) => [spec.name, { type: 'switch' in spec && spec.switch ? ('switch' as const) : ('string' as const) }]),
  ),
  format: { type: 'string' as const },
  help: { type: 'boolean' as const, short: 'h' },
  version: { type: 'boolean' as const, short: 'V' },
};

function parseCommandLine(argv: string[], verb: Verb | undefined): Flags {
  try {
    return parseFlags(argv, verb ? { ...FLAGS, ...VERB_FLAGS[verb] } : FLAGS);
  } catch (error) {
    throw error instanceof UsageError ? error.withHelp() : error;
  }
}

function parseFormat(value: string | undefined, fallback: Format): Format {
  const format = (value ?? fallback).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError('usage/unknown-format', `--format ${notOneOf(value ?? '', FORMATS)}`);
  }
  return format as Format;
}

/** The CLI with its arguments (argv without node and the script); resolves to the exit code, never rejects. */
export async function run(argv: string[], deps: CliDeps): Promise<number> {
  const say: Say = (level) => (message) => deps.stderr(diagnosticLine(level, message, deps.env));
  const wants = { jsonErrors: false };
  try {
    return await main(argv, deps, say, wants);
  } catch (error) {
    const code = errorCodeOf(error);
    const message = failureMessage(error, CLI_NAMING);
    deps.stderr(diagnosticLine('error', message, deps.env, code));
    if (wants.jsonErrors) deps.stderr(errorJson(code, message));
    if (deps.env.RUNNER_DEBUG === '1') stackFrames(error).forEach((frame) => say('info')(frame));
    return exitCodeOf(error);
  }
}

/**
 * With --format json, a failure is also one line of JSON on stderr, `{"code":...,"message":...}`,
 * after the line for people: stdout stays empty on a failure, as for every format.
 */
function errorJson(code: string, message: string): string {
  return `${JSON.stringify({ code, message: printable(message) })}\n`;
}

async function main(argv: string[], deps: CliDeps, say: Say, wants: { jsonErrors: boolean }): Promise<number> {
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
  const words = verb ? argv.slice(1) : argv;
  // exec: the flags end at the first `--` (no flag value can be one), the command follows.
  const dash = verb === 'exec' ? words.indexOf('--') : -1;
  const flags = parseCommandLine(dash === -1 ? words : words.slice(0, dash), verb);
  // Every verb's JSON reader gets its failure as JSON too; exec prints nothing of its own.
  wants.jsonErrors = verb !== 'exec' && typeof flags.format === 'string' && flags.format.toLowerCase() === 'json';
  if (flags.help) return write(helpText());
  if (flags.version) return write(`${VERSION}\n`);
  actionOnlyWarnings(flags, deps.env, verb).forEach(say('warning'));
  if (verb === 'inspect') {
    warnSecretFlags(flags, say);
    return runInspect({ flags, env: deps.env, ...deps.io, warn: say('warning'), write });
  }
  const format = parseFormat(flags.format as string | undefined, verb === 'start-agent' ? 'env' : 'token');
  const debug = deps.env.RUNNER_DEBUG === '1' ? say('info') : () => {};
  const masking = logMasking(deps);
  const mask = (values: RunTimeSecretValues) => runTimeSecretValues(values).forEach((value) => masking?.(value));
  const exchange = withAgentMappingHint(verb, deps.env, () => oneShot(flags, deps, say, debug, masking));
  const command = dash === -1 ? {} : { command: words.slice(dash + 1) };
  const context = {
    flags,
    format,
    env: deps.env,
    exchangeCredentials: exchange,
    say: say('info'),
    warn: say('warning'),
    debug,
    write,
    mask,
  };
  if (verb) return runVerb(verb, { ...context, ...command });
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
    suggestion ? 'usage/unknown-verb' : 'usage/unexpected-argument',
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
  const line = ciWith(deps.env, 'maskLine');
  if (!line) return undefined;
  return oncePerValue((value) => deps.stderr(line(value)));
}

function warnSecretFlags(flags: Flags, say: Say): void {
  const flagged = SECRET_INPUTS.filter((name) => flags[name] !== undefined);
  if (flagged.length > 0) {
    const envs = flagged.map(variableOf).join(', ');
    say('warning')(`${flagged.map((n) => `--${n}`).join(', ')} on the command line can be seen in process lists; set ${envs} instead.`);
  }
}

function oneShot(flags: Flags, deps: CliDeps, say: Say, debug: (message: string) => void, mask: ((value: string) => void) | undefined) {
  warnSecretFlags(flags, say);
  const values = inputsFromFlags(flags, deps.env);
  return exchangeCredentials(values, {
    ...(mask ? { mask } : {}),
    log: { info: say('info'), warning: say('warning'), debug },
    naming: CLI_NAMING,
    proxy: proxySettings(deps.env),
    ...deps.io,
  });
}
