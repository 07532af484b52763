// Streaming requests to one product's real API, for the sealed facade's forwarder: the same TLS,
// CA, insecure flag and proxy as the exchange (tunnel.ts, proxy.ts), over keep-alive connections,
// so that a forwarded request costs no new connection and no per-request set-up. Bodies are not
// touched here: the caller pipes them. Proxy settings come in as values, never from process.env.

import type * as Http from 'node:http';
import type { Socket } from 'node:net';
import { TransportFailure, type ProxySettings } from '../core/transport.ts';
import { proxyFor } from './proxy.ts';
import {
  bareHost,
  http,
  https,
  openTunnel,
  portOf,
  proxyAuthorization,
  tls,
  tlsOptions,
  type ProxyRoute,
  type TlsSettings,
} from './tunnel.ts';

export interface UpstreamSettings extends TlsSettings {
  /** Connect, and wait for the answer's headers, with no byte moving for this long (timeout-seconds). */
  readonly timeoutMs: number;
  readonly proxy?: ProxySettings;
}

export interface Upstream {
  /**
   * Opens a request to `path` (path and query, as sent) on the URL's origin; the caller writes or
   * pipes its body and listens for 'response' and 'error'.
   */
  request(url: URL, path: string, method: string, headers: Http.OutgoingHttpHeaders): Http.ClientRequest;
  /** Ends every kept-alive connection. */
  close(): void;
}

export function openUpstream(settings: UpstreamSettings): Upstream {
  const agents = new Agents(settings);
  return {
    request: (url, path, method, headers) => {
      const route = routeFor(url, settings.proxy);
      const request = route.send(url, { path, method, headers });
      request.setTimeout(settings.timeoutMs, () =>
        request.destroy(
          new TransportFailure({ kind: 'timeout', detail: `no answer within ${settings.timeoutMs / 1000} s (timeout-seconds)` }),
        ),
      );
      return request;

      function routeFor(target: URL, proxy: ProxySettings | undefined): Route {
        const via = proxyFor(target, proxy ?? {});
        if (!via) return agents.direct(target);
        return target.protocol === 'https:' ? agents.tunnel(via) : agents.absoluteForm(via);
      }
    },
    close: () => agents.close(),
  };
}

/** A way out: sends a request to the URL with the method and headers given, on a kept-alive connection. */
interface Route {
  readonly send: (url: URL, what: { path: string; method: string; headers: Http.OutgoingHttpHeaders }) => Http.ClientRequest;
}

/** Either module, as one signature: https.request takes what http.request takes, plus TLS. */
const moduleFor = (secure: boolean): typeof Http => (secure ? (https() as unknown as typeof Http) : http());

/** One keep-alive agent per way out, made on first use and kept for the facade's life. */
class Agents {
  private readonly made = new Map<string, Http.Agent>();
  private readonly settings: UpstreamSettings;

  constructor(settings: UpstreamSettings) {
    this.settings = settings;
  }

  direct(url: URL): Route {
    const secure = url.protocol === 'https:';
    const agent = this.agent(url.protocol, () => new (secure ? https() : http()).Agent(KEEP_ALIVE));
    return {
      send: (target, what) =>
        moduleFor(secure).request({
          ...what,
          host: bareHost(target.hostname),
          port: portOf(target),
          agent,
          ...tlsOptions(target, this.settings),
        }),
    };
  }

  /** Plain HTTP through a proxy: the request in absolute form to the proxy. */
  absoluteForm(via: ProxyRoute): Route {
    const proxy = via.url;
    const secure = proxy.protocol === 'https:';
    const agent = this.agent(`absolute ${proxy.href}`, () => new (secure ? https() : http()).Agent(KEEP_ALIVE));
    const authorization = proxyAuthorization(proxy);
    return {
      send: (target, what) =>
        moduleFor(secure).request({
          method: what.method,
          headers: { ...what.headers, ...authorization },
          host: bareHost(proxy.hostname),
          port: portOf(proxy),
          path: target.origin + what.path,
          agent,
          ...tlsOptions(proxy, this.settings),
        }),
    };
  }

  /** HTTPS through a proxy: TLS to the target inside a CONNECT tunnel, the TLS sockets kept alive. */
  tunnel(via: ProxyRoute): Route {
    const settings = this.settings;
    const agent = this.agent(`tunnel ${via.url.href}`, () => {
      const tunnelled = new (https().Agent)(KEEP_ALIVE);
      type Created = (error: Error | null, socket?: Socket) => void;
      (tunnelled as unknown as { createConnection: unknown }).createConnection = (
        options: { host: string; port: number },
        created: Created,
      ) => {
        const target = new URL(`https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`);
        const opened: Array<{ destroy(error?: Error): unknown }> = [];
        const timer = setTimeout(() => opened.forEach((resource) => resource.destroy(new Error('deadline passed'))), settings.timeoutMs);
        openTunnel(via, target, settings, (resource) => (opened.push(resource), resource)).then(
          (socket) => {
            clearTimeout(timer);
            created(null, tls().connect({ socket, ...tlsOptions(target, settings) }));
          },
          (error: Error) => {
            clearTimeout(timer);
            created(error);
          },
        );
        return undefined;
      };
      return tunnelled;
    });
    return {
      send: (target, what) =>
        moduleFor(true).request({
          ...what,
          host: bareHost(target.hostname),
          port: portOf(target),
          agent,
          ...tlsOptions(target, settings),
        }),
    };
  }

  close(): void {
    for (const agent of this.made.values()) agent.destroy();
    this.made.clear();
  }

  private agent(key: string, make: () => Http.Agent): Http.Agent {
    let agent = this.made.get(key);
    if (!agent) this.made.set(key, (agent = make()));
    return agent;
  }
}

const KEEP_ALIVE: Http.AgentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 256, scheduling: 'lifo' };
