import { describe, expect, it } from 'vitest';
import { isNotationError } from '../errors.ts';
import { parseCertificate, parseCertificates } from './cert.ts';
import { findTrustAnchor, validateCertChain, type ChainPurpose } from './chain.ts';
import { matchTrustedIdentity } from '../policy/identity.ts';
import { makeCert, makeKey, makePki, type CertOptions } from './testcerts.ts';

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const name = { C: 'US', ST: 'WA', O: 'Acme', CN: 'self' };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isNotationError(err) ? err.code : `non-notation error: ${String(err)}`;
  }
  return undefined;
}

async function selfSigned(o: Partial<CertOptions> = {}, purpose: ChainPurpose = 'codeSigning'): Promise<string | undefined> {
  const key = o.key ?? (await makeKey({ kind: 'ec', curve: 'P-256' }));
  const der = await makeCert({ subject: name, key, ...o });
  return code(() => validateCertChain([der], purpose));
}

describe('notation certificate profile', () => {
  it('accepts a root → intermediate → leaf code-signing chain', async () => {
    const p = await makePki();
    expect(validateCertChain(p.chain, 'codeSigning').map((c) => c.subject)).toEqual([
      'CN=Acme Signer, OU=Build, O=Acme, L=Seattle, ST=WA, C=US',
      'CN=Acme Intermediate, O=Acme, ST=WA, C=US',
      'CN=Acme Root, O=Acme, ST=WA, C=US',
    ]);
  });

  it('accepts a single self-signed leaf (digitalSignature only, EKU absent or codeSigning)', async () => {
    expect(await selfSigned({ noBasicConstraints: true })).toBeUndefined();
    expect(await selfSigned({ eku: [CODE_SIGNING] })).toBeUndefined();
  });

  it('rejects leaf key usage and EKU violations', async () => {
    expect(await selfSigned({ keyUsageBits: [0, 5] })).toBe('CERT_INVALID'); // keyCertSign on a leaf
    expect(await selfSigned({ keyUsageBits: [2] })).toBe('CERT_INVALID'); // no digitalSignature
    expect(await selfSigned({ keyUsageBits: [] })).toBe('CERT_INVALID'); // keyUsage absent
    expect(await selfSigned({ kuCritical: false })).toBe('CERT_INVALID');
    expect(await selfSigned({ eku: [SERVER_AUTH] })).toBe('CERT_INVALID');
    expect(await selfSigned({ eku: [TIME_STAMPING] })).toBe('CERT_INVALID');
    expect(await selfSigned({ ca: true, keyUsageBits: [0] })).toBe('CERT_INVALID'); // leaf marked CA
  });

  it('rejects weak keys and SHA-1 signatures', async () => {
    expect(await selfSigned({ key: await makeKey({ kind: 'rsa', bits: 1024 }) })).toBe('CERT_INVALID');
    expect(await selfSigned({ hash: 'SHA-1' })).toBe('CERT_INVALID');
    expect(await selfSigned({ key: await makeKey({ kind: 'rsa', bits: 2048 }) })).toBeUndefined();
  });

  it('enforces CA basicConstraints (critical, cA, pathLen) and keyCertSign', async () => {
    const rootKey = await makeKey({ kind: 'ec', curve: 'P-256' });
    const rootName = { C: 'US', ST: 'WA', O: 'Acme', CN: 'root' };
    const leafKey = await makeKey({ kind: 'ec', curve: 'P-256' });
    const chainWith = async (rootOpts: Partial<CertOptions>) => {
      const root = await makeCert({ subject: rootName, key: rootKey, ca: true, ...rootOpts });
      const leaf = await makeCert({ subject: { ...name, CN: 'leaf' }, key: leafKey, issuer: { subject: rootName, key: rootKey } });
      return code(() => validateCertChain([leaf, root], 'codeSigning'));
    };
    expect(await chainWith({})).toBeUndefined();
    expect(await chainWith({ bcCritical: false })).toBe('CERT_INVALID');
    expect(await chainWith({ keyUsageBits: [6] })).toBe('CERT_INVALID');
    expect(await chainWith({ kuCritical: false })).toBe('CERT_INVALID');

    const p = await makePki();
    const rootPath0 = await makeCert({ subject: p.rootName, key: p.rootKey, ca: true, pathLen: 0 });
    expect(code(() => validateCertChain([p.leaf, p.intermediate, rootPath0], 'codeSigning'))).toBe('CERT_INVALID');
  });

  it('requires the chain in order and ending in a self-signed root', async () => {
    const p = await makePki();
    expect(code(() => validateCertChain([p.leaf, p.intermediate], 'codeSigning'))).toBe('CHAIN_INVALID');
    expect(code(() => validateCertChain([p.intermediate, p.leaf, p.root], 'codeSigning'))).toBe('CHAIN_INVALID');
    expect(code(() => validateCertChain([p.leaf, p.root], 'codeSigning'))).toBe('CHAIN_INVALID');
    expect(code(() => validateCertChain([], 'codeSigning'))).toBe('CHAIN_INVALID');
  });

  it('timestamping leaf: exactly one EKU, timeStamping, critical', async () => {
    expect(await selfSigned({ eku: [TIME_STAMPING], ekuCritical: true }, 'timestamping')).toBeUndefined();
    expect(await selfSigned({ eku: [TIME_STAMPING], ekuCritical: false }, 'timestamping')).toBe('CERT_INVALID');
    expect(await selfSigned({ eku: [TIME_STAMPING, CODE_SIGNING], ekuCritical: true }, 'timestamping')).toBe('CERT_INVALID');
    expect(await selfSigned({}, 'timestamping')).toBe('CERT_INVALID');
  });

  it('anchors trust on a byte-identical certificate of the chain', async () => {
    const p = await makePki();
    const other = await makePki();
    const chain = p.chain.map((c) => parseCertificate(c));
    expect(findTrustAnchor(chain, [other.root, p.root])?.subject).toBe('CN=Acme Root, O=Acme, ST=WA, C=US');
    expect(findTrustAnchor(chain, [p.intermediate])?.subject).toBe('CN=Acme Intermediate, O=Acme, ST=WA, C=US');
    expect(findTrustAnchor(chain, [other.root])).toBeUndefined();
  });

  it('parses PEM bundles and concatenated DER', async () => {
    const p = await makePki();
    const pem = p.chain.map((d) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(d).toString('base64')}\n-----END CERTIFICATE-----\n`).join('');
    expect(parseCertificates(pem)).toHaveLength(3);
    expect(parseCertificates(new Uint8Array(Buffer.concat(p.chain)))).toHaveLength(3);
    expect(code(() => parseCertificates(new Uint8Array([1, 2, 3])))).toBe('CERT_INVALID');
  });
});

describe('trusted identities against a real leaf (policy/identity.ts)', () => {
  it('matches a subset of the leaf subject RDNs, or *', async () => {
    const p = await makePki();
    const leaf = parseCertificate(p.leaf);
    expect(matchTrustedIdentity(['x509.subject: C=US, ST=WA, O=Acme'], leaf)).toEqual({ matched: true, identity: 'x509.subject: C=US, ST=WA, O=Acme' });
    expect(matchTrustedIdentity(['x509.subject: C=US, ST=WA, O=Acme, CN=Acme Signer, OU=Build, L=Seattle'], leaf).matched).toBe(true);
    expect(matchTrustedIdentity(['x509.subject: C=US, ST=WA, O=Other'], leaf).matched).toBe(false);
    expect(matchTrustedIdentity(['x509.subject: C=US, ST=WA, O=Acme, CN=Someone'], leaf).matched).toBe(false);
    expect(matchTrustedIdentity(['arn:aws:signer:us-east-1:1:/signing-profiles/x', '*'], leaf)).toMatchObject({ matched: true, identity: '*' });
  });
});
