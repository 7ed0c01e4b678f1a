// notation's own e2e signatures (notation/test/e2e/testdata/registry/oci_layout/*), read straight from
// the OCI layouts on disk and verified with the e2e trust material (config/localkeys, config/timestamp).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { parseSignatureEnvelope } from '../envelope/parse.ts';
import { parseTimestampToken, validateTstInfo } from '../timestamp/token.ts';
import { parseCertificates, type ParsedCertificate } from '../x509/cert.ts';
import type { CheckStatus, ValidationType } from './types.ts';
import { verifyNotationSignature, type NotationVerificationResult, type TrustAnchors } from './verify.ts';

const SIG = 'application/vnd.cncf.notary.signature';

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}
interface Manifest {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Record<string, string>;
}
interface FoundSignature {
  readonly manifestDigest: string;
  readonly manifest: Manifest;
  readonly envelope: Uint8Array;
  readonly envelopeMediaType: string;
  /** The subject descriptor, checked against the subject blob actually in the layout. */
  readonly subject: Descriptor;
}

/** Minimal OCI-layout reader: every blob that is a notation signature manifest (both OCI 1.1 and 1.0 forms). */
function readLayoutSignatures(name: string): FoundSignature[] {
  const root = fixturePath('notation/test/e2e/testdata/registry/oci_layout', name);
  const blob = (digest: string): Buffer => {
    const [alg, hex] = digest.split(':');
    const b = readFileSync(join(root, 'blobs', alg ?? '', hex ?? ''));
    if (createHash('sha256').update(b).digest('hex') !== hex) throw new Error(`blob ${digest} does not match its digest`);
    return b;
  };
  const out: FoundSignature[] = [];
  for (const hex of readdirSync(join(root, 'blobs', 'sha256')).sort()) {
    const bytes = blob(`sha256:${hex}`);
    let m: Manifest;
    try {
      m = JSON.parse(bytes.toString('utf8')) as Manifest;
    } catch {
      continue;
    }
    const isSig = m.artifactType === SIG || m.config?.mediaType === SIG;
    if (!isSig || !m.subject || m.layers?.length !== 1) continue;
    const layer = m.layers[0] as Descriptor;
    const envelope = new Uint8Array(blob(layer.digest));
    expect(envelope.length).toBe(layer.size);
    const subjectBytes = blob(m.subject.digest);
    expect(subjectBytes.length).toBe(m.subject.size);
    out.push({ manifestDigest: `sha256:${hex}`, manifest: m, envelope, envelopeMediaType: layer.mediaType, subject: m.subject });
  }
  return out;
}

const localkey = (f: string): ParsedCertificate[] => parseCertificates(new Uint8Array(readFileSync(fixturePath('notation/test/e2e/testdata/config/localkeys', f))));
const tsaRoots = (): ParsedCertificate[] =>
  ['globalsignTSARoot.cer', 'DigiCertTSARootSHA384.cer'].flatMap((f) =>
    parseCertificates(new Uint8Array(readFileSync(fixturePath('notation/test/e2e/testdata/config/timestamp', f)))),
  );

function statuses(r: NotationVerificationResult): Record<ValidationType, string> {
  const s = {} as Record<ValidationType, string>;
  for (const c of r.results) s[c.type] = c.status === 'failed' ? `failed:${c.code}` : c.status;
  return s;
}

async function verifyOne(sig: FoundSignature, trustAnchors: TrustAnchors, now: Date, extra: { trustedIdentities?: string[]; userMetadata?: Record<string, string> } = {}) {
  return verifyNotationSignature(sig.envelope, sig.envelopeMediaType, { subject: sig.subject, trustAnchors, now, trustedIdentities: ['*'], ...extra });
}

const NOW = new Date('2025-06-01T00:00:00Z');
const ok: CheckStatus = 'ok';

