// Whether a host goes direct rather than through HTTP(S)_PROXY: loopback always does, and so does
// a host that NO_PROXY names, read as curl (7.86 and later) reads it. Entries are separated by
// commas or blanks and compared without case; `*` alone matches every host; a leading `.` or `*.`
// matches the domain itself and its subdomains, as does a bare domain; an entry may end in
// `:port`; an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`) matches addresses only.

/** The host of a URL as `URL.hostname` spells it (IPv6 in brackets), and its port. */
export interface Destination {
  readonly hostname: string;
  readonly port: number;
}

/** Loopback never goes through a proxy: `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = unbracketed(hostname.toLowerCase()).replace(/\.$/, '');
  const address = ipOf(host);
  if (!address) return host === 'localhost';
  return address.bits === 32 ? address.value >> 24n === 127n : address.value === 1n;
}

export function bypassesProxy(destination: Destination, noProxy: string): boolean {
  if (isLoopbackHost(destination.hostname)) return true;
  return noProxyEntries(noProxy).some((entry) => entryMatches(entry, destination));
}

function noProxyEntries(noProxy: string): string[] {
  return noProxy
    .split(/[\s,]+/)
    .map((entry) => entry.toLowerCase())
    .filter((entry) => entry !== '');
}

function entryMatches(entry: string, destination: Destination): boolean {
  if (entry === '*') return true;
  const { host, port } = splitPort(entry);
  if (port !== undefined && port !== destination.port) return false;
  const address = ipOf(unbracketed(destination.hostname.toLowerCase()));
  if (address) return addressMatches(host, address);
  return domainMatches(host, destination.hostname.toLowerCase());
}

/** `host:port`, `[v6]:port`; a bare IPv6 address has more than one colon and no port. */
function splitPort(entry: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  return withPort ? { host: withPort[1]!, port: Number(withPort[2]) } : { host: entry };
}

function domainMatches(pattern: string, hostname: string): boolean {
  const domain = pattern.replace(/^\*?\./, '').replace(/\.$/, '');
  const host = hostname.replace(/\.$/, '');
  return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
}

function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

// ---- addresses: IPv4 as 32 bits, IPv6 as 128, both as bigint ----

interface Address {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

function addressMatches(pattern: string, address: Address): boolean {
  const [text = '', prefixText] = pattern.split('/', 2);
  const network = ipOf(unbracketed(text));
  if (!network || network.bits !== address.bits) return false;
  const prefix = prefixText === undefined ? address.bits : /^\d+$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > address.bits) return false;
  const shift = BigInt(address.bits - prefix);
  return network.value >> shift === address.value >> shift;
}

function ipOf(text: string): Address | undefined {
  return ipv4Of(text) ?? ipv6Of(text);
}

function ipv4Of(text: string): Address | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return { bits: 32, value: parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n) };
}

function ipv6Of(text: string): Address | undefined {
  if (!text.includes(':') || !/^[0-9a-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined) => (half ? half.split(':').flatMap(groupsOf) : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (head.includes(undefined) || tail.includes(undefined)) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail] as number[];
  return { bits: 128, value: all.reduce((value, group) => (value << 16n) | BigInt(group), 0n) };
}

/** One group of an IPv6 address; an embedded IPv4 address (`::ffff:1.2.3.4`) is two. */
function groupsOf(group: string): Array<number | undefined> {
  const v4 = ipv4Of(group);
  if (v4) return [Number(v4.value >> 16n), Number(v4.value & 0xffffn)];
  return /^[0-9a-f]{1,4}$/.test(group) ? [parseInt(group, 16)] : [undefined];
}
