// For tests whose registry is an emulator behind an injected fetch: any socket ocx opens (TUF, Rekor,
// OCSP, a stray fetch) is refused and recorded, so the test can assert there was none.
import net from 'node:net';
import { afterEach, beforeEach } from 'vitest';

/** Registers beforeEach/afterEach in the calling scope; returns the connection attempts of the running test. */
export function refuseSockets(why: string): () => readonly string[] {
  let attempts: string[] = [];
  const realConnect = net.Socket.prototype.connect;
  beforeEach(() => {
    attempts = [];
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const o = args[0] as { host?: string; port?: number; path?: string } | number;
      attempts.push(typeof o === 'object' && o !== null ? `${o.host ?? o.path ?? '?'}:${o.port ?? ''}` : String(o));
      this.destroy(new Error(`socket opened during ${why}`));
      return this;
    } as typeof net.Socket.prototype.connect;
  });
  afterEach(() => {
    net.Socket.prototype.connect = realConnect;
  });
  return () => attempts;
}
