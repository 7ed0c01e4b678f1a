// Where `ocx verify` (and the policy commands) find the policy: --policy FILE, else OCX_POLICY,
// else $OCX_HOME/policy.yaml (issue 9 "Where the policy comes from"). Only an existence check here:
// nothing is parsed until a command decides to use it (trust flags override it unloaded).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ocxHome } from '../context.ts';

export type PolicySource = 'flag' | 'env' | 'home';

export interface LocatedPolicy {
  /** --policy, OCX_POLICY or the ocx home. */
  readonly source: PolicySource;
  readonly path: string;
}

const LABEL: Record<PolicySource, string> = { flag: '--policy', env: 'OCX_POLICY', home: '$OCX_HOME/policy.yaml' };

export function describePolicySource(p: LocatedPolicy): string {
  return `${p.path} (from ${LABEL[p.source]})`;
}

/**
 * The policy in force. A named one (flag or environment) is returned even when the file is
 * missing, so loading it fails loudly (78) instead of silently verifying nothing; the home policy
 * applies only when it exists.
 */
export function locatePolicy(flag: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): LocatedPolicy | undefined {
  if (flag !== undefined && flag !== '') return { source: 'flag', path: resolve(cwd, flag) };
  const fromEnv = env.OCX_POLICY;
  if (fromEnv !== undefined && fromEnv !== '') return { source: 'env', path: resolve(cwd, fromEnv) };
  const home = join(ocxHome(env), 'policy.yaml');
  return existsSync(home) ? { source: 'home', path: home } : undefined;
}
