// Typed errors. A message is built from what the user needs and never from a secret:
// anything the server or the network said passes through `redact` first.

import { ERROR_CODES, type ErrorCode } from './error-codes.ts';
import { describeRequestFailure, requestFailureCode, type FailureDetails, type RequestContext } from './failures.ts';
import type { InputName } from './inputs.ts';

/**
 * Every error this tool reports to a user: a stable `code` (error-codes.ts), which also decides the
 * CLI's exit code, and a message built for users. `cause`, where there is one, is for debugging only.
 */
export abstract class CheckmarxAuthError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** The stable code of any failure: ours, or `internal/unexpected` for anything else. */
export function errorCodeOf(error: unknown): ErrorCode {
  return error instanceof CheckmarxAuthError ? error.code : 'internal/unexpected';
}

/**
 * What to tell the user about any failure. Only our own errors carry messages built for users;
 * anything else is a bug, reported by type only, since its message could hold a secret.
 */
export function failureMessage(error: unknown, naming: InputNaming = ACTION_NAMING): string {
  if (error instanceof InputError) return error.describe(naming);
  if (error instanceof CheckmarxAuthError) return error.message;
  return `Unexpected failure (${error instanceof Error ? error.name : typeof error}). Please report it.`;
}

/** The message with its code in front, `[token-request/invalid-grant] ...`, for the action's and the task's errors. */
export function codedMessage(error: unknown, naming: InputNaming = ACTION_NAMING): string {
  return `[${errorCodeOf(error)}] ${failureMessage(error, naming)}`;
}

/**
 * The stack frames of an unexpected error (the `    at ...` lines), for a bug report under
 * RUNNER_DEBUG=1: never its message, which comes first in the stack and may hold a secret. A stack
 * that does not start with the error's own name and message, as V8 writes it, gives nothing.
 */
export function stackFrames(error: unknown): string[] {
  if (!(error instanceof Error) || error instanceof CheckmarxAuthError || typeof error.stack !== 'string') return [];
  const header = error.message ? `${error.name}: ${error.message}` : error.name;
  if (!error.stack.startsWith(`${header}\n`)) return [];
  return error.stack
    .slice(header.length + 1)
    .split('\n')
    .filter((line) => /^ {4}at \S/.test(line))
    .map((line) => line.trim());
}

export function exitCodeOf(error: unknown): number {
  return ERROR_CODES[errorCodeOf(error)].exit;
}

/**
 * What an InputError can name: an input, or an option only one front end has (a CLI verb's flag),
 * which the core does not know by name; the front end's InputNaming words it.
 */
export type InputErrorSubject = InputName | (string & {});

/**
 * How a front end names an input in a message: the action as `'username'` (an action input), the
 * CLI as `--username / CX_USERNAME` (its flag and variable).
 */
export interface InputNaming {
  /** One input, as the subject of a message about it alone: `Input 'username'`. */
  readonly subject: (input: InputErrorSubject) => string;
  /** One input within a sentence or a list: `'username'`. */
  readonly reference: (input: InputErrorSubject) => string;
  /** Several inputs as the subject of a sentence: `Inputs 'a' and 'b'`. */
  readonly several: (references: string) => string;
}

export const ACTION_NAMING: InputNaming = {
  subject: (input) => `Input '${input}'`,
  reference: (input) => `'${input}'`,
  several: (references) => `Inputs ${references}`,
};

export interface InputErrorOptions {
  /** `input/invalid` unless said otherwise. */
  readonly code?: ErrorCode;
  /** Every input the message is about, when there are several. */
  readonly inputs?: readonly InputErrorSubject[];
}

/** A missing or bad input, found before any request is sent. */
export class InputError extends CheckmarxAuthError {
  /** The input the message is about (the first one, when several are). */
  readonly input: InputErrorSubject;
  /** Every input the message is about. */
  readonly inputs: readonly InputErrorSubject[];
  /** What is wrong, without the input's name, which each front end words its own way. */
  readonly detail: string;
  constructor(input: InputErrorSubject, detail: string, options: InputErrorOptions = {}) {
    super(options.code ?? 'input/invalid', `${ACTION_NAMING.subject(input)}: ${detail}`);
    this.name = 'InputError';
    this.input = input;
    this.inputs = options.inputs ?? [input];
    this.detail = detail;
  }

  /** The message with the inputs named the front end's way. */
  describe(naming: InputNaming): string {
    return `${naming.subject(this.input)}: ${this.detail}`;
  }
}

/** An input given without another that it needs (`read-only` without `sealed`): both named the front end's way. */
export class RequiresInputError extends InputError {
  readonly required: InputName;
  readonly why: string;
  constructor(input: InputName, required: InputName, why: string) {
    super(input, `needs ${ACTION_NAMING.reference(required)} to be true: ${why}`, { inputs: [input, required] });
    this.name = 'RequiresInputError';
    this.required = required;
    this.why = why;
  }

  override describe(naming: InputNaming): string {
    return `${naming.subject(this.input)} needs ${naming.reference(this.required)} to be true: ${this.why}`;
  }
}

/** An input that a run needs and lacks, with what helps to find it (`e.g. https://cx.example.com`). */
export interface MissingInput {
  readonly input: InputName;
  readonly note?: string;
}

/** Other credentials that would have picked another grant type, and so needed other inputs. */
export interface OtherGrant {
  readonly grantType: string;
  readonly inputs: readonly InputName[];
}

/** Every input a run lacks, in one message, so that one run tells the user all of them. */
export class MissingInputsError extends InputError {
  readonly missing: readonly MissingInput[];
  readonly requiredFor: string;
  readonly otherGrants: readonly OtherGrant[];
  /** requiredFor: `product 'sast' with grant type 'password'`. */
  constructor(missing: readonly MissingInput[], requiredFor: string, otherGrants: readonly OtherGrant[] = []) {
    const first = missing[0];
    if (!first) throw new RangeError('MissingInputsError needs a missing input');
    super(first.input, '', { code: 'input/missing', inputs: missing.map((m) => m.input) });
    this.name = 'MissingInputsError';
    this.missing = missing;
    this.requiredFor = requiredFor;
    this.otherGrants = otherGrants;
    this.message = this.describe(ACTION_NAMING);
  }

  override describe(naming: InputNaming): string {
    const others = this.otherGrants
      .map((g) => `; or give ${listOf(g.inputs.map(naming.reference))} for grant type '${g.grantType}'`)
      .join('');
    const named = (m: MissingInput) => (m.note ? `${naming.reference(m.input)} (${m.note})` : naming.reference(m.input));
    if (this.missing.length === 1) {
      const [only] = this.missing as [MissingInput];
      const note = only.note ? ` (${only.note})` : '';
      return `${naming.subject(only.input)}: is required for ${this.requiredFor}${note}${others}.`;
    }
    return `${naming.several(listOf(this.missing.map(named)))} are required for ${this.requiredFor}${others}.`;
  }
}

/** `a`, `a and b`, `a, b and c`. */
export function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The token request failed; the code follows from how (the kind, the status, a known OAuth `error`). */
export class TokenRequestError extends CheckmarxAuthError {
  readonly details: FailureDetails;
  readonly context: RequestContext;
  readonly hint: string | undefined;
  readonly attempts: number;
  constructor(context: RequestContext, details: FailureDetails, hint: string | undefined, attempts = 1) {
    super(requestFailureCode(details), describeRequestFailure(context, details, hint, attempts));
    this.name = 'TokenRequestError';
    this.context = context;
    this.details = details;
    this.hint = hint;
    this.attempts = attempts;
  }
}
