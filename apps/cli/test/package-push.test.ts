import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createEmulator, isCI, makeTestCertificate, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ocx } from './cli.ts';

// `ocx package push` without peers: usage refusals before any write, the failure report (every digest
// written, the failed step, that step's exit code), SOURCE_DATE_EPOCH reproducibility.

describe('ocx package push (emulator)', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let dir: string;
  let keyFile: string;
  const sbom = () => join(dir, 'bom.json');

  beforeAll(async () => {
    emu = createEmulator();
    server = await emu.listen();
    dir = await mkdtemp(join(tmpdir(), 'ocx-push-cli-'));
    keyFile = join(dir, 'key.pem');
    await writeFile(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(join(dir, 'tool'), 'tool bytes');
    await writeFile(sbom(), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] }));
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses bad combinations before writing anything (64)', async () => {
    const ref = `${server.host}/cli/tool:1.0`;
    emu.clearLog();
    // Packing starts while the inputs are read: a refusal then stops it and leaves no temporary file.
    const tmp = await mkdtemp(join(dir, 'tmp-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    onTestFinished(() => {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    });
    for (const args of [
      [join(dir, 'tool'), `${server.host}/cli/tool@sha256:${'a'.repeat(64)}`],
      [join(dir, 'tool'), ref, '--attest', `slsaprovenance1=${sbom()}`],
      [join(dir, 'tool'), ref, '--sign'],
      [join(dir, 'tool'), ref, '--key', keyFile],
      [join(dir, 'tool'), ref, '--sign', '--key', keyFile, '--attest', 'slsaprovenance=x.json'],
      [join(dir, 'tool'), ref, '--sign', '--key', keyFile, '--tlog-upload=false', '--attest', `slsaprovenance=${sbom()}`],
    ]) {
      const r = await ocx(['package', 'push', ...args, '--no-cache']);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(args.includes('slsaprovenance=x.json') ? 74 : 64);
    }
    expect(emu.log.filter((e) => e.method === 'PUT' || e.method === 'POST' || e.method === 'PATCH')).toEqual([]);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('same tree + SOURCE_DATE_EPOCH → same manifest digest; the JSON report lists what was written', async () => {
    const push = (tag: string) => ocx(['package', 'push', join(dir, 'tool'), `${server.host}/cli/repro:${tag}`, '--platform', 'linux/amd64', '--version', '1.0', '--format', 'json', '--no-cache'], { SOURCE_DATE_EPOCH: '1700000000' });
    const [a, b] = [await push('a'), await push('b')];
    expect(a.code, a.stderr).toBe(0);
    const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(ra.manifest.digest).toBe(rb.manifest.digest);
    expect(rb.written[0]).toMatchObject({ what: 'layer', skipped: true });
  });

  it('a step that fails after the push: the report lists every digest written and the step; the exit code is that error\'s', async () => {
    let puts = 0;
    emu.setFaults((req) => {
      // Let the package manifest, the index and the SBOM attestation through; deny the signature.
      if (req.method === 'PUT' && req.url.includes('/manifests/') && ++puts === 4) {
        return new Response(JSON.stringify({ errors: [{ code: 'DENIED', message: 'denied' }] }), { status: 403, headers: { 'content-type': 'application/json' } });
      }
      return undefined;
    });
    try {
      const r = await ocx(['package', 'push', join(dir, 'tool'), `${server.host}/cli/fail:1.0`, '--platform', 'linux/amd64', '--sbom', sbom(), '--sign', '--key', keyFile, '--tlog-upload=false', '--format', 'json', '--no-cache']);
      expect(r.code).toBe(80);
      const report = JSON.parse(r.stdout);
      expect(report.failed).toMatchObject({ step: 'sign', exitCode: 80 });
      expect(report.written.map((w: { step: string; what: string }) => `${w.step}:${w.what}`)).toEqual(['push:layer', 'push:config', 'push:manifest', 'push:index', 'sbom:attestation']);
      expect(r.stderr).toMatch(/step "sign" failed/);
      const text = await ocx(['package', 'push', join(dir, 'tool'), `${server.host}/cli/fail2:1.0`, '--platform', 'linux/amd64', '--no-cache']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/✓ pushed .*\[linux\/amd64\]: manifest sha256:/);
    } finally {
      emu.setFaults(undefined);
    }
  });
});

const openssl = spawnSync('openssl', ['version']).status === 0;
if (!openssl && isCI()) throw new Error('required under CI: openssl (to mint a test TLS certificate)');

describe.skipIf(!openssl)('ocx package push over TLS with token auth (chunked upload with a push token)', () => {
  it('pushes, attests and signs with --username/--password-stdin and --ca-file', async () => {
    const cert = await makeTestCertificate();
    const emu = createEmulator({ auth: { mode: 'token', users: { alice: 'alice-pw' } } });
    const server = await emu.listen({ tls: { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) } });
    const dir = await mkdtemp(join(tmpdir(), 'ocx-push-tls-'));
    try {
      const keyFile = join(dir, 'key.pem');
      await writeFile(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
      await writeFile(join(dir, 'tool'), 'tool bytes');
      await writeFile(join(dir, 'prov.json'), '{"buildDefinition":{}}');
      const ref = `${server.host}/secure/tool:1.0`;
      const flags = ['--ca-file', cert.caFile, '--username', 'alice', '--no-cache'];
      const r = await ocx(['package', 'push', join(dir, 'tool'), ref, '--platform', 'linux/amd64', '--sign', '--key', keyFile, '--tlog-upload=false', '--attest', `slsaprovenance1=${join(dir, 'prov.json')}`, ...flags], { OCX_PASSWORD: 'alice-pw' });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const bad = await ocx(['package', 'push', join(dir, 'tool'), ref, '--platform', 'linux/arm64', ...flags], { OCX_PASSWORD: 'wrong' });
      expect(bad.code).toBe(80);
      const att = await ocx(['package', 'attest', ref, '--type', 'slsaprovenance1', '--predicate', join(dir, 'prov.json'), '--key', keyFile, '--tlog-upload=false', ...flags], { OCX_PASSWORD: 'alice-pw' });
      expect(att.code, att.stdout + att.stderr).toBe(0);
      expect(emu.log.some((e) => e.method === 'PUT' && e.path.startsWith('/v2/secure/tool/blobs/uploads/'))).toBe(true);
    } finally {
      await server.close();
      await cert.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('package subcommands refuse flags they would not act on', () => {
  it.each([
    ['sign', ['--predicate', 'p.json']],
    ['sign', ['--sbom', 'bom.json']],
    ['attest', ['--cert', 'c.pem']],
    ['attest', ['--sign']],
    ['push', ['--predicate', 'p.json']],
    ['push', ['--expiry', '24h']],
    ['push', ['-a', 'k=v']],
  ])('package %s %s → 64', async (sub, extra) => {
    const args = sub === 'push' ? ['package', 'push', '.', '127.0.0.1:9/x:1'] : ['package', sub, '127.0.0.1:9/x:1'];
    const r = await ocx([...args, ...extra]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/does not take/);
  });
});

describe('ocx package push progress', () => {
  it('draws a progress bar on stderr when it is a terminal, and none otherwise', async () => {
    const { run } = await import('../src/run.ts');
    const emu = createEmulator();
    const server = await emu.listen();
    const dir = await mkdtemp(join(tmpdir(), 'ocx-push-tty-'));
    try {
      await writeFile(join(dir, 'f'), 'bytes');
      const go = async (tty: boolean) => {
        let stderr = '';
        const code = await run(['package', 'push', join(dir, 'f'), `${server.host}/tty/f:${tty ? 'a' : 'b'}`, '--platform', 'linux/amd64', '--no-cache'], {
          stdout: () => undefined,
          stderr: (t) => (stderr += t),
          env: { ...process.env, OCX_HOME: join(dir, 'home') },
          cwd: dir,
          stderrIsTTY: tty,
        });
        return { code, stderr };
      };
      const tty = await go(true);
      expect(tty.code, tty.stderr).toBe(0);
      expect(tty.stderr).toMatch(/\r\[#+\] [\d.]+\/[\d.]+ MiB\n/);
      const plain = await go(false);
      expect(plain.stderr).not.toMatch(/MiB/);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('package attest/push and the keyless flags', () => {
  it.each([
    ['attest', ['--identity-token-file', 't.jwt']],
    ['push', ['--fulcio-url', 'https://fulcio.example']],
  ])('package %s %s → 64, naming package sign', async (sub, extra) => {
    const args = sub === 'push' ? ['package', 'push', '.', '127.0.0.1:9/x:1'] : ['package', sub, '127.0.0.1:9/x:1'];
    const r = await ocx([...args, ...extra]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/keyless signing is ocx package sign's only/);
  });

  it('--rekor-url must be https (http on loopback only)', async () => {
    const r = await ocx(['package', 'attest', '127.0.0.1:9/x:1', '--type', 'link', '--predicate', 'p.json', '--key', 'k.pem', '--rekor-url', 'http://rekor.example']);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/--rekor-url must be https/);
  });
});
