// The descriptor a tag resolved to on the last run, kept only as a guess so that `ocx verify` can
// list signatures while the tag is being resolved (one round trip instead of two on a repeat run).
// A guess never decides anything: the run resolves the tag itself and uses the work started on the
// guess only when the registry answers with exactly that descriptor; otherwise it is dropped.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescriptorSchema, type Descriptor } from '@ocx/oci';

export interface TagHints {
  get(key: string): Promise<Descriptor | undefined>;
  put(key: string, descriptor: Descriptor): Promise<void>;
}

const MAX_HINT_BYTES = 4096;
const fileOf = (dir: string, key: string) => join(dir, `${createHash('sha256').update(key).digest('hex')}.json`);

export function fileTagHints(dir: string): TagHints {
  return {
    async get(key) {
      try {
        const text = await readFile(fileOf(dir, key), 'utf8');
        if (text.length > MAX_HINT_BYTES) return undefined;
        const parsed = DescriptorSchema.safeParse(JSON.parse(text));
        return parsed.success ? { mediaType: parsed.data.mediaType, digest: parsed.data.digest, size: parsed.data.size } : undefined;
      } catch {
        return undefined;
      }
    },
    async put(key, d) {
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const file = fileOf(dir, key);
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify({ mediaType: d.mediaType, digest: d.digest, size: d.size }), { mode: 0o600 });
        await rename(tmp, file);
      } catch {
        // Only a guess for next time.
      }
    },
  };
}

export const sameDescriptor = (a: Descriptor, b: Descriptor): boolean => a.digest === b.digest && a.size === b.size && a.mediaType === b.mediaType;
