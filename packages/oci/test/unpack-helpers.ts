// Builders for unpack tests: layers that verify their digest as they stream (tar archives: @ocx/testkit).
import { createHash } from 'node:crypto';
import { verifyingStream, type UnpackLayer } from '../src/index.ts';

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function* chunks(bytes: Uint8Array, size = 16 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** A layer over `bytes`, verified while streaming as a registry blob is. */
export function layerOf(bytes: Uint8Array, mediaType: string, annotations?: Record<string, string>, digest = sha256(bytes)): UnpackLayer {
  return {
    descriptor: { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) },
    open: async () => verifyingStream(chunks(bytes), digest, bytes.length),
  };
}

/** A layer whose content is generated lazily (no digest check: for caps that must trip first). */
export function lazyLayer(mediaType: string, generate: () => AsyncGenerator<Uint8Array>, size = 0): UnpackLayer {
  return { descriptor: { mediaType, digest: `sha256:${'0'.repeat(64)}`, size }, open: async () => generate() };
}
