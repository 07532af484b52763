// The agent's own failure: it cannot be reached, refused a request, or did not start.

import { CheckmarxAuthError } from '../core/errors.ts';
import { EXIT_TOKEN_FAILED } from '../core/exit-codes.ts';

/** The token agent cannot be reached, refused a request, or did not start. */
export class AgentError extends CheckmarxAuthError {
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_TOKEN_FAILED) {
    super(message);
    this.name = 'AgentError';
    this.exitCode = exitCode;
  }
}
