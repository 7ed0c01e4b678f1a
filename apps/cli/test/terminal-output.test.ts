import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPE_OCI_INDEX } from '@ocx/oci';
import { createEmulator, pushManifest, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { sanitize } from '../src/output.ts';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// issue 10 item 4: every registry-supplied string goes through one sanitiser on its way to a
// terminal, and the sanitiser leaves no control, format (Cf), bidi or line/paragraph separator.

/** Characters a terminal must never receive raw from a registry. */
const HOSTILE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0001}\u{e0020}-\u{e007f}]/u;

describe('sanitize', () => {
  it.each([
    ['C0 and ESC', 'a\u0000b\u001b[31mc\u0007', '\\u0000', '\\u001b'],
    ['DEL and C1 (CSI)', 'a\u007fb\u009b2J', '\\u007f', '\\u009b'],
    ['line and paragraph separators', 'a\u2028b\u2029c', '\\u2028', '\\u2029'],
    ['Arabic letter mark', 'a\u061cb', '\\u061c', '\\u061c'],
    ['zero-width', 'a\u200bb\u200cc\u200dd', '\\u200b', '\\u200d'],
    ['bidi embeddings and overrides', 'a\u202ab\u202ec', '\\u202a', '\\u202e'],
    ['bidi isolates', 'a\u2066b\u2069c', '\\u2066', '\\u2069'],
    ['other format characters (Cf)', 'a\u00adb\ufeffc\u2060d\u{e0041}', '\\u00ad', '\\u{e0041}'],
  ])('%s become visible escapes', (_name, input, first, last) => {
    const out = sanitize(input);
    expect(out).not.toMatch(HOSTILE);
    expect(out).toContain(first);
    expect(out).toContain(last);
  });

  it('keeps ordinary text, newlines excepted, and non-Latin letters', () => {
    expect(sanitize('linux/amd64 日本語 café')).toBe('linux/amd64 日本語 café');
  });
});

describe('a hostile registry through the CLI', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let keys: KeyFiles;
  let home: string;
  const evilOs = 'linux\u202e\u200b\u2028';
  const evilArch = 'amd64\u001b[31m\u061c';
  const evilVariant = 'v8\u009b2J\u2066\u00ad';
  beforeAll(async () => {
    emu = createEmulator();
    server = await emu.listen();
    keys = await keyFiles();
    home = await mkdtemp(join(tmpdir(), 'ocx-hostile-home-'));
    const { repo, client } = repoAt(server.host, 'hostile/app');
    const pkg = await pushPackage(repo, 'hostile', 'v1');
    const index = await pushManifest(repo, { manifests: [{ ...pkg.amd64, platform: { os: evilOs, architecture: evilArch, variant: evilVariant } }] }, MEDIA_TYPE_OCI_INDEX);
    await repo.tag(index, 'evil');
    // Selected by linux/amd64 (no variant asked for), printed with its hostile variant.
    const variant = await pushManifest(repo, { manifests: [{ ...pkg.amd64, platform: { os: 'linux', architecture: 'amd64', variant: evilVariant } }] }, MEDIA_TYPE_OCI_INDEX);
    await repo.tag(variant, 'variant');
    await client.close();
  });
  afterAll(async () => {
    emu?.setFaults(undefined);
    await server?.close();
    await keys?.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  it('platform strings in verify text output are sanitised', async () => {
    const r = await ocx(['verify', `${server.host}/hostile/app:evil`, '--key', keys.pub, '--insecure-ignore-tlog', '--all-platforms', '--no-cache']);
    expect(r.code).toBe(79);
    expect(r.stdout).toContain('\\u202e');
    expect(r.stdout + r.stderr).not.toMatch(HOSTILE);
  });

  it('platform strings in sbom text output are sanitised', async () => {
    const r = await ocx(['sbom', `${server.host}/hostile/app:variant`, '--platform', 'linux/amd64', '--no-cache']);
    expect(r.stdout + r.stderr).toContain('\\u009b');
    expect(r.stdout + r.stderr).not.toMatch(HOSTILE);
  });

  it('a warning quoting the registry’s Content-Type is sanitised', async () => {
    const env = { OCX_HOME: home };
    // First run: the registry answers the referrers API (remembered under OCX_HOME).
    expect((await ocx(['discover', `${server.host}/hostile/app:v1`], env)).code).toBe(0);
    emu.setFaults((req) => (new URL(req.url).pathname.includes('/referrers/') ? new Response('{}', { status: 200, headers: { 'content-type': 'text/html\u009b2J' } }) : undefined));
    const r = await ocx(['discover', `${server.host}/hostile/app:v1`], env);
    emu.setFaults(undefined);
    expect(r.stderr, r.stderr).toMatch(/warning: .*referrers API/);
    expect(r.stderr).toContain('\\u009b');
    expect(r.stdout + r.stderr).not.toMatch(HOSTILE);
  });

  it('an error quoting a zod path of registry JSON is sanitised', async () => {
    // Served by a fault hook: the emulator (like ocx) refuses to store such an index.
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [], annotations: { '\u202eevil\u2028\u200b': 1 } });
    emu.setFaults((req) => (new URL(req.url).pathname === '/v2/hostile/zod/manifests/v1' ? new Response(req.method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': MEDIA_TYPE_OCI_INDEX } }) : undefined));
    const r = await ocx(['discover', `${server.host}/hostile/zod:v1`, '--platform', 'linux/amd64', '--no-cache']);
    emu.setFaults(undefined);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('annotations.\\u202eevil');
    expect(r.stdout + r.stderr).not.toMatch(HOSTILE);
  });
});
