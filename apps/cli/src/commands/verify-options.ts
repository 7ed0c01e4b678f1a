// Flags and help of `ocx verify`, kept apart from the verifiers so `ocx --help` loads none of them.
/** Trust flags shared by every command that checks signatures (`ocx verify`, `ocx sbom`). */
export const TRUST_OPTIONS = {
  key: { type: 'string' },
  'certificate-identity': { type: 'string' },
  'certificate-identity-regexp': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'certificate-oidc-issuer-regexp': { type: 'string' },
  'trusted-root': { type: 'string' },
  offline: { type: 'boolean', default: false },
  'insecure-ignore-tlog': { type: 'boolean', default: false },
  'notation-config': { type: 'string' },
  'trust-policy': { type: 'string' },
  'trust-store': { type: 'string' },
  'user-metadata': { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  'revocation-timeout': { type: 'string' },
  'verification-time': { type: 'string' },
} as const;

export const VERIFY_OPTIONS = {
  ...TRUST_OPTIONS,
  attestation: { type: 'boolean', default: false },
  type: { type: 'string' },
  'all-platforms': { type: 'boolean', default: false },
} as const;

export const VERIFY_HELP = `Usage: ocx verify <ref>... [trust flags] [--platform P | --all-platforms] [--format text|json]

Verifies the cosign and notation signatures attached to each reference, bound to the digest ocx
resolves itself. An index signature also counts for its platform manifests (the index binds their
digests); the report says which level was signed. Any one valid signature passes (ANY-of).

cosign:    --key FILE | --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y
           [--trusted-root trusted_root.json] [--offline] [--insecure-ignore-tlog]
           [--attestation --type ALIAS|URI]   verify an attestation instead of a signature
notation:  --notation-config DIR (default $NOTATION_CONFIG) | --trust-policy FILE --trust-store DIR
           [--user-metadata k=v]... [--crl FILE]... [--revocation-timeout SECONDS]
           revocation: OCSP then CRL as notation (timeouts 2 s / 5 s), cached under the ocx home;
           --crl FILE (DER or PEM) answers first; --offline makes no request (unavailable unless a
           --crl answers; the policy level enforces or logs it)
other:     --verification-time RFC3339   verify as of that time instead of now

Exit codes: 0 verified, 79 nothing found, 65 found but none verified, 64 usage, 75/69 registry or
network, 80 auth, 78 trust configuration.
`;
