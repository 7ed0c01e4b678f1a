// Path rules for unpacking hostile archives: every name is relative to the target directory and
// stays inside it. Names are refused, never "cleaned": `a/../../x` is an attack, not a typo.
import { posix } from 'node:path';
import { OciError } from '../errors.ts';

/** Longest entry name accepted (PATH_MAX on Linux). */
export const MAX_NAME_LENGTH = 4096;

function refuse(message: string): never {
  throw new OciError('UNSAFE_ARCHIVE', message);
}

const show = (name: string): string => JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);

/**
 * An archive entry name as a relative POSIX path without `.` segments ('' for the root itself).
 * Refuses absolute names, `..` segments, NUL and over-long names.
 */
export function entryPath(name: string, what = 'entry'): string {
  if (name.length > MAX_NAME_LENGTH) refuse(`${what} name is longer than ${MAX_NAME_LENGTH} characters`);
  if (name.includes('\0')) refuse(`${what} name ${show(name)} contains a NUL byte`);
  if (name.startsWith('/')) refuse(`${what} ${show(name)} has an absolute path`);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) refuse(`${what} ${show(name)} climbs out of the target directory ("..")`);
  return segments.join('/');
}

/**
 * Checks a symlink's target: relative, and inside the target directory when resolved from the
 * link's own directory. An absolute target would point into the host's file system once unpacked.
 */
export function checkSymlinkTarget(linkPath: string, target: string): void {
  if (target === '') refuse(`symlink ${show(linkPath)} has an empty target`);
  if (target.includes('\0')) refuse(`symlink ${show(linkPath)} target contains a NUL byte`);
  if (target.length > MAX_NAME_LENGTH) refuse(`symlink ${show(linkPath)} target is longer than ${MAX_NAME_LENGTH} characters`);
  if (target.startsWith('/')) refuse(`symlink ${show(linkPath)} → ${show(target)} points to an absolute path outside the target directory`);
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  if (resolved === '..' || resolved.startsWith('../')) refuse(`symlink ${show(linkPath)} → ${show(target)} points outside the target directory`);
}

/**
 * A file name for a non-tar layer from its `org.opencontainers.image.title` annotation: a plain name
 * (no separators, not `.`/`..`, no control characters, not a whiteout), else undefined.
 */
export function plainFileName(title: string | undefined): string | undefined {
  if (title === undefined || title === '' || title.length > 255) return undefined;
  if (title === '.' || title === '..' || title.includes('/') || title.includes('\\') || title.startsWith('.wh.')) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(title)) return undefined;
  return title;
}

/**
 * The relative path a titled layer is written to: oras titles may name a path (`oras push r sub/f.txt`
 * is titled `sub/f.txt` and pulled to DIR/sub/f.txt), so each `/`-separated segment must be a plain
 * name; `.` segments and repeated slashes drop out (as oras's filepath.Clean). Absolute titles and
 * `..` are refused (undefined), as oras-go refuses path traversal on write.
 */
export function titlePath(title: string | undefined): string | undefined {
  if (title === undefined || title.length > MAX_NAME_LENGTH || title.startsWith('/')) return undefined;
  const segments = title.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => plainFileName(s) === undefined)) return undefined;
  return segments.join('/');
}

/** The name a blob without a usable title gets: its digest, `sha256-<hex>` (no `:` for other file systems). */
export function digestFileName(digest: string): string {
  return digest.replace(':', '-');
}
