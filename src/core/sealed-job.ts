// A sealed job as its code sees it (SPEC "Sealed jobs"): the facts about the facade that stands in
// for the product on loopback, and the variables they become. One function for every front end:
// exec's child environment, start-agent's output in every --format, the action's GITHUB_ENV and
// the Azure task's variables. Which variables a product gets is a row of the hostings table. Pure.

import { hostingOf, type JobFact } from './hostings.ts';
import type { ProductName } from './products.ts';
import { isRunTimeSecret } from './run-time-secrets.ts';

/** What a client of a sealed agent (or exec) needs to hand the facade on to the job's code. */
export interface SealedJob {
  readonly product: ProductName;
  /** The facade, http://127.0.0.1:<port>. */
  readonly origin: string;
  /** The tenant (Checkmarx One realm, SCA tenant), as the real token names it. */
  readonly tenant?: string;
  /** The job client (Checkmarx One) or user (the others). */
  readonly jobName: string;
  /** The job credential's key: random, a run-time secret. */
  readonly jobKey: string;
  /** The facade forwards GET, HEAD and OPTIONS only. */
  readonly readOnly: boolean;
}

export interface SealedVariable {
  readonly name: string;
  readonly value: string;
  /** A run-time secret (the job key): masked, and a secret variable wherever it is set. */
  readonly secret: boolean;
}

const FACT_VALUE: Readonly<Record<JobFact, (job: SealedJob) => string | undefined>> = {
  origin: (job) => job.origin,
  tenant: (job) => job.tenant,
  jobName: (job) => job.jobName,
  jobKey: (job) => job.jobKey,
};

/** The variables a sealed job's code gets besides the token variables (whose token is a phantom). */
export function sealedVariables(job: SealedJob): SealedVariable[] {
  return Object.entries(hostingOf(job.product).jobVariables).flatMap(([name, fact]) => {
    const value = FACT_VALUE[fact](job);
    return value === undefined ? [] : [{ name, value, secret: isRunTimeSecret(fact) }];
  });
}
