// Reading the small input files (predicates, SBOMs) without following symlinks: a path swapped for a
// link to a secret between check and use must not end up signed and published (OCX opens predicates
// with O_NOFOLLOW for the same reason).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { SignerError } from './errors.ts';

/** Reads a regular file of at most `maxBytes`, refusing symlinks (O_NOFOLLOW), directories and devices. */
export async function readInputFile(path: string, what: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' || code === 'EMLINK' ? 'it is a symbolic link (refused: symlinks are not followed)' : (cause as Error).message;
    throw new SignerError('READ_FAILED', `cannot read ${what} ${path}: ${why}`, { cause });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SignerError('READ_FAILED', `cannot read ${what} ${path}: not a regular file`);
    if (stat.size > maxBytes) throw new SignerError('PREDICATE_INVALID', `${what} ${path} is ${stat.size} bytes, over the ${maxBytes}-byte cap`);
    // Read at most one byte past the cap: a file that grows while being read is still refused.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1));
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.byteLength - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.byteLength) break;
    }
    if (n > maxBytes) throw new SignerError('PREDICATE_INVALID', `${what} ${path} is over the ${maxBytes}-byte cap`);
    return buf.subarray(0, n);
  } catch (cause) {
    if (cause instanceof SignerError) throw cause;
    throw new SignerError('READ_FAILED', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    await handle.close();
  }
}
