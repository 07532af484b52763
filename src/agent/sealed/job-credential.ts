// The job-scoped credential of a sealed job: the client (Checkmarx One) or user (the others) that
// the job's tools log in as at the facade, and a random key that exists only while the facade
// runs. Checkmarx has never heard of either.

import { keysMatch, newKey } from '../protocol.ts';

/** The job client's or user's name: not secret, the key is what makes it this job's. */
export const JOB_NAME = 'checkmarx-auth-job';

export interface JobCredential {
  readonly name: string;
  /** 256 random bits, base64url. */
  readonly key: string;
}

export function newJobCredential(): JobCredential {
  return { name: JOB_NAME, key: newKey() };
}

/** Name and key as given; the key is compared in constant time, and both are always compared. */
export function isJobCredential(credential: JobCredential, name: string | null, key: string | null): boolean {
  const nameMatches = name === credential.name;
  const keyMatches = keysMatch(key ?? '', credential.key);
  return nameMatches && keyMatches;
}
