import type { FaultHook } from './types.ts';

/** Which requests a canned fault applies to: a RegExp tested on pathname+search, or a predicate. */
export type FaultMatch = RegExp | ((req: Request) => boolean);

function matches(match: FaultMatch, req: Request): boolean {
  if (typeof match === 'function') return match(req);
  const u = new URL(req.url);
  match.lastIndex = 0;
  return match.test(u.pathname + u.search);
}

const MANIFEST_OR_BLOB = /\/(manifests|blobs)\/[^/]+$/;
const PAGED = /\/(referrers\/[^/?]+|tags\/list)(\?|$)/;

function copyHeaders(res: Response): Headers {
  return new Headers(res.headers);
}

/**
 * Canned faults for client tests. Each returns a FaultHook; compose several with `combineFaults`.
 * They model registries that lie (quirks listed in peers-and-wire-formats.md §4.3) or are hostile.
 */
export const cannedFaults = {
  /** Answer matching requests with `status` (e.g. 500, 429) and an optional OCI error code; `times` limits how often. */
  status(status: number, match: FaultMatch = /.*/, opts: { code?: string; times?: number; headers?: Record<string, string> } = {}): FaultHook {
    let left = opts.times ?? Number.POSITIVE_INFINITY;
    return (req) => {
      if (left <= 0 || !matches(match, req)) return undefined;
      left--;
      const body = JSON.stringify({ errors: [{ code: opts.code ?? 'UNKNOWN', message: `injected ${status}` }] });
      return new Response(req.method === 'HEAD' ? null : body, { status, headers: { 'content-type': 'application/json', ...opts.headers } });
    };
  },

  /** Serve the real manifest/blob with one byte changed: the body no longer matches its digest (headers unchanged). */
  wrongDigest(match: FaultMatch = MANIFEST_OR_BLOB): FaultHook {
    return async (req, next) => {
      if (req.method !== 'GET' || !matches(match, req)) return undefined;
      const res = await next(req);
      if (res.status !== 200) return res;
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.byteLength === 0) return new Response(' ', { status: 200, headers: copyHeaders(res) });
      bytes[bytes.byteLength - 1] = bytes[bytes.byteLength - 1]! ^ 0x01;
      return new Response(bytes, { status: 200, headers: copyHeaders(res) });
    };
  },

  /** Answer a manifest GET with a `bytes`-long JSON body (default 5 MiB, above the 4 MiB clients must accept). */
  oversizeManifest(match: FaultMatch = /\/manifests\/[^/]+$/, bytes = 5 * 1024 * 1024): FaultHook {
    return (req) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !matches(match, req)) return undefined;
      const head = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"pad":"';
      const tail = '"}}';
      const body = head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
      return new Response(req.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(body.length) },
      });
    };
  },

  /** Paginated answers whose Link rel="next" points back at the same page: a client must detect the loop. */
  paginationLoop(match: FaultMatch = PAGED): FaultHook {
    return async (req, next) => {
      if (req.method !== 'GET' || !matches(match, req)) return undefined;
      const res = await next(req);
      const u = new URL(req.url);
      const headers = copyHeaders(res);
      headers.set('link', `<${u.pathname}${u.search}>; rel="next"`);
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    };
  },

  /** Paginated answers whose Link rel="next" points at another origin: a client must not follow (or must drop credentials). */
  crossOriginLink(origin = 'http://evil.example', match: FaultMatch = PAGED): FaultHook {
    return async (req, next) => {
      if (req.method !== 'GET' || !matches(match, req)) return undefined;
      const res = await next(req);
      const u = new URL(req.url);
      const headers = copyHeaders(res);
      headers.set('link', `<${origin}${u.pathname}${u.search}>; rel="next"`);
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    };
  },

  /**
   * Redirect blob GETs to `origin` (as registries do to object storage); credentials must not follow
   * across hosts. Through the injected fetch the redirect is followed and `origin` is served by the
   * emulator, so the log shows whether Authorization reached the other host.
   */
  redirectBlob(origin: string, status: 302 | 307 = 307, match: FaultMatch = /\/blobs\/[^/]+$/): FaultHook {
    return (req) => {
      const u = new URL(req.url);
      // The target host is answered by the registry itself (the injected fetch reaches every origin).
      if (u.origin === new URL(origin).origin) return undefined;
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !matches(match, req)) return undefined;
      return new Response(null, { status, headers: { location: `${origin}${u.pathname}${u.search}` } });
    };
  },

  /** A false 200 on /referrers/ with a body that is not an image index (seen in the wild; sigstore-js #1187). */
  falseReferrers200(body = '<html><body>OK</body></html>', contentType = 'text/html'): FaultHook {
    return (req) => {
      if (!/\/referrers\/[^/]+$/.test(new URL(req.url).pathname)) return undefined;
      return new Response(body, { status: 200, headers: { 'content-type': contentType } });
    };
  },

  /** Answer /referrers/ as Google Artifact Registry once did: a redirect instead of a 404. */
  referrersRedirect(location = '/'): FaultHook {
    return (req) => {
      if (!/\/referrers\/[^/]+$/.test(new URL(req.url).pathname)) return undefined;
      return new Response(null, { status: 302, headers: { location } });
    };
  },
} as const;

/** Runs hooks in order; the first to answer wins. */
export function combineFaults(...hooks: FaultHook[]): FaultHook {
  return async (req, next) => {
    for (const hook of hooks) {
      const res = await hook(req, next);
      if (res) return res;
    }
    return undefined;
  };
}
