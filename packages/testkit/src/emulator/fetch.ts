// The emulator as a drop-in `fetch`: redirects are followed the way WHATWG fetch does (RFC 9110 §15.4,
// Fetch "HTTP-redirect fetch"), including dropping Authorization when the origin changes, so a client
// tested through the injected fetch sees what it would see over the network.

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

function withUrl(res: Response, url: string, redirected: boolean): Response {
  Object.defineProperty(res, 'url', { value: url, configurable: true });
  Object.defineProperty(res, 'redirected', { value: redirected, configurable: true });
  return res;
}

export function emulatorFetch(handle: (req: Request) => Promise<Response>) {
  return async function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    let req = input instanceof Request && init === undefined ? input : new Request(input, init);
    const mode = req.redirect;
    // A body given as bytes or text can be sent again after a 307/308; a stream cannot (as in undici).
    const source = init?.body ?? (input instanceof Request ? input.body : null);
    const replayable = !(source instanceof ReadableStream);
    for (let hops = 0; ; hops++) {
      const res = await handle(req);
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || location === null || mode === 'manual') return withUrl(res, req.url, hops > 0);
      if (mode === 'error') throw new TypeError(`redirect to ${location} with redirect: "error"`);
      if (hops >= MAX_REDIRECTS) throw new TypeError('too many redirects');
      await res.body?.cancel().catch(() => undefined);
      const target = new URL(location, req.url);
      const headers = new Headers(req.headers);
      if (target.origin !== new URL(req.url).origin) headers.delete('authorization');
      const toGet = res.status === 303 ? req.method !== 'HEAD' : (res.status === 301 || res.status === 302) && req.method === 'POST';
      if (toGet) {
        for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
        req = new Request(target, { method: req.method === 'HEAD' ? 'HEAD' : 'GET', headers, redirect: mode, signal: req.signal });
        continue;
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && source !== null && source !== undefined;
      if (hasBody && !replayable) throw new TypeError('cannot follow a redirect with a streamed request body');
      req = new Request(target, {
        method: req.method,
        headers,
        redirect: mode,
        signal: req.signal,
        ...(hasBody ? { body: source as NonNullable<RequestInit['body']> } : {}),
      });
    }
  };
}
