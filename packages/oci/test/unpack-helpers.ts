// Builders for unpack tests: tar archives written by tar-stream's packer, raw headers for what a
// packer refuses to write (a 10 GiB size claim), and layers that verify their digest as they stream.
import { createHash } from 'node:crypto';
import { pack, type Headers } from 'tar-stream';
import { verifyingStream, type UnpackLayer } from '../src/index.ts';

export interface TarEntry extends Omit<Headers, 'name'> {
  readonly name: string;
  readonly content?: string | Buffer;
}

export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const p = pack();
  const out: Buffer[] = [];
  const collecting = (async () => {
    for await (const chunk of p) out.push(chunk);
  })();
  for (const { content, ...header } of entries) {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    await new Promise<void>((res, rej) => p.entry({ type: 'file', mode: 0o644, ...header, ...(body ? { size: body.length } : {}) }, body ?? Buffer.alloc(0), (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  await collecting;
  return Buffer.concat(out);
}

/** A ustar header block (512 bytes); sizes above 8 GiB are written base-256, as GNU tar does. */
export function rawHeader(name: string, size: number, typeflag = '0'): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (size < 8 ** 11) b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else {
    b[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  b.write('00000000000\0', 136);
  b.write(typeflag, 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

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
