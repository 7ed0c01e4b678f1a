// `ocx sbom --require-signed` with no trust flags: the policy says whom to trust. The governing
// rule's signers (signatures.of) decide whether an SBOM is signed, through the engine's SBOM step
// (@ocx/policy: the signature families on a raw SBOM's referrer, the cosign family on an
// attestation SBOM), matched by @ocx/policy's matchSigner — the same facts and matching as
// `ocx verify` under that policy.
import type { Reference } from '@ocx/oci';
import { loadPolicy, matchSigner, policyFamilies, selectRule, type SignatureCandidate } from '@ocx/policy';
import type { SbomFinding } from '@ocx/sbom';
import { ocxHome, type Context } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { sanitize } from '../output.ts';
import { describePolicySource, type PolicySource } from '../policy-source.ts';
import type { VerifyTarget } from '../verify/types.ts';

export interface PolicySbomTrust {
  readonly checked: boolean;
  readonly signed: boolean;
  readonly signedBy: { family: string; kind: string; format: string; referrer: string; identity?: string; issuer?: string; keyId?: string }[];
  readonly reasons: string[];
  readonly candidates: number;
}

function describe(c: SignatureCandidate): { identity?: string; issuer?: string; keyId?: string } {
  if ('kind' in c && c.kind === 'keyless') return { identity: c.identity, issuer: c.issuer };
  if ('kind' in c && c.kind === 'key') return { keyId: c.key };
  if ('subject' in c) return { identity: c.subject };
  return {};
}

/** Whether each finding is signed by one of the governing rule's signers. */
export async function policySbomTrust(ctx: Context, located: PolicySource, ref: Reference, target: VerifyTarget, findings: readonly SbomFinding[], now: Date): Promise<PolicySbomTrust[]> {
  if (ref.kind !== 'registry') throw new UsageError('--require-signed under a policy needs a registry reference (a policy scopes registry/repository)');
  const policy = await loadPolicy(located.path, ctx.io.env.HOME ? { home: ctx.io.env.HOME } : {});
  if (ctx.verbose) ctx.io.stderr(`policy: ${sanitize(describePolicySource(located))}\n`);
  const rule = selectRule(policy, { registry: ref.registry, repository: ref.repository }).rule;
  if (!rule || rule.mode === 'skip' || !rule.signatures) {
    const why = rule ? `rule "${rule.name}" has mode skip` : `no rule of ${located.path} covers ${ref.registry}/${ref.repository}`;
    return findings.map(() => ({ checked: false, signed: false, signedBy: [], reasons: [`${why}: no signer to check the SBOM against`], candidates: 0 }));
  }
  const names = rule.signatures.of;
  const families = await policyFamilies({ policy, rules: [{ ...rule, sbom: { required: false, signed: true } }], now, warn: (m) => ctx.warn(m), env: ctx.io.env, cacheDir: ocxHome(ctx.io.env), fetch: ctx.httpFetch, timeoutMs: ctx.timeouts.exchangeMs })();
  const step = families.find((f) => f.name === 'sbom')!;
  const report = await step.family.verify(target);
  const sboms = report.evidence?.sboms ?? [];
  return findings.map((f) => {
    const found = sboms.find((s) => s.source === `${f.source} ${f.referrer.digest}`);
    const signers = found?.signers ?? [];
    const ok = signers.filter((c) => names.some((n) => matchSigner(policy.signers[n]!, c).ok));
    return {
      checked: true,
      signed: ok.length > 0,
      signedBy: ok.map((c) => ({ family: c.family, kind: 'signature', format: c.family, referrer: c.source ?? f.referrer.digest, ...describe(c) })),
      reasons: ok.length ? [] : signers.length ? [`signed, but by none of rule "${rule.name}"'s signers ${names.join(', ')}`] : [`not signed by any of rule "${rule.name}"'s signers ${names.join(', ')}`],
      candidates: signers.length,
    };
  });
}
