import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { discard, rawBody } from './body.ts';
import type { ListenOptions, RunningRegistry } from './types.ts';

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    // The request body stays a stream: uploads are collected chunk by chunk, joined once.
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(res: Response, out: ServerResponse, head: boolean): Promise<void> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const raw = head || res.bodyUsed ? undefined : rawBody(res);
  if (head || !res.body) {
    out.writeHead(res.status, headers);
    await res.body?.cancel().catch(() => undefined);
    out.end();
    return;
  }
  if (raw) {
    // The stored Buffer goes to the socket as is; no web-stream pumping for large blobs.
    out.writeHead(res.status, headers);
    await res.body.cancel().catch(() => undefined);
    out.end(raw);
    return;
  }
  if (!res.headers.has('content-length')) {
    // Small generated bodies (JSON, errors): send them with a Content-Length, as registries do.
    const body = Buffer.from(await res.arrayBuffer());
    out.writeHead(res.status, { ...headers, 'content-length': String(body.byteLength) });
    out.end(body);
    return;
  }
  out.writeHead(res.status, headers);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
  }
  out.end();
}

/** Serves a WHATWG handler over node:http (node:https with `tls`), bound to 127.0.0.1 only. */
export function serve(handle: (req: Request) => Promise<Response>, opts: ListenOptions): Promise<RunningRegistry> {
  const host = opts.host ?? '127.0.0.1';
  let origin = '';
  const listener = (req: IncomingMessage, out: ServerResponse): void => {
    void (async () => {
      try {
        const request = toRequest(req, origin);
        const res = await handle(request);
        await discard(request);
        await writeResponse(res, out, req.method === 'HEAD');
      } catch (e) {
        if (!out.headersSent) out.writeHead(500, { 'content-type': 'text/plain' });
        out.end(String(e));
      }
    })();
  };
  const server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      origin = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;
      resolve({
        url: origin,
        host: `${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
