// The SBOM step under a policy: every SBOM `ocx sbom` finds (@ocx/sbom findSboms: referrers,
// bundle/legacy attestations, the legacy .sbom tag), and — when the rule wants it signed — who
// signed it: a raw SBOM's referrer manifest is verified by the signature families like any
// subject; an attestation SBOM by the cosign family in attestation mode, its envelope bound to the
// target digest. Loaded by the engine only when a governing rule has an `sbom` requirement.
import { findSboms } from '@ocx/sbom';
import type { SbomEvidence, SignatureCandidate } from '../../evidence.ts';
import type { FamilyReport, FamilyRequest, PreparedFamily, VerifyTarget } from '../types.ts';

export interface SbomStepOptions {
  /** Whether any governing rule wants the SBOM signed (otherwise only presence is looked up). */
  readonly signed: boolean;
  /** The prepared signature families, for raw SBOM referrers. */
  readonly signatureFamilies: readonly { readonly name: string; readonly family: PreparedFamily }[];
  /** A cosign family prepared for these attestation predicate types (attestation SBOMs). */
  readonly cosignFor?: (predicateTypes: readonly string[]) => Promise<PreparedFamily>;
}

export function sbomStep(request: FamilyRequest, o: SbomStepOptions): PreparedFamily {
  void request;
  return { verify: (target, signal) => verifyTarget(target, o, signal) };
}

async function verifyTarget(target: VerifyTarget, o: SbomStepOptions, signal: AbortSignal | undefined): Promise<FamilyReport> {
  const found = await findSboms(target.repo, target.subject, signal ? { signal } : {});
  const sboms: SbomEvidence[] = [];
  const attestationTypes = [...new Set(found.findings.filter((f) => f.predicateType !== undefined).map((f) => f.predicateType!))];
  const attested = o.signed && attestationTypes.length > 0 && o.cosignFor ? await (await o.cosignFor(attestationTypes)).verify(target, signal) : undefined;
  for (const f of found.findings) {
    let signers: SignatureCandidate[] = [];
    if (o.signed && (f.source === 'referrer' || f.source === 'legacy-sbom-tag')) {
      const sub: VerifyTarget = { ...target, subject: { mediaType: f.referrer.mediaType, digest: f.referrer.digest, size: f.referrer.size } };
      const reports = await Promise.all(o.signatureFamilies.map((s) => s.family.verify(sub, signal)));
      signers = reports.flatMap((r) => r.evidence?.signatures ?? []).filter((c) => c.subjectDigest === f.referrer.digest);
    } else if (attested) {
      // The attestation that carries this SBOM: same manifest, same predicate type, subject = target.
      signers = (attested.evidence?.attestations ?? []).filter((a) => a.source === f.referrer.digest && a.predicateType === f.predicateType && a.subjectDigests.includes(target.subject.digest)).map((a) => a.signer);
    }
    sboms.push({ source: `${f.source} ${f.referrer.digest}`, format: f.kind, subjectDigest: target.subject.digest, signers });
  }
  return { family: 'sbom', candidates: [], evidence: { sboms } };
}
