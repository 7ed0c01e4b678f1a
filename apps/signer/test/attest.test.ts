import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSignerError, MAX_PREDICATE_BYTES, readInputFile, resolvePredicate, classifySbom } from '../src/index.ts';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const now = new Date('2026-05-01T10:00:00.500Z');
const SPDX_TV = 'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: app\n';
const CDX = { bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSignerError(e) ? e.code : 'other';
  }
}

describe('resolvePredicate (cosign --type table, OCX refusals)', () => {
  it('resolves aliases and URIs; embeds JSON, wraps custom data, keeps SPDX tag-value as a string', () => {
    expect(resolvePredicate('cyclonedx', enc(CDX), now)).toMatchObject({ predicateType: 'https://cyclonedx.org/bom', predicate: CDX });
    expect(resolvePredicate('slsaprovenance1', enc({ a: 1 }), now)).toMatchObject({ predicateType: 'https://slsa.dev/provenance/v1', predicate: { a: 1 } });
    expect(resolvePredicate('openvex', enc({ a: 1 }), now).predicateType).toBe('https://openvex.dev/ns');
    expect(resolvePredicate('link', enc({ a: 1 }), now).predicateType).toBe('https://in-toto.io/Link/v1');
    expect(resolvePredicate('vuln', enc({ a: 1 }), now).predicateType).toBe('https://cosign.sigstore.dev/attestation/vuln/v1');
    expect(resolvePredicate('custom', enc('free text'), now)).toEqual({ predicateType: 'https://cosign.sigstore.dev/attestation/v1', predicate: { Data: 'free text', Timestamp: '2026-05-01T10:00:00Z' } });
    expect(resolvePredicate('spdx', enc(SPDX_TV), now).predicate).toBe(SPDX_TV);
    expect(resolvePredicate('https://example.com/p/v1', enc({ x: true }), now).predicateType).toBe('https://example.com/p/v1');
  });

  it('refuses with a reason: SLSA v0.2, unknown types, non-JSON, non-objects, mismatched SBOMs, oversize', () => {
    expect(code(() => resolvePredicate('slsaprovenance', enc({}), now))).toBe('REFUSED');
    expect(code(() => resolvePredicate('slsaprovenance02', enc({}), now))).toBe('REFUSED');
    expect(code(() => resolvePredicate('nonsense', enc({}), now))).toBe('REFUSED');
    expect(code(() => resolvePredicate('link', enc('nope'), now))).toBe('PREDICATE_INVALID');
    expect(code(() => resolvePredicate('link', enc('[1,2]'), now))).toBe('PREDICATE_INVALID');
    expect(code(() => resolvePredicate('cyclonedx', enc(SPDX_TV), now))).toBe('PREDICATE_INVALID');
    expect(code(() => resolvePredicate('spdxjson', enc(SPDX_TV), now))).toBe('PREDICATE_INVALID');
    expect(code(() => resolvePredicate('link', new Uint8Array(MAX_PREDICATE_BYTES + 1), now))).toBe('PREDICATE_INVALID');
  });

  it('classifySbom: artifactType by format; --unsigned refuses non-SBOM types', () => {
    expect(classifySbom(enc(CDX)).mediaType).toBe('application/vnd.cyclonedx+json');
    expect(classifySbom(enc(SPDX_TV)).mediaType).toBe('text/spdx');
    expect(code(() => classifySbom(enc(CDX), 'slsaprovenance1'))).toBe('REFUSED');
    expect(code(() => classifySbom(enc({ hello: 1 })))).toBe('PREDICATE_INVALID');
  });
});

describe('readInputFile', () => {
  it('reads a regular file; refuses symlinks (O_NOFOLLOW), directories and files over the cap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-input-'));
    try {
      await writeFile(join(dir, 'p.json'), '{}');
      await symlink(join(dir, 'p.json'), join(dir, 'link.json'));
      expect(new TextDecoder().decode(await readInputFile(join(dir, 'p.json'), '--predicate', 10))).toBe('{}');
      await expect(readInputFile(join(dir, 'link.json'), '--predicate', 10)).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringMatching(/symbolic link/) });
      await expect(readInputFile(dir, '--predicate', 10)).rejects.toMatchObject({ code: 'READ_FAILED' });
      await expect(readInputFile(join(dir, 'p.json'), '--predicate', 1)).rejects.toMatchObject({ code: 'PREDICATE_INVALID' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('attestPackage with an unreachable transparency log', () => {
  it('fails with TLOG_FAILED and pushes no referrer', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { RegistryClient, RemoteRepository } = await import('@ocx/oci');
    const { createEmulator, pushImage } = await import('@ocx/testkit');
    const { attestPackage, loadSigningKey } = await import('../src/index.ts');
    const emu = createEmulator();
    const repo = new RemoteRepository(new RegistryClient({ fetch: emu.fetch as never }), { host: 'registry.test', registry: 'registry.test', repository: 'app' });
    await pushImage(repo, 'tlog', 'v1');
    emu.clearLog();
    const key = loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const err = await attestPackage(repo, 'v1', { key, type: 'link', predicate: enc({ a: 1 }), repositoryName: 'registry.test/app', tlogUpload: true, rekorURL: 'http://127.0.0.1:9', now }).catch((e: unknown) => e);
    expect(isSignerError(err, 'TLOG_FAILED')).toBe(true);
    expect(emu.log.filter((e) => e.method === 'PUT' && e.path.includes('/manifests/'))).toEqual([]);
  }, 60_000);
});
