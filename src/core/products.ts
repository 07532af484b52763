// What differs between the Checkmarx products, as data. Everything else is shared.

import type { InputName } from './inputs.ts';

export type ProductName = 'sast' | 'sast-odata' | 'access-control' | 'sca' | 'cxone';
export type GrantType = 'password' | 'refresh_token' | 'client_credentials';

/** Where a product's token endpoint lives: its row in the hosting table (hostings.ts). */
export const HOSTING_NAMES = ['self-hosted', 'sca-cloud', 'cxone'] as const;
export type Hosting = (typeof HOSTING_NAMES)[number];

export interface ProductProfile {
  readonly name: ProductName;
  readonly title: string;
  readonly hosting: Hosting;
  /** Allowed grant types; the first whose credentials were given is the default. */
  readonly grantTypes: readonly GrantType[];
  /** Per grant type, the client used when client-id is not given; a grant without one needs client-id. */
  readonly defaultClients: Readonly<Partial<Record<GrantType, DefaultClient>>>;
  readonly defaultScope?: string;
  /** Self-hosted products: paths below the server root. */
  readonly tokenPath?: string;
  readonly apiPath?: string;
  /** A claim of the access token that names the API base URL (`/api` is appended). */
  readonly apiUrlClaim?: string;
}

export interface DefaultClient {
  readonly id: string;
  /** Sent only together with this client id. */
  readonly secret?: string;
}

const CXSAST_CLIENT_SECRET = '014DF517-39D1-4453-B7B3-9930C563627C';
const CXSAST_TOKEN_PATH = '/cxrestapi/auth/identity/connect/token';
/** The grant types of CxSAST and Access Control, in the order they are picked. */
const CXSAST_GRANTS: readonly GrantType[] = ['password', 'refresh_token', 'client_credentials'];
/**
 * The client of CxSAST's own CLI (CxConsole `GenerateToken`), whose refresh tokens `api-key` holds,
 * with the secret that CLI sends: checkmarx-ltd/Cx-Client-Common, ClientType.CLI.
 */
const CXSAST_CLI_CLIENT: DefaultClient = { id: 'cli_client', secret: 'B9D84EA8-E476-4E83-A628-8A342D74D3BD' };

export const PRODUCTS: Readonly<Record<ProductName, ProductProfile>> = {
  sast: {
    name: 'sast',
    title: 'CxSAST REST API',
    hosting: 'self-hosted',
    grantTypes: CXSAST_GRANTS,
    defaultClients: {
      password: { id: 'resource_owner_client', secret: CXSAST_CLIENT_SECRET },
      refresh_token: CXSAST_CLI_CLIENT,
    },
    defaultScope: 'sast_rest_api',
    tokenPath: CXSAST_TOKEN_PATH,
    apiPath: '/cxrestapi',
  },
  'sast-odata': {
    name: 'sast-odata',
    title: 'CxSAST OData API',
    hosting: 'self-hosted',
    grantTypes: CXSAST_GRANTS,
    defaultClients: {
      password: { id: 'resource_owner_sast_client', secret: CXSAST_CLIENT_SECRET },
      refresh_token: CXSAST_CLI_CLIENT,
    },
    defaultScope: 'access_control_api sast_api',
    tokenPath: CXSAST_TOKEN_PATH,
    apiPath: '/Cxwebinterface/odata/v1',
  },
  'access-control': {
    name: 'access-control',
    title: 'Checkmarx Access Control API',
    hosting: 'self-hosted',
    grantTypes: CXSAST_GRANTS,
    defaultClients: {
      password: { id: 'resource_owner_client', secret: CXSAST_CLIENT_SECRET },
      refresh_token: CXSAST_CLI_CLIENT,
    },
    defaultScope: 'access_control_api',
    tokenPath: CXSAST_TOKEN_PATH,
    apiPath: '/cxrestapi/auth',
  },
  sca: {
    name: 'sca',
    title: 'Checkmarx SCA',
    hosting: 'sca-cloud',
    grantTypes: ['password'],
    defaultClients: { password: { id: 'sca_resource_owner' } },
    defaultScope: 'sca_api',
  },
  cxone: {
    name: 'cxone',
    title: 'Checkmarx One',
    hosting: 'cxone',
    grantTypes: ['refresh_token', 'client_credentials'],
    // The API key's own client (its azp claim) comes first; see locateCxOne.
    defaultClients: { refresh_token: { id: 'ast-app' } },
    apiUrlClaim: 'ast-base-url',
  },
};

export const PRODUCT_NAMES = Object.keys(PRODUCTS) as ProductName[];

export interface ScaRegion {
  readonly tokenUrl: string;
  readonly apiUrl: string;
}

export const SCA_REGIONS: Readonly<Record<string, ScaRegion>> = {
  us: {
    tokenUrl: 'https://platform.checkmarx.net/identity/connect/token',
    apiUrl: 'https://api-sca.checkmarx.net',
  },
  eu: {
    tokenUrl: 'https://eu.platform.checkmarx.net/identity/connect/token',
    apiUrl: 'https://eu.api-sca.checkmarx.net',
  },
};

/** Checkmarx One region → IAM base URL. The API host is the same name with `ast` for `iam`. */
export const CXONE_REGIONS: Readonly<Record<string, string>> = {
  us: 'https://iam.checkmarx.net',
  us2: 'https://us.iam.checkmarx.net',
  eu: 'https://eu.iam.checkmarx.net',
  eu2: 'https://eu-2.iam.checkmarx.net',
  deu: 'https://deu.iam.checkmarx.net',
  anz: 'https://anz.iam.checkmarx.net',
  ind: 'https://ind.iam.checkmarx.net',
  ind2: 'https://ind-2.iam.checkmarx.net',
  sng: 'https://sng.iam.checkmarx.net',
  mea: 'https://mea.iam.checkmarx.net',
  il: 'https://gov-il.iam.checkmarx.net',
};

/** Other names for regions: the host prefixes users copy, and Checkmarx's own names. */
export const REGION_ALIASES: Readonly<Record<string, string>> = {
  'eu-2': 'eu2',
  'ind-2': 'ind2',
  'gov-il': 'il',
  uae: 'mea',
};

export const DEFAULT_REGION = 'us';

/** Which inputs carry the credentials of each grant type. */
export const GRANT_CREDENTIALS: Readonly<Record<GrantType, readonly InputName[]>> = {
  password: ['username', 'password'],
  refresh_token: ['api-key'],
  client_credentials: ['client-id', 'client-secret'],
};

/**
 * Which inputs each grant type's form sends. refresh_token sends a client secret only as part of
 * a default client (CxSAST's `cli_client`), never one given as client-secret.
 */
export const GRANT_SENDS: Readonly<Record<GrantType, readonly InputName[]>> = {
  password: ['username', 'password', 'client-id', 'client-secret', 'scope'],
  refresh_token: ['api-key', 'client-id'],
  client_credentials: ['client-id', 'client-secret', 'scope'],
};
