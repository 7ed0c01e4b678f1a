// registryScopes (notary trust-store-trust-policy.md "OCI Trust Policy Constraints"): a fully
// qualified repository `registry/repository` with no scheme, tag, digest or wildcard, or the
// single global scope `*`. The grammar is distribution's reference grammar, as notation-go uses.

export const GLOBAL_SCOPE = '*';

// distribution/reference: domain (labels + optional port) and path components.
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$/;
const REPOSITORY =
  /^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;

/**
 * Why `scope` is not a valid non-global registry scope, or undefined when it is valid.
 * `*` itself is not accepted here: callers handle the global scope first.
 */
export function registryScopeProblem(scope: string): string | undefined {
  if (scope.includes('*')) {
    return 'wildcards are not supported in registry scopes; use a fully qualified repository or the single global scope "*"';
  }
  const slash = scope.indexOf('/');
  const domain = slash < 0 ? '' : scope.slice(0, slash);
  const repository = slash < 0 ? '' : scope.slice(slash + 1);
  if (domain === '' || repository === '' || !DOMAIN.test(domain) || !REPOSITORY.test(repository)) {
    return 'not a fully qualified repository: expected registry/repository without scheme, tag or digest (for example registry.example.com/team/app)';
  }
  return undefined;
}
