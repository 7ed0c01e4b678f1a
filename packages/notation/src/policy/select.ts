// Selecting the statement for an artifact (notary trust-store-trust-policy.md "Selecting a trust
// policy to verify a signed OCI artifact"): the statement whose scopes contain the repository
// exactly, else the global `*` statement, else verification fails.
import { NotationError } from '../errors.ts';
import { GLOBAL_SCOPE, registryScopeProblem } from './scope.ts';
import type { TrustPolicyDocument, TrustPolicyStatement } from './types.ts';

/**
 * The statement that applies to `repoRef` (`registry/repository`; a trailing `@digest` is
 * ignored). Scopes are compared verbatim: notation does no normalisation (no docker.io expansion).
 * Throws NO_APPLICABLE_POLICY naming the reference when nothing applies.
 */
export function selectPolicy(doc: TrustPolicyDocument, repoRef: string): TrustPolicyStatement {
  const at = repoRef.lastIndexOf('@');
  const repository = at < 0 ? repoRef : repoRef.slice(0, at);
  const problem = registryScopeProblem(repository);
  if (problem !== undefined) {
    throw new NotationError('NO_APPLICABLE_POLICY', `cannot select a trust policy for ${JSON.stringify(repoRef)}: ${problem}`);
  }
  let exact: TrustPolicyStatement | undefined;
  let global: TrustPolicyStatement | undefined;
  for (const statement of doc.trustPolicies) {
    if (statement.registryScopes.includes(GLOBAL_SCOPE)) global = statement;
    else if (statement.registryScopes.includes(repository)) exact = statement;
  }
  const chosen = exact ?? global;
  if (chosen === undefined) {
    const scopes = doc.trustPolicies.flatMap((s) => s.registryScopes);
    throw new NotationError(
      'NO_APPLICABLE_POLICY',
      `no trust policy applies to ${JSON.stringify(repository)}: no statement lists it in registryScopes and there is no global "*" statement (scopes: ${scopes.map((s) => JSON.stringify(s)).join(', ')})`,
    );
  }
  return chosen;
}
