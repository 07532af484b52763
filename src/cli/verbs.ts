// The CLI's verb registry: the verbs, the flags and formats each takes, and which file runs it (one
// file per verb: token.ts, start-agent.ts, stop-agent.ts, inspect.ts, exec.ts). inspect sends no
// request, so main.ts runs it apart; the others get a VerbContext (verb-context.ts).

import { FORMATS } from './formats.ts';
import { INSPECT_FORMATS } from './inspect.ts';
import { runExec } from './exec.ts';
import { runStartAgent, START_AGENT_FORMATS } from './start-agent.ts';
import { runStopAgent } from './stop-agent.ts';
import { runToken } from './token.ts';
import type { VerbContext } from './verb-context.ts';

export const VERBS = ['token', 'start-agent', 'stop-agent', 'inspect', 'exec'] as const;
export type Verb = (typeof VERBS)[number];
/** inspect sends no request and has formats of its own (text, json): see inspect.ts. */
export type ExchangeVerb = Exclude<Verb, 'inspect'>;

/** Flags a verb takes besides the input flags. */
export const VERB_FLAGS: Readonly<Record<Verb, Record<string, { type: 'string' }>>> = {
  token: { 'min-validity': { type: 'string' } },
  'start-agent': {},
  'stop-agent': {},
  inspect: {},
  exec: {},
};

/** The --format values each verb prints (stop-agent prints nothing on stdout); the first is the default. */
export const VERB_FORMATS: Readonly<Record<Verb, readonly string[]>> = {
  token: FORMATS,
  'start-agent': START_AGENT_FORMATS,
  'stop-agent': [],
  inspect: INSPECT_FORMATS,
  exec: [],
};

const COMMANDS: Readonly<Record<ExchangeVerb, (context: VerbContext) => Promise<number>>> = {
  token: runToken,
  'start-agent': runStartAgent,
  'stop-agent': runStopAgent,
  exec: runExec,
};

export function isVerb(word: string | undefined): word is Verb {
  return (VERBS as readonly string[]).includes(word ?? '');
}

export function runVerb(verb: ExchangeVerb, context: VerbContext): Promise<number> {
  return COMMANDS[verb](context);
}
