// A plain HTTP server on loopback for tests that stall, drip or misbehave on purpose: close() destroys
// the sockets still open (a stalled exchange would otherwise keep server.close() waiting forever).
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestHttpServer {
  readonly server: Server;
  /** 127.0.0.1:PORT */
  readonly host: string;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpServer(handler: RequestListener): Promise<TestHttpServer> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** A 200 that declares `declaredLength` bytes, then sends `chunk` every 50 ms and never finishes. */
export function dripForever(res: ServerResponse, contentType: string, declaredLength: number, chunk = ' '): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': String(declaredLength) });
  const t = setInterval(() => res.write(chunk), 50);
  res.on('close', () => clearInterval(t));
}
