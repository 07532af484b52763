// The connection pieces that every outgoing request shares, the token exchange (http.ts) and the
// sealed facade's forwarder (upstream.ts): TLS options with the user's CA, a CONNECT tunnel
// through a proxy, the proxy's own credentials, ports and bare host names.

import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type { Socket } from 'node:net';
import type * as Tls from 'node:tls';
import { TransportFailure } from '../core/transport.ts';
import { builtin } from './builtins.ts';

// Loaded on first use: they cost start-up time, a plain-http run never needs TLS, and a token the
// agent serves from its cache needs no HTTP at all.
export const http = (): typeof Http => builtin('node:http');
export const https = (): typeof Https => builtin('node:https');
export const tls = (): typeof Tls => builtin('node:tls');

/** What the TLS checks depend on: the exchange's HttpOptions and the forwarder's options alike. */
export interface TlsSettings {
  readonly caCerts?: readonly string[];
  readonly insecureSkipTlsVerify: boolean;
}

/** A proxy and the variable that named it, for messages. */
export interface ProxyRoute {
  readonly url: URL;
  readonly variable: string;
}

export interface Destroyable {
  destroy(error?: Error): unknown;
}

/** Keeps track of what a request opened, so that a deadline or an end can destroy it. */
export type Track = <T extends Destroyable>(resource: T) => T;

export function tlsOptions(url: URL, options: TlsSettings): Tls.ConnectionOptions {
  if (url.protocol !== 'https:') return {};
  const servername = bareHost(url.hostname);
  return {
    // Always explicit: Node would otherwise take it from the Host header, the target's for a CONNECT.
    servername: isIpAddress(servername) ? '' : servername,
    rejectUnauthorized: !options.insecureSkipTlsVerify,
    // A `ca` replaces the default list, so keep the defaults (which include NODE_EXTRA_CA_CERTS).
    ...(options.caCerts ? { ca: [...tls().getCACertificates('default'), ...options.caCerts] } : {}),
  };
}

/** A CONNECT tunnel through the proxy to the target's host and port; the proxy's refusal names its variable. */
export function openTunnel(via: ProxyRoute, target: URL, options: TlsSettings, track: Track): Promise<Socket> {
  const proxy = via.url;
  const authority = `${target.hostname}:${portOf(target)}`;
  return new Promise((resolve, reject) => {
    const request = track(
      (proxy.protocol === 'https:' ? https() : http()).request({
        host: bareHost(proxy.hostname),
        port: portOf(proxy),
        method: 'CONNECT',
        path: authority,
        headers: { host: authority, ...proxyAuthorization(proxy) },
        ...tlsOptions(proxy, options), // an https:// proxy is checked like the server
        agent: false,
      }),
    );
    request.once('connect', (response, socket) => {
      if (response.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(
        new TransportFailure({
          kind: 'proxy',
          status: response.statusCode ?? 0,
          proxyVariable: via.variable,
          detail:
            `the proxy ${proxy.host} (${via.variable}) refused to open a tunnel to ${authority}: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

export function proxyAuthorization(proxy: URL): Record<string, string> {
  // Read the encoded userinfo from href: the URL that getProxyUrl returns has already decoded its getters.
  const { username, password } = new URL(proxy.href);
  if (!username && !password) return {};
  const credentials = `${safeDecode(username)}:${safeDecode(password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

export function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
