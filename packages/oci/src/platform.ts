import { OciError } from './errors.ts';
import type { Descriptor, ImageIndex, Platform } from './types.ts';

// Platform selection from an image index (image-spec image-index.md "platform").

export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
const NODE_OS: Record<string, string> = { win32: 'windows', linux: 'linux', darwin: 'darwin', freebsd: 'freebsd' };

export function hostPlatform(): PlatformSpec {
  return { os: NODE_OS[process.platform] ?? process.platform, architecture: NODE_ARCH[process.arch] ?? process.arch };
}

export function parsePlatform(input: string): PlatformSpec {
  const parts = input.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-zA-Z0-9._-]+$/.test(p))) {
    throw new OciError('INVALID_PLATFORM', `invalid platform "${input}": expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  }
  return { os: parts[0]!, architecture: parts[1]!, variant: parts[2] };
}

export function formatPlatform(p: PlatformSpec | Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function matches(want: PlatformSpec, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (want.variant === undefined) return true;
  // arm64 images usually omit the implied v8 variant.
  const variant = have.variant ?? (have.architecture === 'arm64' ? 'v8' : undefined);
  return variant === want.variant;
}

/** Attestation manifests in BuildKit-style indexes carry unknown/unknown and are never a platform. */
export function isAttestationEntry(d: Descriptor): boolean {
  return d.platform?.os === 'unknown' && d.platform.architecture === 'unknown';
}

/** The platforms an index offers, without attestation entries. */
export function platformEntries(index: ImageIndex): Descriptor[] {
  return index.manifests.filter((d) => d.platform !== undefined && !isAttestationEntry(d));
}

export function selectPlatform(index: ImageIndex, want: PlatformSpec): Descriptor {
  const entries = platformEntries(index);
  // Prefer an exact variant match, then the first compatible entry (docker's rule for a missing variant).
  const exact = entries.find((d) => matches(want, d.platform!) && (want.variant === undefined || d.platform!.variant === want.variant));
  const found = exact ?? entries.find((d) => matches(want, d.platform!));
  if (!found) {
    const offered = entries.map((d) => formatPlatform(d.platform!)).join(', ') || 'none';
    throw new OciError('PLATFORM_NOT_FOUND', `no manifest for platform ${formatPlatform(want)} (offered: ${offered})`);
  }
  return found;
}
