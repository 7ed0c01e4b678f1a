import { generateKeyPairSync, randomBytes, scryptSync, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { describe, expect, it } from 'vitest';
import { createPeerSandbox, requirePeer, runPeer } from '@ocx/testkit';
import { isEncryptedKey, isSignerError, loadSigningKey, loadSigningKeyAsync, signBytes } from '../src/index.ts';

/** cosign's encrypted key format, built here with a small scrypt cost to keep the test fast. */
function encryptCosignKey(pkcs8: Buffer, password: string, N = 1024): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(password, salt, 32, { N, r: 8, p: 1 });
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(pkcs8);
  const json = JSON.stringify({
    kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  });
  const body = Buffer.from(json).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

describe('loadSigningKey', () => {
  const data = Buffer.from('hello');

  for (const [name, pair, hash] of [
    ['P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256'],
    ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha256'],
    ['RSA', generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256'],
    ['Ed25519', generateKeyPairSync('ed25519'), null],
  ] as const) {
    it(`loads a plain PKCS#8 ${name} key and signs verifiably`, () => {
      const k = loadSigningKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
      expect(k.hash).toBe(hash);
      expect(k.publicKeyPem).toBe(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
      expect(verify(hash, data, pair.publicKey, signBytes(k, data))).toBe(true);
    });
  }

  it('loads SEC1 EC keys', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(loadSigningKey(pair.privateKey.export({ format: 'pem', type: 'sec1' }).toString()).hash).toBe('sha256');
  });

  it('decrypts cosign encrypted keys and rejects a wrong password', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = encryptCosignKey(pair.privateKey.export({ format: 'der', type: 'pkcs8' }), 's3cret');
    expect(isEncryptedKey(pem)).toBe(true);
    const k = loadSigningKey(pem, 's3cret');
    expect(k.publicKeyPem).toBe(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    expect(() => loadSigningKey(pem, 'wrong')).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
    expect(() => loadSigningKey(pem)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });

  it('loadSigningKeyAsync (scrypt off the main thread) gives the same key and the same refusals', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = encryptCosignKey(pair.privateKey.export({ format: 'der', type: 'pkcs8' }), 's3cret');
    const [a, b] = [loadSigningKey(pem, 's3cret'), await loadSigningKeyAsync(pem, 's3cret')];
    expect(b.publicKeyPem).toBe(a.publicKeyPem);
    expect(b.hint).toBe(a.hint);
    await expect(loadSigningKeyAsync(pem, 'wrong')).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    await expect(loadSigningKeyAsync(pem)).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect((await loadSigningKeyAsync(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).publicKeyPem).toBe(a.publicKeyPem);
  });

  it('rejects what it cannot use', () => {
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    for (const bad of ['not a key', secp256k1, '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGpzb24=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----']) {
      let err: unknown;
      try {
        loadSigningKey(bad, 'x');
      } catch (e) {
        err = e;
      }
      expect(isSignerError(err, 'INVALID_KEY'), String(err)).toBe(true);
    }
  });

  it('reads a key cosign generate-key-pair wrote', async (ctx) => {
    requirePeer('cosign2', ctx);
    const sandbox = await createPeerSandbox();
    try {
      const r = await runPeer('cosign2', ['generate-key-pair'], { sandbox, env: { COSIGN_PASSWORD: 'pw' } });
      expect(r.code, r.stderr).toBe(0);
      const k = loadSigningKey(await readFile(join(sandbox.dir, 'cosign.key'), 'utf8'), 'pw');
      expect(k.publicKeyPem.trim()).toBe((await readFile(join(sandbox.dir, 'cosign.pub'), 'utf8')).trim());
    } finally {
      await sandbox.cleanup();
    }
  });
});
