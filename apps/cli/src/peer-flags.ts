// Flags of cosign, notation and oras that ocx does not take. Scripts move over from the peers; a
// bare "Unknown option" leaves the user guessing, so an unknown flag a peer has gets "not supported
// by ocx: <what to use instead>" (issue 8 §4). Consulted only when parseArgs fails: a flag ocx has
// never reaches this table. README "Coming from cosign, notation or oras" lists the same mapping.

export interface PeerFlag {
  readonly flags: readonly string[];
  /** Which peers have it, as the user may know it. */
  readonly peers: string;
  readonly instead: string;
  /** Only for these ocx commands (first match wins: command-specific entries come first). */
  readonly commands?: readonly string[];
}

const KEYLESS = 'ocx signs keyless with an OIDC token it is given (no browser flow): --identity-token-file FILE, --identity-token-stdin, SIGSTORE_ID_TOKEN or the CI\'s ambient token — never a token in argv';
const PLAIN = 'use --plain-http for an http registry (a loopback host that does not speak TLS gets http by itself) or --insecure to skip TLS verification';

export const PEER_FLAGS: readonly PeerFlag[] = [
  { flags: ['--registry-token', '--identity-token'], peers: 'oras login', commands: ['login'], instead: 'ocx reads tokens from the docker config (identitytoken / registrytoken, or a credential helper)' },
  { flags: ['-r', '--recursive'], peers: 'oras cp', commands: ['copy'], instead: 'ocx copy copies the whole referrer graph by default (--no-referrers to leave it out)' },
  { flags: ['-r', '--recursive'], peers: 'cosign sign', commands: ['package'], instead: 'ocx package sign signs an index and every platform under it by default; --platform P signs one platform' },
  { flags: ['-o', '--output'], peers: 'cosign, oras', commands: ['verify', 'discover', 'package', 'copy', 'login', 'logout'], instead: 'use --format text|json for the output format; ocx sbom -o FILE|DIR writes an SBOM' },
  { flags: ['-p', '--password'], peers: 'oras, notation, docker', instead: 'secrets are never taken from argv: use --password-stdin (or OCX_PASSWORD) with -u USER' },
  { flags: ['-y', '--yes'], peers: 'cosign', instead: 'ocx never asks for confirmation: drop it' },
  { flags: ['--recursive', '-r'], peers: 'cosign, oras', instead: 'ocx package sign signs an index and its platforms by default; ocx copy copies referrers by default' },
  { flags: ['--output-file'], peers: 'cosign', instead: 'redirect stdout (with --format json for a document); ocx sbom --output FILE|DIR writes an SBOM' },
  { flags: ['-m'], peers: 'notation', instead: 'use --user-metadata k=v (ocx has no -m shorthand)' },
  { flags: ['--allow-insecure-registry', '--allow-http-registry', '--insecure-registry'], peers: 'cosign, notation', instead: PLAIN },
  { flags: ['--from-plain-http', '--to-plain-http', '--from-insecure', '--to-insecure'], peers: 'oras cp', instead: `${PLAIN}; it applies to both registries` },
  { flags: ['--oci-layout', '--from-oci-layout', '--to-oci-layout'], peers: 'oras, notation', instead: 'name the layout in the reference: oci-layout:PATH[:TAG|@DIGEST]' },
  { flags: ['-d', '--debug'], peers: 'oras, notation', instead: 'use -v/--verbose' },
  { flags: ['--registry-referrers-mode', '--distribution-spec'], peers: 'cosign, oras', instead: 'ocx detects the referrers API and falls back to the tag schema by itself' },
  // ocx package sign takes --rekor-url/--fulcio-url (keyless); verifying takes the instance as a trusted root.
  { flags: ['--rekor-url', '--fulcio-url', '--tuf-mirror', '--tuf-root'], peers: 'cosign', commands: ['verify', 'sbom', 'discover', 'copy'], instead: 'pass the private instance as --trusted-root trusted_root.json (cosign trusted-root create)' },
  { flags: ['--tuf-mirror', '--tuf-root'], peers: 'cosign', instead: 'pass the private instance as --trusted-root trusted_root.json (cosign trusted-root create)' },
  { flags: ['--certificate-chain', '--ca-roots', '--ca-intermediates', '--certificate'], peers: 'cosign', instead: 'put the CA in a --trusted-root trusted_root.json (cosign trusted-root create --certificate-chain …)' },
  { flags: ['--check-claims'], peers: 'cosign', instead: 'ocx always checks the claims against the digest it resolved' },
  { flags: ['--attachment'], peers: 'cosign v2', instead: 'use ocx sbom --require-signed with the trust flags' },
  { flags: ['--registry-token'], peers: 'oras', instead: 'ocx reads tokens from the docker config (identitytoken / registrytoken, or a credential helper)' },
  { flags: ['--oidc-issuer', '--identity-token', '--fulcio-auth-flow', '--sk', '--slot', '--oidc-client-id'], peers: 'cosign sign', instead: KEYLESS },
  { flags: ['--upload'], peers: 'cosign sign', instead: 'ocx package sign always pushes the signature to the registry' },
  { flags: ['--output-signature', '--output-certificate', '--output-payload', '--output-attestation'], peers: 'cosign', instead: 'not written by ocx: read the signature with ocx discover and the registry' },
  { flags: ['--id', '--plugin', '--plugin-config'], peers: 'notation sign', instead: 'ocx package sign --notation takes the key as --key FILE and the chain as --cert FILE (no plugins)' },
  { flags: ['--max-signatures'], peers: 'notation', instead: 'ocx caps the signatures it reads by itself' },
  { flags: ['--timestamp-server-url'], peers: 'cosign', commands: ['package'], instead: 'use --tsa-url URL (keyless; --notation takes --timestamp-url URL --timestamp-root-cert FILE)' },
  { flags: ['--timestamp-server-url'], peers: 'cosign', instead: 'RFC 3161 timestamps are written only for notation: --notation --timestamp-url URL --timestamp-root-cert FILE' },
];

/** The peer's name for an unknown flag and what to use in ocx, or undefined when no peer has it. */
export function peerFlagHint(command: string, flag: string): string | undefined {
  const name = flag.replace(/=.*$/, '');
  const hit = PEER_FLAGS.find((e) => e.flags.includes(name) && (!e.commands || e.commands.includes(command)));
  return hit && `${name} (${hit.peers}) is not supported by ocx: ${hit.instead}`;
}

/** parseArgs's "Unknown option '-y'" → the peer hint, else the message unchanged. */
export function explainParseError(command: string, message: string): string {
  const m = /Unknown option '([^']+)'/.exec(message);
  return (m && peerFlagHint(command, m[1]!)) ?? message;
}