describe('notation e2e OCI layouts', () => {
  it('e2e: the unsigned image has no signature manifests', () => {
    expect(existsSync(fixturePath('notation/test/e2e/testdata/registry/oci_layout/e2e/index.json'))).toBe(true);
    expect(readLayoutSignatures('e2e')).toEqual([]);
  });

  it('e2e-valid-signature: passes with e2e.crt, authenticity fails with new_e2e.crt', async () => {
    const [sig, ...rest] = readLayoutSignatures('e2e-valid-signature');
    expect(rest).toEqual([]);
    if (!sig) throw new Error('no signature');
    const r = await verifyOne(sig, { ca: localkey('e2e.crt') }, NOW, { trustedIdentities: ['x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=e2e'] });
    expect(statuses(r)).toEqual({ integrity: ok, authenticity: ok, authenticTimestamp: ok, expiry: ok, revocation: 'skipped' });
    expect(r.ok).toBe(true);
    expect(r.signer?.subject).toBe('CN=e2e, O=Notary, L=Seattle, ST=WA, C=US');
    expect(r.signer?.signingScheme).toBe('notary.x509');
    expect(r.signer?.thumbprints[0]).toMatch(/^e38aea13/);
    // The manifest's thumbprint annotation lists the same chain.
    const annotated = JSON.parse(sig.manifest.annotations?.['io.cncf.notary.x509chain.thumbprint#S256'] ?? '[]') as string[];
    expect(annotated.map((t) => t.toLowerCase())).toEqual(r.signer?.thumbprints);

    const untrusted = await verifyOne(sig, { ca: localkey('new_e2e.crt') }, NOW);
    expect(statuses(untrusted).integrity).toBe(ok);
    expect(statuses(untrusted).authenticity).toBe('failed:UNTRUSTED');
  });

  it('e2e-expired-signature: expiry fails, the rest passes', async () => {
    const [sig] = readLayoutSignatures('e2e-expired-signature');
    if (!sig) throw new Error('no signature');
    const r = await verifyOne(sig, { ca: localkey('e2e.crt') }, NOW);
    expect(statuses(r)).toMatchObject({ integrity: ok, authenticity: ok, authenticTimestamp: ok, expiry: 'failed:EXPIRED' });
    expect(r.signer?.expiry?.toISOString()).toBe('2023-06-27T05:21:21.000Z');
    // Before the signed expiry the same signature passes.
    const before = await verifyOne(sig, { ca: localkey('e2e.crt') }, new Date('2023-06-27T05:00:00Z'));
    expect(statuses(before).expiry).toBe(ok);
  });

  it('e2e-invalid-signature: the layer is not an envelope, integrity fails', async () => {
    const [sig] = readLayoutSignatures('e2e-invalid-signature');
    if (!sig) throw new Error('no signature');
    expect(new TextDecoder().decode(sig.envelope)).toBe('invalid signature\n');
    const r = await verifyOne(sig, { ca: localkey('e2e.crt') }, NOW);
    expect(statuses(r)).toMatchObject({ integrity: 'failed:UNSUPPORTED_ENVELOPE', authenticity: 'skipped' });
    expect(r.ok).toBe(false);
    const asJws = await verifyNotationSignature(sig.envelope, 'application/jose+json', { subject: sig.subject, trustAnchors: { ca: localkey('e2e.crt') }, now: NOW });
    expect(statuses(asJws).integrity).toBe('failed:ENVELOPE_INVALID');
  });

  it('e2e-with-expired-cert: authenticTimestamp fails (no timestamp, leaf expired 2023-06-27)', async () => {
    const [sig] = readLayoutSignatures('e2e-with-expired-cert');
    if (!sig) throw new Error('no signature');
    const r = await verifyOne(sig, { ca: localkey('expired_e2e.crt') }, NOW);
    expect(statuses(r)).toMatchObject({ integrity: ok, authenticity: ok, authenticTimestamp: 'failed:EXPIRED', expiry: ok });
    // With a tsa store but no countersignature, the timestamp check reports the missing token.
    const withTsa = await verifyOne(sig, { ca: localkey('expired_e2e.crt'), tsa: tsaRoots() }, NOW);
    expect(statuses(withTsa).authenticTimestamp).toBe('failed:TIMESTAMP_INVALID');
  });

  it('e2e-valid-multiple-signatures: the e2e signature passes, the testcert11 one is untrusted', async () => {
    const sigs = readLayoutSignatures('e2e-valid-multiple-signatures');
    expect(sigs).toHaveLength(2);
    const results = await Promise.all(sigs.map((s) => verifyOne(s, { ca: localkey('e2e.crt') }, NOW)));
    const bySubject = new Map(results.map((r) => [r.signer?.subject, statuses(r)]));
    expect(bySubject.get('CN=e2e, O=Notary, L=Seattle, ST=WA, C=US')).toMatchObject({ integrity: ok, authenticity: ok, authenticTimestamp: ok });
    const other = [...bySubject.entries()].find(([k]) => k?.includes('testcert11'));
    expect(other?.[1]).toMatchObject({ integrity: ok, authenticity: 'failed:UNTRUSTED' });
    expect(results.some((r) => r.ok)).toBe(true);
  });

  it('e2e-with-timestamped-signature: RFC 3161 countersignature over the signature bytes', async () => {
    const [sig] = readLayoutSignatures('e2e-with-timestamped-signature');
    if (!sig) throw new Error('no signature');
    const env = parseSignatureEnvelope(sig.envelope, sig.envelopeMediaType);
    expect(env.signedAttributes.signingTime?.toISOString()).toBe('2025-01-21T09:17:46.000Z');
    expect(env.signedAttributes.expiry?.toISOString()).toBe('2025-01-21T12:39:46.000Z');
    expect(env.payload?.targetArtifact.annotations).toEqual({ purpose: 'e2e' });
    const tokenBytes = env.unsignedAttributes.timestampSignature;
    if (!tokenBytes) throw new Error('no timestamp');
    const token = parseTimestampToken(tokenBytes);
    validateTstInfo(token, env.signature); // messageImprint = hash(signature bytes)
    // notation inspect prints the timestamp range [genTime - accuracy, genTime + accuracy].
    expect(token.genTime.getTime() - token.accuracyMs).toBe(Date.parse('2025-01-21T09:17:46.141Z'));
    expect(token.genTime.getTime() + token.accuracyMs).toBe(Date.parse('2025-01-21T09:17:47.141Z'));

    const leaf = env.certificateChain.slice(-1);
    const inTime = new Date('2025-01-21T10:00:00Z');
    const r = await verifyOne(sig, { ca: [...leaf] }, inTime, { userMetadata: { purpose: 'e2e' } });
    expect(statuses(r)).toEqual({ integrity: ok, authenticity: ok, authenticTimestamp: ok, expiry: ok, revocation: 'skipped' });
    // The Microsoft TSA root is not shipped: the e2e tsa roots cannot anchor this token.
    const wrongTsa = await verifyOne(sig, { ca: [...leaf], tsa: tsaRoots() }, NOW);
    expect(statuses(wrongTsa)).toMatchObject({ integrity: ok, authenticity: ok, authenticTimestamp: 'failed:TIMESTAMP_INVALID', expiry: 'failed:EXPIRED' });
    // Without a tsa store the expired leaf fails authenticTimestamp at NOW.
    const noTsa = await verifyOne(sig, { ca: [...leaf] }, NOW);
    expect(statuses(noTsa).authenticTimestamp).toBe('failed:EXPIRED');
  });

  it('e2e-with-invalid-timestamped-signature: a corrupt countersignature fails authenticTimestamp only', async () => {
    const [sig] = readLayoutSignatures('e2e-with-invalid-timestamped-signature');
    if (!sig) throw new Error('no signature');
    const env = parseSignatureEnvelope(sig.envelope, sig.envelopeMediaType);
    const leaf = env.certificateChain.slice(-1);
    const r = await verifyOne(sig, { ca: [...leaf], tsa: tsaRoots() }, new Date('2025-01-21T10:00:00Z'));
    expect(statuses(r)).toMatchObject({ integrity: ok, authenticity: ok, authenticTimestamp: 'failed:TIMESTAMP_INVALID' });
  });
});
