// Inputs only the action acts on, and flags only some verbs act on (--sealed, --read-only). The CLI
// accepts them (one table of inputs serves both), but a user who gives one expects something to
// happen: say what to run instead.

import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { TRUE_WORDS } from '../core/input-values.ts';

const INSTEAD = {
  agent: 'to start the token agent, run `checkmarx-auth start-agent` instead',
  'export-env': 'to print export lines for the shell, use --format env instead',
} as const;

/** Flags that only start-agent and exec act on: they switch the sealed facade on. */
const SEALING_FLAGS = ['sealed', 'read-only'] as const;
const SEALING_VERBS: ReadonlyArray<string | undefined> = ['start-agent', 'exec'];

/** The warnings for action-only flags and for CX_AGENT=true, in the order a user would fix them. */
export function actionOnlyWarnings(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  verb: string | undefined,
): string[] {
  const warnings = Object.entries(INSTEAD)
    .filter(([name]) => flags[name] !== undefined)
    .map(([name, instead]) => `--${name} is an action input that the CLI ignores: ${instead}.`);
  if (!SEALING_VERBS.includes(verb)) {
    const what = verb ?? 'the bare command';
    for (const name of SEALING_FLAGS.filter((name) => flags[name] !== undefined)) {
      warnings.push(
        `--${name} is read by start-agent and exec only, so ${what} ignores it: a token printed here is a phantom only when a sealed agent ('checkmarx-auth start-agent --sealed') serves it.`,
      );
    }
  }
  // With an agent running, or when starting or stopping one, CX_AGENT (set for the action) changes nothing.
  const agentVariable = env.CX_AGENT?.trim().toLowerCase() ?? '';
  if (
    flags.agent === undefined &&
    TRUE_WORDS.includes(agentVariable) &&
    verb !== 'start-agent' &&
    verb !== 'stop-agent' &&
    !env[SOCK_VARIABLE]
  ) {
    warnings.push(`CX_AGENT=${env.CX_AGENT!.trim()} is read by the action only, and the CLI starts no agent: ${INSTEAD.agent}.`);
  }
  return warnings;
}
