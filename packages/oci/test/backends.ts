import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayoutRepository, RegistryClient, RemoteRepository, type Repository } from '@ocx/oci';
import { createEmulator, registryOrSkip, startRegistry, type RegistryKind } from '@ocx/testkit';

// Every backend the contract suite runs against, each started fresh and stopped by `close`.

export interface Backend {
  readonly name: string;
  /** The referrers mode a listing on this backend must report. */
  readonly mode: 'referrers-api' | 'tag-schema' | 'layout';
  readonly host?: string;
  readonly client?: RegistryClient;
  repo(name: string): Repository;
  close(): Promise<void>;
}

export interface BackendFactory {
  readonly name: string;
  readonly available: boolean;
  start(): Promise<Backend>;
}

function remoteBackend(name: string, mode: Backend['mode'], host: string, stop: () => Promise<void>, transport: 'fetch' | 'node-http' = 'fetch'): Backend {
  const client = new RegistryClient({ transport });
  return {
    name,
    mode,
    host,
    client,
    repo: (repository) => new RemoteRepository(client, { host, registry: host, repository }),
    close: async () => {
      await client.close();
      await stop();
    },
  };
}

function emulatorFactory(referrersApi: boolean): BackendFactory {
  const name = referrersApi ? 'emulator (referrers API)' : 'emulator (no referrers API)';
  return {
    name,
    available: true,
    async start() {
      const emu = createEmulator({ referrersApi });
      const server = await emu.listen();
      return remoteBackend(name, referrersApi ? 'referrers-api' : 'tag-schema', server.host, () => server.close());
    },
  };
}

function realFactory(kind: RegistryKind): BackendFactory {
  const name = kind === 'distribution2' ? 'docker-registry 2.8' : 'distribution v3';
  return {
    name,
    available: registryOrSkip(kind) !== undefined,
    async start() {
      const reg = await startRegistry(kind);
      // Real registries go through the node:http transport the CLI uses; the emulators through fetch.
      return remoteBackend(name, 'tag-schema', reg.host, () => reg.stop(), 'node-http');
    },
  };
}

const layoutFactory: BackendFactory = {
  name: 'OCI layout',
  available: true,
  async start() {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-layout-'));
    return {
      name: 'OCI layout',
      mode: 'layout',
      repo: (repository) => new LayoutRepository(join(dir, repository)),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

export const backendFactories: readonly BackendFactory[] = [
  emulatorFactory(true),
  emulatorFactory(false),
  realFactory('distribution2'),
  realFactory('distribution3'),
  layoutFactory,
];
