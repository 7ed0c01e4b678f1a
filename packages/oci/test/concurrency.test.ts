import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collectReferrers, RegistryClient, RemoteRepository, type Descriptor } from '@ocx/oci';
import { createEmulator, pushImage, pushReferrer, registryOrSkip, repoRoot, startRegistry } from '@ocx/testkit';

// 20 concurrent attaches to one subject lose no entry in the tag-schema index.

const N = 20;

async function attachInProcess(host: string): Promise<{ subject: Descriptor; listed: string[]; expected: string[] }> {
  const client = new RegistryClient({});
  const repo = new RemoteRepository(client, { host, registry: host, repository: 'race/app' });
  const subject = await pushImage(repo, 'race', 'v1');
  const attached = await Promise.all(Array.from({ length: N }, (_, i) => pushReferrer(repo, subject, 'application/vnd.example.concurrent', { 'com.example.seed': String(i) }, `payload ${i}`)));
  const reader = new RemoteRepository(new RegistryClient({}), { host, registry: host, repository: 'race/app' });
  const listed = (await collectReferrers(reader.referrers(subject))).map((d) => d.digest);
  await client.close();
  return { subject, listed: listed.sort(), expected: attached.map((d) => d.digest).sort() };
}

function runNode(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@ocx/source', '--import', 'tsx', ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(0) : reject(new Error(`attach process exited ${code}: ${err}`))));
  });
}

describe('concurrent attaches to one subject (tag schema)', () => {
  it('one process, emulator without referrers API: no entry lost', async () => {
    const emu = createEmulator({ referrersApi: false, etag: false });
    const server = await emu.listen();
    try {
      const { listed, expected } = await attachInProcess(server.host);
      expect(listed).toEqual(expected);
    } finally {
      await server.close();
    }
  });

  it.skipIf(!registryOrSkip('distribution2'))('one process, docker-registry 2.8: no entry lost', async () => {
    const reg = await startRegistry('distribution2');
    try {
      const { listed, expected } = await attachInProcess(reg.host);
      expect(listed).toEqual(expected);
    } finally {
      await reg.stop();
    }
  });

  // issue 10 item 9: distribution 2.8 ignores If-Match, so no client can close the race; the
  // read-back-and-re-merge narrows it. Target: at least 19 of 20 entries survive.
  it.skipIf(!registryOrSkip('distribution2'))('20 processes, docker-registry 2.8 (ignores If-Match): at least 19 of 20 entries survive', async () => {
    const reg = await startRegistry('distribution2');
    try {
      const client = new RegistryClient({});
      const repo = new RemoteRepository(client, { host: reg.host, registry: reg.host, repository: 'race/procs' });
      const subject = await pushImage(repo, 'procs', 'v1');
      const script = 'packages/oci/test/scripts/attach-one.ts';
      const runs = await Promise.allSettled(Array.from({ length: N }, (_, i) => runNode([script, reg.host, 'race/procs', subject.digest, String(subject.size), subject.mediaType, String(i)])));
      const failures = runs.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message).slice(0, 400)] : []));
      const listed = await collectReferrers(repo.referrers(subject));
      const seeds = new Set(listed.map((d) => d.annotations?.['com.example.seed']));
      expect(seeds.size, `kept ${seeds.size}/${N}; failed attaches: ${failures.join(' | ') || 'none'}`).toBeGreaterThanOrEqual(N - 1);
      await client.close();
    } finally {
      await reg.stop();
    }
  }, 180_000);

  it('20 processes, emulator without API honouring ETag/If-Match: no entry lost', async () => {
    const emu = createEmulator({ referrersApi: false, etag: true });
    const server = await emu.listen();
    try {
      const client = new RegistryClient({});
      const repo = new RemoteRepository(client, { host: server.host, registry: server.host, repository: 'race/procs' });
      const subject = await pushImage(repo, 'procs', 'v1');
      const script = 'packages/oci/test/scripts/attach-one.ts';
      await Promise.all(Array.from({ length: N }, (_, i) => runNode([script, server.host, 'race/procs', subject.digest, String(subject.size), subject.mediaType, String(i)])));
      const listed = await collectReferrers(repo.referrers(subject));
      expect(listed).toHaveLength(N);
      expect(new Set(listed.map((d) => d.annotations?.['com.example.seed'])).size).toBe(N);
      expect(emu.log.some((e) => e.method === 'PUT' && e.headers['if-match'] !== undefined)).toBe(true);
      await client.close();
    } finally {
      await server.close();
    }
  }, 120_000);
});
