import { isAbsolute, resolve as resolvePath } from 'node:path';
import { assertVerifiableDigest, isDigest } from './digest.ts';
import { OciError } from './errors.ts';

// Reference grammar: distribution/reference (docker) as used by oras, cosign and notation:
//   [registry/]repo[:tag][@digest]  and  oci-layout:PATH[:TAG|@DIGEST].

export const DEFAULT_REGISTRY = 'ocx.sh';
export const DOCKER_HUB = 'docker.io';
/** The host docker.io references are served from. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPO_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

export interface RegistryReference {
  readonly kind: 'registry';
  /** Registry as the user named it (docker.io for Docker Hub). */
  readonly registry: string;
  /** host[:port] requests go to. */
  readonly host: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export interface LayoutReference {
  readonly kind: 'oci-layout';
  /** Absolute path of the OCI image layout directory. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type Reference = RegistryReference | LayoutReference;

export interface ParseReferenceOptions {
  /** Registry for a bare `repo[:tag]`; default OCX_DEFAULT_REGISTRY, else ocx.sh. */
  readonly defaultRegistry?: string;
  /**
   * Tag used when the reference names neither tag nor digest (oras, cosign: latest); null: none, as
   * for a copy destination, which takes the source's tag instead.
   */
  readonly defaultTag?: string | null;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

function bad(input: string, what: string): never {
  throw new OciError('INVALID_REFERENCE', `invalid reference "${input}": ${what}`);
}

export function parseReference(input: string, options: ParseReferenceOptions = {}): Reference {
  if (input.length === 0) bad(input, 'empty');
  if (input.length > 4096) bad(input.slice(0, 64) + '…', 'too long');
  if (input.startsWith('oci-layout:')) return parseLayoutReference(input, options);
  return parseRegistryReference(input, options);
}

function splitDigest(input: string, rest: string): { rest: string; digest?: string } {
  const at = rest.lastIndexOf('@');
  if (at < 0) return { rest };
  const digest = rest.slice(at + 1);
  if (!isDigest(digest)) bad(input, `digest "${digest}" is not <algorithm>:<hex>`);
  try {
    assertVerifiableDigest(digest);
  } catch (err) {
    bad(input, `digest "${digest}": ${(err as Error).message}`);
  }
  return { rest: rest.slice(0, at), digest };
}

function parseLayoutReference(input: string, options: ParseReferenceOptions): LayoutReference {
  const body = input.slice('oci-layout:'.length);
  const { rest, digest } = splitDigest(input, body);
  let path = rest;
  let tag: string | undefined;
  if (digest === undefined) {
    // The tag follows the last ':' after the last path separator (paths may contain ':' earlier).
    const slash = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\'));
    const colon = rest.lastIndexOf(':');
    if (colon > slash) {
      tag = rest.slice(colon + 1);
      path = rest.slice(0, colon);
      if (!TAG_RE.test(tag)) bad(input, `tag "${tag}" must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`);
    }
  }
  if (path.length === 0) bad(input, 'missing layout path after "oci-layout:"');
  const abs = isAbsolute(path) ? path : resolvePath(options.cwd ?? process.cwd(), path);
  return { kind: 'oci-layout', path: abs, tag: tag ?? (digest ? undefined : (options.defaultTag ?? undefined)), digest };
}

function parseRegistryReference(input: string, options: ParseReferenceOptions): RegistryReference {
  if (/\s/.test(input)) bad(input, 'contains white space');
  const { rest, digest } = splitDigest(input, input);
  let name = rest;
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    name = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) bad(input, `tag "${tag}" must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`);
  }
  const first = name.indexOf('/');
  const firstSegment = first < 0 ? name : name.slice(0, first);
  const isHost = first >= 0 && (firstSegment.includes('.') || firstSegment.includes(':') || firstSegment === 'localhost' || firstSegment.startsWith('['));
  const env = options.env ?? process.env;
  let registry = isHost ? firstSegment : (options.defaultRegistry ?? env.OCX_DEFAULT_REGISTRY ?? DEFAULT_REGISTRY);
  let repository = isHost ? name.slice(first + 1) : name;
  if (!HOST_RE.test(registry)) bad(input, `registry "${registry}" is not a valid host[:port]`);
  let host = registry;
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    registry = DOCKER_HUB;
    host = DOCKER_HUB_API_HOST;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (repository.length === 0) bad(input, 'missing repository');
  if (repository.length > 255) bad(input, 'repository longer than 255 characters');
  if (!REPO_RE.test(repository)) {
    bad(input, `repository "${repository}" must be lowercase path components of [a-z0-9] separated by ".", "_", "__" or "-"`);
  }
  return { kind: 'registry', registry, host, repository, tag: tag ?? (digest || options.defaultTag === null ? undefined : (options.defaultTag ?? 'latest')), digest };
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** `registry/repo` (no tag or digest), as trust policies scope it. */
export function repositoryName(ref: Reference): string {
  return ref.kind === 'registry' ? `${ref.registry}/${ref.repository}` : `oci-layout:${ref.path}`;
}

/** Canonical string form; with `digest` the result pins the given digest. */
export function formatReference(ref: Reference, digest?: string): string {
  const base = repositoryName(ref);
  const d = digest ?? ref.digest;
  if (d) return `${base}@${d}`;
  return ref.tag ? `${base}:${ref.tag}` : base;
}

/** The tag or digest a Resolver understands. */
export function referenceTarget(ref: Reference): string {
  const target = ref.digest ?? ref.tag;
  if (!target) throw new OciError('INVALID_REFERENCE', `reference ${formatReference(ref)} names neither a tag nor a digest`);
  return target;
}
