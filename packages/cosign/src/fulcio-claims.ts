// Claims Fulcio copies from the OIDC token into the signing certificate (sigstore/fulcio
// docs/oid-info.md, arc 1.3.6.1.4.1.57264.1). Read only from a leaf whose chain, SCT and log entry
// verified: the facts are then vouched for by the CA, never by the bundle.
//  - .1.2–.1.6 (deprecated, GitHub only): the extension value is the raw string bytes.
//  - .1.8 and later: the extension value is a DER UTF8String (oid-info.md "Extension values").
import { ASN1Obj, type X509Certificate } from '@sigstore/core';

const ARC = '1.3.6.1.4.1.57264.1';

/** Extension number under 1.3.6.1.4.1.57264.1 → claim name; `raw` = deprecated v1 encoding. */
const CLAIMS = {
  githubWorkflowTrigger: { n: 2, raw: true },
  githubWorkflowSha: { n: 3, raw: true },
  githubWorkflowName: { n: 4, raw: true },
  githubWorkflowRepository: { n: 5, raw: true },
  githubWorkflowRef: { n: 6, raw: true },
  issuer: { n: 8, raw: false },
  buildSignerUri: { n: 9, raw: false },
  buildSignerDigest: { n: 10, raw: false },
  runnerEnvironment: { n: 11, raw: false },
  sourceRepositoryUri: { n: 12, raw: false },
  sourceRepositoryDigest: { n: 13, raw: false },
  sourceRepositoryRef: { n: 14, raw: false },
  sourceRepositoryIdentifier: { n: 15, raw: false },
  sourceRepositoryOwnerUri: { n: 16, raw: false },
  sourceRepositoryOwnerIdentifier: { n: 17, raw: false },
  buildConfigUri: { n: 18, raw: false },
  buildConfigDigest: { n: 19, raw: false },
  buildTrigger: { n: 20, raw: false },
  runInvocationUri: { n: 21, raw: false },
  sourceRepositoryVisibilityAtSigning: { n: 22, raw: false },
  deploymentEnvironment: { n: 23, raw: false },
} as const;

export type FulcioClaimName = keyof typeof CLAIMS;
/** The Fulcio claims a certificate carries; a claim it lacks (or encodes wrongly) is absent. */
export type FulcioClaims = { readonly [K in FulcioClaimName]?: string };

/** `1.3.6.1.4.1.57264.1.N` of a claim, for messages that name what was missing. */
export function fulcioClaimOid(name: FulcioClaimName): string {
  return `${ARC}.${CLAIMS[name].n}`;
}

// A claim longer than this is not something a policy compares against; Fulcio's own claims are
// URIs, refs and digests.
const MAX_CLAIM_BYTES = 4096;
const UTF8_STRING = 0x0c;

function decode(value: Buffer, raw: boolean): string | undefined {
  if (value.length > MAX_CLAIM_BYTES + 8) return undefined;
  if (raw) return value.toString('utf8');
  try {
    const obj = ASN1Obj.parseBuffer(value as Buffer<ArrayBuffer>);
    // Fail closed on any other encoding: an absent claim never satisfies a policy.
    if (!obj.tag.isUniversal() || obj.tag.constructed || obj.tag.number !== UTF8_STRING) return undefined;
    return obj.value.toString('utf8');
  } catch {
    return undefined;
  }
}

/** Every Fulcio claim extension of a certificate, decoded per its registered encoding. */
export function fulcioClaims(cert: X509Certificate): FulcioClaims {
  const out: Partial<Record<FulcioClaimName, string>> = {};
  for (const [name, { n, raw }] of Object.entries(CLAIMS) as [FulcioClaimName, { n: number; raw: boolean }][]) {
    const ext = cert.extension(`${ARC}.${n}`);
    if (ext === undefined) continue;
    const v = decode(ext.value, raw);
    if (v !== undefined && v.length <= MAX_CLAIM_BYTES) out[name] = v;
  }
  return out;
}

/**
 * The GitHub Actions facts a policy's `github:` keys are matched against, each with where it came
 * from. The v2 claim wins; the deprecated v1 extension is the fallback for certificates Fulcio
 * issued before the v2 claims existed (both carry the same OIDC token claim).
 *  - repository: Source Repository URI (.12, e.g. https://github.com/acme/tool), else GitHub
 *    Workflow Repository (.5, acme/tool) — the token's `repository`.
 *  - workflowRef: Source Repository Ref (.14), else GitHub Workflow Ref (.6) — the token's `ref`:
 *    the git ref the run was for (refs/tags/v1.2.3), what cosign's
 *    --certificate-github-workflow-ref compares. Not the ref of a reusable workflow file, which the
 *    certificate identity (Build Signer URI) already pins.
 *  - runner: Runner Environment (.11): github-hosted | self-hosted. No v1 equivalent.
 */
export interface GithubFacts {
  readonly repository?: string;
  readonly workflowRef?: string;
  readonly runner?: string;
  /** The OID each fact was read from (for the why-tree). */
  readonly from?: { readonly repository?: string; readonly workflowRef?: string; readonly runner?: string };
}

export function githubFacts(claims: FulcioClaims): GithubFacts {
  const pick = (v2: FulcioClaimName, v1?: FulcioClaimName): [string, string] | undefined =>
    claims[v2] !== undefined ? [claims[v2], fulcioClaimOid(v2)] : v1 !== undefined && claims[v1] !== undefined ? [claims[v1], fulcioClaimOid(v1)] : undefined;
  const repository = pick('sourceRepositoryUri', 'githubWorkflowRepository');
  const workflowRef = pick('sourceRepositoryRef', 'githubWorkflowRef');
  const runner = pick('runnerEnvironment');
  return {
    ...(repository ? { repository: repository[0] } : {}),
    ...(workflowRef ? { workflowRef: workflowRef[0] } : {}),
    ...(runner ? { runner: runner[0] } : {}),
    ...(repository || workflowRef || runner
      ? { from: { ...(repository ? { repository: repository[1] } : {}), ...(workflowRef ? { workflowRef: workflowRef[1] } : {}), ...(runner ? { runner: runner[1] } : {}) } }
      : {}),
  };
}

const WORKFLOW_CLAIMS = {
  trigger: ['githubWorkflowTrigger', 'GitHub Workflow Trigger'],
  sha: ['githubWorkflowSha', 'GitHub Workflow SHA'],
  name: ['githubWorkflowName', 'GitHub Workflow Name'],
  repository: ['githubWorkflowRepository', 'GitHub Workflow Repository'],
  ref: ['githubWorkflowRef', 'GitHub Workflow Ref'],
} as const;

/**
 * cosign's --certificate-github-workflow-* checks (cosign pkg/cosign/verify.go, validating the
 * certificate extensions): each given value must equal the deprecated v1 extension exactly.
 * Returns one message per mismatch, naming expected and found.
 */
export function githubWorkflowMismatches(want: { readonly [K in keyof typeof WORKFLOW_CLAIMS]?: string }, claims: FulcioClaims): string[] {
  const out: string[] = [];
  for (const [k, [claim, label]] of Object.entries(WORKFLOW_CLAIMS) as [keyof typeof WORKFLOW_CLAIMS, readonly [FulcioClaimName, string]][]) {
    const expected = want[k];
    if (expected === undefined) continue;
    const found = claims[claim];
    if (found !== expected) out.push(`${label} (${fulcioClaimOid(claim)}): expected ${JSON.stringify(expected)}, found ${found === undefined ? 'none' : JSON.stringify(found)}`);
  }
  return out;
}
