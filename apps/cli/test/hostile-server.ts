import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Emulator } from '@ocx/testkit';

// A registry on a real socket that misbehaves below HTTP as well as in it: resets before the
// answer, headers that come late, bodies that stall or end early. The emulator answers whatever no
// rule claims, so every scenario starts from honest content.

export type Fault =
  /** Close the connection before any answer (ECONNRESET at the client). */
  | { readonly kind: 'reset' }
  /** Hold the status line back for `ms`, then answer honestly. */
  | { readonly kind: 'slow-headers'; readonly ms: number }
  /** Send the headers and half the body, then nothing until the client gives up. */
  | { readonly kind: 'stall' }
  /** Send the full Content-Length, half the body, then close. */
  | { readonly kind: 'truncate' }
  /** Answer with this (undefined: let the request through). */
  | { readonly kind: 'respond'; readonly answer: (req: Request, next: () => Promise<Response>) => Response | undefined | Promise<Response | undefined> };

export interface Rule {
  readonly match: RegExp | ((req: Request) => boolean);
  readonly fault: Fault;
  /** Applies this many times (default: always). */
  times?: number;
}

export interface LogEntry {
  readonly method: string;
  readonly path: string;
  /** The Authorization scheme sent, never the secret. */
  readonly auth?: string;
}

export interface HostileServer {
  readonly host: string;
  readonly url: string;
  readonly log: LogEntry[];
  /** Basic credentials the server demands on /v2/ (undefined: anonymous). */
  users?: Record<string, string>;
  rules: Rule[];
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, origin: string, body: Buffer): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  return new Request(new URL(req.url ?? '/', origin), { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
}

async function write(out: ServerResponse, res: Response, head: boolean, cut?: 'stall' | 'truncate'): Promise<void> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  const body = head || !res.body ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
  if (!head && !('content-length' in headers)) headers['content-length'] = String(body.byteLength);
  out.writeHead(res.status, headers);
  if (!cut || head) {
    out.end(body);
    return;
  }
  out.write(body.subarray(0, Math.max(1, Math.floor(body.byteLength / 2))));
  if (cut === 'truncate') setTimeout(() => out.socket?.destroy(), 20);
  // 'stall': the socket stays open and silent until the client (or close()) ends it.
}

function matches(rule: Rule, req: Request): boolean {
  if (rule.times !== undefined && rule.times <= 0) return false;
  if (typeof rule.match === 'function') return rule.match(req);
  const u = new URL(req.url);
  return rule.match.test(u.pathname + u.search);
}

export async function startHostile(emu: Emulator): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let origin = '';
  const state: { users?: Record<string, string>; rules: Rule[]; log: LogEntry[] } = { rules: [], log: [] };
  const server = createServer((req, out) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const request = toRequest(req, origin, Buffer.concat(chunks));
        const u = new URL(request.url);
        const auth = request.headers.get('authorization') ?? undefined;
        state.log.push({ method: request.method, path: u.pathname + u.search, auth: auth?.split(' ')[0] });
        const head = request.method === 'HEAD';
        try {
          if (state.users && u.pathname.startsWith('/v2')) {
            const [scheme, value] = (auth ?? '').split(' ');
            const [user, password] = scheme === 'Basic' && value ? Buffer.from(value, 'base64').toString().split(':') : [];
            if (!user || state.users[user] !== password) {
              await write(out, Response.json({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { status: 401, headers: { 'www-authenticate': 'Basic realm="hostile"' } }), head);
              return;
            }
          }
          const rule = state.rules.find((r) => matches(r, request));
          if (rule && rule.times !== undefined) rule.times--;
          const next = () => emu.fetch(request.clone());
          const fault = rule?.fault;
          if (fault?.kind === 'reset') {
            req.socket.destroy();
            return;
          }
          if (fault?.kind === 'slow-headers') await new Promise((r) => setTimeout(r, fault.ms));
          if (fault?.kind === 'respond') {
            const answer = (await fault.answer(request, next)) ?? (await next());
            await write(out, answer, head);
            return;
          }
          await write(out, await next(), head, fault?.kind === 'stall' || fault?.kind === 'truncate' ? fault.kind : undefined);
        } catch (e) {
          if (!out.headersSent) out.writeHead(500, { 'content-type': 'text/plain' });
          out.end(String(e));
        }
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: origin,
    get log() {
      return state.log;
    },
    get users() {
      return state.users;
    },
    set users(u) {
      state.users = u;
    },
    get rules() {
      return state.rules;
    },
    set rules(r) {
      state.rules = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
