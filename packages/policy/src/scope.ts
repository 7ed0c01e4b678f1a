// Scope grammar and matching. A scope names repositories, never tags or digests, and is matched
// against the canonical `registry/repository` only (policy-controller globs the whole reference
// including the tag, a footgun its users keep hitting; notation matches repositories only).
//
//   registry/path/repo   exact repository
//   registry/path/**     every repository under registry/path (not registry/path itself)
//   registry             every repository on that registry (host[:port])
//   *.example.com        every repository on a registry whose name ends in `.example.com`
//   *                    every repository (lowest precedence; what notation's global scope maps to)
//
// A `*` anywhere else is an error: OCX upstream reads `acme*` as a substring glob, a documented
// footgun (ocx-upstream-design §4.3).

export type ScopeKind = 'exact' | 'prefix' | 'registry' | 'host' | 'any';

export interface Scope {
  readonly kind: ScopeKind;
  /** As written, registry part lowercased. */
  readonly text: string;
  /** exact/prefix/registry: the registry (lowercased). host: the suffix after `*.`. */
  readonly registry: string;
  /** exact: the repository path; prefix: the path before `/**` (never empty). */
  readonly path: string;
}

/** Higher sorts first. Rank by kind, then by how much of the name the scope pins. */
export interface Specificity {
  readonly rank: number;
  readonly weight: number;
  readonly label: string;
}

const DOCKER_HUB_ALIASES: readonly string[] = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// OCI distribution spec path component.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function registryProblem(registry: string): string | undefined {
  const colon = registry.lastIndexOf(':');
  const host = colon >= 0 ? registry.slice(0, colon) : registry;
  if (colon >= 0) {
    const port = registry.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) return `${JSON.stringify(registry)} has an invalid port`;
  }
  if (host.length === 0 || host.length > 253) return `${JSON.stringify(registry)} is not a registry host name`;
  if (!host.split('.').every((l) => HOST_LABEL.test(l))) return `${JSON.stringify(registry)} is not a registry host name`;
  return undefined;
}

function pathProblem(path: string): string | undefined {
  for (const c of path.split('/')) {
    if (c.includes('*')) return `"*" may only be a whole final segment "**" (a prefix) or the "*." of a host; ${JSON.stringify(c)} is not a glob ocx accepts`;
    if (!PATH_COMPONENT.test(c)) return `${JSON.stringify(c)} is not a valid repository path component (lowercase letters, digits, separators . _ __ -)`;
  }
  return undefined;
}

export type ScopeParse = { readonly scope: Scope; readonly problem?: undefined } | { readonly scope?: undefined; readonly problem: string };

/** Parse one scope (or exclude entry). Pure; returns a problem instead of throwing. */
export function parseScope(input: string): ScopeParse {
  const raw = input.trim();
  if (raw !== input || raw.length === 0) return { problem: 'a scope must be a non-empty string without surrounding spaces' };
  if (raw.length > 1024) return { problem: 'a scope is at most 1024 characters' };
  if (raw === '*') return { scope: { kind: 'any', text: '*', registry: '', path: '' } };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return { problem: 'a scope is registry/repository, without a URL scheme' };
  if (raw.includes('@')) return { problem: 'a scope names repositories, never a digest' };
  const slash = raw.indexOf('/');
  let registry = (slash < 0 ? raw : raw.slice(0, slash)).toLowerCase();
  // Docker Hub, as @ocx/oci canonicalises targets: one registry name, official images under library/.
  const dockerHub = DOCKER_HUB_ALIASES.includes(registry);
  if (dockerHub) registry = 'docker.io';
  const rest = slash < 0 ? '' : raw.slice(slash + 1);
  if (slash < 0) {
    if (registry.startsWith('*.')) {
      const suffix = registry.slice(2);
      const p = registryProblem(suffix);
      if (p !== undefined || suffix.includes(':')) return { problem: `"*.host" needs a host name after "*." (no port): ${p ?? 'a port is not allowed here'}` };
      if (!suffix.includes('.')) return { problem: `"*.${suffix}" would match every host under a top-level domain; name at least two labels` };
      return { scope: { kind: 'host', text: `*.${suffix}`, registry: suffix, path: '' } };
    }
    if (registry.includes('*')) return { problem: `"*" in a registry is only allowed as a leading "*." ("*.example.com")` };
    const p = registryProblem(registry);
    if (p !== undefined) return { problem: p };
    return { scope: { kind: 'registry', text: registry, registry, path: '' } };
  }
  if (registry.includes('*')) return { problem: `"*.host" cannot be followed by a path; "*" in a registry is only allowed as a leading "*." of a whole scope` };
  const rp = registryProblem(registry);
  if (rp !== undefined) return { problem: rp };
  if (rest.includes(':')) return { problem: 'a scope names repositories, never a tag' };
  if (rest === '**') return { problem: `"${registry}/**" is written "${registry}" (the whole registry)` };
  if (rest.endsWith('/**')) {
    const path = rest.slice(0, -3);
    const p = pathProblem(path);
    if (p !== undefined) return { problem: p };
    return { scope: { kind: 'prefix', text: `${registry}/${path}/**`, registry, path } };
  }
  const p = pathProblem(rest);
  if (p !== undefined) return { problem: p };
  const path = dockerHub && !rest.includes('/') ? `library/${rest}` : rest;
  return { scope: { kind: 'exact', text: `${registry}/${path}`, registry, path } };
}

