// Typed errors. A message is built from what the user needs and never from a secret:
// anything the server or the network said passes through `redact` first.

import { EXIT_TOKEN_FAILED, EXIT_USAGE } from './exit-codes.ts';
import { describeRequestFailure, type FailureDetails, type RequestContext } from './failures.ts';
import type { InputName } from './inputs.ts';

export abstract class CheckmarxAuthError extends Error {
  abstract readonly exitCode: number;
}

/**
 * What to tell the user about any failure. Only our own errors carry messages built for users;
 * anything else is a bug, reported by type only, since its message could hold a secret.
 */
export function failureMessage(error: unknown): string {
  if (error instanceof CheckmarxAuthError) return error.message;
  return `Unexpected failure (${error instanceof Error ? error.name : typeof error}). Please report it.`;
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
  return error instanceof CheckmarxAuthError ? error.exitCode : EXIT_TOKEN_FAILED;
}

/** What an InputError can name: an input, or a flag only a CLI verb has. */
export type InputErrorSubject = InputName | 'min-validity';

/** A missing or bad input, found before any request is sent. */
export class InputError extends CheckmarxAuthError {
  readonly exitCode = EXIT_USAGE;
  readonly input: InputErrorSubject;
  constructor(input: InputErrorSubject, message: string) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
    this.input = input;
  }
}

export class TokenRequestError extends CheckmarxAuthError {
  readonly exitCode = EXIT_TOKEN_FAILED;
  readonly details: FailureDetails;
  readonly context: RequestContext;
  readonly hint: string | undefined;
  readonly attempts: number;
  constructor(context: RequestContext, details: FailureDetails, hint: string | undefined, attempts = 1) {
    super(describeRequestFailure(context, details, hint, attempts));
    this.name = 'TokenRequestError';
    this.context = context;
    this.details = details;
    this.hint = hint;
    this.attempts = attempts;
  }
}
