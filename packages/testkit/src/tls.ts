import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RigError } from './proc.ts';

const run = promisify(execFile);

export interface TestCertificate {
  readonly dir: string;
  /** PEM of the CA: what a client trusts (`--ca-file`, NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  /** PEM of the leaf certificate (SAN IP:127.0.0.1, DNS:localhost and any extra `dnsNames`), signed by the CA. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Removes the directory (only when makeTestCertificate created it; otherwise the files it wrote). */
  cleanup(): Promise<void>;
}

// A leaf signed by its own CA rather than a self-signed leaf: clients (Node, Go's crypto/x509 in the
// peers and docker-registry) then validate a real chain, and a CA certificate is never a server cert.
const leafExt = (dnsNames: readonly string[]) =>
  [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${['IP:127.0.0.1', 'DNS:localhost', ...dnsNames.map((n) => `DNS:${n}`)].join(',')}`,
    '',
  ].join('\n');

export interface TestCertificateOptions {
  /** More DNS names for the leaf (a registry's public name behind a test proxy: `registry.test`). */
  readonly dnsNames?: readonly string[];
}

/** Mints a CA and a leaf for 127.0.0.1/localhost (and `dnsNames`) with openssl (P-256, valid two days). */
export async function makeTestCertificate(dir?: string, opts: TestCertificateOptions = {}): Promise<TestCertificate> {
  const owned = dir === undefined;
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'ocx-test-cert-')));
  if (!owned) await mkdir(where, { recursive: true });
  const f = (n: string) => join(where, n);
  const files = ['ca.key', 'ca.pem', 'key.pem', 'leaf.csr', 'cert.pem', 'leaf.ext'].map(f);
  const openssl = async (args: string[]) => {
    try {
      await run('openssl', args, { timeout: 30_000 });
    } catch (cause) {
      throw new RigError('PEER_MISSING', `openssl ${args[0]} failed (openssl is needed to mint a test certificate): ${(cause as Error).message}`, { cause });
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=ocx test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await openssl(['req', ...ec, '-keyout', f('key.pem'), '-out', f('leaf.csr'), '-subj', '/CN=localhost']);
  await writeFile(f('leaf.ext'), leafExt(opts.dnsNames ?? []));
  await openssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', `0x${Date.now().toString(16)}`,
    '-days', '2', '-out', f('cert.pem'), '-extfile', f('leaf.ext')]);
  return {
    dir: where,
    caFile: f('ca.pem'),
    certFile: f('cert.pem'),
    keyFile: f('key.pem'),
    cleanup: async () => {
      if (owned) await rm(where, { recursive: true, force: true });
      else await Promise.all(files.map((p) => rm(p, { force: true })));
    },
  };
}
