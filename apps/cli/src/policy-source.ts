// Where the trust policy comes from, for every command that uses one (issue 9): --policy FILE, else
// OCX_POLICY, else $OCX_HOME/policy.yaml when it exists. Cheap (one stat): the policy itself, and
// the yaml/zod stack that loads it, are imported only by commands that found one.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ocxHome } from './context.ts';

export type PolicySourceKind = '--policy' | 'OCX_POLICY' | 'OCX_HOME';

export interface PolicySource {
  /** Absolute path of the policy file. */
  readonly path: string;
  /** Which of the three places named it (say it in --verbose and JSON). */
  readonly from: PolicySourceKind;
}

/**
 * The policy file in force, or undefined when none is configured. An explicitly named file
 * (flag or variable) is returned even if it does not exist, so loading it fails loudly (exit 78)
 * instead of silently pulling unverified.
 */
export function locatePolicy(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): PolicySource | undefined {
  if (flag !== undefined && flag !== '') return { path: resolve(cwd, flag), from: '--policy' };
  if (env.OCX_POLICY !== undefined && env.OCX_POLICY !== '') return { path: resolve(cwd, env.OCX_POLICY), from: 'OCX_POLICY' };
  const home = join(ocxHome(env), 'policy.yaml');
  return existsSync(home) ? { path: home, from: 'OCX_HOME' } : undefined;
}

/** How a source reads in messages: `--policy /x/p.yaml`, `OCX_POLICY=/x/p.yaml`, `$OCX_HOME/policy.yaml (/x/p.yaml)`. */
export function describePolicySource(source: PolicySource): string {
  return source.from === '--policy' ? `--policy ${source.path}` : source.from === 'OCX_POLICY' ? `OCX_POLICY=${source.path}` : `$OCX_HOME/policy.yaml (${source.path})`;
}
