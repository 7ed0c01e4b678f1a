import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isValidTag } from '@ocx/oci';
import { notationConfigDir, TRUST_POLICY_FILES } from '@ocx/notation/config';
import type { FlagHost, TrustFlags } from './types.ts';

// When each family applies, from flags and files alone (cheap: no verifier is loaded to decide).

export function cosignApplies(flags: TrustFlags): boolean {
  return Boolean(flags.key || flags['certificate-identity'] || flags['certificate-identity-regexp'] || flags['trusted-root']);
}

export function notationApplies(flags: TrustFlags, ctx: Pick<FlagHost, 'io'>): boolean {
  if (flags['notation-config'] || flags['trust-policy'] || flags['trust-store']) return true;
  // The user's default notation config joins in only when no trust was named on the command line:
  // `--key K` means "verify with K", not "or with whatever ~/.config/notation trusts" (ANY-of would
  // otherwise widen what passes).
  if (cosignApplies(flags)) return false;
  const dir = notationConfigDir(ctx.io.env);
  return TRUST_POLICY_FILES.some((f) => existsSync(join(dir, f)));
}

/**
 * The legacy tag cosign keeps a subject's signatures (`.sig`) or attestations (`.att`) under —
 * cosign SIGNATURE_SPEC.md / ATTESTATION_SPEC.md, the name @ocx/cosign's legacyTag builds — so
 * the engine can ask for it before the cosign verifier has loaded (prefetch.ts).
 */
export function cosignLegacyTags(subjectDigest: string, flags: TrustFlags): string[] {
  const tag = `${subjectDigest.replace(':', '-')}.${flags.attestation ? 'att' : 'sig'}`;
  return cosignApplies(flags) && isValidTag(tag) ? [tag] : [];
}
