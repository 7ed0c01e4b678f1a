import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copy, LayoutRepository, RegistryClient, RemoteRepository } from '@ocx/oci';
import { createEmulator, fixturePath, registryOrSkip, startRegistry } from '@ocx/testkit';

export const E2E = 'notation/test/e2e/testdata';
export const layoutDir = (name: string) => fixturePath(E2E, 'registry/oci_layout', name);
export const policyFile = (name: string) => fixturePath(E2E, 'config/trustpolicies', name);

export interface RegistryTarget {
  readonly name: string;
  readonly available: boolean;
  start(): Promise<{ host: string; stop(): Promise<void> }>;
}

/** The emulator (referrers API) and docker-registry 2.8 (tag schema only). */
export const registryTargets: RegistryTarget[] = [
  {
    name: 'emulator',
    available: true,
    async start() {
      const s = await createEmulator().listen();
      return { host: s.host, stop: () => s.close() };
    },
  },
  {
    name: 'docker-registry 2.8',
    available: registryOrSkip('distribution2') !== undefined,
    async start() {
      const r = await startRegistry('distribution2');
      return { host: r.host, stop: () => r.stop() };
    },
  },
];

/** Copy an OCI layout's `v1` with its referrer graph into host/repository:v1 with copy(). */
export async function copyLayout(name: string, host: string, repository: string): Promise<void> {
  const src = new LayoutRepository(layoutDir(name), { create: false });
  const root = await src.resolve('v1');
  const client = new RegistryClient({});
  try {
    await copy(src, new RemoteRepository(client, { host, registry: host, repository }), root, { tag: 'v1' });
  } finally {
    await client.close();
  }
}

/** A NOTATION_CONFIG directory: trustpolicy.json plus named stores under truststore/x509. */
export async function makeNotationConfig(policy: string | object, stores: Record<string, string[]>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocx-notation-config-'));
  const text = typeof policy === 'string' ? await readFile(policyFile(policy), 'utf8') : JSON.stringify(policy);
  await writeFile(join(dir, 'trustpolicy.json'), text);
  for (const [store, files] of Object.entries(stores)) {
    const [type, name] = store.split(':') as [string, string];
    const d = join(dir, 'truststore', 'x509', type, name);
    await mkdir(d, { recursive: true });
    for (const f of files) await copyFile(f, join(d, f.split('/').pop()!));
  }
  return dir;
}
