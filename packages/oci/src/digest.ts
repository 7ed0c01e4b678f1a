import { createHash, type Hash } from 'node:crypto';
import { OciError } from './errors.ts';

// image-spec v1.1.1 descriptor.md "Digests": algorithm ":" encoded.
const DIGEST_RE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const ENCODED_RE: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  readonly algorithm: string;
  readonly encoded: string;
}

/** Splits a digest without judging the algorithm (the tag schema must handle unknown ones). */
export function parseDigest(digest: string): ParsedDigest {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new OciError('INVALID_DIGEST', `invalid digest "${digest}": expected <algorithm>:<encoded>`);
  return { algorithm: m[1]!, encoded: m[2]! };
}

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value);
}

/** Validates a digest ocx can compute (sha256, sha512), so content can be checked against it. */
export function assertVerifiableDigest(digest: string): DigestAlgorithm {
  const { algorithm, encoded } = parseDigest(digest);
  const re = ENCODED_RE[algorithm];
  if (!re) throw new OciError('INVALID_DIGEST', `unsupported digest algorithm "${algorithm}" in ${digest}`);
  if (!re.test(encoded)) throw new OciError('INVALID_DIGEST', `invalid ${algorithm} digest "${digest}"`);
  return algorithm as DigestAlgorithm;
}

export function digestOf(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Throws DIGEST_MISMATCH unless `data` hashes to `expected`. */
export function verifyDigest(data: Uint8Array, expected: string, what = 'content'): void {
  const algorithm = assertVerifiableDigest(expected);
  const actual = digestOf(data, algorithm);
  if (actual !== expected) {
    throw new OciError('DIGEST_MISMATCH', `${what} digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/** Incremental digest check for streamed content. */
export class DigestVerifier {
  readonly #hash: Hash;
  readonly #algorithm: DigestAlgorithm;
  #bytes = 0;

  constructor(
    readonly expected: string,
    readonly expectedSize: number | undefined,
    readonly what = 'blob',
  ) {
    this.#algorithm = assertVerifiableDigest(expected);
    this.#hash = createHash(this.#algorithm);
  }

  update(chunk: Uint8Array): void {
    this.#bytes += chunk.byteLength;
    if (this.expectedSize !== undefined && this.#bytes > this.expectedSize) {
      throw new OciError('SIZE_MISMATCH', `${this.what} ${this.expected} is larger than its declared size ${this.expectedSize}`);
    }
    this.#hash.update(chunk);
  }

  get bytes(): number {
    return this.#bytes;
  }

  finish(): void {
    if (this.expectedSize !== undefined && this.#bytes !== this.expectedSize) {
      throw new OciError('SIZE_MISMATCH', `${this.what} ${this.expected}: expected ${this.expectedSize} bytes, got ${this.#bytes}`);
    }
    const actual = `${this.#algorithm}:${this.#hash.digest('hex')}`;
    if (actual !== this.expected) {
      throw new OciError('DIGEST_MISMATCH', `${this.what} digest mismatch: expected ${this.expected}, got ${actual}`);
    }
  }
}

/** Passes `content` through, checking size and digest as it flows; the mismatch surfaces at the end. */
export async function* verifyingStream(content: AsyncIterable<Uint8Array>, digest: string, size: number | undefined, what = 'blob'): AsyncGenerator<Uint8Array> {
  const verifier = new DigestVerifier(digest, size, what);
  for await (const chunk of content) {
    verifier.update(chunk);
    yield chunk;
  }
  verifier.finish();
}
