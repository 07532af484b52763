// The inputs of the action and the flags of the CLI: one table, read from a source and then from
// the environment (`CX_` + upper snake case, plus the Checkmarx CLI's own names).

export interface InputSpec<Name extends string = string> {
  readonly name: Name;
  readonly description: string;
  /** Applied in code (see defaultOf) and stated in action.yml's description, never as its `default:`. */
  readonly default?: string;
  readonly required?: boolean;
  readonly secret?: boolean;
  /** Environment variables read when the input is empty, in order. */
  readonly env: readonly string[];
  /** A CLI switch: `--sealed` alone means true; `--sealed=false` also works. */
  readonly switch?: boolean;
}

function input<const Name extends string>(name: Name, description: string, extra: Partial<Omit<InputSpec, 'name'>> = {}): InputSpec<Name> {
  const upperSnake = `CX_${name.toUpperCase().replaceAll('-', '_')}`;
  return { name, description, ...extra, env: [upperSnake, ...(extra.env ?? [])] };
}

export const INPUTS = [
  input('product', 'Checkmarx product: sast, sast-odata, access-control, sca or cxone (case-insensitive).', {
    required: true,
  }),
  input(
    'grant-type',
    'OAuth grant: password, refresh_token or client_credentials. Default: the first, in this order, whose credentials were given (sast, sast-odata, access-control: password, refresh_token with api-key, client_credentials; cxone: refresh_token with api-key, else client_credentials).',
  ),
  input(
    'server-url',
    'CxSAST / Access Control server, e.g. https://cx.example.com (a trailing /, /cxrestapi or the portal address .../CxWebClient/... is fine). Required for sast, sast-odata and access-control.',
  ),
  input('token-url', 'Full token endpoint URL; overrides the one derived from the product, server-url, region or iam-url.'),
  input(
    'iam-url',
    'Checkmarx One IAM base URL, e.g. https://eu.iam.checkmarx.net or a single-tenant host. Default: from the API key or region.',
    {
      env: ['CX_BASE_AUTH_URI'],
    },
  ),
  input(
    'region',
    'SCA: us or eu. Checkmarx One: us, us2, eu, eu2, deu, anz, ind, ind2, sng, mea or il (also eu-2, ind-2, uae, gov-il). Default: from the API key or iam-url, else us.',
  ),
  input('tenant', 'SCA tenant account (required for sca); Checkmarx One tenant (realm). Default for cxone: from the API key.'),
  input('username', 'User name for the password grant (sast, sast-odata, access-control, sca).'),
  input('password', 'Password for the password grant. Pass it from a secret.', { secret: true }),
  input(
    'client-id',
    "OAuth client id; required for client_credentials. Default: per product and grant (CxSAST refresh_token: cli_client; cxone refresh_token: the API key's azp claim, else ast-app).",
  ),
  input(
    'client-secret',
    'OAuth client secret; required for client_credentials. Default: per product (the published CxSAST client secrets for sast, sast-odata, access-control). Pass it from a secret.',
    {
      secret: true,
    },
  ),
  input('scope', 'Space-separated scopes. Default: per product (none sent for cxone).'),
  input(
    'api-key',
    "Checkmarx One API key, or for sast, sast-odata and access-control a token made by the CxSAST CLI's GenerateToken. Pass it from a secret. It is never revoked.",
    {
      secret: true,
      env: ['CX_APIKEY'],
    },
  ),
  input('export-env', 'Also export the token as an environment variable for later steps.', { default: 'true' }),
  input(
    'env-name',
    'Name of the exported environment variable: letters, digits and _, not a name the runner, a shell or Node acts on (GITHUB_*, RUNNER_*, PATH, NODE_OPTIONS, ...) nor an input variable.',
    { default: 'CX_ACCESS_TOKEN' },
  ),
  input('timeout-seconds', 'Deadline for one attempt, from connect to the last byte.', { default: '30' }),
  input('max-attempts', 'Attempts in all, for errors worth retrying (network errors, timeouts, 408, 429, 5xx).', {
    default: '3',
  }),
  input('ca-cert', 'PEM text, or a path to a PEM file, trusted besides the system CAs (direct and through a proxy).'),
  input('insecure-skip-tls-verify', 'true turns off TLS certificate checks (with a warning). Never use it in production.', {
    default: 'false',
  }),
  input('agent', 'true starts the token agent: later steps run checkmarx-auth token for a fresh token, and never see the credentials.', {
    default: 'false',
  }),
  input(
    'sealed',
    'true seals the job: its code gets only phantom credentials, which Checkmarx rejects, and a facade of the product on 127.0.0.1 that swaps them for real tokens; nothing it can read works outside the job. Implies agent: true. See docs/sealed.md.',
    { default: 'false', switch: true },
  ),
  input('read-only', 'With sealed: the facade forwards only GET, HEAD and OPTIONS, so the job can read results but not change anything.', {
    default: 'false',
    switch: true,
  }),
] as const;

/** The name of an input (and of its CLI flag), checked by the compiler wherever one is named. */
export type InputName = (typeof INPUTS)[number]['name'];

export type RawInputs = Readonly<{ [Name in InputName]?: string | undefined }>;

export const SECRET_INPUTS = INPUTS.filter((spec) => spec.secret).map((spec) => spec.name);

/**
 * Reads every input: the source first (action inputs or CLI flags), then the environment.
 * Empty means "not given".
 */
export function readInputs(source: (name: InputName) => string | undefined, env: Readonly<Record<string, string | undefined>>): RawInputs {
  const values: Partial<Record<InputName, string>> = {};
  for (const spec of INPUTS) {
    const value = clean(source(spec.name)) ?? spec.env.map((name) => clean(env[name])).find((v) => v !== undefined);
    if (value !== undefined) values[spec.name] = value;
  }
  return values;
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The secret values among the inputs, to be masked before anything is logged. */
export function secretValues(values: RawInputs): string[] {
  return SECRET_INPUTS.map((name) => values[name]).filter((v): v is string => Boolean(v));
}

/** An input's default, applied in code: action.yml declares none, so that the environment fallback works. */
export function defaultOf(name: InputName): string {
  const value = (INPUTS as readonly InputSpec[]).find((spec) => spec.name === name)?.default;
  if (value === undefined) throw new Error(`input ${name} has no default`);
  return value;
}
