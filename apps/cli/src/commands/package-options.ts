// Flags and help of `ocx package`, apart from its implementation so other commands start without loading it.

export const PACKAGE_OPTIONS = {
  key: { type: 'string' },
  'legacy-tag': { type: 'boolean', default: false },
  // A string so that cosign's spelling `--tlog-upload=false` parses.
  'tlog-upload': { type: 'string' },
  // cosign's spelling is --annotations; --annotation stays for earlier ocx scripts.
  annotations: { type: 'string', short: 'a', multiple: true },
  annotation: { type: 'string', multiple: true },
  notation: { type: 'boolean', default: false },
  cert: { type: 'string' },
  'signature-format': { type: 'string' },
  expiry: { type: 'string' },
  'timestamp-url': { type: 'string' },
  'timestamp-root-cert': { type: 'string' },
  'user-metadata': { type: 'string', multiple: true },
  // Keyless (no --key). The identity token is a secret: a file, stdin or the environment, never argv.
  'identity-token-file': { type: 'string' },
  'identity-token-stdin': { type: 'boolean' },
  'fulcio-url': { type: 'string' },
  'rekor-url': { type: 'string' },
  'tsa-url': { type: 'string' },
  'signing-config': { type: 'string' },
} as const;

export const PACKAGE_HELP = `Usage: ocx package sign <ref> --key FILE [--platform P] [--legacy-tag] [--tlog-upload=false] [-a k=v]...
       ocx package sign <ref> [--identity-token-file FILE | --identity-token-stdin] [--fulcio-url URL]
                    [--rekor-url URL] [--tsa-url URL] [--signing-config FILE] [same flags as --key]

Signs the manifest <ref> names — for an index, the index itself and every platform manifest under it
(what cosign sign --recursive does), or only the one --platform selects — as cosign v3 does: a DSSE
in-toto statement (predicate https://sigstore.dev/cosign/sign/v1) in a Sigstore bundle v0.3, pushed
as an OCI 1.1 referrer. --legacy-tag writes cosign's sha256-<hex>.sig tag instead.

--key FILE          PEM private key (PKCS#8, EC, RSA, Ed25519) or cosign's encrypted key; the password
                    comes from COSIGN_PASSWORD, else the first line of stdin
--tlog-upload=false do not upload to the Rekor transparency log (verifiers then need
                    --insecure-ignore-tlog); the default uploads to the public-good Rekor
-a, --annotations k=v  signed annotations, where cosign writes them: the statement subject's
                    annotations (bundle), the simple-signing "optional" map (--legacy-tag); checked by
                    ocx verify -a / cosign verify -a. As cosign, -a k1=v1,k2=v2 gives two pairs

Keyless (no --key), as cosign sign: an ephemeral key certified by Fulcio for the identity in an OIDC
token, with a Rekor entry and/or an RFC 3161 timestamp as the trusted signing time.
--identity-token-file FILE, --identity-token-stdin
                    the OIDC ID token (audience sigstore); else SIGSTORE_ID_TOKEN, else the CI's
                    (GitHub Actions ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, permissions id-token: write).
                    Never taken from argv and never printed
--fulcio-url, --rekor-url, --tsa-url URL
                    the services (default: public-good Fulcio and Rekor, no TSA). --tlog-upload=false
                    with --tsa-url: a timestamp instead of a Rekor entry (private setups)
--signing-config FILE  a Sigstore signing config v0.2 (cosign sign --signing-config); flags win over it

ocx package sign <ref> --notation --key KEY --cert CHAIN [--signature-format jws|cose] [--expiry 24h]
                    [--user-metadata k=v]... [--timestamp-url URL --timestamp-root-cert FILE]
                    a notation signature (scheme notary.x509) for the same manifests, stored as a
                    referrer (tag-schema index when the registry has no referrers API); KEY is an
                    unencrypted PEM key, CHAIN the PEM chain leaf first. --timestamp-url adds an
                    RFC 3161 countersignature, checked against --timestamp-root-cert as notation does.

Defaults: --key: none (keyless); --legacy-tag, --notation: false; --tlog-upload: true; -a/--annotations,
--user-metadata: none; --platform: every platform (and the index); --signature-format: jws;
--expiry: none (the signature does not expire); --timestamp-url, --timestamp-root-cert: none.
--annotation k=v is an older spelling of --annotations. --cert: required with --notation.
Keyless: --identity-token-file, --identity-token-stdin: none (then SIGSTORE_ID_TOKEN, then the CI's);
--fulcio-url: https://fulcio.sigstore.dev; --rekor-url: https://rekor.sigstore.dev (also for --key);
--tsa-url: none; --signing-config: none (cosign v3 reads the public-good one from TUF; ocx does not).

Examples:
  COSIGN_PASSWORD=… ocx package sign ghcr.io/org/app:1.0 --key cosign.key
  ocx package sign localhost:5000/app:1.0 --key cosign.key --tlog-upload=false --platform linux/arm64
  ocx package sign ghcr.io/org/app:1.0 --notation --key signer.key --cert signer.crt --expiry 720h
  SIGSTORE_ID_TOKEN=… ocx package sign ghcr.io/org/app:1.0
  ocx package sign registry.local/app:1.0 --identity-token-file id.jwt --fulcio-url https://fulcio.local \\
    --tsa-url https://tsa.local --tlog-upload=false
`;
