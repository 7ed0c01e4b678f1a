import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@ocx/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { loadTrustStore, loadTrustStores, parseTrustStoreFile, trustStorePath } from './load.ts';
import { splitCertificateFile } from './pem.ts';
import type { TrustStoreRef } from './types.ts';

const localkeys = (f: string) => fixturePath('notation/test/e2e/testdata/config/localkeys', f);
const timestampRoots = (f: string) => fixturePath('notation/test/e2e/testdata/config/timestamp', f);
const ngo = (...p: string[]) => fixturePath('notation-go/verifier/testdata/truststore/x509', ...p);

let config = '';
beforeEach(() => {
  config = mkdtempSync(join(tmpdir(), 'ocx-truststore-'));
});
afterEach(() => rmSync(config, { recursive: true, force: true }));

// Build {config}/truststore/x509/{type}/{name}/ holding copies of the given files.
function store(ref: TrustStoreRef, files: Record<string, string>): string {
  const dir = trustStorePath(config, ref);
  mkdirSync(dir, { recursive: true });
  for (const [name, src] of Object.entries(files)) copyFileSync(src, join(dir, name));
  return dir;
}

async function failure(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return { code: isNotationError(err) ? err.code : undefined, message: (err as Error).message };
}

const CA: TrustStoreRef = { type: 'ca', name: 'e2e' };

