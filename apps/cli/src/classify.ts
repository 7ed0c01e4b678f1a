import { isIndex, isIndexMediaType, isOciError, parseManifest, type Descriptor, type Fetcher } from '@ocx/oci';

// What a referrer is, from its artifactType and annotations (cosign BUNDLE_SPEC.md annotations,
// notation signature-specification.md, cosign SBOM_SPEC.md), fetching the manifest only when they
// do not tell (OCI 1.0-style artifacts without artifactType).

export type ReferrerKind =
  | { kind: 'cosign-signature'; format: 'bundle' | 'legacy' }
  | { kind: 'cosign-attestation'; predicateType?: string; format: 'bundle' | 'legacy' }
  | { kind: 'notation-signature'; envelope?: string }
  | { kind: 'sbom'; format: string }
  | { kind: 'attestation'; predicateType?: string }
  | { kind: 'other' };

const NOTATION = 'application/vnd.cncf.notary.signature';
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const SBOM_TYPES: Record<string, string> = {
  'application/spdx+json': 'spdx',
  'text/spdx': 'spdx',
  'text/spdx+json': 'spdx',
  'application/vnd.spdx+json': 'spdx',
  'application/vnd.cyclonedx+json': 'cyclonedx',
  'application/vnd.cyclonedx+xml': 'cyclonedx',
  'application/vnd.cyclonedx': 'cyclonedx',
  'application/vnd.syft+json': 'syft',
  'application/vnd.dev.cosign.artifact.sbom.v1+json': 'cosign-sbom',
};

function sbomFormat(mediaType: string | undefined): string | undefined {
  if (!mediaType) return undefined;
  return SBOM_TYPES[mediaType] ?? SBOM_TYPES[mediaType.split(';')[0]!.trim()];
}

/** Classification from the listing alone; undefined when the manifest must be read. */
export function classifyDescriptor(d: Descriptor): ReferrerKind | undefined {
  const t = d.artifactType;
  const a = d.annotations ?? {};
  if (t === NOTATION) return { kind: 'notation-signature' };
  if (t?.startsWith('application/vnd.dev.sigstore.bundle')) {
    const predicateType = a['dev.sigstore.bundle.predicateType'];
    const content = a['dev.sigstore.bundle.content'];
    if (predicateType === COSIGN_SIGN_PREDICATE || content === 'message-signature') return { kind: 'cosign-signature', format: 'bundle' };
    if (predicateType) return { kind: 'cosign-attestation', predicateType, format: 'bundle' };
    return undefined;
  }
  if (t === 'application/vnd.dev.cosign.artifact.sig.v1+json') return { kind: 'cosign-signature', format: 'legacy' };
  if (t === 'application/vnd.dev.cosign.artifact.att.v1+json') return { kind: 'cosign-attestation', format: 'legacy' };
  const sbom = sbomFormat(t);
  if (sbom) return { kind: 'sbom', format: sbom };
  if (t === 'application/vnd.in-toto+json' || t === 'application/vnd.dsse.envelope.v1+json') return { kind: 'attestation', predicateType: a['in-toto.io/predicate-type'] };
  if (t === undefined || t === 'application/vnd.oci.empty.v1+json' || t === 'application/vnd.oci.image.config.v1+json') return undefined;
  return { kind: 'other' };
}

/**
 * Reads the manifest when the listing did not tell (no artifactType, or an index). A manifest that
 * does not parse is "other"; a fetch that fails (digest, size, network, timeout) throws, so the
 * caller reports it instead of listing a kind it never established.
 */
export async function classifyReferrer(d: Descriptor, fetcher: Fetcher): Promise<ReferrerKind> {
  const fromListing = classifyDescriptor(d);
  if (fromListing) return fromListing;
  const bytes = await fetcher.fetch(d);
  try {
    const { manifest } = parseManifest(bytes, d.mediaType);
    if (isIndexMediaType(d.mediaType) || isIndex(manifest)) return { kind: 'other' };
    if (manifest.config.mediaType === NOTATION) return { kind: 'notation-signature', envelope: manifest.layers[0]?.mediaType };
    const layerTypes = manifest.layers.map((l) => l.mediaType);
    if (layerTypes.some((m) => m.startsWith('application/vnd.dev.sigstore.bundle'))) {
      const predicateType = manifest.annotations?.['dev.sigstore.bundle.predicateType'];
      return predicateType && predicateType !== COSIGN_SIGN_PREDICATE ? { kind: 'cosign-attestation', predicateType, format: 'bundle' } : { kind: 'cosign-signature', format: 'bundle' };
    }
    if (layerTypes.includes('application/vnd.dev.cosign.simplesigning.v1+json')) return { kind: 'cosign-signature', format: 'legacy' };
    if (layerTypes.includes('application/vnd.dsse.envelope.v1+json')) return { kind: 'cosign-attestation', format: 'legacy', predicateType: manifest.layers[0]?.annotations?.predicateType };
    const sbom = layerTypes.map(sbomFormat).find(Boolean);
    if (sbom) return { kind: 'sbom', format: sbom };
  } catch (err) {
    // A referrer that does not parse is still listed; its kind just stays unknown.
    if (!isOciError(err)) throw err;
  }
  return { kind: 'other' };
}

export function describeKind(k: ReferrerKind | undefined): string {
  if (!k) return '';
  switch (k.kind) {
    case 'cosign-signature':
      return `cosign signature${k.format === 'legacy' ? ' (legacy)' : ''}`;
    case 'cosign-attestation':
      return `cosign attestation${k.predicateType ? ` ${k.predicateType}` : ''}`;
    case 'notation-signature':
      return 'notation signature';
    case 'sbom':
      return `SBOM (${k.format})`;
    case 'attestation':
      return `attestation${k.predicateType ? ` ${k.predicateType}` : ''}`;
    case 'other':
      return 'other';
  }
}
