// Tar archives for unpack/pull tests: entries written by tar-stream's packer, and raw ustar headers for
// what a packer refuses to write (a 10 GiB size claim, a bare header stream).
import { gzipSync } from 'node:zlib';
import { pack, type Headers } from 'tar-stream';

export interface TarEntry extends Omit<Headers, 'name'> {
  readonly name: string;
  readonly content?: string | Buffer;
}

/** A tar of `entries` (regular files of mode 0644 unless the header says otherwise). */
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

/** tarOf, gzipped (an OCI tar+gzip layer). */
export async function tarGz(entries: readonly TarEntry[]): Promise<Uint8Array> {
  return gzipSync(await tarOf(entries));
}

/** A ustar header block (512 bytes); sizes of 8 GiB and more are written base-256, as GNU tar does. */
export function rawHeader(name: string, size: number, typeflag = '0', mode = 0o644): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  b.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
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
