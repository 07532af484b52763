// The thief of a sealed job: what a later step's code could send away, and what the real
// Checkmarx makes of it. `loot` cuts everything such a step can read (variables, outputs, the
// runner's files, what `checkmarx-auth token` prints, what the facade answers) into every value
// that could be a credential; `replay` presents one value to the test upstream as a thief would
// use it from elsewhere: as a bearer token at the API, as an API key (the refresh_token grant), as
// a client secret and as a password, under the job's own names and the real ones. Start the
// upstream with `signedApiKeys`, so that its Keycloak checks a key as the real one does. The same
// thief runs as the job's own code in a child (sealed-thief.ts), where it knows only the URLs.

import { decodeJwt } from './jwt.ts';
import type { CheckmarxUpstream } from './checkmarx-upstream.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  IDENTITY_TOKEN_PATH,
  keycloakTokenPath,
  SAST_CLI_CLIENT,
  SCA_TOKEN_PATH,
} from './token-server.ts';

/** The name of a sealed job's client (Checkmarx One) and user (the others): a thief tries it too. */
const JOB_NAME = 'checkmarx-auth-job';
/** Runs of the characters tokens, keys and passwords are made of; shorter ones are names and numbers. */
const VALUE_RUN = /[A-Za-z0-9._~+/=%-]{16,}/g;
const BOUND_MS = 30_000;

/**
 * Every value in `texts` that could be a credential: each text whole, each line, each part of a
 * line split at `#`, `=` and quotes (CX_AUTH_SOCK is `<address>#<key>`, `export NAME='value'`),
 * and every long run of token characters.
 */
export function loot(texts: Iterable<string>): Set<string> {
  const values = new Set<string>();
  const add = (value: string) => {
    const trimmed = value.trim();
    if (trimmed.length >= 8) values.add(trimmed);
  };
  for (const text of texts) {
    add(text);
    for (const line of text.split(/\r?\n/)) {
      add(line);
      line.split(/[#='"]/).forEach(add);
      for (const run of line.matchAll(VALUE_RUN)) add(run[0]);
    }
  }
  return values;
}

/** One way a value was accepted: how it was presented, e.g. `API key as ast-app`. */
export type Acceptance = string;

const formPost = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** The real Checkmarx a thief replays at: its IAM's and API's origins, and CxSAST's clients. */
export interface RealCheckmarx {
  readonly iamUrl: string;
  readonly apiUrl: string;
  readonly sastClients: Readonly<Record<string, { readonly secret?: string | undefined }>>;
}

const realOf = (target: CheckmarxUpstream | RealCheckmarx): RealCheckmarx =>
  'iam' in target ? { iamUrl: target.iam.url, apiUrl: target.api.url, sastClients: target.iam.config.sastClients } : target;

/** Every way a thief would present `value` to the real product: [how, URL, request]. */
function attemptsWith(real: RealCheckmarx, value: string): Array<[Acceptance, string, RequestInit]> {
  const iam = { url: real.iamUrl };
  const api = { url: real.apiUrl };
  const attempts: Array<[Acceptance, string, RequestInit]> = [];
  // A header holds one line of visible characters: a value with spaces or line breaks is no bearer token.
  if (/^[\x21-\x7e]+$/.test(value)) {
    attempts.push(['a bearer token at the API', `${api.url}/api/projects`, { headers: { Authorization: `Bearer ${value}` } }]);
  }
  const realm = iam.url + keycloakTokenPath(DEFAULT_REALM.name);
  const azp = decodeJwt(value)?.['azp'];
  for (const client of new Set(['ast-app', JOB_NAME, DEFAULT_REALM.clientId, ...(typeof azp === 'string' ? [azp] : [])])) {
    attempts.push([`an API key as ${client}`, realm, formPost({ grant_type: 'refresh_token', client_id: client, refresh_token: value })]);
    attempts.push([
      `the client secret of ${client}`,
      realm,
      formPost({ grant_type: 'client_credentials', client_id: client, client_secret: value }),
    ]);
  }
  const identity = iam.url + IDENTITY_TOKEN_PATH;
  for (const client of [...Object.keys(real.sastClients), JOB_NAME]) {
    const fields = { grant_type: 'client_credentials', client_id: client, client_secret: value };
    attempts.push([`the CxSAST client secret of ${client}`, identity, formPost(fields)]);
  }
  attempts.push([
    'a CxSAST token (GenerateToken)',
    identity,
    formPost({ grant_type: 'refresh_token', client_id: SAST_CLI_CLIENT.id, client_secret: SAST_CLI_CLIENT.secret, refresh_token: value }),
  ]);
  const ownerClient = real.sastClients['resource_owner_client'];
  for (const username of [DEFAULT_SAST_USER.username, JOB_NAME]) {
    const fields = { grant_type: 'password', username, password: value, scope: 'sast_rest_api', client_id: 'resource_owner_client' };
    attempts.push([`the CxSAST password of ${username}`, identity, formPost({ ...fields, client_secret: ownerClient?.secret ?? '' })]);
  }
  for (const username of [DEFAULT_SCA.username, JOB_NAME]) {
    const fields = { grant_type: 'password', username, password: value, scope: 'sca_api', client_id: 'sca_resource_owner' };
    attempts.push([
      `the SCA password of ${username}`,
      iam.url + SCA_TOKEN_PATH,
      formPost({ ...fields, acr_values: `Tenant:${DEFAULT_SCA.tenant}` }),
    ]);
  }
  return attempts;
}

/** The ways the real product accepts `value` (an answer 200); a sealed job's loot gets none. */
export async function replay(target: CheckmarxUpstream | RealCheckmarx, value: string): Promise<Acceptance[]> {
  const answers = await Promise.all(
    attemptsWith(realOf(target), value).map(async ([how, url, init]) => {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(BOUND_MS) });
      await response.arrayBuffer();
      return response.status === 200 ? [how] : [];
    }),
  );
  return answers.flat();
}

/** Replays every value, a few at a time; returns those accepted anywhere, with how. */
export async function acceptedLoot(
  target: CheckmarxUpstream | RealCheckmarx,
  values: Iterable<string>,
): Promise<Map<string, Acceptance[]>> {
  const real = realOf(target);
  const accepted = new Map<string, Acceptance[]>();
  const queue = [...values];
  const worker = async () => {
    for (let value = queue.shift(); value !== undefined; value = queue.shift()) {
      const ways = await replay(real, value);
      if (ways.length > 0) accepted.set(value, ways);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return accepted;
}
