import { describe, expect, it } from 'vitest';
import { OciError } from './errors.ts';
import { formatReference, parseReference } from './reference.ts';
import { referrersTag } from './tag-schema.ts';

const D = 'sha256:' + 'a'.repeat(64);

describe('parseReference', () => {
  it('parses registry, repository, tag and digest', () => {
    expect(parseReference(`reg.example:5000/a/b:v1@${D}`)).toEqual({ kind: 'registry', registry: 'reg.example:5000', host: 'reg.example:5000', repository: 'a/b', tag: 'v1', digest: D });
    expect(parseReference('localhost/x')).toMatchObject({ registry: 'localhost', repository: 'x', tag: 'latest' });
    expect(parseReference('127.0.0.1:5000/x:1.0')).toMatchObject({ host: '127.0.0.1:5000', tag: '1.0' });
  });

  it('applies no default tag with defaultTag null (a copy destination)', () => {
    expect(parseReference('localhost/x', { defaultTag: null }).tag).toBeUndefined();
    expect(parseReference('localhost/x:v2', { defaultTag: null }).tag).toBe('v2');
    expect(parseReference('oci-layout:/tmp/l', { defaultTag: null }).tag).toBeUndefined();
  });

  it('resolves a bare repo against the default registry, overridable by env', () => {
    expect(parseReference('ns/pkg:1', { env: {} })).toMatchObject({ registry: 'ocx.sh', repository: 'ns/pkg', tag: '1' });
    expect(parseReference('ns/pkg', { env: { OCX_DEFAULT_REGISTRY: 'r.example' } })).toMatchObject({ registry: 'r.example' });
  });

  it('normalises docker.io references', () => {
    expect(parseReference('docker.io/alpine')).toMatchObject({ registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/alpine' });
    expect(parseReference('index.docker.io/org/app:1')).toMatchObject({ registry: 'docker.io', repository: 'org/app' });
  });

  it('parses OCI layout references', () => {
    expect(parseReference('oci-layout:/tmp/lay:v1')).toEqual({ kind: 'oci-layout', path: '/tmp/lay', tag: 'v1', digest: undefined });
    expect(parseReference(`oci-layout:/tmp/a:b/lay@${D}`)).toEqual({ kind: 'oci-layout', path: '/tmp/a:b/lay', tag: undefined, digest: D });
    expect(parseReference('oci-layout:rel', { cwd: '/w' })).toMatchObject({ path: '/w/rel' });
  });

  it.each([
    ['', 'empty'],
    ['reg.example/UPPER:v1', 'repository "UPPER"'],
    ['reg.example/a:bad tag', 'white space'],
    ['reg.example/a:-bad', 'tag "-bad"'],
    ['reg.example/a@sha256:xyz', 'digest "sha256:xyz"'],
    ['oci-layout:', 'missing layout path'],
  ])('names the bad part of %j', (input, part) => {
    try {
      parseReference(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OciError);
      expect((err as OciError).code).toBe('INVALID_REFERENCE');
      expect((err as OciError).message).toContain(part);
    }
  });

  it('formats canonically', () => {
    expect(formatReference(parseReference('r.example/a:v1'))).toBe('r.example/a:v1');
    expect(formatReference(parseReference('r.example/a:v1'), D)).toBe(`r.example/a@${D}`);
  });
});

describe('referrersTag (distribution-spec "Referrers Tag Schema")', () => {
  it('maps sha256 digests to sha256-<hex>', () => {
    expect(referrersTag(D)).toBe(`sha256-${'a'.repeat(64)}`);
  });
  it('truncates sha512 to 64 hex characters', () => {
    expect(referrersTag('sha512:' + 'b'.repeat(128))).toBe(`sha512-${'b'.repeat(64)}`);
  });
  it('truncates long algorithms and replaces illegal characters', () => {
    expect(referrersTag(`${'x'.repeat(40)}+y:abc=`)).toBe(`${'x'.repeat(32)}-abc-`);
  });
});
