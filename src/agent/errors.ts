// The agent's own failure: it cannot be reached, refused a request, or did not start; and a failure
// it reported (its exchange failed), which keeps the code the agent sent, so that `token` through
// the agent prints the same code as a direct exchange.

import { CheckmarxAuthError } from '../core/errors.ts';
import type { ErrorCode } from '../core/error-codes.ts';

/** The token agent cannot be reached, refused a request, did not start, or reported a failure. */
export class AgentError extends CheckmarxAuthError {
  constructor(code: ErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, message, options);
    this.name = 'AgentError';
  }
}