describe('loadTrustStore', () => {
  it('reads notation layout truststore/x509/{type}/{name} with a PEM certificate', async () => {
    const dir = store(CA, { 'e2e.crt': localkeys('e2e.crt') });
    expect(dir).toBe(join(config, 'truststore', 'x509', 'ca', 'e2e'));
    const ts = await loadTrustStore(config, CA);
    expect(ts).toMatchObject({ type: 'ca', name: 'e2e', path: dir });
    expect(ts.certificates).toHaveLength(1);
    const [c] = ts.certificates;
    expect(c!.file).toBe('e2e.crt');
    expect(c!.certificate.subject).toContain('CN=e2e');
    // sha256 of e2e.crt's DER, as listed in the fixtures' SOURCES.md.
    expect(c!.certificate.sha256.startsWith('e38aea13')).toBe(true);
    expect(Buffer.from(c!.der).equals(Buffer.from(c!.certificate.der))).toBe(true);
  });

  it('reads DER and PEM files whatever their extension, in file-name order', async () => {
    const ref: TrustStoreRef = { type: 'ca', name: 'valid-trust-store' };
    store(ref, {
      'b-GlobalSign.der': ngo('ca/valid-trust-store/GlobalSign.der'),
      'a-root.pem': ngo('ca/valid-trust-store/NotationTestRoot.pem'),
      'c-noext': localkeys('new_e2e.crt'),
      'd.cer': ngo('ca/valid-trust-store/GlobalSignRootCA.crt'),
    });
    const ts = await loadTrustStore(config, ref);
    expect(ts.certificates.map((c) => c.file)).toEqual(['a-root.pem', 'b-GlobalSign.der', 'c-noext', 'd.cer']);
  });

  it('loads the notation-go valid stores (ca, signingAuthority, tsa)', async () => {
    const cases: [TrustStoreRef, string[]][] = [
      [{ type: 'ca', name: 'valid-trust-store' }, ['GlobalSign.der', 'GlobalSignRootCA.crt', 'NotationTestRoot.pem', 'TestTimestamp.crt', 'TestTimestampNotYetValid.crt', 'wabbit-networks.io.crt']],
      [{ type: 'ca', name: 'valid-trust-store-self-signed' }, ['openssl-minimum-self-signed.pem']],
      [{ type: 'signingAuthority', name: 'valid-trust-store' }, ['GlobalSign.der', 'GlobalSignRootCA.crt', 'NotationTestRoot.pem']],
      [{ type: 'tsa', name: 'test-timestamp' }, ['globalsignRoot.cer']],
    ];
    for (const [ref, files] of cases) {
      store(ref, Object.fromEntries(files.map((f) => [f, ngo(ref.type, ref.name, f)])));
      const ts = await loadTrustStore(config, ref);
      expect(ts.certificates.length).toBeGreaterThanOrEqual(files.length);
    }
  });

  it('accepts the e2e timestamp roots in a tsa store', async () => {
    const ref: TrustStoreRef = { type: 'tsa', name: 'e2e' };
    store(ref, { 'globalsignTSARoot.cer': timestampRoots('globalsignTSARoot.cer'), 'DigiCertTSARootSHA384.cer': timestampRoots('DigiCertTSARootSHA384.cer') });
    expect((await loadTrustStore(config, ref)).certificates).toHaveLength(2);
  });

  it('ignores subdirectories', async () => {
    const dir = store(CA, { 'e2e.crt': localkeys('e2e.crt') });
    mkdirSync(join(dir, 'sub-dir'));
    writeFileSync(join(dir, 'sub-dir', 'junk.crt'), 'not a certificate');
    expect((await loadTrustStore(config, CA)).certificates.map((c) => c.file)).toEqual(['e2e.crt']);
  });

  it('refuses a symlinked certificate file, naming it', async () => {
    const dir = store(CA, { 'e2e.crt': localkeys('e2e.crt') });
    symlinkSync(localkeys('new_e2e.crt'), join(dir, 'linked.crt'));
    const f = await failure(loadTrustStore(config, CA));
    expect(f.code).toBe('TRUSTSTORE_INVALID');
    expect(f.message).toContain('"linked.crt"');
    expect(f.message).toContain('symlink');
  });

  it('refuses a symlinked store directory', async () => {
    const real = join(config, 'elsewhere');
    mkdirSync(real);
    copyFileSync(localkeys('e2e.crt'), join(real, 'e2e.crt'));
    mkdirSync(join(config, 'truststore', 'x509', 'ca'), { recursive: true });
    symlinkSync(real, trustStorePath(config, CA));
    const f = await failure(loadTrustStore(config, CA));
    expect(f.code).toBe('TRUSTSTORE_INVALID');
    expect(f.message).toMatch(/ca:e2e .* is not a directory \(symlinks are refused\)/);
  });

  it('reports an empty store with its path', async () => {
    const dir = store(CA, {});
    mkdirSync(join(dir, 'only-a-subdir'));
    const f = await failure(loadTrustStore(config, CA));
    expect(f.code).toBe('TRUSTSTORE_INVALID');
    expect(f.message).toBe(`trust store ca:e2e (${dir}) contains no certificates`);
  });

  it('reports a missing store (invalid_trust_store_trustpolicy.json names ca:invalid_store)', async () => {
    const f = await failure(loadTrustStore(config, { type: 'ca', name: 'invalid_store' }));
    expect(f.code).toBe('TRUSTSTORE_INVALID');
    expect(f.message).toContain(`trust store ca:invalid_store (${join(config, 'truststore/x509/ca/invalid_store')}) does not exist`);
  });

  it('reports an invalid certificate file, naming it', async () => {
    const dir = store(CA, { 'e2e.crt': localkeys('e2e.crt') });
    writeFileSync(join(dir, 'broken.pem'), 'hello, not a certificate');
    const f = await failure(loadTrustStore(config, CA));
    expect(f.code).toBe('TRUSTSTORE_INVALID');
    expect(f.message).toContain(`certificate file "broken.pem" in trust store ca:e2e (${join(dir, 'broken.pem')})`);
  });

  it('refuses an empty certificate file and a PEM file with a non-certificate block', async () => {
    const dir = store(CA, {});
    writeFileSync(join(dir, 'empty.crt'), '');
    expect((await failure(loadTrustStore(config, CA))).message).toContain('"empty.crt" in trust store ca:e2e (');
    rmSync(join(dir, 'empty.crt'));
    const pem = readFileSync(localkeys('e2e.crt'), 'utf8');
    const key = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPrN\n-----END PRIVATE KEY-----\n';
    writeFileSync(join(dir, 'with-key.pem'), pem + key);
    expect((await failure(loadTrustStore(config, CA))).message).toMatch(/"with-key\.pem".*certificate 2 cannot be parsed/);
  });

  it('refuses leaf certificates that are neither CA nor self-signed (notation-go testdata)', async () => {
    const ref: TrustStoreRef = { type: 'ca', name: 'trust-store-with-leaf-certs' };
    store(ref, { 'GlobalSignRootCA.crt': ngo('ca/trust-store-with-leaf-certs/GlobalSignRootCA.crt'), 'non-ca.crt': ngo('ca/trust-store-with-leaf-certs/non-ca.crt') });
    const f = await failure(loadTrustStore(config, ref));
    expect(f.message).toMatch(/"non-ca\.crt".*neither a CA certificate nor a self-signed signing certificate/);
    const single: TrustStoreRef = { type: 'ca', name: 'single' };
    store(single, { 'RootAndLeafCerts.crt': ngo('ca/trust-store-with-leaf-certs-in-single-file/RootAndLeafCerts.crt') });
    expect((await failure(loadTrustStore(config, single))).message).toContain('"RootAndLeafCerts.crt"');
  });

  it('tsa stores hold root CAs only (notation-go testdata)', async () => {
    const nonCA: TrustStoreRef = { type: 'tsa', name: 'test-nonCA' };
    store(nonCA, { 'wabbit-networks.io.crt': ngo('tsa/test-nonCA/wabbit-networks.io.crt') });
    expect((await failure(loadTrustStore(config, nonCA))).message).toMatch(/"wabbit-networks\.io\.crt".*not a root CA: it is not a CA certificate/);
    const nonSelf: TrustStoreRef = { type: 'tsa', name: 'test-nonSelfIssued' };
    store(nonSelf, { 'nonSelfIssued.crt': ngo('tsa/test-nonSelfIssued/nonSelfIssued.crt') });
    expect((await failure(loadTrustStore(config, nonSelf))).message).toMatch(/"nonSelfIssued\.crt".*not a root CA/);
    // A self-signed leaf is fine in a ca store but not in a tsa store.
    const leaf: TrustStoreRef = { type: 'tsa', name: 'leaf' };
    store(leaf, { 'e2e.crt': localkeys('e2e.crt') });
    expect((await failure(loadTrustStore(config, leaf))).message).toContain('not a root CA');
  });

  it('validates the type and name before touching the disk', async () => {
    for (const ref of [{ type: 'x509', name: 'a' }, { type: 'ca', name: '..' }, { type: 'ca', name: 'a/b' }, { type: 'ca', name: '' }]) {
      expect((await failure(loadTrustStore(config, ref as TrustStoreRef))).code).toBe('TRUSTSTORE_INVALID');
    }
  });

  it('loadTrustStores loads a statement’s stores in order', async () => {
    store(CA, { 'e2e.crt': localkeys('e2e.crt') });
    store({ type: 'ca', name: 'e2e-new' }, { 'new_e2e.crt': localkeys('new_e2e.crt') });
    const stores = await loadTrustStores(config, [CA, { type: 'ca', name: 'e2e-new' }]);
    expect(stores.map((s) => `${s.type}:${s.name}`)).toEqual(['ca:e2e', 'ca:e2e-new']);
  });
});

