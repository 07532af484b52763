// Checkmarx as the sealed facade meets it: the IAM (the token server: Keycloak for Checkmarx One,
// IdentityServer for CxSAST and SCA) and the product's API on separate origins, as Checkmarx runs
// them. The API accepts only access tokens its IAM issued (a phantom gets 401), records every
// request it receives before it looks at it (so that a test can say a request reached nothing),
// and answers with a JSON echo unless a test routes the path to a handler of its own.

import * as http from 'node:http';
import * as https from 'node:https';
import type { RawInputs } from '../../src/core/inputs.ts';
import type { ProductName } from '../../src/core/products.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  IDENTITY_TOKEN_PATH,
  listenOnLoopback,
  SCA_TOKEN_PATH,
  startTokenServer,
  type TokenServer,
  type TokenServerOptions,
} from './token-server.ts';

export interface ApiRequest {
  readonly method: string;
  /** The request target as received: path and query. */
  readonly url: string;
  readonly host: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The Authorization header held a token this IAM issued. */
  readonly authorized: boolean;
}

/** Handles an authorized request; the request's body is the handler's to read. */
export type ApiHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestApi {
  readonly url: string;
  readonly port: number;
  readonly requests: ApiRequest[];
  /** Routes requests whose path starts with the prefix to the handler (the longest prefix wins). */
  route(prefix: string, handler: ApiHandler): void;
  close(): Promise<void>;
}

export interface CheckmarxUpstream {
  readonly iam: TokenServer;
  readonly api: TestApi;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  readonly iam?: TokenServerOptions;
  /** Serve the API over TLS with this certificate. */
  readonly apiTls?: { key: string; cert: string };
}

export async function startCheckmarxUpstream(options: UpstreamOptions = {}): Promise<CheckmarxUpstream> {
  const iam = await startTokenServer(options.iam);
  const api = await startApi(iam, options.apiTls);
  return {
    iam,
    api,
    close: async () => {
      await api.close();
      await iam.close();
    },
  };
}

async function startApi(iam: TokenServer, tls: UpstreamOptions['apiTls']): Promise<TestApi> {
  const requests: ApiRequest[] = [];
  const routes: Array<[string, ApiHandler]> = [];
  const listener: http.RequestListener = (req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const authorized = token !== undefined && iam.issuedAccessTokens.includes(token);
    requests.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', headers: req.headers, authorized });
    if (!authorized) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ message: 'Unauthorized' }));
    }
    const path = (req.url ?? '').split('?')[0]!;
    const handler = routes.filter(([prefix]) => path.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0]?.[1];
    if (handler) return handler(req, res);
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host }));
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  const port = await listenOnLoopback(server);
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    route: (prefix, handler) => void routes.push([prefix, handler]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The inputs that reach the test Checkmarx for each product (SCA's API host is never reached here). */
export function upstreamInputs(product: ProductName, upstream: CheckmarxUpstream): RawInputs {
  const { iam, api } = upstream;
  if (product === 'cxone') {
    return {
      product,
      'iam-url': iam.url,
      tenant: DEFAULT_REALM.name,
      'client-id': DEFAULT_REALM.clientId,
      'client-secret': DEFAULT_REALM.clientSecret,
    };
  }
  if (product === 'sca') {
    return {
      product,
      'token-url': iam.url + SCA_TOKEN_PATH,
      tenant: DEFAULT_SCA.tenant,
      username: DEFAULT_SCA.username,
      password: DEFAULT_SCA.password,
    };
  }
  return { product, 'server-url': api.url, 'token-url': iam.url + IDENTITY_TOKEN_PATH, ...DEFAULT_SAST_USER };
}
