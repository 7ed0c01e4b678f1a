import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { type RealRegistry, type RegistryKind, freePort, registryOrSkip, startRegistry } from './registries.ts';
import { makeTestCertificate } from './tls.ts';

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

// Monolithic upload: POST opens a session, PUT ?digest= closes it (distribution-spec "Pushing a blob monolithically").
async function pushBlob(reg: RealRegistry, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const loc = new URL(start.headers.get('location')!, reg.url);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  expect(put.status).toBe(201);
  return digest;
}

async function pushManifest(reg: RealRegistry, repo: string, ref: string, manifest: object): Promise<{ digest: string; bytes: Uint8Array; res: Response }> {
  const bytes = enc(JSON.stringify(manifest));
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return { digest: sha256(bytes), bytes, res };
}

const emptyConfig = enc('{}');

async function pushImage(reg: RealRegistry, repo: string, tag: string) {
  const layer = enc(`layer for ${repo}:${tag}`);
  const configDigest = await pushBlob(reg, repo, emptyConfig);
  const layerDigest = await pushBlob(reg, repo, layer);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: emptyConfig.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  };
  const m = await pushManifest(reg, repo, tag, manifest);
  return { ...m, layer, layerDigest, configDigest };
}

function roundTrip(kind: RegistryKind) {
  return () => {
    let reg: RealRegistry;
    beforeAll(async () => {
      reg = await startRegistry(kind);
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('answers /v2/ on loopback', async () => {
      expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(reg.url).toBe(`http://${reg.host}`);
      const res = await fetch(`${reg.url}/v2/`);
      expect(res.status).toBe(200);
    });

    it('stores a blob and a manifest and serves them back', async () => {
      const img = await pushImage(reg, 'ocx/round-trip', 'v1');
      expect(img.res.headers.get('docker-content-digest')).toBe(img.digest);

      const byTag = await fetch(`${reg.url}/v2/ocx/round-trip/manifests/v1`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect(byTag.status).toBe(200);
      expect(byTag.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(new Uint8Array(await byTag.arrayBuffer())).toEqual(img.bytes);

      const byDigest = await fetch(`${reg.url}/v2/ocx/round-trip/manifests/${img.digest}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect(byDigest.status).toBe(200);
      expect(byDigest.headers.get('docker-content-digest')).toBe(img.digest);

      const blob = await fetch(`${reg.url}/v2/ocx/round-trip/blobs/${img.layerDigest}`);
      expect(blob.status).toBe(200);
      expect(new Uint8Array(await blob.arrayBuffer())).toEqual(img.layer);
    });
  };
}

const d2 = registryOrSkip('distribution2');
describe.skipIf(!d2)('distribution 2.8 (Debian docker-registry)', () => {
  describe('round trip', roundTrip('distribution2'));

  it('has no referrers API (404), so clients must use the tag schema', async () => {
    const reg = await startRegistry('distribution2');
    try {
      const img = await pushImage(reg, 'ocx/no-referrers', 'v1');
      const res = await fetch(`${reg.url}/v2/ocx/no-referrers/referrers/${img.digest}`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      });
      await res.arrayBuffer();
      expect(res.status).toBe(404);
    } finally {
      await reg.stop();
    }
  });

  it('runs several at once and stop() kills the process and removes its storage', async () => {
    const [a, b] = await Promise.all([startRegistry('distribution2'), startRegistry('distribution2')]);
    expect(a.port).not.toBe(b.port);
    await a.stop();
    await a.stop(); // idempotent
    expect(() => process.kill(a.pid, 0)).toThrow();
    expect(existsSync(a.storageDir)).toBe(false);
    expect((await fetch(`${b.url}/v2/`)).status).toBe(200);
    await b.stop();
  });

  it('moves to another port when the chosen one is taken (EADDRINUSE)', async () => {
    const busy = createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', () => r()));
    try {
      const reg = await startRegistry('distribution2', { port });
      expect(reg.port).not.toBe(port);
      expect((await fetch(`${reg.url}/v2/`)).status).toBe(200);
      await reg.stop();
    } finally {
      busy.close();
    }
  });

  it('serves https (http.tls) with htpasswd (bcrypt) Basic auth', async () => {
    const cert = await makeTestCertificate();
    const reg = await startRegistry('distribution2', { tls: { certFile: cert.certFile, keyFile: cert.keyFile }, htpasswd: { alice: 's3cret' } });
    try {
      expect(reg.url).toBe(`https://127.0.0.1:${reg.port}`);
      const ca = await readFile(cert.caFile);
      const get = (auth?: string) =>
        new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
          const req = request(`${reg.url}/v2/`, { ca, headers: auth ? { authorization: auth } : {} }, (res) => {
            res.resume();
            resolve({ status: res.statusCode!, challenge: res.headers['www-authenticate'] });
          });
          req.on('error', reject);
          req.end();
        });
      const anon = await get();
      expect(anon.status).toBe(401);
      expect(anon.challenge).toMatch(/^Basic realm="ocx-test"/);
      expect((await get(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`)).status).toBe(200);
      expect((await get(`Basic ${Buffer.from('alice:wrong').toString('base64')}`)).status).toBe(401);
    } finally {
      await reg.stop();
      await cert.cleanup();
    }
  });
});

const d3 = registryOrSkip('distribution3');
describe.skipIf(!d3)('distribution v3 (peer registry3)', () => {
  describe('round trip', roundTrip('distribution3'));

  it('stores a manifest with subject, but has no referrers API and sends no OCI-Subject (v3.1.2)', async () => {
    const reg = await startRegistry('distribution3');
    try {
      const img = await pushImage(reg, 'ocx/referrers', 'v1');
      const configDigest = sha256(emptyConfig);
      const sig = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.example.test',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: emptyConfig.length },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: emptyConfig.length }],
        subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: img.bytes.length },
        annotations: { 'org.example.note': 'hello' },
      };
      const pushed = await pushManifest(reg, 'ocx/referrers', sha256(enc(JSON.stringify(sig))), sig);
      // distribution-spec "Pushing Manifests with Subject": a registry with the API MUST answer OCI-Subject;
      // its absence is what tells a client to maintain the tag-schema index itself.
      expect(pushed.res.headers.get('oci-subject')).toBeNull();

      const back = await fetch(`${reg.url}/v2/ocx/referrers/manifests/${pushed.digest}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect(new Uint8Array(await back.arrayBuffer())).toEqual(pushed.bytes);

      const res = await fetch(`${reg.url}/v2/ocx/referrers/referrers/${img.digest}`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      });
      await res.arrayBuffer();
      expect(res.status).toBe(404);
    } finally {
      await reg.stop();
    }
  });
});
