// Flags and help of `ocx verify`, kept apart from the verifiers so `ocx --help` loads none of them.
import { UsageError } from '../exit-codes.ts';

/** Trust flags shared by every command that checks signatures (`ocx verify`, `ocx sbom`). */
export const TRUST_OPTIONS = {
  key: { type: 'string' },
  'certificate-identity': { type: 'string' },
  'certificate-identity-regexp': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'certificate-oidc-issuer-regexp': { type: 'string' },
  'certificate-github-workflow-trigger': { type: 'string' },
  'certificate-github-workflow-sha': { type: 'string' },
  'certificate-github-workflow-name': { type: 'string' },
  'certificate-github-workflow-repository': { type: 'string' },
  'certificate-github-workflow-ref': { type: 'string' },
  'trusted-root': { type: 'string' },
  offline: { type: 'boolean', default: false },
  'insecure-ignore-tlog': { type: 'boolean', default: false },
  'insecure-ignore-sct': { type: 'boolean', default: false },
  annotations: { type: 'string', short: 'a', multiple: true },
  'notation-config': { type: 'string' },
  'trust-policy': { type: 'string' },
  'trust-store': { type: 'string' },
  'user-metadata': { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  'revocation-timeout': { type: 'string' },
  'verification-time': { type: 'string' },
} as const;

/** Trust flags only one family reads: given while that family is not in use, they would do nothing. */
const FAMILY_FLAGS = {
  cosign: ['insecure-ignore-tlog', 'insecure-ignore-sct', 'annotations', 'certificate-github-workflow-trigger', 'certificate-github-workflow-sha', 'certificate-github-workflow-name', 'certificate-github-workflow-repository', 'certificate-github-workflow-ref'],
  notation: ['user-metadata', 'crl', 'revocation-timeout'],
} as const;

const HOW_TO_USE: Record<keyof typeof FAMILY_FLAGS, string> = {
  cosign: 'cosign verification is not in use (pass --key FILE or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp])',
  notation: 'notation verification is not in use (pass --notation-config DIR, or --trust-policy FILE with --trust-store DIR)',
};

/**
 * Flags that only mean something with trust named on the command line: every family's own flag, plus
 * these. Under a policy the rules say what is checked, so `ocx verify --policy` refuses them.
 */
export const FLAG_MODE_ONLY = ['attestation', 'type', 'offline', ...FAMILY_FLAGS.cosign, ...FAMILY_FLAGS.notation] as const;

/** Which of `names` were given (a boolean's default false and an empty list are not "given"). */
export function givenFlags<N extends string>(flags: Record<string, unknown>, names: readonly N[]): N[] {
  return names.filter((n) => {
    const v = flags[n];
    return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  });
}

/** A family's own flag without that family is a usage error naming why, never silently ignored. */
export function refuseUnusedFamilyFlags(flags: Record<string, unknown>, families: readonly string[]): void {
  for (const [family, names] of Object.entries(FAMILY_FLAGS) as [keyof typeof FAMILY_FLAGS, readonly string[]][]) {
    if (families.includes(family)) continue;
    const given = givenFlags(flags, names);
    if (given.length) throw new UsageError(`${given.map((n) => (n === 'annotations' ? '-a/--annotations' : `--${n}`)).join(', ')}: ${family} flag${given.length > 1 ? 's' : ''}, but ${HOW_TO_USE[family]}`);
  }
}

export const VERIFY_OPTIONS = {
  ...TRUST_OPTIONS,
  attestation: { type: 'boolean', default: false },
  type: { type: 'string' },
  'all-platforms': { type: 'boolean', default: false },
  scope: { type: 'string' },
  policy: { type: 'string' },
} as const;

export const VERIFY_HELP = `Usage: ocx verify <ref>... [trust flags] [--platform P | --all-platforms] [--format text|json]

Verifies the cosign and notation signatures attached to each reference, bound to the digest ocx
resolves itself. An index signature also counts for its platform manifests (the index binds their
digests); the report says which level was signed. Any one valid signature passes (ANY-of).

cosign:    --key FILE | --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y
           (a -regexp must match the WHOLE value, read as JavaScript: cosign's unanchored RE2
           "foo" is ".*foo.*" here; a leading (?i) is understood)
           [--trusted-root trusted_root.json] [--offline] [--insecure-ignore-tlog]
           [--insecure-ignore-sct]   accept certificates without a certificate-transparency SCT
                                     (private CA without CT)
           [--certificate-github-workflow-trigger V] [--certificate-github-workflow-sha V]
           [--certificate-github-workflow-name V] [--certificate-github-workflow-repository V]
           [--certificate-github-workflow-ref V]
                                     keyless: the certificate's GitHub workflow claim (Fulcio v1
                                     extensions 1.3.6.1.4.1.57264.1.2-.6) must equal V, as in cosign
           [-a|--annotations k=v]... a signature counts only if it SIGNED every pair (simple-signing
                                     "optional", or the v3 statement subject's annotations); as cosign,
                                     -a k1=v1,k2=v2 gives two pairs. Not with --attestation
                                     (cosign verify-attestation has no -a)
           [--attestation --type ALIAS|URI]   verify an attestation instead of a signature
notation:  --notation-config DIR (default $NOTATION_CONFIG) | --trust-policy FILE --trust-store DIR
           [--user-metadata k=v]... [--crl FILE]... [--revocation-timeout SECONDS]
           revocation: OCSP then CRL as notation (timeouts 2 s / 5 s), cached under the ocx home;
           a base CRL naming a delta CRL is read with it (both cached until the earlier nextUpdate).
           --crl FILE (DER or PEM) answers first; give a base CRL and its delta CRL as two --crl
           files or one PEM file (the newest delta that extends the base is used; a base naming a
           delta answers only with one); --offline makes no request (unavailable unless a --crl
           answers; the policy level enforces or logs it)
           [--scope REGISTRY/REPOSITORY]   the trust-policy scope of an oci-layout: reference, as
                                     notation verify --oci-layout --scope (must be one of the
                                     policy's registryScopes, or covered by "*")
policy:    with NO trust flag, the policy decides: --policy FILE, else OCX_POLICY, else
           $OCX_HOME/policy.yaml (--verbose and JSON "policy" say which). Any unmet requirement,
           "no signature found" included, is exit 81 with the why-tree. Trust flags override the
           policy, which is then not loaded.
other:     --verification-time RFC3339   verify as of that time instead of now
           --format json   each verified cosign signature carries its signed "payload"
                           (simple-signing claim or in-toto statement), as cosign verify prints it

Exit codes: 0 verified, 79 nothing found, 65 found but none verified, 64 usage, 75/69 registry or
network, 80 auth, 78 trust configuration (or a policy that does not load), 81 blocked by policy.

Defaults: --key, --certificate-identity, --certificate-identity-regexp, --certificate-oidc-issuer,
--certificate-oidc-issuer-regexp, --certificate-github-workflow-trigger, --certificate-github-workflow-sha,
--certificate-github-workflow-name, --certificate-github-workflow-repository,
--certificate-github-workflow-ref, --trusted-root: none (cosign is not used without --key or an identity; the trusted root comes through TUF);
--offline, --insecure-ignore-tlog, --insecure-ignore-sct, --attestation, --all-platforms: false;
-a/--annotations, --user-metadata, --crl: none; --type: required with --attestation;
--notation-config: $NOTATION_CONFIG, else notation's default directory (--trust-policy and
--trust-store: from it); --revocation-timeout: notation's (2 s OCSP, 5 s CRL); --verification-time: now;
--platform: the host's; --scope: none (required for an oci-layout: reference under notation trust);
--policy: OCX_POLICY, else $OCX_HOME/policy.yaml when it exists.

Examples:
  ocx verify ghcr.io/org/app:1.0 --key cosign.pub
  ocx verify ghcr.io/org/app:1.0 --certificate-identity-regexp '^https://github\.com/org/' \
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  ocx verify ghcr.io/org/app:1.0 --notation-config ~/.config/notation --format json
  ocx verify ghcr.io/org/app:1.0 --policy policy.yaml
  ocx verify ghcr.io/org/app:1.0 --key cosign.pub --attestation --type spdxjson --all-platforms
`;

/**
 * Splits one -a value as cosign's flag library does (pflag StringSlice: one encoding/csv record), so
 * `-a k1=v1,k2=v2` is two pairs and a pair holding a comma is quoted: -a '"k=v1,v2"'. undefined when
 * the value is not a CSV record.
 */
function splitCsv(value: string): string[] | undefined {
  if (value === '') return [];
  if (/[\r\n]/.test(value)) return undefined;
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        const q = value.indexOf('"', i);
        if (q < 0) return undefined;
        field += value.slice(i, q);
        i = q + 1;
        if (value[i] !== '"') break;
        field += '"';
        i++;
      }
      if (i < value.length && value[i] !== ',') return undefined;
    } else {
      const comma = value.indexOf(',', i);
      const end = comma < 0 ? value.length : comma;
      field = value.slice(i, end);
      if (field.includes('"')) return undefined;
      i = end;
    }
    out.push(field);
    if (i >= value.length) return out;
    i++;
  }
}

/** `-a k=v` values (verify and package sign) → pairs; a later pair wins, as in cosign. UsageError on bad syntax. */
export function parseAnnotationFlags(values: readonly string[] | undefined, flag = '-a/--annotations'): Record<string, string> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const value of values) {
    const pairs = splitCsv(value);
    if (pairs === undefined) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a comma-separated list of key=value pairs (quote a pair holding a comma: "k=v1,v2")`);
    for (const pair of pairs) {
      const i = pair.indexOf('=');
      if (i <= 0) throw new UsageError(`${flag} takes key=value, not ${JSON.stringify(pair)}`);
      Object.defineProperty(out, pair.slice(0, i), { value: pair.slice(i + 1), enumerable: true, writable: true, configurable: true });
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
