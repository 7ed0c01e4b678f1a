import type { DigestAlgorithm } from './digest.ts';

/** A manifest exactly as pushed, plus the fields the referrers API reports (distribution-spec "Listing Referrers"). */
export interface StoredManifest {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly subject?: string;
  readonly artifactType?: string;
  readonly configMediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Repository {
  readonly blobs: Set<string>;
  readonly manifests: Map<string, StoredManifest>;
  readonly tags: Map<string, string>;
}

export interface UploadSession {
  readonly id: string;
  readonly repo: string;
  readonly algorithm?: DigestAlgorithm;
  chunks: Uint8Array[];
  size: number;
}

/**
 * In-memory storage: one global blob store keyed by digest and per-repository links, so a blob is
 * visible in a repository only after it was pushed or mounted there (cross-repo mount is meaningful).
 */
export class MemoryStore {
  readonly blobs = new Map<string, Buffer>();
  readonly repos = new Map<string, Repository>();
  readonly uploads = new Map<string, UploadSession>();

  repo(name: string): Repository | undefined {
    return this.repos.get(name);
  }

  ensureRepo(name: string): Repository {
    let r = this.repos.get(name);
    if (!r) {
      r = { blobs: new Set(), manifests: new Map(), tags: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  getBlob(name: string, digest: string): Buffer | undefined {
    const r = this.repos.get(name);
    if (!r?.blobs.has(digest)) return undefined;
    return this.blobs.get(digest);
  }

  putBlob(name: string, digest: string, bytes: Buffer): void {
    if (!this.blobs.has(digest)) this.blobs.set(digest, bytes);
    this.ensureRepo(name).blobs.add(digest);
  }

  /** Links an existing blob into `name`; false when the source does not hold it. */
  mountBlob(name: string, digest: string, from: string | undefined): boolean {
    const present = from === undefined ? this.blobs.has(digest) : this.getBlob(from, digest) !== undefined;
    if (!present) return false;
    this.ensureRepo(name).blobs.add(digest);
    return true;
  }

  /** Unlinks a blob; the bytes go when no repository links them any more. */
  deleteBlob(name: string, digest: string): boolean {
    const r = this.repos.get(name);
    if (!r?.blobs.delete(digest)) return false;
    for (const other of this.repos.values()) if (other.blobs.has(digest)) return true;
    this.blobs.delete(digest);
    return true;
  }

  clear(): void {
    this.blobs.clear();
    this.repos.clear();
    this.uploads.clear();
  }
}
