// What to tell the user to do about a failure: a table of rules, first match wins.

import { serverRootOf } from './endpoints.ts';
import { HOSTINGS } from './hostings.ts';
import { isRetryable } from './retry.ts';
import { type FailureDetails } from './failures.ts';
import { PRODUCTS, type GrantType, type Hosting, type ProductName } from './products.ts';

export interface HintFacts extends FailureDetails {
  readonly product: ProductName;
  readonly hosting: Hosting;
  readonly grantType: GrantType;
  readonly defaultScope?: string;
}

interface HintRule {
  readonly when: (f: HintFacts) => boolean;
  readonly hint: (f: HintFacts) => string;
}

const oauth = (f: HintFacts, ...errors: string[]) => f.oauthError !== undefined && errors.includes(f.oauthError);
const urlInput = (f: HintFacts) => HOSTINGS[f.hosting].locatedBy;
/** A web page is the wrong address, unless the status says the server is busy or failing. */
const wrongPage = (f: HintFacts) => f.kind === 'html' && !isRetryable(f);

/** Which input to set to follow a redirect by hand: server-url when the target is a CxSAST token endpoint, else token-url. */
function redirectAdvice(f: HintFacts, location: string): string {
  const tokenPath = PRODUCTS[f.product].tokenPath;
  const root = tokenPath && serverRootOf(location, tokenPath);
  if (root) return `if ${location} is the right address, set server-url to ${root} (or token-url to ${location}).`;
  return `if ${location} is the right address, set token-url to it.`;
}

const proxyName = (f: HintFacts) => f.proxyVariable ?? 'HTTPS_PROXY';

