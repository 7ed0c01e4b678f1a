import { createHash } from 'node:crypto';
import type { Emulator } from './emulator.ts';
import { createEmulator } from './emulator.ts';
import type { EmulatorOptions, RunningRegistry } from './types.ts';

// Shared by the emulator tests: one contract, two transports (injected fetch and node:http).

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Harness {
  readonly emulator: Emulator;
  readonly base: string;
  readonly fetch: Fetch;
  close(): Promise<void>;
}

export type Transport = 'fetch' | 'http';

export async function harness(transport: Transport, options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = createEmulator(options);
  if (transport === 'fetch') {
    return { emulator, base: 'http://registry.test', fetch: emulator.fetch, close: async () => undefined };
  }
  const server: RunningRegistry = await emulator.listen();
  return { emulator, base: server.url, fetch: globalThis.fetch, close: () => server.close() };
}

export const sha256 = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const sha512 = (b: Uint8Array | string): string => `sha512:${createHash('sha512').update(b).digest('hex')}`;

export const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
export const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };

export async function pushBlob(h: Harness, repo: string, bytes: Uint8Array | string): Promise<{ digest: string; size: number }> {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const digest = sha256(body);
  const res = await h.fetch(`${h.base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  if (res.status !== 201) throw new Error(`pushBlob: ${res.status} ${await res.text()}`);
  return { digest, size: body.byteLength };
}

export interface PushedManifest {
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
  readonly response: Response;
}

export async function pushManifest(
  h: Harness,
  repo: string,
  ref: string | undefined,
  doc: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<PushedManifest> {
  const bytes = Buffer.from(JSON.stringify(doc));
  const digest = sha256(bytes);
  const response = await h.fetch(`${h.base}/v2/${repo}/manifests/${ref ?? digest}`, {
    method: 'PUT',
    headers: { 'content-type': (doc.mediaType as string | undefined) ?? MT_MANIFEST, ...headers },
    body: bytes,
  });
  return { digest, size: bytes.byteLength, bytes, response };
}

/** An artifact manifest (empty config) with optional subject, artifactType and annotations. */
export function artifact(opts: {
  subject?: { digest: string; size: number; mediaType?: string };
  artifactType?: string;
  annotations?: Record<string, string>;
  configMediaType?: string;
} = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MT_MANIFEST,
    ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
    config: { ...EMPTY, ...(opts.configMediaType ? { mediaType: opts.configMediaType } : {}) },
    layers: [EMPTY],
    ...(opts.subject ? { subject: { mediaType: MT_MANIFEST, ...opts.subject } } : {}),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
}

/** Pushes the empty blob and an image manifest tagged `tag`; returns the manifest. */
export async function seedImage(h: Harness, repo: string, tag = 'v1'): Promise<PushedManifest> {
  await pushBlob(h, repo, '{}');
  const m = await pushManifest(h, repo, tag, artifact({ annotations: { seed: tag } }));
  if (m.response.status !== 201) throw new Error(`seedImage: ${m.response.status} ${await m.response.text()}`);
  return m;
}

export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}
