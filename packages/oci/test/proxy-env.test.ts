import { describe, expect, it } from 'vitest';
import { isOciError, proxyAuthorization, proxyFromEnv } from '@ocx/oci';

// Which proxy a URL takes, as Go's golang.org/x/net/http/httpproxy decides (the peers are Go tools).

const P = 'http://proxy.corp:3128';
const via = (env: Record<string, string>, url: string) => proxyFromEnv(env).proxyFor(url)?.href;

describe('proxy selection (Go httpproxy semantics)', () => {
  it('uses HTTPS_PROXY for https and HTTP_PROXY for http URLs', () => {
    const env = { HTTPS_PROXY: 'http://s.corp:1', HTTP_PROXY: 'http://h.corp:2' };
    expect(via(env, 'https://ghcr.io/v2/')).toBe('http://s.corp:1/');
    expect(via(env, 'http://registry.corp/v2/')).toBe('http://h.corp:2/');
    expect(via({ HTTP_PROXY: P }, 'https://ghcr.io/v2/')).toBeUndefined();
  });

  it('prefers the upper-case name when both are set, and reads lower-case alone', () => {
    expect(via({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }, 'https://a.io/')).toBe('http://upper:1/');
    expect(via({ https_proxy: 'http://lower:2' }, 'https://a.io/')).toBe('http://lower:2/');
    expect(via({ HTTPS_PROXY: '', https_proxy: 'http://lower:2' }, 'https://a.io/')).toBe('http://lower:2/');
    expect(via({ HTTPS_PROXY: P, NO_PROXY: 'other.io', no_proxy: 'a.io' }, 'https://a.io/')).toBe(`${P}/`);
  });

  it('reads a scheme-less value as http://', () => {
    expect(via({ HTTPS_PROXY: 'proxy.corp:3128' }, 'https://a.io/')).toBe('http://proxy.corp:3128/');
  });

  it('refuses socks proxies with a configuration error, only for requests that would use them', () => {
    const cfg = proxyFromEnv({ HTTPS_PROXY: 'socks5://p:1080', NO_PROXY: 'corp.io' });
    let err: unknown;
    try {
      cfg.proxyFor('https://ghcr.io/v2/');
    } catch (e) {
      err = e;
    }
    expect(isOciError(err, 'CONFIG') && err.message).toMatch(/HTTPS_PROXY: socks5 proxies are not supported/);
    expect(cfg.proxyFor('https://r.corp.io/')).toBeUndefined();
    expect(cfg.proxyFor('https://127.0.0.1:5000/')).toBeUndefined();
    expect(cfg.proxyFor('http://ghcr.io/')).toBeUndefined();
  });

  it('never proxies localhost or loopback addresses', () => {
    const env = { HTTPS_PROXY: P, HTTP_PROXY: P };
    for (const u of ['http://localhost:5000/', 'https://127.0.0.1/', 'http://127.3.4.5:80/', 'http://[::1]:5000/', 'http://[::ffff:127.0.0.1]/']) expect(via(env, u), u).toBeUndefined();
    expect(via(env, 'http://localhost.corp/')).toBe(`${P}/`);
  });

  it('matches NO_PROXY entries: *, domains, leading dot, *., ports, IPs and CIDR', () => {
    const base = { HTTPS_PROXY: P, HTTP_PROXY: P };
    const bypass = (noProxy: string, url: string) => via({ ...base, NO_PROXY: noProxy }, url) === undefined;
    expect(bypass('*', 'https://anything.io/')).toBe(true);
    // "corp.io" matches itself and its subdomains; not a mere suffix of another label.
    expect(bypass('corp.io', 'https://corp.io/')).toBe(true);
    expect(bypass('corp.io', 'https://r.corp.io/')).toBe(true);
    expect(bypass('corp.io', 'https://notcorp.io/')).toBe(false);
    // ".corp.io" and "*.corp.io": subdomains only.
    expect(bypass('.corp.io', 'https://r.corp.io/')).toBe(true);
    expect(bypass('.corp.io', 'https://corp.io/')).toBe(false);
    expect(bypass('*.corp.io', 'https://r.corp.io/')).toBe(true);
    expect(bypass('*.corp.io', 'https://corp.io/')).toBe(false);
    // Ports: default ports count (443 for https, 80 for http).
    expect(bypass('corp.io:5000', 'https://corp.io:5000/')).toBe(true);
    expect(bypass('corp.io:5000', 'https://corp.io/')).toBe(false);
    expect(bypass('corp.io:443', 'https://corp.io/')).toBe(true);
    // IPs and CIDR match IP hosts only; a domain entry never matches an IP.
    expect(bypass('10.1.2.3', 'https://10.1.2.3/')).toBe(true);
    expect(bypass('10.1.2.3:8443', 'https://10.1.2.3/')).toBe(false);
    expect(bypass('10.0.0.0/8', 'https://10.9.8.7:5000/')).toBe(true);
    expect(bypass('10.0.0.0/8', 'https://11.0.0.1/')).toBe(false);
    expect(bypass('fd00::/8', 'https://[fd00::2]/')).toBe(true);
    expect(bypass('[fd00::2]:443', 'https://[fd00::2]/')).toBe(true);
    expect(bypass('2.3', 'https://1.2.3/')).toBe(false);
    // Case, spaces and empty entries are tolerated; entries are comma-separated.
    expect(bypass(' , Example.COM , corp.io', 'https://EXAMPLE.com/')).toBe(true);
  });

  it('refuses HTTP_PROXY in a CGI environment (REQUEST_METHOD set), as Go does', () => {
    const cfg = proxyFromEnv({ HTTP_PROXY: P, HTTPS_PROXY: P, REQUEST_METHOD: 'GET' });
    expect(() => cfg.proxyFor('http://a.io/')).toThrow(/CGI/);
    expect(cfg.proxyFor('https://a.io/')?.href).toBe(`${P}/`);
  });

  it('builds Proxy-Authorization from the proxy URL userinfo only', () => {
    expect(proxyAuthorization(new URL('http://proxy:1'))).toBeUndefined();
    expect(proxyAuthorization(new URL('http://u%40x:p%3Aw@proxy:1'))).toBe(`Basic ${Buffer.from('u@x:p:w').toString('base64')}`);
    expect(proxyAuthorization(new URL('http://u@proxy:1'))).toBe(`Basic ${Buffer.from('u:').toString('base64')}`);
  });
});
