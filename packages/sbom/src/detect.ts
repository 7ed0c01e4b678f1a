// Format detection from the bytes themselves. Media types and predicate types come from unsigned
// registry metadata, so they are only compared against what the bytes say (`hintMismatch`), never
// trusted over them.
import { assertSize, decodeUtf8, firstSignificantByte, isRecord, parseJson, str } from './input.ts';
import type { JsonRecord } from './input.ts';
import { resolveSbomLimits } from './limits.ts';
import type { SbomLimits } from './limits.ts';
import { sbomKindOf } from './media-types.ts';
import { rootElement } from './xml.ts';

export type SbomFormat = 'spdx' | 'cyclonedx' | 'syft' | 'unknown';
export type SbomEncoding = 'json' | 'tag-value' | 'xml' | 'json-ld' | 'unknown';

export interface SbomHint {
  /** Layer media type or artifactType the SBOM was found under. */
  readonly mediaType?: string;
  /** in-toto predicateType of the attestation the SBOM came from. */
  readonly predicateType?: string;
}

export interface SbomDetection {
  readonly format: SbomFormat;
  readonly encoding: SbomEncoding;
  /** Bare version: `2.3`, `3.0.1`, `1.6`, syft schema `16.0.18`. */
  readonly specVersion?: string;
  /** Set when a hint names a different SBOM family than the bytes contain. */
  readonly hintMismatch?: true;
}

export interface DetectOptions {
  readonly limits?: Partial<SbomLimits>;
}

/** Detection plus whatever was parsed on the way, so summaries do not parse twice. */
export interface ReadSbom {
  readonly detection: SbomDetection;
  readonly json?: unknown;
  readonly text?: string;
}

// Text formats announce themselves near the top; only this much is decoded to classify them.
const PREFIX_BYTES = 64 * 1024;

const SPDX3_CONTEXT = /spdx\.org\/rdf\/(3\.\d+(?:\.\d+)?)\//;
const CYCLONEDX_SCHEMA = /cyclonedx\.org\/schema\/bom-(\d+\.\d+)/;
const CYCLONEDX_XMLNS = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/;
const TAG_VALUE_VERSION = /^[ \t]*SPDXVersion[ \t]*:[ \t]*SPDX-(\d+\.\d+)[ \t]*$/m;

export function detectSbomFormat(bytes: Uint8Array, hint?: SbomHint, options: DetectOptions = {}): SbomDetection {
  return readSbom(bytes, hint, resolveSbomLimits(options.limits), false).detection;
}

/**
 * Classifies the bytes. JSON is parsed in full (keys may come in any order); when `strict` is false a
 * parse failure yields `unknown` instead of throwing, as detection is a question, not an assertion.
 */
export function readSbom(bytes: Uint8Array, hint: SbomHint | undefined, limits: SbomLimits, strict: boolean): ReadSbom {
  assertSize(bytes, limits.maxBytes);
  const first = firstSignificantByte(bytes);
  if (first === 0x7b /* { */) {
    let json: unknown;
    try {
      json = parseJson(decodeUtf8(bytes));
    } catch (err) {
      if (strict) throw err;
      return { detection: withHint({ format: 'unknown', encoding: 'json' }, hint) };
    }
    return { detection: withHint(classifyJson(json), hint), json };
  }
  const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, PREFIX_BYTES));
  if (first === 0x3c /* < */) return { detection: withHint(classifyXml(prefix), hint) };
  const tagValue = TAG_VALUE_VERSION.exec(prefix);
  if (tagValue) {
    return { detection: withHint({ format: 'spdx', encoding: 'tag-value', specVersion: tagValue[1] }, hint) };
  }
  return { detection: withHint({ format: 'unknown', encoding: 'unknown' }, hint) };
}

function withHint(detection: SbomDetection, hint: SbomHint | undefined): SbomDetection {
  const kinds = [hint?.mediaType, hint?.predicateType]
    .filter((h): h is string => h !== undefined)
    .map((h) => sbomKindOf(h))
    .filter((k) => k !== undefined && k !== 'unknown');
  return kinds.some((k) => k !== detection.format) ? { ...detection, hintMismatch: true } : detection;
}

