import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

// A forward proxy on loopback for client tests (issue 8 §2): HTTP CONNECT tunnels for https
// targets, absolute-form requests for http targets (RFC 9112 §3.2.2), optional Basic proxy auth.
// It records what it could see — CONNECT targets, absolute-form requests, and every Authorization /
// Proxy-Authorization header in cleartext — so tests can assert that credentials never reached it.

export interface ProxyLogEntry {
  /** 'connect': a CONNECT tunnel; 'absolute': an absolute-form request; 'origin': a request a proxy cannot route (400). */
  readonly kind: 'connect' | 'absolute' | 'origin';
  readonly method: string;
  /** `host:port` for CONNECT, the full URL for absolute-form. */
  readonly target: string;
  /** The proxy's answer (200, 407, 502…). */
  readonly status: number;
  /** Authorization header values the proxy could read (absolute-form only; CONNECT carries none). */
  readonly authorization?: string;
  readonly proxyAuthorization?: string;
  /** CONNECT only: whether the client's bytes inside the tunnel contained "authorization:" in cleartext. */
  readonly cleartextAuthorizationInTunnel?: boolean;
}

export interface TestProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these credentials (407 otherwise). */
  readonly auth?: { readonly username: string; readonly password: string };
  /**
   * Name → address the proxy connects to instead (the proxy resolves names, not the client): lets a
   * test reach a loopback server as `registry.test:PORT`, a name clients do not treat as loopback.
   */
  readonly hosts?: Readonly<Record<string, string>>;
  /** Serve the proxy itself over TLS (an `https://` proxy URL). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`; no credentials). */
  readonly url: string;
  readonly port: number;
  /** Everything the proxy saw, in order (entries of CONNECT tunnels are updated when they close). */
  readonly log: ProxyLogEntry[];
  close(): Promise<void>;
}

function splitAuthority(authority: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority) ?? /^([^:]+)(?::(\d+))?$/.exec(authority);
  return { host: m?.[1] ?? authority, port: Number(m?.[2] ?? defaultPort) };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export async function startProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Duplex>();
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : undefined;
  const resolve = (host: string) => options.hosts?.[host.toLowerCase()] ?? host;
  const authorized = (req: IncomingMessage) => expected === undefined || header(req, 'proxy-authorization') === expected;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '';
    const base = { method: req.method ?? 'GET', target, ...(header(req, 'authorization') ? { authorization: header(req, 'authorization') } : {}), ...(header(req, 'proxy-authorization') ? { proxyAuthorization: header(req, 'proxy-authorization') } : {}) };
    if (!/^https?:\/\//i.test(target)) {
      log.push({ ...base, kind: 'origin', status: 400 });
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    if (!authorized(req)) {
      log.push({ ...base, kind: 'absolute', status: 407 });
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="testkit proxy"' }).end();
      return;
    }
    const url = new URL(target);
    const { host, port } = splitAuthority(url.host, url.protocol === 'https:' ? 443 : 80);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const entry = { ...base, kind: 'absolute' as const, status: 0 };
    log.push(entry);
    const upstream = httpRequest({ host: resolve(host), port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (up) => {
      (entry as { status: number }).status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      (entry as { status: number }).status = 502;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const target = req.url ?? '';
    const proxyAuthorization = header(req, 'proxy-authorization');
    const base = { kind: 'connect' as const, method: 'CONNECT', target, ...(proxyAuthorization ? { proxyAuthorization } : {}) };
    if (!authorized(req)) {
      log.push({ ...base, status: 407 });
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="testkit proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const { host, port } = splitAuthority(target, 443);
    const entry: { -readonly [K in keyof ProxyLogEntry]: ProxyLogEntry[K] } = { ...base, status: 0, cleartextAuthorizationInTunnel: false };
    log.push(entry);
    const upstream: Socket = connect({ host: resolve(host), port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      // Watch the client's bytes for a readable Authorization header (there must be none under TLS).
      client.on('data', (chunk: Buffer) => {
        if (/authorization\s*:/i.test(chunk.toString('latin1'))) entry.cleartextAuthorizationInTunnel = true;
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      if (entry.status === 0) {
        entry.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      } else client.destroy();
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
