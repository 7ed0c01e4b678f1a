// Cosign-shaped evidence pushed with @ocx/testkit's builders: the legacy `sha256-<hex>.sig`/`.att`
// tag (SIGNATURE_SPEC.md). Bundle referrers are @ocx/testkit's pushBundleReferrer.
import { pushTagged, type ArtifactDescriptor, type TaggableTarget } from '@ocx/testkit';

/** A legacy `sha256-<hex>.sig` manifest with simple-signing (or, `.att`, DSSE) layers (cosign ≤ v2). */
export function pushLegacySig(target: TaggableTarget, subject: ArtifactDescriptor, layers: { payload: Uint8Array; annotations: Record<string, string> }[], suffix = 'sig'): Promise<ArtifactDescriptor> {
  const mediaType = suffix === 'sig' ? 'application/vnd.dev.cosign.simplesigning.v1+json' : 'application/vnd.dsse.envelope.v1+json';
  return pushTagged(target, `${subject.digest.replace(':', '-')}.${suffix}`, layers.map((l) => ({ content: l.payload, mediaType, annotations: l.annotations })));
}