function classifyJson(doc: unknown): SbomDetection {
  if (!isRecord(doc)) return { format: 'unknown', encoding: 'json' };
  const spdx3 = spdx3Version(doc);
  if (spdx3 !== undefined) return { format: 'spdx', encoding: 'json-ld', ...(spdx3 ? { specVersion: spdx3 } : {}) };
  const spdxVersion = str(doc.spdxVersion);
  if (spdxVersion !== undefined && spdxVersion.startsWith('SPDX-')) {
    // SPDX 2.3 §6.1: "SPDX-M.N".
    return { format: 'spdx', encoding: 'json', specVersion: spdxVersion.slice('SPDX-'.length) };
  }
  const schema = str(doc.$schema);
  const cdxSchema = schema === undefined ? null : CYCLONEDX_SCHEMA.exec(schema);
  if (doc.bomFormat === 'CycloneDX' || cdxSchema) {
    const specVersion = str(doc.specVersion) ?? cdxSchema?.[1];
    return { format: 'cyclonedx', encoding: 'json', ...(specVersion ? { specVersion } : {}) };
  }
  if (isSyft(doc)) {
    const version = isRecord(doc.schema) ? str(doc.schema.version) : undefined;
    return { format: 'syft', encoding: 'json', ...(version ? { specVersion: version } : {}) };
  }
  return { format: 'unknown', encoding: 'json' };
}

/** The SPDX 3 version ('' when the context names SPDX 3 but no version is found); undefined if not SPDX 3. */
function spdx3Version(doc: JsonRecord): string | undefined {
  const contexts = (Array.isArray(doc['@context']) ? doc['@context'] : [doc['@context']]).filter(
    (c): c is string => typeof c === 'string',
  );
  const match = contexts.map((c) => SPDX3_CONTEXT.exec(c)).find((m) => m !== null);
  if (!match) return undefined;
  // CreationInfo.specVersion is authoritative (SPDX 3.0 Core/Classes/CreationInfo); the context
  // URL only names the vocabulary release.
  const graph = Array.isArray(doc['@graph']) ? doc['@graph'] : [];
  for (const el of graph) {
    if (isRecord(el) && el.type === 'CreationInfo' && str(el.specVersion)) return el.specVersion as string;
  }
  return match[1] ?? '';
}

// syft's own JSON (syft/format/syftjson): `descriptor.name` is "syft" and `schema.url` points at
// anchore/syft's schema directory.
function isSyft(doc: JsonRecord): boolean {
  const descriptor = isRecord(doc.descriptor) ? doc.descriptor : undefined;
  const schema = isRecord(doc.schema) ? doc.schema : undefined;
  const url = schema ? str(schema.url) : undefined;
  return (
    Array.isArray(doc.artifacts) &&
    (descriptor?.name === 'syft' || (url !== undefined && url.includes('anchore/syft')))
  );
}

function classifyXml(prefix: string): SbomDetection {
  const root = rootElement(prefix);
  if (root?.local === 'bom') {
    const ns = root.prefix ? root.attrs.get(`xmlns:${root.prefix}`) : root.attrs.get('xmlns');
    const m = ns === undefined ? null : CYCLONEDX_XMLNS.exec(ns);
    if (m) return { format: 'cyclonedx', encoding: 'xml', specVersion: m[1] };
  }
  if (root?.local === 'RDF' && prefix.includes('spdx.org/rdf/terms')) {
    // SPDX 2.x RDF/XML: recognised so callers can say what it is; not summarised.
    const v = /<(?:[\w.-]+:)?specVersion>\s*SPDX-(\d+\.\d+)\s*</.exec(prefix);
    return { format: 'spdx', encoding: 'xml', ...(v ? { specVersion: v[1] } : {}) };
  }
  return { format: 'unknown', encoding: 'xml' };
}
