// The CLI's one usage error: a command line it cannot run (an unknown flag, verb or format, a flag
// without its value, exec without a command). Exit code 2, as every `usage/` code says.

import { CheckmarxAuthError } from '../core/errors.ts';
import type { ErrorCode } from '../core/error-codes.ts';

type UsageCode = Extract<ErrorCode, `usage/${string}`>;

export class UsageError extends CheckmarxAuthError {
  constructor(code: UsageCode, message: string) {
    super(code, message);
    this.name = 'UsageError';
  }

  /** The same mistake, with a pointer to --help after the message. */
  withHelp(): UsageError {
    return new UsageError(this.code as UsageCode, `${this.message} See checkmarx-auth --help.`);
  }
}
