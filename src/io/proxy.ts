// Which proxy a request goes through, read from the proxy variables a front end passed down (never
// from process.env), as curl reads them: the scheme's variable, lower case first; NO_PROXY (and
// loopback) to go direct. The one reader for the exchange (http.ts) and the sealed facade's
// upstream (upstream.ts).

import { bypassesProxy } from '../core/no-proxy.ts';
import { TransportFailure, type ProxySettings, type ProxyVariable } from '../core/transport.ts';
import { portOf, type ProxyRoute } from './tunnel.ts';

/** The proxy for a URL under the proxy variables the front end read from its environment. */
export function proxyFor(url: URL, settings: ProxySettings): ProxyRoute | undefined {
  const variable = proxyVariable(url, settings);
  if (!variable || bypassesProxy({ hostname: url.hostname, port: portOf(url) }, noProxyValue(settings))) return undefined;
  const proxy = parseProxyUrl(settings[variable] ?? '');
  // The value may hold the proxy's password, so it is not repeated.
  if (!proxy) {
    throw new TransportFailure({
      kind: 'proxy',
      proxyVariable: variable,
      detail: `${variable} is not a valid proxy URL (expected http://[user:password@]host:port, with user and password URL-encoded)`,
    });
  }
  // Speaking HTTP to a SOCKS proxy would fail obscurely: refused, naming the variable.
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new TransportFailure({
      kind: 'proxy',
      proxyVariable: variable,
      detail: `${variable} names a ${proxy.protocol.slice(0, -1).replace(/[^a-z0-9+.-]/gi, '')} proxy; only http:// and https:// proxies are supported (unset ${variable}, or list the host in NO_PROXY)`,
    });
  }
  return { url: proxy, variable };
}

/** A proxy URL as curl takes it: a value without a scheme is http://; its user and password must decode. */
function parseProxyUrl(value: string): URL | undefined {
  const text = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return undefined;
  }
  return url;
}

/** The variable that names the proxy for this URL's scheme, when it is set (lower case first, as curl). */
function proxyVariable(url: URL, settings: ProxySettings): ProxyVariable | undefined {
  const names: readonly ProxyVariable[] = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  return names.find((name) => settings[name]);
}

function noProxyValue(settings: ProxySettings): string {
  return settings.no_proxy || settings.NO_PROXY || '';
}
