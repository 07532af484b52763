// A later step that runs `checkmarx-auth token` or `exec` without the token agent's CX_AUTH_SOCK
// falls back to an exchange of its own, which then fails for want of inputs. Where the CI system
// hands a step the agent's variable only when the step maps it, that failure is the wrong thing
// to say: the user wanted the agent. One row per such CI system (the GitHub runner and GitLab
// give every later step the job's variables, so they need none).

import { InputError } from '../core/errors.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { CheckmarxAuthError, failureMessage } from '../core/errors.ts';
import { CLI_NAMING } from './naming.ts';

type Env = Readonly<Record<string, string | undefined>>;

interface MappingHint {
  /** The variable that says the step runs there. */
  readonly marker: string;
  readonly hint: string;
}

const MAPPING_HINTS: readonly MappingHint[] = [
  {
    marker: 'TF_BUILD',
    hint: `${SOCK_VARIABLE} is not set in this step. In Azure Pipelines the CheckmarxAuth@1 task's ${SOCK_VARIABLE} is a secret variable, which a step sees only when it maps it: add \`env: ${SOCK_VARIABLE}: $(${SOCK_VARIABLE})\` to the step (docs/azure-devops.md).`,
  },
];

/** The verbs that use the agent when SOCK_VARIABLE is set, and exchange themselves when it is not. */
const AGENT_VERBS: readonly string[] = ['token', 'exec'];

/** The input failure of an exchange made only because no agent was mapped, told as that. */
export class UnmappedAgentError extends CheckmarxAuthError {
  constructor(hint: string, cause: InputError) {
    super('agent/not-mapped', `${hint} Without it, this step would exchange credentials itself: ${failureMessage(cause, CLI_NAMING)}`, {
      cause,
    });
    this.name = 'UnmappedAgentError';
  }
}

/** `exchange`, whose input errors say how to map the agent's variable where a step must. */
export function withAgentMappingHint<T>(verb: string | undefined, env: Env, exchange: () => Promise<T>): () => Promise<T> {
  const row = MAPPING_HINTS.find((candidate) => env[candidate.marker]);
  if (!row || !AGENT_VERBS.includes(verb ?? '') || env[SOCK_VARIABLE]) return exchange;
  return async () => {
    try {
      return await exchange();
    } catch (error) {
      throw error instanceof InputError ? new UnmappedAgentError(row.hint, error) : error;
    }
  };
}
