// `ocx sbom -o DIR`: the name an SBOM gets inside an existing directory, as `oras pull -o DIR` puts
// files into a directory. Built from the digest and format only, never from registry-supplied names
// (an `org.opencontainers.image.title` such as `../../.bashrc` must not choose the path).
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { normalizeMediaType, type SbomFinding } from '@ocx/sbom';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/spdx+json': 'spdx.json',
  'text/spdx+json': 'spdx.json',
  'text/spdx': 'spdx',
  'application/vnd.cyclonedx+json': 'cdx.json',
  'application/vnd.cyclonedx+xml': 'cdx.xml',
  'application/vnd.syft+json': 'syft.json',
};

const KIND_EXTENSIONS: Readonly<Record<SbomFinding['kind'], string>> = { spdx: 'spdx.json', cyclonedx: 'cdx.json', syft: 'syft.json', unknown: 'sbom' };

/** `sha256-<hex>.spdx.json`: the digest of exactly the bytes written, and the format's usual suffix. */
export function sbomFileName(f: Pick<SbomFinding, 'digest' | 'mediaType' | 'kind' | 'predicateType'>): string {
  // An attestation's predicate is always JSON; a raw layer says its format in its media type.
  const ext = (f.predicateType === undefined ? EXTENSIONS[normalizeMediaType(f.mediaType)] : undefined) ?? KIND_EXTENSIONS[f.kind];
  return `${f.digest.replace(':', '-')}.${ext}`;
}

/** Where `--output` writes: the path itself, or a file named by `sbomFileName` inside a directory. */
export async function outputPath(cwd: string, output: string, f: Parameters<typeof sbomFileName>[0]): Promise<string> {
  const path = resolve(cwd, output);
  if (await stat(path).then((s) => s.isDirectory(), () => false)) return join(path, sbomFileName(f));
  // `-o out/` names a directory that may not exist yet (oras pull -o creates it).
  if (output.endsWith('/') || output.endsWith(sep)) {
    await mkdir(path, { recursive: true });
    return join(path, sbomFileName(f));
  }
  return path;
}