/** A target as rules see it: the canonical registry and repository, never a tag. */
export interface ScopeTarget {
  readonly registry: string;
  readonly repository: string;
}

export function scopeMatches(scope: Scope, target: ScopeTarget): boolean {
  const registry = target.registry.toLowerCase();
  switch (scope.kind) {
    case 'any':
      return true;
    case 'host':
      return registry.endsWith(`.${scope.registry}`);
    case 'registry':
      return registry === scope.registry;
    case 'prefix':
      return registry === scope.registry && target.repository.startsWith(`${scope.path}/`);
    case 'exact':
      return registry === scope.registry && target.repository === scope.path;
  }
}

const segments = (path: string): number => path.split('/').length;

export function specificity(scope: Scope): Specificity {
  switch (scope.kind) {
    case 'exact':
      return { rank: 4, weight: segments(scope.path), label: 'exact repository' };
    case 'prefix': {
      const n = segments(scope.path);
      return { rank: 3, weight: n, label: `prefix of ${n} path segment${n === 1 ? '' : 's'}` };
    }
    case 'registry':
      return { rank: 2, weight: 0, label: 'registry' };
    case 'host': {
      const n = scope.registry.split('.').length;
      return { rank: 1, weight: n, label: `*.host of ${n} labels` };
    }
    case 'any':
      return { rank: 0, weight: 0, label: 'catch-all "*"' };
  }
}

/** Negative when a is more specific than b (sorts winners first). */
export function compareSpecificity(a: Specificity, b: Specificity): number {
  return b.rank - a.rank || b.weight - a.weight;
}

/**
 * Whether every target `inner` matches is also matched by `outer`. Used at load time: an
 * exclude outside its rule's scope removes nothing (a typo), one covering the scope empties it.
 */
export function covers(outer: Scope, inner: Scope): boolean {
  switch (outer.kind) {
    case 'any':
      return true;
    case 'host':
      if (inner.kind === 'any') return false;
      if (inner.kind === 'host') return inner.registry === outer.registry || inner.registry.endsWith(`.${outer.registry}`);
      return inner.registry.split(':')[0]!.endsWith(`.${outer.registry}`) && !inner.registry.includes(':');
    case 'registry':
      return (inner.kind === 'registry' || inner.kind === 'prefix' || inner.kind === 'exact') && inner.registry === outer.registry;
    case 'prefix':
      return (inner.kind === 'prefix' || inner.kind === 'exact') && inner.registry === outer.registry && (inner.path === outer.path ? inner.kind === 'prefix' : inner.path.startsWith(`${outer.path}/`));
    case 'exact':
      return inner.kind === 'exact' && inner.registry === outer.registry && inner.path === outer.path;
  }
}
