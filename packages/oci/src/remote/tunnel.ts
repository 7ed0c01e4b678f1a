import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { OciError } from '../errors.ts';
import { formatMs } from './deadline.ts';
import { describeProxy, proxyAuthorization } from './proxy.ts';

// HTTP CONNECT tunnelling (RFC 9110 §9.3.6) for https targets behind a proxy, as Go's transport
// does: the proxy sees only "CONNECT host:port" (plus Proxy-Authorization when its URL carries
// credentials); TLS to the registry runs inside the tunnel, so the registry's Authorization never
// reaches the proxy readable.

const MAX_CONNECT_RESPONSE = 16 * 1024;

/**
 * Opens a tunnel through `proxy` to `authority` (host:port) within `timeoutMs`. An https proxy URL
 * is reached over TLS first (`proxyTls` holds its trust settings).
 */
export async function openTunnel(proxy: URL, authority: string, timeoutMs: number, proxyTls: ConnectionOptions = {}): Promise<Duplex> {
  const secure = proxy.protocol === 'https:';
  const port = Number(proxy.port || (secure ? 443 : 80));
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  const tls = secure ? await import('node:tls') : undefined;
  const where = describeProxy(proxy);
  return new Promise<Duplex>((resolve, reject) => {
    const sock: Socket | TLSSocket = tls ? tls.connect({ ...proxyTls, host, port, ...(isIP(host) ? {} : { servername: host }) }) : netConnect({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const fail = (err: OciError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new OciError('TIMEOUT', `the proxy ${where} did not open a tunnel to ${authority} within ${formatMs(timeoutMs)} (see --timeout)`)), timeoutMs);
    const onError = (e: Error) => fail(new OciError('NETWORK', `cannot reach the proxy ${where}: ${e.message}`, { cause: e }));
    sock.on('error', onError);
    sock.once(secure ? 'secureConnect' : 'connect', () => {
      const auth = proxyAuthorization(proxy);
      sock.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    });
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_CONNECT_RESPONSE) fail(new OciError('NETWORK', `the proxy ${where} sent an oversized answer to CONNECT`));
        return;
      }
      sock.pause();
      sock.off('data', onData);
      const head = buf.subarray(0, end).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      if (status !== '200') {
        const line = (head.split('\r\n')[0] ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
        const code = status === '407' ? 'UNAUTHORIZED' : status === '403' ? 'DENIED' : 'NETWORK';
        fail(new OciError(code, `the proxy ${where} refused CONNECT ${authority}: ${line}${status === '407' ? ' (proxy credentials go in the proxy URL: http://user:pass@proxy:port)' : ''}`));
        return;
      }
      // The server speaks only after the client's TLS hello: anything here is not the tunnel's.
      if (buf.length > end + 4) {
        fail(new OciError('NETWORK', `the proxy ${where} sent data after its CONNECT answer`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      sock.off('error', onError);
      resolve(sock);
    };
    sock.on('data', onData);
  });
}

/** A TLS connection to the target through an open tunnel, bounded by `timeoutMs` for the handshake. */
export async function tlsOverTunnel(tunnel: Duplex, options: ConnectionOptions & { host?: string }, timeoutMs: number): Promise<TLSSocket> {
  const tls = await import('node:tls');
  const host = (options.host ?? '').replace(/^\[|\]$/g, '');
  const socket = tls.connect({ ...options, socket: tunnel, ...(options.servername || isIP(host) ? {} : { servername: host }) });
  const timer = setTimeout(() => socket.destroy(new OciError('TIMEOUT', `TLS handshake with ${host} through the proxy did not finish within ${formatMs(timeoutMs)} (see --timeout)`)), timeoutMs);
  socket.once('secureConnect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return socket;
}
