import { OciError } from './errors.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST } from './media-types.ts';
import { ImageIndexSchema, ImageManifestSchema, type Descriptor, type ImageIndex, type ImageManifest, type Manifest } from './types.ts';

export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

export function isIndex(m: Manifest): m is ImageIndex {
  return Array.isArray((m as ImageIndex).manifests);
}

export interface ParsedManifest {
  readonly mediaType: string;
  readonly manifest: Manifest;
}

function zodMessage(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Parses manifest bytes as an image manifest or index. The body's own mediaType wins over the
 * transport's Content-Type; when the body has none, `hint` (descriptor or header) decides.
 */
export function parseManifest(bytes: Uint8Array, hint?: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new OciError('INVALID_MANIFEST', 'manifest is not valid UTF-8 JSON', { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OciError('INVALID_MANIFEST', 'manifest is not a JSON object');
  }
  const body = json as Record<string, unknown>;
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const looksIndex = Array.isArray(body.manifests);
  const mediaType = declared ?? (hint && isManifestMediaType(hint) ? hint : looksIndex ? MEDIA_TYPE_OCI_INDEX : MEDIA_TYPE_OCI_MANIFEST);
  if (!isManifestMediaType(mediaType)) {
    throw new OciError('UNSUPPORTED_MEDIA_TYPE', `unsupported manifest media type "${mediaType}"`);
  }
  const schema = isIndexMediaType(mediaType) ? ImageIndexSchema : ImageManifestSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new OciError('INVALID_MANIFEST', `invalid ${isIndexMediaType(mediaType) ? 'image index' : 'image manifest'}: ${zodMessage(parsed.error)}`);
  return { mediaType, manifest: parsed.data as ImageManifest | ImageIndex };
}

export function parseIndex(bytes: Uint8Array, what = 'image index'): ImageIndex {
  const { manifest } = parseManifest(bytes, MEDIA_TYPE_OCI_INDEX);
  if (!isIndex(manifest)) throw new OciError('INVALID_MANIFEST', `${what} is not an image index`);
  return manifest;
}

/**
 * The descriptor a referrers listing carries for a manifest (distribution-spec v1.1.1 "Listing
 * Referrers"): artifactType, else config.mediaType for image manifests; ALL manifest annotations.
 */
export function referrerDescriptor(desc: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>, manifest: Manifest): Descriptor {
  const artifactType = manifest.artifactType ?? (isIndex(manifest) ? undefined : manifest.config.mediaType);
  const out: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (artifactType !== undefined) out.artifactType = artifactType;
  if (manifest.annotations && Object.keys(manifest.annotations).length > 0) out.annotations = { ...manifest.annotations };
  return out;
}

export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