const RULES: readonly HintRule[] = [
  {
    when: (f) => f.kind === 'tls' && f.code === 'EPROTO',
    hint: (f) =>
      `this port speaks plain HTTP, not HTTPS: use the server's https:// port in ${urlInput(f)} or token-url (or http://, if you accept credentials in cleartext on this network).`,
  },
  {
    when: (f) => f.kind === 'tls' && f.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
    hint: (f) =>
      `the server's certificate does not name this host: use the host name the certificate was issued for in ${urlInput(f)} or token-url.`,
  },
  {
    when: (f) => f.kind === 'tls',
    hint: () =>
      "the server's TLS certificate is not trusted. If your company's CA (or a TLS-inspecting proxy's CA) issued it, give that CA in ca-cert (PEM text or a file path).",
  },
  {
    when: (f) => wrongPage(f) && f.hosting === 'self-hosted',
    hint: () =>
      'the URL answers with a web page, not the token endpoint: server-url must be the CxSAST root, e.g. https://cx.example.com (the portal address without /CxWebClient), or an SSO or proxy login page intercepted the request.',
  },
  {
    when: wrongPage,
    hint: (f) =>
      `the URL answers with a web page, not a token endpoint: check ${urlInput(f)} and token-url, or whether a proxy or SSO login page intercepted the request.`,
  },
  {
    when: (f) => f.kind === 'redirect' && f.location !== undefined,
    hint: (f) => redirectAdvice(f, f.location!),
  },
  {
    when: (f) => f.kind === 'proxy' && (f.status === 407 || f.status === 401),
    hint: (f) =>
      `the proxy wants credentials, or rejected the ones given: put them in ${proxyName(f)} as http://user:password@proxy:port, URL-encoded.`,
  },
  {
    when: (f) => f.kind === 'proxy' && f.code !== undefined,
    hint: (f) =>
      `the proxy itself cannot be reached: check the host and port in ${proxyName(f)}, or set NO_PROXY for hosts that need no proxy.`,
  },
  {
    when: (f) => f.kind === 'proxy' && f.status !== undefined,
    hint: (f) =>
      `the proxy in ${proxyName(f)} could not or would not connect to the token endpoint's host: check ${urlInput(f)} and token-url, and whether this host should bypass the proxy (NO_PROXY).`,
  },
  {
    when: (f) => f.hosting === 'cxone' && f.status === 404,
    hint: () =>
      'the tenant (realm) does not exist at this IAM host: check tenant (it is case-sensitive) and region or iam-url; a key from another region needs that region.',
  },
  {
    when: (f) => f.hosting === 'self-hosted' && (f.status === 404 || f.status === 405),
    hint: () =>
      'no token endpoint at this address: server-url must be the CxSAST root, e.g. https://cx.example.com (a trailing /cxrestapi is fine).',
  },
  {
    when: (f) => f.hosting === 'sca-cloud' && oauth(f, 'invalid_grant'),
    hint: () =>
      'SCA accepts only a local SCA user (not an SSO or SAML user) with the tenant account name in tenant, in the right region (us or eu). Check username, password, tenant and region.',
  },
  {
    when: (f) => f.hosting === 'self-hosted' && f.grantType === 'refresh_token' && oauth(f, 'invalid_grant'),
    hint: () =>
      'the CxSAST token in api-key was rejected: it may have been revoked (runCxConsole RevokeToken) or have expired, or belong to another CxSAST server. Make a new one with runCxConsole GenerateToken and store it as a secret.',
  },
  {
    when: (f) => f.hosting === 'self-hosted' && f.grantType === 'refresh_token' && oauth(f, 'invalid_client', 'unauthorized_client'),
    hint: () =>
      "the OAuth client was rejected: a CxSAST token belongs to the CxSAST CLI's client, cli_client, so leave client-id and client-secret empty.",
  },
  {
    when: (f) => f.hosting === 'self-hosted' && f.grantType === 'client_credentials' && oauth(f, 'invalid_client'),
    hint: () =>
      'the OIDC client id or secret was rejected: check client-id and client-secret against the client defined in Access Control.',
  },
  {
    when: (f) =>
      f.hosting === 'self-hosted' && f.grantType === 'client_credentials' && oauth(f, 'unauthorized_client', 'unsupported_grant_type'),
    hint: () =>
      'this OIDC client may not use the client_credentials grant: allow that grant type for it in Access Control (1.5 or later), or use another grant type.',
  },
  {
    when: (f) => f.hosting === 'self-hosted' && f.grantType === 'client_credentials' && oauth(f, 'invalid_scope'),
    hint: () => 'the scope is not one this OIDC client is allowed: set scope to scopes the client allows in Access Control.',
  },
  {
    when: (f) => f.hosting === 'self-hosted' && oauth(f, 'invalid_grant'),
    hint: () =>
      'check username and password. The CxSAST token endpoint takes application (local) users only: Active Directory, LDAP and SSO users cannot use the password grant, so create a local user for CI.',
  },
  {
    when: (f) =>
      f.hosting === 'cxone' &&
      f.grantType === 'refresh_token' &&
      (oauth(f, 'invalid_client', 'unauthorized_client') ||
        f.status === 401 ||
        (oauth(f, 'invalid_grant') && /client/i.test(f.description ?? ''))),
    hint: () =>
      "the OAuth client does not match the API key: leave client-id empty, so that the key's own client (its azp claim, else ast-app) is used.",
  },
  {
    when: (f) => f.hosting === 'cxone' && f.grantType === 'refresh_token' && oauth(f, 'invalid_grant'),
    hint: () =>
      "the API key was rejected: it may have expired, or belong to another tenant or region. A key that worked before is killed by a license update (which invalidates every API key of the tenant), by being revoked in Identity and Access Management, or, for a key made by cx auth login, by that user's next login. Create a new key in Checkmarx One (Identity and Access Management, API Keys) and store it as a secret.",
  },
  {
    when: (f) => oauth(f, 'invalid_client', 'unauthorized_client') || (f.hosting === 'cxone' && f.status === 401),
    hint: (f) =>
      f.hosting === 'cxone'
        ? 'the OAuth client id or secret was rejected: check client-id and client-secret; client secrets expire, so create a new one in Checkmarx One if needed.'
        : 'the OAuth client was rejected: leave client-id and client-secret empty to use the product default client.',
  },
  {
    when: (f) => oauth(f, 'invalid_scope'),
    hint: (f) =>
      `the scope is not allowed for this client: leave scope empty to use the product default${f.defaultScope ? ` (${f.defaultScope})` : ''}.`,
  },
  {
    when: (f) => oauth(f, 'unsupported_grant_type', 'unauthorized_client'),
    hint: () => 'this client may not use this grant type: check grant-type and client-id.',
  },
  {
    when: (f) => f.kind === 'timeout',
    hint: () => 'the server did not answer in time: check the network and proxy (HTTPS_PROXY, NO_PROXY), or raise timeout-seconds.',
  },
  {
    when: (f) => f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN',
    hint: (f) => `the host name does not resolve: check ${urlInput(f)}; a runner behind a proxy needs HTTPS_PROXY.`,
  },
  {
    when: (f) => f.code === 'ECONNREFUSED',
    hint: (f) => `nothing accepts connections at that address: check the host and port in ${urlInput(f)}, and whether a proxy is required.`,
  },
  {
    when: (f) => f.status === 429,
    hint: () => 'the server is rate limiting requests: run fewer jobs at once, or raise max-attempts.',
  },
  {
    when: (f) => f.status !== undefined && f.status >= 500 && f.status <= 599,
    hint: () => 'the server is failing or down: try again later, or raise max-attempts.',
  },
];

export function hintFor(facts: HintFacts): string | undefined {
  return RULES.find((rule) => rule.when(facts))?.hint(facts);
}
