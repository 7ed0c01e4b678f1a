export { ByteBudgetCache } from './byte-budget.ts';
export { fileContentCache, memoryContentCache } from './content-cache.ts';
export type { ContentCache } from './content-cache.ts';
export { copy } from './copy.ts';
export type { CopyOptions, CopyResult } from './copy.ts';
export { DigestVerifier, assertVerifiableDigest, digestOf, isDigest, parseDigest, verifyDigest, verifyingStream } from './digest.ts';
export type { DigestAlgorithm, ParsedDigest } from './digest.ts';
export { discover } from './discover.ts';
export type { DiscoverNode, DiscoverOptions, DiscoverResult } from './discover.ts';
export { OCI_ERROR_CODES, OciError, isOciError } from './errors.ts';
export type { OciErrorCode, OciErrorOptions, RegistryErrorEntry } from './errors.ts';
export { LayoutRepository } from './layout.ts';
export type { LayoutOptions } from './layout.ts';
export { DEFAULT_LIMITS, resolveLimits } from './limits.ts';
export type { Limits } from './limits.ts';
export { encodeJson, isIndex, isIndexMediaType, isManifestMediaType, parseIndex, parseManifest, referrerDescriptor } from './manifest.ts';
export type { ParsedManifest } from './manifest.ts';
export {
  ANNOTATION_CREATED,
  ANNOTATION_FILTERS_APPLIED,
  ANNOTATION_REF_NAME,
  EMPTY_DESCRIPTOR,
  HEADER_DOCKER_CONTENT_DIGEST,
  HEADER_OCI_FILTERS_APPLIED,
  HEADER_OCI_SUBJECT,
  IMAGE_MANIFEST_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_EMPTY,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
} from './media-types.ts';
export { openRepository } from './open.ts';
export { formatPlatform, hostPlatform, isAttestationEntry, parsePlatform, platformEntries, selectPlatform } from './platform.ts';
export type { PlatformSpec } from './platform.ts';
export { DEFAULT_REGISTRY, DOCKER_HUB, formatReference, isValidTag, parseReference, referenceTarget, repositoryName } from './reference.ts';
export type { LayoutReference, ParseReferenceOptions, Reference, RegistryReference } from './reference.ts';
export { collectReferrers, fetchReferrer, mapLimit } from './referrer.ts';
export { parseChallenge, TOKEN_TTL_MAX_S, TOKEN_TTL_MIN_S, tokenLifetime, TokenCache } from './remote/auth.ts';
export type { Challenge, Credential, CredentialProvider } from './remote/auth.ts';
export { CapabilityCache, DEFAULT_CAPABILITY_TTL_MS, fileCapabilityStore } from './remote/capability.ts';
export type { CapabilityEntry, CapabilityStore, ReferrersCapability } from './remote/capability.ts';
export { RegistryClient } from './remote/client.ts';
export { fileTokenStore, memoryTokenStore, STORED_TOKEN_MARGIN_MS, tokenKey } from './remote/token-store.ts';
export type { StoredChallenge, StoredToken, TokenStore, TokenStoreData } from './remote/token-store.ts';
export type { RegistryClientOptions, RequestSpec } from './remote/client.ts';
export { createDockerCredentials, dockerConfigPath, sameRegistryHost } from './remote/credentials.ts';
export type { DockerCredentialsOptions } from './remote/credentials.ts';
export { checkRegistryLogin, dockerConfigKey, eraseDockerCredential, storeDockerCredential } from './remote/credentials-store.ts';
export type { CredentialLocation, CredentialStoreOptions, HelperAction } from './remote/credentials-store.ts';
export { parseNextLink, readCapped, redactUrl } from './remote/http.ts';
export { RemoteRepository } from './remote/repository.ts';
export { boundedExchange, DEFAULT_TIMEOUTS, Deadline, formatMs, parseDuration, parseTimeouts, readBounded, resolveTimeouts } from './remote/deadline.ts';
export type { DeadlineSpec, ExchangeRequest, ExchangeResult, Timeouts } from './remote/deadline.ts';
export { createProxyConfig, describeProxy, proxyAuthorization, proxyEnvironment, proxyFromEnv } from './remote/proxy.ts';
export type { ProxyConfig, ProxyEnvironment } from './remote/proxy.ts';
export { createNodeTransport } from './remote/node-transport.ts';
export type { NodeTransportOptions } from './remote/node-transport.ts';
export { createTransport, isLoopbackHost } from './remote/transport.ts';
export type { FetchLike, TransportOptions } from './remote/transport.ts';
export type {
  CallOptions,
  Exister,
  Fetcher,
  Pusher,
  PushResult,
  ReferrerLister,
  ReferrersMode,
  ReferrersOptions,
  Repository,
  Resolver,
  StreamFetcher,
  StreamPusher,
  TagLister,
  TagPusher,
} from './roles.ts';
export { addToTagIndex, emptyIndex, KeyedMutex, readTagIndex, referrersTag, TagIndexBatcher, updateIndexTag } from './tag-schema.ts';
export type { IndexTagUpdate, TagIndexState, TagIndexStore, TagSchemaWriteOptions, TagWriteCondition } from './tag-schema.ts';
export { DescriptorSchema, ImageIndexSchema, ImageManifestSchema, PlatformSchema } from './types.ts';
export type { Descriptor, ImageIndex, ImageManifest, Manifest, Platform } from './types.ts';
export { ANNOTATION_ORAS_DIGEST, ANNOTATION_ORAS_UNPACK, ANNOTATION_TITLE, assertUnpackTarget, DEFAULT_UNPACK_LIMITS, layerDisposition, layerFormat, unpackLayers, UnpackSession } from './unpack/index.ts';
export type { LayerCompression, LayerDisposition, LayerFormat, UnpackedLayer, UnpackLayer, UnpackLimits, UnpackOptions, UnpackProgress, UnpackResult } from './unpack/index.ts';
export { BatchWriter, writevAll } from './batch-writer.ts';
export type { BatchWriterOptions } from './batch-writer.ts';