describe('splitCertificateFile (pure)', () => {
  const pem = readFileSync(localkeys('e2e.crt'));
  const der = readFileSync(ngo('ca/valid-trust-store/GlobalSign.der'));

  it('splits PEM bundles and concatenated DER', () => {
    const two = Buffer.concat([pem, Buffer.from('\n'), readFileSync(localkeys('new_e2e.crt'))]);
    expect(splitCertificateFile(two)).toHaveLength(2);
    expect(splitCertificateFile(Buffer.concat([der, der]))).toHaveLength(2);
    expect(Buffer.from(splitCertificateFile(der)[0]!).equals(der)).toBe(true);
  });

  it('accepts CRLF line endings and text around PEM blocks', () => {
    const crlf = Buffer.from('subject=e2e\r\n' + pem.toString('utf8').replace(/\n/g, '\r\n'));
    expect(splitCertificateFile(crlf)).toHaveLength(1);
  });

  it('rejects truncated or trailing DER data', () => {
    expect(() => splitCertificateFile(der.subarray(0, der.length - 1))).toThrow(/truncated/);
    expect(() => splitCertificateFile(Buffer.concat([der, Buffer.from([1, 2])]))).toThrow();
  });

  it('returns nothing for empty input', () => {
    expect(splitCertificateFile(new Uint8Array())).toEqual([]);
  });

  it('parseTrustStoreFile is usable without the file system', () => {
    const certs = parseTrustStoreFile(pem, 'e2e.crt', CA);
    expect(certs).toHaveLength(1);
    expect(() => parseTrustStoreFile(pem, 'e2e.crt', { type: 'tsa', name: 't' })).toThrow(/not a root CA/);
  });
});
