// Getting an SBOM's bytes: streamed from the registry with the digest checked while streaming
// (StreamFetcher's contract) and the size capped before the first request, or, for an attestation,
// the predicate document find already took out of the verified-size envelope.
import type { CallOptions, StreamFetcher } from '@ocx/oci';
import { SbomError } from '../errors.ts';
import type { SbomFinding } from './types.ts';

/** Largest SBOM `openSbom` streams unless told otherwise. */
export const DEFAULT_MAX_SBOM_BYTES = 512 * 1024 * 1024;

export interface OpenSbomOptions extends CallOptions {
  /** Refuse SBOMs whose descriptor declares more than this. Default DEFAULT_MAX_SBOM_BYTES. */
  readonly maxBytes?: number;
}

/**
 * Exactly the attached bytes: the layer blob for raw sources, the predicate document for
 * attestations. The iterable throws (OciError DIGEST_MISMATCH / SIZE_MISMATCH) at the end when the
 * registry sent other bytes, so nothing downstream may treat the data as final before it ends.
 */
export async function openSbom(repo: StreamFetcher, finding: SbomFinding, options: OpenSbomOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  const max = options.maxBytes ?? DEFAULT_MAX_SBOM_BYTES;
  if (finding.size > max) throw new SbomError('TOO_LARGE', `SBOM ${finding.digest} declares ${finding.size} bytes, over the ${max}-byte cap`);
  const document = finding.document;
  if (document) {
    return (async function* () {
      yield document;
    })();
  }
  return repo.fetchStream(finding.layer, options.signal ? { signal: options.signal } : {});
}

/** Reads a stream into memory, refusing it once it passes `maxBytes`. */
export async function collectCapped(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of chunks) {
    total += c.byteLength;
    if (total > maxBytes) throw new SbomError('TOO_LARGE', `content passes the ${maxBytes}-byte cap`);
    parts.push(c);
  }
  return new Uint8Array(Buffer.concat(parts, total));
}

/** The SBOM in memory, for summaries (which parse it whole anyway). */
export async function fetchSbomBytes(repo: StreamFetcher, finding: SbomFinding, options: OpenSbomOptions = {}): Promise<Uint8Array> {
  if (finding.document) return finding.document;
  const max = options.maxBytes ?? DEFAULT_MAX_SBOM_BYTES;
  return collectCapped(await openSbom(repo, finding, options), max);
}
