import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectReferrers, discover, LayoutRepository, OciError, referrersTag, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { cannedFaults, createEmulator, pushImage, pushManifest, pushMultiPlatform, pushReferrer, type Emulator } from '@ocx/testkit';

// Hostile registry answers end in typed errors (or a documented fallback), never hangs or crashes.

const HOST = '127.0.0.1:5999';

function setup(options: Parameters<typeof createEmulator>[0] = {}, fetchWrap?: (f: Emulator['fetch']) => Emulator['fetch']) {
  const emu = createEmulator(options);
  const warnings: string[] = [];
  const client = new RegistryClient({ fetch: fetchWrap ? fetchWrap(emu.fetch) : emu.fetch, onWarning: (m) => warnings.push(m) });
  const repo = (name = 'hostile/app') => new RemoteRepository(client, { host: HOST, registry: HOST, repository: name });
  return { emu, client, repo, warnings };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OciError);
    return (err as OciError).code;
  }
  return 'no error';
}

describe('hostile registry answers', () => {
  it('digest mismatch on manifests and blobs', async () => {
    const { emu, repo } = setup();
    const desc = await pushImage(repo(), 'x', 'v1');
    const layerDigest = JSON.parse(new TextDecoder().decode(await repo().fetch(desc))).layers[0].digest as string;
    const layer: Descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: 7 };
    emu.setFaults(cannedFaults.wrongDigest());
    // A fresh client: nothing cached from the honest answers above.
    const r = new RemoteRepository(new RegistryClient({ fetch: emu.fetch }), { host: HOST, registry: HOST, repository: 'hostile/app' });
    expect(await code(r.resolve(desc.digest))).toBe('DIGEST_MISMATCH');
    expect(await code(r.resolve('v1'))).toBe('DIGEST_MISMATCH');
    expect(await code(r.fetch(desc))).toBe('DIGEST_MISMATCH');
    expect(await code(r.fetch(layer))).toBe('DIGEST_MISMATCH');
    const drain = async () => {
      for await (const chunk of await r.fetchStream(layer)) void chunk;
    };
    expect(await code(drain())).toBe('DIGEST_MISMATCH');
  });

  it('oversize manifest', async () => {
    const { emu, repo } = setup();
    emu.setFaults(cannedFaults.oversizeManifest());
    expect(await code(repo().resolve('v1'))).toBe('TOO_LARGE');
  });

  it('pagination loop', async () => {
    const { emu, repo } = setup({ pageSize: 1 });
    const r = repo();
    const subject = await pushImage(r, 's', 'v1');
    for (let i = 0; i < 3; i++) await pushReferrer(r, subject, `application/vnd.t${i}`);
    emu.setFaults(cannedFaults.paginationLoop());
    expect(await code(collectReferrers(r.referrers(subject)))).toBe('PAGINATION');
  });

  it('cross-origin Link is never followed', async () => {
    const seen: string[] = [];
    const { emu, repo } = setup({ pageSize: 1 }, (f) => (input, init) => {
      seen.push(new URL(input instanceof Request ? input.url : input).host);
      return f(input, init);
    });
    const r = repo();
    const subject = await pushImage(r, 's', 'v1');
    for (let i = 0; i < 3; i++) await pushReferrer(r, subject, `application/vnd.t${i}`);
    emu.setFaults(cannedFaults.crossOriginLink('http://evil.example'));
    expect(await code(collectReferrers(r.referrers(subject)))).toBe('PAGINATION');
    expect(seen).not.toContain('evil.example');
  });

  it('a blob redirect to another host gets no Authorization', async () => {
    const requests: { host: string; auth: string | null }[] = [];
    const emu = createEmulator();
    const wrapped: Emulator['fetch'] = (input, init) => {
      const req = new Request(input, init);
      requests.push({ host: new URL(req.url).host, auth: req.headers.get('authorization') });
      return emu.fetch(req);
    };
    const client = new RegistryClient({ fetch: wrapped, credentials: async () => ({ username: 'u', password: 'p' }) });
    const r = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'auth/app' });
    const desc = await pushImage(r, 'a', 'v1');
    const layerDigest = JSON.parse(new TextDecoder().decode(await r.fetch(desc))).layers[0].digest as string;
    emu.setFaults(async (req) => {
      const u = new URL(req.url);
      if (u.host === HOST && !req.headers.get('authorization')) return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401, headers: { 'www-authenticate': 'Basic realm="test"' } });
      if (u.host === HOST && /\/blobs\/sha256:/.test(u.pathname) && req.method === 'GET') return new Response(null, { status: 307, headers: { location: `${u.protocol}//storage.example${u.pathname}` } });
      return undefined;
    });
    requests.length = 0;
    const bytes = await r.fetch({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: 7 });
    expect(new TextDecoder().decode(bytes)).toBe('layer a');
    const toRegistry = requests.filter((q) => q.host === HOST);
    const toStorage = requests.filter((q) => q.host === 'storage.example');
    expect(toRegistry.at(-1)?.auth).toMatch(/^Basic /);
    expect(toStorage).toHaveLength(1);
    expect(toStorage[0]!.auth).toBeNull();
  });

  it('a false 200 on /referrers means "no API": the tag schema answers', async () => {
    const { emu, repo, client } = setup({ referrersApi: false });
    const r = repo();
    const subject = await pushImage(r, 's', 'v1');
    const ref = await pushReferrer(r, subject, 'application/vnd.example.sig');
    emu.setReferrersApi(true);
    emu.setFaults(cannedFaults.falseReferrers200());
    const listed = await collectReferrers(r.referrers(subject));
    expect(listed.map((d) => d.digest)).toEqual([ref.digest]);
    expect(r.referrersMode).toBe('tag-schema');
    expect(await client.capability.get(HOST)).toBe('unsupported');
  });

  it('a fallback tag pointing at the subject (GitLab) is "no referrers", with a warning', async () => {
    const { repo, warnings } = setup({ referrersApi: false });
    const r = repo();
    const subject = await pushImage(r, 's', 'v1');
    await r.tag(subject, `sha256-${subject.digest.slice(7)}`);
    expect(await collectReferrers(r.referrers(subject))).toEqual([]);
    expect(warnings.join('\n')).toMatch(/not a referrers index/);
  });

  it('bearer tokens are fetched once per scope and reused', async () => {
    const emu = createEmulator();
    let tokenRequests = 0;
    emu.setFaults((req) => {
      const u = new URL(req.url);
      if (u.pathname === '/token') {
        tokenRequests++;
        expect(u.searchParams.get('scope')).toMatch(/^repository:bearer\/app:pull/);
        return Response.json({ token: 'tkn', expires_in: 300 });
      }
      if (req.headers.get('authorization') !== 'Bearer tkn') {
        return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401, headers: { 'www-authenticate': `Bearer realm="http://${HOST}/token",service="${HOST}",scope="repository:bearer/app:pull"` } });
      }
      return undefined;
    });
    const client = new RegistryClient({ fetch: emu.fetch });
    const r = new RemoteRepository(client, { host: HOST, registry: HOST, repository: 'bearer/app' });
    expect(await code(r.resolve('missing'))).toBe('NOT_FOUND');
    expect(await code(r.resolve('missing2'))).toBe('NOT_FOUND');
    expect(tokenRequests).toBe(1);
  });

  it('a 401 with no way to authenticate is an auth error', async () => {
    const emu = createEmulator();
    emu.setFaults(() => new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } }));
    const r = new RemoteRepository(new RegistryClient({ fetch: emu.fetch }), { host: HOST, registry: HOST, repository: 'x/y' });
    try {
      await r.resolve('v1');
      expect.unreachable();
    } catch (err) {
      expect((err as OciError).code).toBe('UNAUTHORIZED');
      expect((err as OciError).errors[0]?.code).toBe('UNAUTHORIZED');
      expect((err as OciError).status).toBe(401);
    }
  });

  it('a connection that breaks mid-body is a typed NETWORK error', async () => {
    const { emu, repo } = setup();
    const r = repo();
    const desc = await pushImage(r, 'cut', 'v1');
    const layerDigest = JSON.parse(new TextDecoder().decode(await r.fetch(desc))).layers[0].digest as string;
    const layer: Descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: 9 };
    emu.setFaults((req) => {
      if (req.method !== 'GET' || !new URL(req.url).pathname.includes('/blobs/')) return undefined;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('lay'));
          c.error(new Error('socket hang up'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-length': '9' } });
    });
    expect(await code(r.fetch(layer))).toBe('NETWORK');
    const drain = async () => {
      for await (const chunk of await r.fetchStream(layer)) void chunk;
    };
    expect(await code(drain())).toBe('NETWORK');
  });

  it('a registry that lists referrers in a cycle cannot make discover loop', async () => {
    const { emu, repo } = setup();
    const r = repo();
    const root = await pushImage(r, 'cycle', 'v1');
    const child = await pushReferrer(r, root, 'application/vnd.example.sig');
    // The listing for `child` lies: it names the root and `child` itself as its referrers.
    emu.setFaults((req) => {
      if (!new URL(req.url).pathname.endsWith(`/referrers/${child.digest}`)) return undefined;
      const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...root, artifactType: 'application/x' }, child] };
      return new Response(JSON.stringify(index), { status: 200, headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' } });
    });
    const result = await discover(r, root, { depth: 0 });
    expect(result.root.referrers.map((n) => n.descriptor.digest)).toEqual([child.digest]);
    expect(result.root.referrers[0]!.referrers).toEqual([]);
    expect(result.nodes).toBe(2);
  });

  it('an oversized referrers page and too many referrers are refused', async () => {
    const { emu, repo } = setup();
    const r = repo();
    const root = await pushImage(r, 'big', 'v1');
    emu.setFaults((req) => {
      if (!new URL(req.url).pathname.includes('/referrers/')) return undefined;
      const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, artifactType: 'application/x', annotations: { pad: 'x'.repeat(4096) } };
      const manifests = Array.from({ length: 1100 }, (_, i) => ({ ...entry, digest: `sha256:${i.toString(16).padStart(64, '0')}` }));
      return new Response(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }), { status: 200, headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' } });
    });
    expect(await code(collectReferrers(r.referrers(root)))).toBe('TOO_LARGE');
    const small = new RemoteRepository(new RegistryClient({ fetch: emu.fetch, limits: { maxReferrers: 10, maxReferrersBytes: 64 * 1024 * 1024 } }), { host: HOST, registry: HOST, repository: 'hostile/app' });
    expect(await code(collectReferrers(small.referrers(root)))).toBe('TOO_MANY');
  });
  it('a fallback tag holding the multi-arch subject index itself (GitLab) is "no referrers", with a warning', async () => {
    const { repo, warnings } = setup({ referrersApi: false });
    const r = repo();
    const { index } = await pushMultiPlatform(r, 'gitlab', 'multi');
    await r.tag(index, referrersTag(index.digest));
    expect(await collectReferrers(r.referrers(index))).toEqual([]);
    expect(warnings.join('\n')).toMatch(/holds the subject itself/);
  });

  it('a fallback index entry whose own manifest names another subject is left out, with a warning', async () => {
    const { repo, warnings } = setup({ referrersApi: false });
    const r = repo();
    const subject = await pushImage(r, 'mine', 'v1');
    const mine = await pushReferrer(r, subject, 'application/vnd.example.sig');
    const other = await pushImage(r, 'theirs');
    const stranger = await pushReferrer(r, other, 'application/vnd.example.sig');
    const index = await pushManifest(r, { manifests: [mine, stranger] }, 'application/vnd.oci.image.index.v1+json');
    await r.tag(index, referrersTag(subject.digest));
    expect((await collectReferrers(r.referrers(subject))).map((d) => d.digest)).toEqual([mine.digest]);
    expect(warnings.join('\n')).toMatch(new RegExp(`names subject ${other.digest}, not ${subject.digest}`));
  });

  it('a layout blob of the right size that fails its digest is not "present", and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-hostile-layout-'));
    try {
      const warnings: string[] = [];
      const layout = new LayoutRepository(dir, { onWarning: (m) => warnings.push(m) });
      const desc = await pushImage(layout, 'lay', 'v1');
      const layer = JSON.parse(new TextDecoder().decode(await layout.fetch(desc))).layers[0] as Descriptor;
      const path = join(dir, 'blobs', 'sha256', layer.digest.slice(7));
      const bytes = await readFile(path);
      bytes[0] = bytes[0]! ^ 0x01;
      await writeFile(path, bytes);
      expect(await layout.exists(layer)).toBe(false);
      expect(warnings.join('\n')).toMatch(/does not match its digest/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a layout that cannot be created (/proc) is a typed IO error, at once', async () => {
    const layout = new LayoutRepository('/proc/ocx-hostile-layout');
    expect(await code(pushImage(layout, 'proc', 'v1'))).toBe('IO');
  });
});
