// Flags and help of `ocx pull`, apart from its implementation so other commands start without loading it.
export const PULL_OPTIONS = {
  output: { type: 'string', short: 'o' },
  policy: { type: 'string' },
  'no-verify': { type: 'boolean', default: false },
  'max-bytes': { type: 'string' },
} as const;

export const PULL_HELP = `Usage: ocx pull <ref> -o DIR [--platform P] [--policy FILE] [--no-verify] [--max-bytes N]
                [--format text|json]

Resolves <ref> once and pins its digest (an index: the host platform, or --platform), decides by
the trust policy on that digest, and only then downloads the layers by digest, each verified while
it streams, and unpacks them in order into DIR: untitled tar, tar+gzip, tar+zstd and tar+xz layers
are unpacked (OCI whiteouts honoured); a layer with an org.opencontainers.image.title annotation is
written as the file its title names (a relative path), whatever its media type, as oras pull does —
and a titled directory layer (io.deis.oras.content.unpack=true) is unpacked into DIR/<title>/; any
other layer is written as a file named by its digest.

  -o, --output DIR   where to unpack; must not exist, or be empty. DIR appears only when everything
                     verified and unpacked; on any failure nothing is left (default: none, required)
  --policy FILE      the trust policy (default: OCX_POLICY, else $OCX_HOME/policy.yaml if it
                     exists). Without any policy, ocx pulls and warns that nothing was verified
  --no-verify        pull without evaluating any policy (also OCX_NO_VERIFY=1); warns (default: false)
  --max-bytes N      most bytes unpacked in all; suffixes KiB, MiB, GiB (default: 4GiB); at most
                     100000 archive entries

Refused archives (paths outside DIR, absolute paths, symlinks or hardlinks that escape, writing
through a symlink, device nodes and fifos, over a cap) end with exit 65 and leave nothing behind.

Exit codes: 0 pulled, 81 blocked by policy (no layer was downloaded), 78 the policy does not load,
65 refused or unverifiable content, 79 not found, 64 usage (e.g. DIR not empty).

Defaults: --output: none (required); --policy: OCX_POLICY, else $OCX_HOME/policy.yaml when it
exists, else none (pull unverified, with a warning); --no-verify: false; --max-bytes: 4GiB;
--platform: the host's.

Examples:
  ocx pull ghcr.io/org/tool:1.2.3 -o ./tool
  ocx pull ghcr.io/org/tool:1.2.3 -o ./tool --platform linux/arm64 --policy ./policy.yaml
  OCX_NO_VERIFY=1 ocx pull localhost:5000/dev/tool:latest -o ./tool
`;
