// The product's own token endpoint, on the facade: it answers the job credential (Checkmarx One:
// client_credentials with the job client and key, form or HTTP Basic; the others: the password
// grant with the job user and key, any client and scope; SCA with its acr_values) with a phantom
// token in the product's JSON shape. Nothing here reaches Checkmarx but the exchange of the real
// token that the phantom stands for.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostingRow, TokenAnswer } from '../../core/hostings.ts';
import { clientAuthenticated, oauthError, parseForm, readForm, reply, type FormProblem } from '../token-form.ts';
import { isJobCredential, type JobCredential } from './job-credential.ts';

export interface SealedTokenEndpoint {
  readonly row: HostingRow;
  readonly tenant?: string;
  readonly credential: JobCredential;
  /** A phantom for the job; rejects when no real token could be had. */
  readonly issue: () => Promise<TokenAnswer>;
  readonly failed?: (error: unknown) => void;
}

const SINGLE = ['grant_type', 'client_id', 'client_secret', 'username', 'password', 'acr_values'];

export function serveTokenRequest(endpoint: SealedTokenEndpoint, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST') {
    req.resume();
    return reply(res, 405, oauthError('invalid_request', 'The token endpoint takes POST only.'), { Allow: 'POST' });
  }
  readForm(req, res, (body) => void answer(endpoint, req, body).then(({ status, body }) => reply(res, status, body)));
}

async function answer(endpoint: SealedTokenEndpoint, req: IncomingMessage, body: string): Promise<FormProblem> {
  const { row } = endpoint;
  const form = parseForm(req, body, SINGLE);
  if (!(form instanceof URLSearchParams)) return form;
  const grantType = form.get('grant_type');
  if (!grantType) return { status: 400, body: oauthError('invalid_request', 'Missing form parameter: grant_type') };
  if (!isJobLogin(endpoint, req.headers.authorization, form)) {
    const { status, error, description } = row.wrongCredential;
    return { status, body: oauthError(error, description) };
  }
  if (grantType !== row.jobGrant) {
    return { status: 400, body: oauthError('unsupported_grant_type', `Only ${row.jobGrant} is served here.`) };
  }
  try {
    return { status: 200, body: row.answer(await endpoint.issue()) };
  } catch (error) {
    endpoint.failed?.(error);
    return {
      status: 503,
      body: oauthError('temporarily_unavailable', 'checkmarx-auth could not get a token; its error is in the job log.'),
    };
  }
}

function isJobLogin(endpoint: SealedTokenEndpoint, authorization: string | undefined, form: URLSearchParams): boolean {
  const { row, credential } = endpoint;
  if (row.jobGrant === 'client_credentials') {
    return clientAuthenticated({ clientId: credential.name, clientSecret: credential.key }, authorization, form);
  }
  const userMatches = isJobCredential(credential, form.get('username'), form.get('password'));
  return userMatches && (!row.tenantInAcrValues || tenantMatches(form.get('acr_values'), endpoint.tenant));
}

/** SCA's `acr_values=Tenant:{tenant}`, when given, names the job's tenant (without case). */
function tenantMatches(acrValues: string | null, tenant: string | undefined): boolean {
  if (acrValues === null) return true;
  const named = /(?:^|\s)Tenant:(\S+)/i.exec(acrValues)?.[1];
  return named !== undefined && named.toLowerCase() === (tenant ?? '').toLowerCase();
}
