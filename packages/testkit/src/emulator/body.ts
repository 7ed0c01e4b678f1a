// Body helpers that keep large blobs to one copy: request chunks are kept as received and joined
// once; response bodies are served as views of the stored Buffer, never re-copied.

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** Reads a request body into its received chunks, stopping once more than `limit` bytes arrived. */
export async function readChunks(req: Request, limit = Number.POSITIVE_INFINITY): Promise<{ chunks: Uint8Array[]; size: number }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!req.body) return { chunks, size };
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Read the rest away so a keep-alive connection stays usable for the error answer.
      for (;;) if ((await reader.read()).done) break;
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return { chunks, size };
}

/** Reads a body to its end without keeping it (a request answered without looking at its body). */
export async function discard(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  const reader = req.body.getReader();
  for (;;) if ((await reader.read()).done) return;
}

export function join(chunks: readonly Uint8Array[], size: number): Buffer {
  if (chunks.length === 1 && Buffer.isBuffer(chunks[0])) return chunks[0];
  return Buffer.concat(chunks, size);
}

export async function readBody(req: Request, limit?: number): Promise<Buffer> {
  const { chunks, size } = await readChunks(req, limit);
  return join(chunks, size);
}

const SLICE = 1 << 20;
const rawBodies = new WeakMap<Response, Uint8Array>();

/**
 * A Response whose body streams `bytes` in 1 MiB views. The node:http adapter looks the bytes up with
 * `rawBody` and writes them directly instead of pumping the web stream.
 */
export function bytesResponse(bytes: Uint8Array, init: ResponseInit): Response {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      const end = Math.min(offset + SLICE, bytes.byteLength);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
    },
  });
  const res = new Response(bytes.byteLength === 0 ? null : stream, init);
  rawBodies.set(res, bytes);
  return res;
}

export function rawBody(res: Response): Uint8Array | undefined {
  return rawBodies.get(res);
}
