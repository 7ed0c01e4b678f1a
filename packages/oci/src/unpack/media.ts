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
