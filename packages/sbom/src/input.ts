// Decoding and defensive accessors shared by every format reader. SBOM bytes are hostile: every
// field is checked for its type before use, and nothing here throws anything but SbomError.
import { SbomError } from './errors.ts';

export function assertSize(bytes: Uint8Array, maxBytes: number): void {
  if (bytes.byteLength > maxBytes) {
    throw new SbomError(
      'TOO_LARGE',
      `SBOM is ${bytes.byteLength} bytes, more than the limit of ${maxBytes}; raise maxBytes to read it`,
    );
  }
}

// JSON (RFC 8259 §8.1), SPDX tag-value and CycloneDX must be UTF-8; `fatal` refuses anything else
// instead of silently inserting U+FFFD. A leading BOM is dropped (TextDecoder default).
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new SbomError('PARSE', 'SBOM is not valid UTF-8', { cause });
  }
}

export function parseJson(text: string, what = 'SBOM'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new SbomError('PARSE', `${what} is not valid JSON`, { cause });
  }
}

/** The first byte that is not JSON/XML whitespace, after an optional UTF-8 BOM; -1 when none. */
export function firstSignificantByte(bytes: Uint8Array): number {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return -1;
}

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function records(v: unknown): JsonRecord[] {
  return arr(v).filter(isRecord);
}

export function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string' && x.length > 0);
}

/** Drops undefined properties so summaries compare and serialise without `undefined` keys. */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
