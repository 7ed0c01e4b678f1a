import { createHash } from 'node:crypto';

// distribution-spec "Pulling manifests": repository names and tags are constrained by these grammars.
const NAME_RE = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
// image-spec descriptor.md "Digests": algorithm ":" encoded, with the registered algorithms pinned.
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const ENCODED: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export type DigestAlgorithm = 'sha256' | 'sha512';

/** Clients limit `<host>/<name>` to 255 characters; a name alone longer than that is never valid. */
export function isValidName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export type DigestCheck =
  | { readonly ok: true; readonly algorithm: DigestAlgorithm; readonly encoded: string }
  | { readonly ok: false; readonly reason: 'syntax' | 'unsupported' | 'encoding' };

/** Parses a digest, separating bad syntax from an algorithm this registry does not implement. */
export function checkDigest(value: string): DigestCheck {
  if (!DIGEST_RE.test(value)) return { ok: false, reason: 'syntax' };
  const i = value.indexOf(':');
  const algorithm = value.slice(0, i);
  const encoded = value.slice(i + 1);
  const re = ENCODED[algorithm];
  if (!re) return { ok: false, reason: 'unsupported' };
  if (!re.test(encoded)) return { ok: false, reason: 'encoding' };
  return { ok: true, algorithm: algorithm as DigestAlgorithm, encoded };
}

export function isSupportedAlgorithm(value: string): value is DigestAlgorithm {
  return value in ENCODED;
}

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
