import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A DOCKER_CONFIG directory whose config.json has `auths` for these hosts, as `docker login` writes it. */
export async function dockerConfig(dir: string, auths: Record<string, { username: string; password: string }>): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const entries = Object.fromEntries(Object.entries(auths).map(([host, c]) => [host, { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') }]));
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: entries }), { mode: 0o600 });
  return dir;
}
