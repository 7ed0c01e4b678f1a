// distribution-spec "Error Codes": a 4xx body, when JSON, is `{"errors":[{code,message,detail}]}`.
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'PRECONDITION_FAILED'
  | 'PAGINATION_NUMBER_INVALID'
  | 'RANGE_INVALID';

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

export function errorResponse(
  status: number,
  code: RegistryErrorCode,
  message: string,
  init: { headers?: Record<string, string>; detail?: unknown; head?: boolean } = {},
): Response {
  const entry: Record<string, unknown> = { code, message };
  if (init.detail !== undefined) entry.detail = init.detail;
  const body = JSON.stringify({ errors: [entry] });
  const headers = { ...API_VERSION, 'content-type': 'application/json', ...init.headers };
  // HEAD answers carry the status only (RFC 9110 §9.3.2).
  return new Response(init.head ? null : body, { status, headers });
}

/** What distribution's router says for a path it does not know: plain text, not the JSON error shape. */
export function pageNotFound(): Response {
  return new Response('404 page not found\n', {
    status: 404,
    headers: { ...API_VERSION, 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

export function baseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { ...API_VERSION, ...extra };
}
