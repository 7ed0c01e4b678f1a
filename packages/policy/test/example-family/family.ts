// An example verifier family living OUTSIDE ocx's CLI and outside @ocx/cosign/@ocx/notation: a toy
// vendor format, "ed25519 detached signature". A signature is an OCI 1.1 referrer of artifactType
// ARTIFACT_TYPE whose single layer holds the raw 64-byte Ed25519 signature over the subject digest
// string (`sha256:…`, UTF-8). Its signers are written in a policy as
//   vendor-key: { extension: { family: ed25519-detached, config: { publicKey: "-----BEGIN PUBLIC KEY-----…" } } }
// It uses only the public seam of @ocx/policy (VerifierFamily) and the @ocx/oci role interfaces.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { collectReferrers, isIndex, parseManifest } from '@ocx/oci';
// A team's own package writes `from '@ocx/policy'`; this in-repo example reads the same exports from src.
import type { ExtensionSigner, FamilyReport, PreparedFamily, VerifierFamily, VerifyTarget } from '../../src/index.ts';

export const FAMILY = 'ed25519-detached';
export const ARTIFACT_TYPE = 'application/vnd.example.ed25519-signature';
export const LAYER_TYPE = 'application/vnd.example.ed25519-signature.raw';

const MAX_SIGNATURES = 16;

interface Key {
  readonly name: string;
  readonly key: KeyObject;
}

function keysOf(signers: readonly ExtensionSigner[]): Key[] {
  return signers.map((s) => {
    const pem = s.config.publicKey;
    if (typeof pem !== 'string') throw new TypeError(`signer "${s.name}": config.publicKey must be a PEM public key`);
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`signer "${s.name}": not an Ed25519 key`);
    return { name: s.name, key };
  });
}

async function verifyTarget(target: VerifyTarget, keys: readonly Key[], signal?: AbortSignal): Promise<FamilyReport> {
  const call = signal ? { signal } : {};
  const listed = await collectReferrers(target.repo.referrers(target.subject, { artifactType: ARTIFACT_TYPE, ...call }));
  const candidates: FamilyReport['candidates'][number][] = [];
  const signatures: NonNullable<FamilyReport['evidence']>['signatures'] & unknown[] = [];
  const rejected: { family: string; source: string; reason: string }[] = [];
  for (const d of listed.filter((x) => x.artifactType === ARTIFACT_TYPE).slice(0, MAX_SIGNATURES)) {
    // Never trust the listing: fetch the manifest by digest and check it names this subject.
    const { manifest } = parseManifest(await target.repo.fetch(d, call), d.mediaType);
    const layer = isIndex(manifest) ? undefined : manifest.layers[0];
    const subject = manifest.subject;
    let reason: string | undefined;
    let names: string[] = [];
    if (subject?.digest !== target.subject.digest) reason = `names subject ${subject?.digest ?? 'none'}`;
    else if (!layer || layer.mediaType !== LAYER_TYPE || layer.size !== 64) reason = 'no 64-byte signature layer';
    else {
      const sig = await target.repo.fetch(layer, call);
      const message = Buffer.from(target.subject.digest, 'utf8');
      names = keys.filter((k) => verify(null, message, k.key, sig)).map((k) => k.name);
      if (names.length === 0) reason = 'signed by none of the configured keys';
    }
    candidates.push({ format: FAMILY, referrer: d.digest, kind: 'signature', ok: reason === undefined, reasons: reason ? [reason] : [], checks: [] });
    if (reason) rejected.push({ family: FAMILY, source: d.digest, reason });
    else signatures.push({ family: FAMILY, source: d.digest, subjectDigest: target.subject.digest, signers: names });
  }
  return { family: FAMILY, candidates, evidence: { signatures, rejected } };
}

export const ed25519DetachedFamily: VerifierFamily = {
  name: FAMILY,
  async prepare(request): Promise<PreparedFamily> {
    const keys = keysOf(request.signers.filter((s): s is ExtensionSigner => s.kind === 'extension' && s.family === FAMILY));
    return { verify: (target, signal) => verifyTarget(target, keys, signal) };
  },
};
