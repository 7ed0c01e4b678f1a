import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type RunningRegistry } from '@ocx/testkit';
import { ExitCode } from '../src/exit-codes.ts';
import { ocx } from './cli.ts';
import { keyFiles, pushPackage, repoAt, type KeyFiles } from './cosign-helpers.ts';

// A repeat `ocx verify <tag>` starts listing signatures for what the tag named last time while it
// resolves the tag again. That guess must never decide anything: a moved tag is verified as it is now.

describe('ocx verify: what a tag resolved to last time is only a guess', () => {
  let emu: Emulator;
  let server: RunningRegistry;
  let keys: KeyFiles;
  let home: string;

  beforeAll(async () => {
    emu = createEmulator();
    server = await emu.listen();
    keys = await keyFiles();
    home = await mkdtemp(join(tmpdir(), 'ocx-tag-hints-'));
  });
  afterAll(async () => {
    await server.close();
    await keys.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  const verify = (ref: string) => ocx(['verify', ref, '--key', keys.pub, '--insecure-ignore-tlog', '--platform', 'linux/amd64', '--format', 'json'], { OCX_HOME: home });

  it('a repeat run verifies the same digest with no more requests, listing while it resolves', async () => {
    const { repo, client } = repoAt(server.host, 'hints/same');
    const { index } = await pushPackage(repo, 'same', 'v1');
    await client.close();
    const ref = `${server.host}/hints/same:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'], { OCX_HOME: home })).code).toBe(0);
    const first = await verify(ref);
    expect(first.code, first.stderr).toBe(0);
    emu.clearLog();
    // Generous latency: on a loaded machine the listing may leave tens of ms after the resolve.
    emu.setLatencyMs(300);
    const second = await verify(ref);
    emu.setLatencyMs(0);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).results[0].digest).toBe(index.digest);
    // The referrers listing for the guessed subject went out before the tag's answer came back.
    const log = emu.log.map((e) => ({ path: e.path, start: e.time, end: e.time + e.durationMs }));
    const resolve = log.find((e) => e.path.endsWith('/manifests/v1'));
    const referrers = log.find((e) => e.path.includes('/referrers/'));
    expect(resolve && referrers).toBeTruthy();
    expect(referrers!.start).toBeLessThan(resolve!.end);
  });

  it('a tag moved to an unsigned image is verified as it is now: the signed guess is dropped', async () => {
    const { repo, client } = repoAt(server.host, 'hints/moved');
    await pushPackage(repo, 'signed', 'v1');
    const ref = `${server.host}/hints/moved:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'], { OCX_HOME: home })).code).toBe(0);
    expect((await verify(ref)).code).toBe(0);
    const moved = await pushPackage(repo, 'unsigned', 'v1');
    await client.close();
    const after = await verify(ref);
    expect(after.code).toBe(ExitCode.NOT_FOUND);
    const doc = JSON.parse(after.stdout);
    expect(doc.verified).toBe(false);
    expect(doc.results[0].digest).toBe(moved.index.digest);
    // And the next run guesses the new digest.
    const again = await verify(ref);
    expect(JSON.parse(again.stdout).results[0].digest).toBe(moved.index.digest);
  });

  it('a hint file that is not a descriptor is ignored', async () => {
    const { repo, client } = repoAt(server.host, 'hints/garbage');
    await pushPackage(repo, 'garbage', 'v1');
    await client.close();
    const ref = `${server.host}/hints/garbage:v1`;
    expect((await ocx(['package', 'sign', ref, '--key', keys.priv, '--tlog-upload=false'], { OCX_HOME: home })).code).toBe(0);
    expect((await verify(ref)).code).toBe(0);
    const dir = join(home, 'tags');
    for (const f of await readdir(dir)) await writeFile(join(dir, f), '{"mediaType":"x","digest":"sha256:zz","size":-1}');
    const r = await verify(ref);
    expect(r.code, r.stderr).toBe(0);
  });
});
