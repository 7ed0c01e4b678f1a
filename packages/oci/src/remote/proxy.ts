import { isIP } from 'node:net';
import { OciError } from '../errors.ts';

// Proxy selection from the environment, as Go's golang.org/x/net/http/httpproxy decides it (the
// peers — oras, cosign, notation, docker — are Go programs, so one environment means one routing):
// - HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs; the UPPER-case name wins when both are set
//   (httpproxy.FromEnvironment: getEnvAny("HTTPS_PROXY", "https_proxy")). curl reads the lower-case
//   names first and ignores upper-case HTTP_PROXY; ocx follows Go.
// - A value without a scheme ("proxy:3128") means http://proxy:3128.
// - localhost and loopback IPs never use a proxy (httpproxy.useProxy), whatever NO_PROXY says.
// - NO_PROXY: comma-separated; "*" = everything; an IP or CIDR matches IP hosts; "host" matches it and
//   its subdomains, ".host" and "*.host" subdomains only; any entry may carry ":port".
// - With REQUEST_METHOD set (a CGI handler) HTTP_PROXY is refused (golang.org/s/cgihttpproxy).

export interface ProxyEnvironment {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
  readonly cgi?: boolean;
}

type Matcher = (host: string, port: string, ip: boolean) => boolean;

/** A parsed proxy configuration; `proxyFor(url)` picks the proxy URL for a request, or none. */
export interface ProxyConfig {
  readonly http?: URL;
  readonly https?: URL;
  /** Whether HTTP_PROXY or HTTPS_PROXY is set at all (usable or not). */
  readonly active: boolean;
  /** undefined: go direct. */
  proxyFor(url: URL | string): URL | undefined;
}

