import { collectReferrers, type CallOptions, type Descriptor, type PushResult, type ReferrersMode, type ReferrersOptions, type Repository } from '@ocx/oci';

// The engine asks the registry for what it will need — each subject's referrers, a family's
// well-known tags — before the verifiers load (tens of ms of CPU for sigstore-js or pkijs), so the
// round trips and the loading overlap instead of adding up. This per-run view of a repository keeps
// those answers and hands them to the families; it changes nothing they check: listings are served
// unfiltered and filtered here exactly as the registry client filters them (every listing is
// re-filtered client-side anyway), and every referrer is still fetched by digest and bound to the
// subject by the family. Both families share one listing per subject.

export class PrefetchingRepository implements Repository {
  readonly #inner: Repository;
  readonly #listings = new Map<string, Promise<Descriptor[]>>();
  readonly #tags = new Map<string, Promise<Descriptor>>();

  constructor(inner: Repository) {
    this.#inner = inner;
  }

  get location(): string {
    return this.#inner.location;
  }

  get referrersMode(): ReferrersMode | undefined {
    return this.#inner.referrersMode;
  }

  /** Starts listing `subject`'s referrers and resolving `tags`; answers are kept for this run. */
  prefetch(subject: Descriptor, tags: readonly string[] = []): void {
    void this.#listing(subject).catch(() => undefined);
    for (const tag of tags) void this.#tag(tag).catch(() => undefined);
  }

  #listing(subject: Descriptor): Promise<Descriptor[]> {
    let p = this.#listings.get(subject.digest);
    if (!p) {
      p = collectReferrers(this.#inner.referrers(subject));
      this.#listings.set(subject.digest, p);
    }
    return p;
  }

  #tag(tag: string): Promise<Descriptor> {
    let p = this.#tags.get(tag);
    if (!p) {
      p = this.#inner.resolve(tag);
      this.#tags.set(tag, p);
    }
    return p;
  }

  async *referrers(subject: Descriptor, options: ReferrersOptions = {}): AsyncIterable<Descriptor[]> {
    const all = await this.#listing(subject);
    yield options.artifactType === undefined ? all : all.filter((d) => d.artifactType === options.artifactType);
  }

  resolve(reference: string, options?: CallOptions): Promise<Descriptor> {
    return this.#tags.get(reference) ?? this.#inner.resolve(reference, options);
  }

  fetch(descriptor: Descriptor, options?: CallOptions): Promise<Uint8Array> {
    return this.#inner.fetch(descriptor, options);
  }

  fetchStream(descriptor: Descriptor, options?: CallOptions): Promise<AsyncIterable<Uint8Array>> {
    return this.#inner.fetchStream(descriptor, options);
  }

  exists(descriptor: Descriptor, options?: CallOptions): Promise<boolean> {
    return this.#inner.exists(descriptor, options);
  }

  push(descriptor: Descriptor, content: Uint8Array, options?: CallOptions): Promise<PushResult> {
    return this.#inner.push(descriptor, content, options);
  }

  tag(descriptor: Descriptor, tag: string, options?: CallOptions): Promise<void> {
    return this.#inner.tag(descriptor, tag, options);
  }
}
