import { attach, type ArtifactDescriptor, type ArtifactTarget } from '@ocx/testkit';

// SBOMs shaped like the ones oras, cosign v2 and cosign v3 write, on @ocx/testkit's builders (images:
// pushImage; legacy `.att`/`.sbom` tags: pushTagged). Signatures are dummies: finding never verifies.

/** `oras attach --artifact-type <artifactType> ref file:<layerType>`. */
export function attachRaw(repo: ArtifactTarget, subject: ArtifactDescriptor, artifactType: string | undefined, content: string | Uint8Array, layerType: string, subjectDigest = subject.digest): Promise<ArtifactDescriptor> {
  return attach(repo, subject, { content, mediaType: layerType }, { ...(artifactType ? { artifactType } : {}), subjectDigest });
}

export function statement(subjectDigest: string, predicateType: string, predicate: unknown): string {
  const [alg, hex] = subjectDigest.split(':');
  return JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { [alg!]: hex } }], predicateType, predicate });
}

export function dsse(statementJson: string): Record<string, unknown> {
  return { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(statementJson).toString('base64'), signatures: [{ keyid: '', sig: 'AAAA' }] };
}

/** cosign v3 `attest`: a Sigstore bundle referrer announcing its predicate type. */
export function attachBundle(repo: ArtifactTarget, subject: ArtifactDescriptor, statementJson: string, predicateType: string): Promise<ArtifactDescriptor> {
  const type = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const content = JSON.stringify({ mediaType: type, verificationMaterial: { publicKey: { hint: 'k' } }, dsseEnvelope: dsse(statementJson) });
  return attach(repo, subject, { content, mediaType: type }, { artifactType: type, annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': predicateType } });
}
