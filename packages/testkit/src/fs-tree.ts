// What a test wrote to disk, as sorted lines: easy to compare with toEqual.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Lists `root` recursively: `path/` for directories, `path -> target` for symlinks, `path` for files
 * (`path: <content>` with `content`), sorted by name at each level.
 */
export function listTree(root: string, opts: { content?: boolean } = {}): Promise<string[]> {
  return walk(root, opts.content === true, '');
}

async function walk(root: string, content: boolean, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const info = await lstat(join(root, rel));
    if (info.isSymbolicLink()) out.push(`${rel} -> ${await readlink(join(root, rel))}`);
    else if (info.isDirectory()) out.push(`${rel}/`, ...(await walk(root, content, rel)));
    else out.push(content ? `${rel}: ${await readFile(join(root, rel), 'utf8')}` : rel);
  }
  return out;
}
