// What a piece of cosign evidence needs and what it signed, read from the bundle before (and after)
// verification: the CLI decides from the bundle whether a trusted root must be fetched at all, and
// prints the signed payload as `cosign verify` does.
import { parseBundle, type ParseBundleOptions } from './bundle.ts';
import type { CosignEvidence } from './cosign.ts';
import { isCosignError } from './errors.ts';
import type { BundleInput } from './verify.ts';

export interface TrustNeeds {
  /** Signed with a certificate (keyless): the chain is checked against a trusted root's CAs. */
  readonly certificate: boolean;
  /** Transparency-log entries, checked with the log keys of a trusted root. */
  readonly tlogEntries: number;
  /** RFC 3161 timestamps, checked with the timestamp authorities of a trusted root. */
  readonly rfc3161Timestamps: number;
}

function asEvidence(x: CosignEvidence | BundleInput): CosignEvidence {
  return typeof x === 'object' && !(x instanceof Uint8Array) && 'bundle' in x ? (x as CosignEvidence) : { bundle: x };
}

/**
 * Which trust material verifying `evidence` needs, from its bundle alone; undefined when the bundle
 * does not parse (its verdict then fails on the bundle check, with no trust material needed).
 */
export function trustNeeds(evidence: CosignEvidence | BundleInput, options: ParseBundleOptions = {}): TrustNeeds | undefined {
  let vm;
  try {
    vm = parseBundle(asEvidence(evidence).bundle, options).bundle.verificationMaterial;
  } catch (e) {
    if (isCosignError(e)) return undefined;
    throw e;
  }
  return {
    certificate: vm.content.$case !== 'publicKey',
    tlogEntries: vm.tlogEntries.length,
    rfc3161Timestamps: vm.timestampVerificationData?.rfc3161Timestamps.length ?? 0,
  };
}

function json(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The JSON document a signature signed, as `cosign verify` prints it: the simple-signing claim
 * (`{critical:{identity,image,type},optional}`) of a legacy or cosign v2 signature, or the in-toto
 * statement a DSSE envelope carries (v3 bundles, attestations). undefined for a message signature
 * over the manifest bytes themselves, or a payload that is not JSON. Call it only for evidence that
 * verified: it reads what was signed, it checks nothing.
 */
export function signedPayload(evidence: CosignEvidence | BundleInput, options: ParseBundleOptions = {}): unknown {
  const ev = asEvidence(evidence);
  if (ev.payload !== undefined) return json(ev.payload);
  let content;
  try {
    content = parseBundle(ev.bundle, options).bundle.content;
  } catch (e) {
    if (isCosignError(e)) return undefined;
    throw e;
  }
  return content.$case === 'dsseEnvelope' ? json(content.dsseEnvelope.payload) : undefined;
}
