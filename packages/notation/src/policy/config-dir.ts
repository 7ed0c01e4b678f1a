// {NOTATION_CONFIG}: the NOTATION_CONFIG variable (notation cmd/notation/main.go), else
// notation's per-user default, which is Go's os.UserConfigDir() joined with "notation".
import { posix, win32 } from 'node:path';

/** Where notation looks for the OCI trust policy, in order (trustpolicy.json is the legacy name). */
export const TRUST_POLICY_FILES: readonly string[] = ['trustpolicy.oci.json', 'trustpolicy.json'];

/**
 * The notation configuration directory. Pure: pass `env` and `platform` to test it.
 * Linux/other Unix: $XDG_CONFIG_HOME/notation if it is an absolute path, else ~/.config/notation;
 * macOS: ~/Library/Application Support/notation; Windows: %AppData%\notation. When Go cannot
 * determine the user dir, notation falls back to ".notation" (relative), and so do we.
 */
export function notationConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const configured = env.NOTATION_CONFIG;
  if (configured !== undefined && configured !== '') return configured;
  const base = userConfigDir(env, platform);
  if (base === undefined) return '.notation';
  return platform === 'win32' ? win32.join(base, 'notation') : posix.join(base, 'notation');
}

function userConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform === 'win32') return env.AppData || env.APPDATA || undefined;
  const home = env.HOME;
  if (platform === 'darwin') return home ? posix.join(home, 'Library', 'Application Support') : undefined;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return posix.isAbsolute(xdg) ? xdg : undefined;
  return home ? posix.join(home, '.config') : undefined;
}
