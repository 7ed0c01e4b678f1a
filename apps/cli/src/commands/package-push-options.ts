// Flags and help of `ocx package attest` and `ocx package push` (merged into `ocx package`'s own).

export const PACKAGE_PUSH_OPTIONS = {
  predicate: { type: 'string' },
  type: { type: 'string' },
  unsigned: { type: 'boolean', default: false },
  name: { type: 'string' },
  version: { type: 'string' },
  sbom: { type: 'string' },
  sign: { type: 'boolean', default: false },
  attest: { type: 'string', multiple: true },
} as const;

export const PACKAGE_PUSH_HELP = `
Usage: ocx package attest <ref> --predicate FILE --type T --key FILE [--platform P] [--legacy-tag] [--tlog-upload=false]
       ocx package attest <ref> --predicate SBOM --unsigned [--type cyclonedx|spdx|spdxjson] [--platform P]

Signs an in-toto Statement v1 (DSSE) with the predicate FILE over each platform manifest of an index
(or the one --platform selects), as cosign v3 attest does: a Sigstore bundle v0.3 referrer with
annotations dev.sigstore.bundle.content=dsse-envelope and dev.sigstore.bundle.predicateType.
--legacy-tag appends to cosign's sha256-<hex>.att tag instead (needs --tlog-upload=false).

--type T            cosign's aliases: cyclonedx, spdx, spdxjson, slsaprovenance1, link, vuln, openvex,
                    custom (raw data wrapped as cosign does), or a predicate type URI. SLSA provenance
                    v0.2 (slsaprovenance, slsaprovenance02) is refused, as OCX refuses it
--predicate FILE    at most 15 MiB, a regular file (symbolic links are refused); JSON, except
                    custom (any text) and spdx (tag-value)
--rekor-url URL     the Rekor a --tlog-upload entry goes to (default: the public-good instance); also
                    for package push --sign --key
--unsigned          attach the SBOM as a plain referrer instead (artifactType by its format, as oras
                    and syft attach it); SBOMs only, and only when asked

Usage: ocx package push <path> <ref> [--platform os/arch] [--name N] [--version V] [--sbom FILE]
                    [--sign (--key FILE | --notation --key KEY --cert CHAIN) [--tlog-upload=false]]
                    [--attest TYPE=FILE]...

Pushes a file or a directory (its contents at the archive root) as an OCX package: one reproducible
tar+gzip layer, artifactType application/vnd.sh.ocx.package.v1, config
application/vnd.sh.ocx.package.v1+json ({platform, name, version}). The platform is added to (or
replaced in) the image index the tag names, so pushes for several platforms make one package. Then, on
the platform manifest just pushed: the SBOM (a signed attestation with --sign --key, else a plain
referrer), the signature, the attestations. On failure the report lists every digest written and
names the step (push, sbom, sign, attest); the exit code is that step's error's.

--name N, --version V  written into the config (default: the repository and the tag)
--sbom FILE         SPDX or CycloneDX (syft JSON and CycloneDX XML only unsigned), at most 15 MiB
--sign              sign the platform manifest: cosign with --key, notation with --notation --key --cert
--attest TYPE=FILE  a signed attestation (needs --sign --key); repeatable

Defaults: --predicate, --type: required for attest; --unsigned, --sign: false; --name: the
repository; --version: the tag; --sbom, --attest: none; --platform (push): the host's os/arch.
SOURCE_DATE_EPOCH sets the archive's mtimes (default 1970-01-01) and the created annotations.

Examples:
  ocx package attest localhost:5000/app:1.0 --type slsaprovenance1 --predicate prov.json --key cosign.key --tlog-upload=false
  ocx package attest localhost:5000/app:1.0 --type cyclonedx --predicate bom.json --unsigned
  ocx package push ./dist localhost:5000/tools/app:1.0 --platform linux/amd64 --sbom bom.json --sign --key cosign.key --tlog-upload=false
`;
