// Flags and help of `ocx sbom`, apart from its implementation so other commands start without loading it.
import { TRUST_OPTIONS } from './verify-options.ts';

export const SBOM_OPTIONS = {
  type: { type: 'string' },
  summary: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
  digest: { type: 'string' },
  'require-signed': { type: 'boolean', default: false },
  'max-bytes': { type: 'string' },
  policy: { type: 'string' },
  ...TRUST_OPTIONS,
} as const;

export const SBOM_HELP = `Usage: ocx sbom <ref> [--platform P] [--type spdx|cyclonedx|syft] [--summary] [--output FILE|-]
                [--digest D] [--require-signed] [--max-bytes N] [trust flags] [--format text|json]

Finds the SBOMs attached to the platform manifest of <ref>: OCI referrers (oras attach, syft,
cosign attach sbom), cosign attestations with an SPDX or CycloneDX predicate (v3 bundles and legacy
.att tags) and legacy .sbom tags. Each is bound to the digest ocx resolved.

  --summary          format, version, name, creators, package count, top-level package, licenses
  --output FILE|DIR|-  write exactly the attached bytes (for an attestation: its predicate); the file
                     appears only once the digest verified. Several matches: pick one with --digest.
                     A directory (existing, or ending in /) gets sha256-<hex>.spdx.json (.cdx.json, …)
  --digest D         the SBOM (document, layer or referrer digest, or a unique prefix) to use
  --require-signed   only signed SBOMs count: unsigned ones are reported, never written; with no
                     trust flags, signed means by a signer of the governing rule of the policy
                     (--policy FILE, else OCX_POLICY, else $OCX_HOME/policy.yaml)
  --max-bytes N      largest SBOM fetched (default 512MiB; suffixes KiB, MiB, GiB)

Trust is checked only when trust flags are given. They are those of ocx verify (cosign: --key | --certificate-identity[-regexp]
--certificate-oidc-issuer[-regexp], --trusted-root, --offline, --insecure-ignore-tlog,
--insecure-ignore-sct, -a k=v; notation: --notation-config | --trust-policy --trust-store;
--verification-time). An SBOM is signed when its referrer carries a valid cosign or notation
signature, or when it is the predicate of a verified cosign attestation (-a applies to signatures
only: cosign verify-attestation has no -a).

Exit codes: 0 ok, 79 no SBOM attached (or none matches; or --require-signed and none is signed at
all), 65 --require-signed and no signature verifies, digest mismatch or malformed content, 64 usage
(also: several SBOMs match --output).

Defaults: --type: every format; --summary, --require-signed: false; --output: none (list only);
--digest: none (one match needed for --output); --max-bytes: 512MiB; --platform: the host's;
--policy: OCX_POLICY, else $OCX_HOME/policy.yaml (used only by --require-signed without trust flags); trust
flags (--key, --certificate-identity, --certificate-identity-regexp, --certificate-oidc-issuer,
--certificate-oidc-issuer-regexp, --trusted-root, --offline, --insecure-ignore-tlog,
--insecure-ignore-sct, --annotations, --notation-config, --trust-policy, --trust-store,
--user-metadata, --crl, --revocation-timeout, --verification-time): none, so trust is not checked;
their defaults are those of ocx verify --help.

Examples:
  ocx sbom ghcr.io/org/app:1.0 --summary
  ocx sbom ghcr.io/org/app:1.0 --type spdx -o ./sboms/
  ocx sbom ghcr.io/org/app:1.0 --require-signed --key cosign.pub --output sbom.json
`;
