// Which layers ocx pull unpacks: the tar layer types of image-spec layer.md (and docker's), with the
// compression their +suffix names. Anything else is a plain file (an OCI artifact's blob).
export type LayerCompression = 'none' | 'gzip' | 'zstd' | 'xz';

export type LayerFormat = { readonly kind: 'tar'; readonly compression: LayerCompression } | { readonly kind: 'blob' };

const TAR_TYPES: Readonly<Record<string, LayerCompression>> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  // Not in image-spec, but written by tools that pack xz (e.g. some package builders).
  'application/vnd.oci.image.layer.v1.tar+xz': 'xz',
  // Deprecated by image-spec 1.1 but still served by registries.
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  // Docker image manifest v2 schema 2.
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

export function layerFormat(mediaType: string): LayerFormat {
  const compression = Object.hasOwn(TAR_TYPES, mediaType) ? TAR_TYPES[mediaType] : undefined;
  return compression === undefined ? { kind: 'blob' } : { kind: 'tar', compression };
}

export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
/** oras-go content/file: a titled layer holding a directory, as a tarball whose entries sit under the title. */
export const ANNOTATION_ORAS_UNPACK = 'io.deis.oras.content.unpack';
/** oras-go content/file: digest of that directory's uncompressed tarball. */
export const ANNOTATION_ORAS_DIGEST = 'io.deis.oras.content.digest';

/**
 * What ocx pull does with one layer, following what `oras pull` does with what `oras push` wrote
 * (oras-go content/file `Store.push`): a titled layer is a file named by its title, whatever its media
 * type (oras stores a plain file as `…layer.v1.tar`), unless it is marked `unpack: "true"` — then it
 * is a directory tarball (gzip unless its media type names another compression) whose every entry
 * lies under the title. Untitled tar layers are image layers, unpacked at the root; anything else
 * untitled is a file named by its digest.
 */
export type LayerDisposition =
  | { readonly kind: 'tar'; readonly compression: LayerCompression; readonly title?: string; readonly uncompressedDigest?: string }
  | { readonly kind: 'file'; readonly title?: string };

export function layerDisposition(mediaType: string, annotations: Readonly<Record<string, string>> | undefined): LayerDisposition {
  const title = annotations?.[ANNOTATION_TITLE];
  const format = layerFormat(mediaType);
  if (title === undefined || title === '') return format.kind === 'tar' ? { kind: 'tar', compression: format.compression } : { kind: 'file' };
  if (annotations?.[ANNOTATION_ORAS_UNPACK] !== 'true') return { kind: 'file', title };
  const digest = annotations[ANNOTATION_ORAS_DIGEST];
  return { kind: 'tar', compression: format.kind === 'tar' ? format.compression : 'gzip', title, ...(digest ? { uncompressedDigest: digest } : {}) };
}
