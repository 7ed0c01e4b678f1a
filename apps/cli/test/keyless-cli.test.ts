import { describe, expect, it } from 'vitest';
import { ocx } from './cli.ts';

// Keyless flags without services: argument handling only (the signing itself: keyless-peers.test.ts).

describe('ocx package sign keyless flags', () => {
  it('never takes the token from argv, and does not echo it', async () => {
    const secret = 'eyJhbGciOiJFUzI1NiJ9.eyJzZWNyZXQiOnRydWV9.c2lnbmF0dXJlLXNlY3JldA';
    for (const args of [['--identity-token', secret], [`--identity-token=${secret}`]]) {
      const r = await ocx(['package', 'sign', 'localhost:5000/app:1', ...args]);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/--identity-token \(cosign sign\) is not supported by ocx: .*--identity-token-file FILE, --identity-token-stdin, SIGSTORE_ID_TOKEN/);
      expect(r.stdout + r.stderr).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
    }
  });

  it('refuses keyless-only flags next to --key, and two token sources at once', async () => {
    const r = await ocx(['package', 'sign', 'localhost:5000/app:1', '--key', 'k.pem', '--fulcio-url', 'https://fulcio.example']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--fulcio-url is for keyless signing/);
    const notation = await ocx(['package', 'sign', 'localhost:5000/app:1', '--notation', '--key', 'k.pem', '--cert', 'c.pem', '--tsa-url', 'https://tsa.example']);
    expect(notation.code).toBe(64);
    expect(notation.stderr).toMatch(/--notation does not take --tsa-url \(notation takes --timestamp-url\)/);
    const both = await ocx(['package', 'sign', 'localhost:5000/app:1', '--identity-token-file', 't', '--identity-token-stdin', '--tsa-url', 'http://127.0.0.1:1', '--tlog-upload=false']);
    expect(both.code).toBe(64);
    expect(both.stderr).toMatch(/give the identity token once/);
  });

  it('a malformed signing config or a keyless run with no trusted time is refused before any request', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'ocx-keyless-'));
    const cfg = join(dir, 'signing-config.json');
    await writeFile(cfg, JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.1+json' }));
    const bad = await ocx(['package', 'sign', 'localhost:5000/app:1', '--signing-config', cfg]);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/not a Sigstore signing config v0.2: mediaType/);
    const noTime = await ocx(['package', 'sign', 'localhost:5000/app:1', '--tlog-upload=false'], { SIGSTORE_ID_TOKEN: 'x' });
    expect(noTime.code).toBe(64);
    expect(noTime.stderr).toMatch(/needs a trusted time/);
  });
});
