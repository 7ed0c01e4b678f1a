import { checkDigest } from './digest.ts';

export const MT_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MT_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MT_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MT_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const IMAGE_TYPES = new Set([MT_OCI_MANIFEST, MT_DOCKER_MANIFEST]);
const INDEX_TYPES = new Set([MT_OCI_INDEX, MT_DOCKER_LIST]);

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
}

/** What the registry needs from a manifest: its kind, references to check, and referrers fields. */
export interface ParsedManifest {
  readonly mediaType: string;
  readonly kind: 'image' | 'index';
  readonly blobs: readonly Descriptor[];
  readonly children: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly artifactType?: string;
  readonly configMediaType?: string;
  readonly annotations?: Record<string, string>;
}

export type ParseResult = { ok: true; manifest: ParsedManifest } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function descriptor(v: unknown, where: string): Descriptor | string {
  if (!isObject(v)) return `${where} is not an object`;
  const { mediaType, digest, size, urls } = v;
  if (typeof mediaType !== 'string' || mediaType === '') return `${where}.mediaType is missing`;
  if (typeof digest !== 'string' || !checkDigest(digest).ok) return `${where}.digest is not a valid digest`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return `${where}.size is not a non-negative integer`;
  if (urls !== undefined && (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string'))) return `${where}.urls is not a list of strings`;
  return { mediaType, digest, size, ...(Array.isArray(urls) ? { urls: urls as string[] } : {}) };
}

function descriptors(v: unknown, where: string): Descriptor[] | string {
  if (!Array.isArray(v)) return `${where} is not an array`;
  const out: Descriptor[] = [];
  for (const [i, item] of v.entries()) {
    const d = descriptor(item, `${where}[${i}]`);
    if (typeof d === 'string') return d;
    out.push(d);
  }
  return out;
}

function annotations(v: unknown): Record<string, string> | string | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) return 'annotations is not a string map';
  return v as Record<string, string>;
}

/**
 * Validates a manifest body the way a registry does on PUT (distribution-spec "Pushing Manifests";
 * image-spec manifest.md and image-index.md): JSON object, `mediaType` equal to the Content-Type when
 * present, schemaVersion 2, well-formed descriptors.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return { ok: false, message: 'manifest is not valid JSON' };
  }
  if (!isObject(doc)) return { ok: false, message: 'manifest is not a JSON object' };
  const declared = doc.mediaType;
  if (declared !== undefined && typeof declared !== 'string') return { ok: false, message: 'mediaType is not a string' };
  if (declared !== undefined && contentType !== undefined && declared !== contentType) {
    return { ok: false, message: `Content-Type ${contentType} does not match mediaType ${declared}` };
  }
  const mediaType = declared ?? contentType;
  if (mediaType === undefined) return { ok: false, message: 'manifest has neither mediaType nor Content-Type' };
  if (doc.schemaVersion !== 2) return { ok: false, message: 'schemaVersion must be 2' };
  const ann = annotations(doc.annotations);
  if (typeof ann === 'string') return { ok: false, message: ann };
  if (doc.artifactType !== undefined && typeof doc.artifactType !== 'string') return { ok: false, message: 'artifactType is not a string' };
  let subject: Descriptor | undefined;
  if (doc.subject !== undefined) {
    const s = descriptor(doc.subject, 'subject');
    if (typeof s === 'string') return { ok: false, message: s };
    subject = s;
  }
  const common = {
    mediaType,
    ...(subject ? { subject } : {}),
    ...(typeof doc.artifactType === 'string' && doc.artifactType !== '' ? { artifactType: doc.artifactType } : {}),
    ...(ann ? { annotations: ann } : {}),
  };
  if (IMAGE_TYPES.has(mediaType)) {
    const config = descriptor(doc.config, 'config');
    if (typeof config === 'string') return { ok: false, message: config };
    const layers = doc.layers === undefined && mediaType === MT_OCI_MANIFEST ? 'layers is missing' : descriptors(doc.layers ?? [], 'layers');
    if (typeof layers === 'string') return { ok: false, message: layers };
    return { ok: true, manifest: { ...common, kind: 'image', blobs: [config, ...layers], children: [], configMediaType: config.mediaType } };
  }
  if (INDEX_TYPES.has(mediaType)) {
    const manifests = descriptors(doc.manifests, 'manifests');
    if (typeof manifests === 'string') return { ok: false, message: manifests };
    return { ok: true, manifest: { ...common, kind: 'index', blobs: [], children: manifests } };
  }
  return { ok: false, message: `unsupported manifest media type ${mediaType}` };
}

/** Layers a registry never holds: non-distributable/foreign types and those fetched from `urls`. */
export function isExternalLayer(d: Descriptor): boolean {
  return d.mediaType.includes('nondistributable') || d.mediaType.includes('foreign') || (d.urls?.length ?? 0) > 0;
}
