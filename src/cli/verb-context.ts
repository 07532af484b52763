// What the CLI hands each verb (cli/verbs.ts dispatches): its flags, its environment, its output
// and the bare command's exchange.

import type { Exchange } from '../core/exchange.ts';
import type { RunTimeSecretValues } from '../core/run-time-secrets.ts';
import type { Format } from './formats.ts';

export interface VerbContext {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly format: Format;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The bare command's exchange: flags and environment in, a token out. */
  readonly exchangeCredentials: () => Promise<Exchange>;
  readonly say: (message: string) => void;
  readonly warn: (message: string) => void;
  readonly debug: (message: string) => void;
  readonly write: (text: string) => number;
  /**
   * Registers the run-time secrets among `values` with the CI's log masking (on stderr, inside
   * GitHub Actions or Azure Pipelines); a verb calls it before it prints any of them.
   */
  readonly mask: (values: RunTimeSecretValues) => void;
  /** exec: the words after `--`. */
  readonly command?: readonly string[];
}