function envAny(env: Readonly<Record<string, string | undefined>>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** HTTP_PROXY, HTTPS_PROXY, NO_PROXY (upper-case first, then lower-case) and REQUEST_METHOD. */
export function proxyEnvironment(env: Readonly<Record<string, string | undefined>>): ProxyEnvironment {
  return {
    httpProxy: envAny(env, 'HTTP_PROXY', 'http_proxy'),
    httpsProxy: envAny(env, 'HTTPS_PROXY', 'https_proxy'),
    noProxy: envAny(env, 'NO_PROXY', 'no_proxy'),
    cgi: envAny(env, 'REQUEST_METHOD') !== undefined,
  };
}

function parseProxyUrl(value: string | undefined, name: string): URL | undefined {
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
    // "proxy:3128" parses as scheme "proxy:"; Go then retries with http:// prepended.
    if (!url.host) url = undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    try {
      url = new URL(`http://${value}`);
    } catch (cause) {
      throw new OciError('CONFIG', `${name} is not a proxy URL`, { cause });
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OciError('CONFIG', `${name}: ${url.protocol.replace(/:$/, '')} proxies are not supported (http and https only)`);
  }
  return url;
}

const V4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function ipBytes(ip: string): number[] | undefined {
  const kind = isIP(ip);
  if (kind === 4) return ip.split('.').map(Number);
  if (kind !== 6) return undefined;
  // Expand "::" and an embedded IPv4 tail to 16 bytes.
  let s = ip;
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    s = `${s.slice(0, v4.index)}:${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** 16-byte form (IPv4 as ::ffff:a.b.c.d, as Go's net.IP does), so v4 and v4-mapped compare equal. */
function ip16(ip: string): number[] | undefined {
  const b = ipBytes(ip);
  if (!b) return undefined;
  return b.length === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b] : b;
}

function sameIp(a: number[], b: number[]): boolean {
  return a.every((x, i) => x === b[i]);
}

function cidrMatcher(entry: string): Matcher | undefined {
  const m = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (!m) return undefined;
  const base = ipBytes(m[1]!);
  const bits = Number(m[2]);
  if (!base || bits > base.length * 8) return undefined;
  const prefix = ip16(m[1]!)!;
  const width = base.length === 4 ? bits + 96 : bits;
  return (host, _port, ip) => {
    if (!ip) return false;
    const b = ip16(host);
    if (!b) return false;
    for (let i = 0; i < width; i++) {
      const mask = 0x80 >> i % 8;
      if ((b[i >> 3]! & mask) !== (prefix[i >> 3]! & mask)) return false;
    }
    return true;
  };
}

/** Splits "host:port", "[v6]:port"; a bare v6 address has no port. */
function splitHostPort(entry: string): { host: string; port: string } {
  const br = /^\[([^\]]*)\](?::(\d*))?$/.exec(entry);
  if (br) return { host: br[1]!, port: br[2] ?? '' };
  if (isIP(entry) === 6) return { host: entry, port: '' };
  const m = /^(.*):(\d*)$/.exec(entry);
  return m ? { host: m[1]!, port: m[2]! } : { host: entry, port: '' };
}

function noProxyMatchers(noProxy: string | undefined): { all: boolean; ip: Matcher[]; domain: Matcher[] } {
  const ip: Matcher[] = [];
  const domain: Matcher[] = [];
  for (const raw of (noProxy ?? '').split(',')) {
    const p = raw.trim().toLowerCase();
    if (!p) continue;
    if (p === '*') return { all: true, ip: [], domain: [] };
    const cidr = cidrMatcher(p);
    if (cidr) {
      ip.push(cidr);
      continue;
    }
    const { host, port } = splitHostPort(p);
    if (!host) continue;
    const addr = ip16(host);
    if (addr) {
      ip.push((h, pt, isIp) => isIp && sameIp(ip16(h) ?? [], addr) && (port === '' || port === pt));
      continue;
    }
    let suffix = host.startsWith('*.') ? host.slice(1) : host;
    const matchHost = !suffix.startsWith('.');
    if (matchHost) suffix = `.${suffix}`;
    domain.push((h, pt, isIp) => !isIp && (h.endsWith(suffix) || (matchHost && h === suffix.slice(1))) && (port === '' || port === pt));
  }
  return { all: false, ip, domain };
}

function isLoopbackIp(host: string): boolean {
  const b = ip16(host);
  if (!b) return false;
  if (b.slice(0, 12).every((x, i) => x === (i < 10 ? 0 : 0xff))) return b[12] === 127;
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}

/**
 * The proxy configuration Go's tools would use in this environment. A proxy value ocx cannot use
 * (socks, garbage) fails the requests it would carry — with a CONFIG error naming the variable — not
 * the commands that never send one (layouts, loopback registries, NO_PROXY hosts).
 */
export function createProxyConfig(e: ProxyEnvironment): ProxyConfig {
  const parse = (value: string | undefined, name: string): { url?: URL; error?: OciError } => {
    try {
      const url = parseProxyUrl(value, name);
      return url ? { url } : {};
    } catch (err) {
      return { error: err as OciError };
    }
  };
  const http = parse(e.httpProxy, 'HTTP_PROXY');
  const https = parse(e.httpsProxy, 'HTTPS_PROXY');
  const rules = noProxyMatchers(e.noProxy);
  const useProxy = (url: URL): boolean => {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (host === 'localhost') return false;
    const ip = isIP(host) !== 0 || V4.test(host);
    if (ip && isLoopbackIp(host)) return false;
    if (rules.all) return false;
    if (ip && rules.ip.some((m) => m(host, port, true))) return false;
    return !rules.domain.some((m) => m(host, port, ip));
  };
  return {
    active: Boolean(e.httpProxy || e.httpsProxy),
    ...(http.url ? { http: http.url } : {}),
    ...(https.url ? { https: https.url } : {}),
    proxyFor(input) {
      const url = typeof input === 'string' ? new URL(input) : input;
      const chosen = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : {};
      if (!chosen.url && !chosen.error) return undefined;
      if (!useProxy(url)) return undefined;
      if (chosen.error) throw chosen.error;
      if (url.protocol === 'http:' && e.cgi) {
        throw new OciError('CONFIG', 'refusing to use HTTP_PROXY in a CGI environment (REQUEST_METHOD is set); see golang.org/s/cgihttpproxy');
      }
      return chosen.url;
    },
  };
}

/** Shorthand: the configuration from an environment map (process.env by default at the edges). */
export function proxyFromEnv(env: Readonly<Record<string, string | undefined>>): ProxyConfig {
  return createProxyConfig(proxyEnvironment(env));
}

/** `Proxy-Authorization: Basic …` from the proxy URL's userinfo, as Go's transport sends it; none without. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** The proxy URL for messages: never its credentials. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
