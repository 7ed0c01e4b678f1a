import type { AuthSeen, EmulatorAuth } from './auth.ts';

/**
 * Consulted before the registry logic. Return a Response to answer instead of the registry, or
 * undefined to let the request through; `next` runs the real handler so a fault can tamper with it.
 */
export type FaultHook = (
  req: Request,
  next: (req: Request) => Promise<Response>,
) => Response | undefined | Promise<Response | undefined>;

export interface EmulatorOptions {
  /** Serve the referrers API and answer OCI-Subject (distribution-spec 1.1). false ⇒ behave as distribution 2.8. Default true. */
  readonly referrersApi?: boolean;
  /** Manifest ETag + If-Match/If-None-Match on PUT. Default: the value of referrersApi (distribution 2.8 ignores If-Match). */
  readonly etag?: boolean;
  /** Delay added to every request, in milliseconds. Default 0. */
  readonly latencyMs?: number;
  /** Referrers page size; more results are paginated with a Link header. 0 = one page. Default 0. */
  readonly pageSize?: number;
  /** Tag list page size when the client sends no `n`. 0 = one page. Default 0. */
  readonly tagsPageSize?: number;
  /** Largest manifest accepted on PUT (413 above). Default 4 MiB (distribution-spec "Pushing Manifests"). */
  readonly maxManifestBytes?: number;
  /** Advertised OCI-Chunk-Min-Length on upload POST. 0 = not sent. Default 0. */
  readonly chunkMinLength?: number;
  /** Reject manifests whose blobs/child manifests are not in the repository (MANIFEST_BLOB_UNKNOWN). Default true. */
  readonly validateReferences?: boolean;
  /** Mount a blob found in any repository when `from` is absent. Default true. */
  readonly mountAnonymous?: boolean;
  /**
   * Answer a manifest GET/HEAD with 404 MANIFEST_UNKNOWN when the Accept header does not list its media
   * type (or a wildcard), as distribution does for OCI manifests. Default false.
   */
  readonly requireAccept?: boolean;
  readonly faults?: FaultHook;
  /** Authentication (default none): anonymous bearer tokens, tokens behind Basic credentials, or Basic. */
  readonly auth?: EmulatorAuth;
  /** `expires_in` of issued tokens in seconds, reported as given (nonsense too) and enforced. Default 300. */
  readonly tokenExpiresIn?: number;
  /** Clock for the request log, in epoch milliseconds. Default Date.now. */
  readonly now?: () => number;
}

export interface RequestLogEntry {
  readonly method: string;
  /** The request URL's host (the emulator answers every origin through the injected fetch). */
  readonly host: string;
  /** pathname + search, as received. */
  readonly path: string;
  readonly status: number;
  /** Selected request headers (lower-case names), only those present; `authorization` is the scheme only. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Authorization scheme and the user it names (Basic user, or the subject a token was issued to); never a secret. */
  readonly auth: AuthSeen;
  /** When the request arrived, epoch milliseconds. */
  readonly time: number;
  readonly durationMs: number;
}

export interface ListenOptions {
  readonly port?: number;
  readonly host?: '127.0.0.1';
  /** Serve https with this key and certificate (PEM), e.g. from makeTestCertificate(). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` (`https://` when listening with tls) */
  readonly url: string;
  /** `127.0.0.1:<port>`, as used in image references. */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}
