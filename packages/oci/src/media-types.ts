// Media types and well-known values (image-spec v1.1.1, distribution-spec v1.1.1, docker schema 2).
export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

/** The empty JSON object `{}` as a descriptor (image-spec manifest.md "Guidance for an Empty Descriptor"). */
export const EMPTY_DESCRIPTOR = {
  mediaType: MEDIA_TYPE_OCI_EMPTY,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const;

export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_MANIFEST_LIST];
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST];
export const MANIFEST_MEDIA_TYPES: readonly string[] = [...IMAGE_MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES];

/** Accept header for manifest requests: distribution 2.8 answers 404 to OCI types it was not asked for. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export const HEADER_OCI_SUBJECT = 'oci-subject';
export const HEADER_OCI_FILTERS_APPLIED = 'oci-filters-applied';
export const HEADER_DOCKER_CONTENT_DIGEST = 'docker-content-digest';
/** rc1 of distribution-spec 1.1 signalled filtering with this index annotation instead of the header. */
export const ANNOTATION_FILTERS_APPLIED = 'org.opencontainers.referrers.filtersApplied';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
