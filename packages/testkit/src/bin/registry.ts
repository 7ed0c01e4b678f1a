// `pnpm registry -- --port P [--no-referrers-api] [--latency-ms N] [--page-size N] [--no-etag] [--etag]
//    [--auth anonymous|basic:USER:PASS|token:USER:PASS] [--anonymous-pull] [--token-expires-in S] [--tls]`
// Serves the in-memory registry emulator on 127.0.0.1; prints its URL as the first stdout line (and, with
// --tls, the CA file to trust as the second).
import { readFile } from 'node:fs/promises';
import type { EmulatorAuth } from '../emulator/auth.ts';
import { createEmulator } from '../emulator/emulator.ts';
import { scriptArgs } from '../script-args.ts';
import { makeTestCertificate } from '../tls.ts';

function usage(message: string): never {
  process.stderr.write(`registry: ${message}\n`);
  process.exit(64);
}

/** `anonymous` | `basic:USER:PASS` | `token:USER:PASS` (the password may contain colons). */
function parseAuth(value: string | undefined, anonymousPull: boolean): EmulatorAuth | undefined {
  if (value === undefined) return undefined;
  if (value === 'anonymous') return { mode: 'anonymous-token' };
  const m = /^(basic|token):([^:]+):(.*)$/s.exec(value);
  if (!m) usage(`--auth expects anonymous, basic:USER:PASS or token:USER:PASS, got ${value.split(':')[0]}:…`);
  const users = { [m[2]!]: m[3]! };
  return m[1] === 'basic' ? { mode: 'basic', users } : { mode: 'token', users, anonymousPull };
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value)) {
    process.stderr.write(`registry: --${name} expects a non-negative integer, got ${value}\n`);
    process.exit(64);
  }
  return Number(value);
}

const { values } = scriptArgs({
  name: 'registry',
  usage:
    'pnpm registry -- [--port P] [--no-referrers-api] [--latency-ms N] [--page-size N] [--no-etag | --etag]\n' +
    '       [--auth anonymous|basic:USER:PASS|token:USER:PASS] [--anonymous-pull] [--token-expires-in S] [--tls]',
  options: {
    port: { type: 'string' },
    'no-referrers-api': { type: 'boolean' },
    'latency-ms': { type: 'string' },
    'page-size': { type: 'string' },
    'no-etag': { type: 'boolean' },
    etag: { type: 'boolean' },
    auth: { type: 'string' },
    'anonymous-pull': { type: 'boolean' },
    'token-expires-in': { type: 'string' },
    tls: { type: 'boolean' },
  },
}) as {
  values: { port?: string; 'no-referrers-api'?: boolean; 'latency-ms'?: string; 'page-size'?: string; 'no-etag'?: boolean; etag?: boolean; auth?: string; 'anonymous-pull'?: boolean; 'token-expires-in'?: string; tls?: boolean };
};

const referrersApi = !values['no-referrers-api'];
const etag = values['no-etag'] ? false : values.etag ? true : referrersApi;
const emulator = createEmulator({
  referrersApi,
  etag,
  latencyMs: int('latency-ms', values['latency-ms'], 0),
  pageSize: int('page-size', values['page-size'], 0),
  auth: parseAuth(values.auth, values['anonymous-pull'] ?? false),
  ...(values['token-expires-in'] !== undefined ? { tokenExpiresIn: int('token-expires-in', values['token-expires-in'], 300) } : {}),
});
const cert = values.tls ? await makeTestCertificate() : undefined;
const tls = cert ? { key: await readFile(cert.keyFile), cert: await readFile(cert.certFile) } : undefined;
const running = await emulator.listen({ port: int('port', values.port, 0), ...(tls ? { tls } : {}) });
process.stdout.write(`${running.url}\n`);
if (cert) process.stdout.write(`${cert.caFile}\n`);
process.stderr.write(
  `registry: referrers API ${referrersApi ? 'on' : 'off'}, etag ${etag ? 'on' : 'off'}, auth ${values.auth?.split(':')[0] ?? 'none'}` +
    `${cert ? `, tls (trust ${cert.caFile} with --ca-file or NODE_EXTRA_CA_CERTS)` : ''}\n`,
);

let closing = false;
const stop = (): void => {
  if (closing) return;
  closing = true;
  running.close().then(
    async () => {
      await cert?.cleanup();
      process.exit(0);
    },
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
