import type { Descriptor } from './types.ts';

// Small role interfaces in the spirit of oras-go content.Fetcher/Pusher and registry.ReferrerLister.
// A backend (remote registry, OCI image layout, emulator) implements the ones it can; callers test
// for a capability (`'referrers' in target`) and compose.

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** reference (tag or digest) → descriptor, pinned once. */
export interface Resolver {
  resolve(reference: string, options?: CallOptions): Promise<Descriptor>;
}

/** descriptor → bytes, always digest-verified and size-capped. Manifests are routed by mediaType. */
export interface Fetcher {
  fetch(descriptor: Descriptor, options?: CallOptions): Promise<Uint8Array>;
}

/** descriptor → stream; the digest is checked while streaming and a mismatch errors the stream. */
export interface StreamFetcher {
  fetchStream(descriptor: Descriptor, options?: CallOptions): Promise<AsyncIterable<Uint8Array>>;
}

export interface Exister {
  exists(descriptor: Descriptor, options?: CallOptions): Promise<boolean>;
}

export interface PushResult {
  /** How referrers of a pushed manifest with `subject` were recorded. */
  readonly referrers?: 'api' | 'tag-schema' | 'none';
}

/** descriptor + bytes → stored. Pushing a manifest with `subject` also records it as a referrer. */
export interface Pusher {
  push(descriptor: Descriptor, content: Uint8Array, options?: CallOptions): Promise<PushResult>;
}

export interface StreamPusher {
  pushStream(descriptor: Descriptor, content: AsyncIterable<Uint8Array>, options?: CallOptions): Promise<void>;
}

export interface TagPusher {
  tag(descriptor: Descriptor, tag: string, options?: CallOptions): Promise<void>;
}

export interface ReferrersOptions extends CallOptions {
  readonly artifactType?: string;
}

export type ReferrersMode = 'referrers-api' | 'tag-schema' | 'layout';

/** subject → referrer descriptors, page by page. */
export interface ReferrerLister {
  referrers(subject: Descriptor, options?: ReferrersOptions): AsyncIterable<Descriptor[]>;
  /** How the last listing was answered (for reports: "discovery mode"). */
  readonly referrersMode?: ReferrersMode;
}

export interface TagLister {
  tags(options?: CallOptions): AsyncIterable<string[]>;
}

/** Everything a repository in a registry or an OCI layout can do. */
export interface Repository extends Resolver, Fetcher, StreamFetcher, Exister, Pusher, TagPusher, ReferrerLister {
  /** A human-readable location, e.g. `registry.example/repo` or `oci-layout:/path`. */
  readonly location: string;
}
