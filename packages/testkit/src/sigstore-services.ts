// Real Sigstore services on loopback for keyless-signing tests: an OIDC issuer (served here, tokens
// minted with jose), Fulcio v1.8.x with its ephemeral CA and no CT log, and timestamp-authority v1.2.x
// with its in-memory signer; plus the trusted_root.json a verifier needs for them.
//
//   const issuer = await startOidcIssuer();
//   const fulcio = await startFulcio({ issuer: issuer.url });
//   const tsa = await startTimestampServer();
//   const trustedRoot = await composeTrustedRoot({ fulcio, tsa });
//   const token = await issuer.mintToken({ email: 'dev@example.com' });
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { missingToolMessage, peerPath, warnOnce } from './peers.ts';
import { isCI, RigError, stopProcess } from './proc.ts';
import { freePort } from './registries.ts';

export interface OidcIssuer {
  /** http://127.0.0.1:PORT — the `iss` of every token and the issuer Fulcio is configured with. */
  readonly url: string;
  /** A signed ID token (ES256). Defaults: aud "sigstore", sub = email, email_verified true, 10 minutes. */
  mintToken(claims?: OidcClaims): Promise<string>;
  stop(): Promise<void>;
}

export interface OidcClaims {
  email?: string;
  emailVerified?: boolean;
  sub?: string;
  aud?: string;
  expiresInSeconds?: number;
  /** Extra claims, e.g. CI provider claims. */
  extra?: Record<string, unknown>;
}

/** An OpenID provider that serves only what a relying party verifying ID tokens needs: discovery and JWKS. */
export async function startOidcIssuer(): Promise<OidcIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  let url = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      // OpenID Connect Discovery 1.0 §3 (the REQUIRED members).
      return json({
        issuer: url,
        jwks_uri: `${url}/jwks`,
        authorization_endpoint: `${url}/authorize`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (path === '/jwks') return json({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async mintToken(claims: OidcClaims = {}) {
      const email = claims.email ?? 'signer@example.com';
      return new SignJWT({ email, email_verified: claims.emailVerified ?? true, ...claims.extra })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(url)
        .setSubject(claims.sub ?? email)
        .setAudience(claims.aud ?? 'sigstore')
        .setIssuedAt()
        .setExpirationTime(`${claims.expiresInSeconds ?? 600}s`)
        .sign(privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A started service: its base URL, the PEM chain verifiers trust it by (leaf or CA first, root last). */
export interface SigstoreService {
  readonly url: string;
  readonly certificates: readonly string[];
  logs(): string;
  stop(): Promise<void>;
}

/** For `describe.skipIf(!x)`: true when both services are built; else one skip line (throws under CI). */
export function sigstoreServicesOrSkip(): boolean {
  const missing = (['fulcio', 'timestamp-server'] as const).filter((p) => !peerPath(p));
  if (missing.length === 0) return true;
  const msg = missingToolMessage(`peer ${missing.join(' and ')}`, 'run bash scripts/peers.sh fulcio timestamp-server');
  if (isCI()) throw new RigError('PEER_MISSING', msg);
  warnOnce(msg);
  return false;
}

const live = new Set<ChildProcess>();
let hooked = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

interface Launched {
  child: ChildProcess;
  logs(): string;
  exited(): boolean;
}

function launch(exe: string, args: string[], dir: string): Launched {
  // Only what the tool needs: no proxies (loopback only), no credentials, HOME in the temp dir.
  const child = spawn(exe, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
  track(child);
  let out = '';
  let gone = false;
  child.once('exit', () => (gone = true));
  for (const s of [child.stdout!, child.stderr!]) {
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out = (out + d).slice(-65536)));
  }
  return { child, logs: () => out, exited: () => gone };
}

async function waitFor(url: string, svc: Launched, name: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (svc.exited()) throw new RigError('REGISTRY_START', `${name} exited before answering ${url}:\n${svc.logs()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return res;
      await res.arrayBuffer();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new RigError('REGISTRY_START', `${name} did not answer ${url} within ${timeoutMs} ms:\n${svc.logs()}`);
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export interface StartFulcioOptions {
  /** The OIDC issuer URL Fulcio accepts tokens from (type email, client id "sigstore"). */
  issuer: string;
  readyTimeoutMs?: number;
}

/**
 * `fulcio serve --ca ephemeralca --ct-log-url ""`: certificates carry no SCT (verifiers need
 * --insecure-ignore-sct). HTTP, gRPC and metrics each get a free loopback port (metrics would
 * otherwise bind :2112), and the legacy gRPC socket lives in the temp dir, not the shared abstract
 * socket, so two Fulcios can run at once.
 */
export async function startFulcio(opts: StartFulcioOptions): Promise<SigstoreService> {
  const exe = peerPath('fulcio');
  if (!exe) throw new RigError('PEER_MISSING', missingToolMessage('peer fulcio', 'run bash scripts/peers.sh fulcio'));
  const dir = await mkdtemp(join(tmpdir(), 'ocx-fulcio-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ OIDCIssuers: { [opts.issuer]: { IssuerURL: opts.issuer, ClientID: 'sigstore', Type: 'email' } } }));
  const [port, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  // fulcio cmd/app/serve.go: flags; "host"/"port" are the HTTP listener.
  const args = [
    'serve',
    '--ca=ephemeralca',
    '--ct-log-url=',
    `--config-path=${config}`,
    '--host=127.0.0.1',
    `--port=${port}`,
    '--grpc-host=127.0.0.1',
    `--grpc-port=${grpcPort}`,
    `--metrics-port=${metricsPort}`,
    `--legacy-unix-domain-socket=${join(dir, 'legacy.sock')}`,
    '--log_type=prod',
  ];
  const svc = launch(exe, args, dir);
  const url = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    await stopProcess(svc.child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const res = await waitFor(`${url}/api/v2/trustBundle`, svc, 'fulcio', opts.readyTimeoutMs ?? 30_000);
    const bundle = (await res.json()) as { chains?: { certificates?: string[] }[] };
    const certificates = (bundle.chains?.[0]?.certificates ?? []).flatMap(pemBlocks);
    if (certificates.length === 0) throw new RigError('REGISTRY_START', `fulcio ${url}/api/v2/trustBundle has no certificate`);
    return { url, certificates, logs: svc.logs, stop: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * `timestamp-server serve --timestamp-signer memory`. v1.2.9 binds its metrics listener on :2112 with
 * no flag to move it (pkg/server/prometheus.go), so a second server on the machine dies at start; the
 * launcher retries until `readyTimeoutMs` (the other one usually belongs to a test that ends soon).
 * NTP monitoring is off: it would query public NTP servers.
 */
export async function startTimestampServer(opts: { readyTimeoutMs?: number } = {}): Promise<SigstoreService> {
  const exe = peerPath('timestamp-server');
  if (!exe) throw new RigError('PEER_MISSING', missingToolMessage('peer timestamp-server', 'run bash scripts/peers.sh timestamp-server'));
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  let last = '';
  while (Date.now() < deadline) {
    const dir = await mkdtemp(join(tmpdir(), 'ocx-tsa-'));
    const port = await freePort();
    const args = ['serve', '--host=127.0.0.1', `--port=${port}`, '--timestamp-signer=memory', '--disable-ntp-monitoring', '--log-type=prod'];
    const svc = launch(exe, args, dir);
    const url = `http://127.0.0.1:${port}`;
    const cleanup = async () => {
      await stopProcess(svc.child);
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      const res = await waitFor(`${url}/api/v1/timestamp/certchain`, svc, 'timestamp-server', Math.max(1000, deadline - Date.now()));
      const certificates = pemBlocks(await res.text());
      if (certificates.length === 0) throw new RigError('REGISTRY_START', `timestamp-server ${url} sent no certificate chain`);
      // The metrics goroutine may lose the :2112 race after the API answered; give it a moment to fail.
      await new Promise((r) => setTimeout(r, 300));
      if (svc.exited()) throw new RigError('REGISTRY_START', `timestamp-server exited:\n${svc.logs()}`);
      return { url, certificates, logs: svc.logs, stop: cleanup };
    } catch (e) {
      await cleanup();
      last = svc.logs();
      if (!/address already in use/i.test(last)) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new RigError('REGISTRY_START', `timestamp-server: :2112 stayed busy (its metrics port cannot be moved):\n${last}`);
}

function distinguishedName(cert: X509Certificate): { organization?: string; commonName?: string } {
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(cert.subject)?.[1];
  const organization = field('O');
  const commonName = field('CN');
  return { ...(organization ? { organization } : {}), ...(commonName ? { commonName } : {}) };
}

function authority(svc: Pick<SigstoreService, 'url' | 'certificates'>): Record<string, unknown> {
  const certs = svc.certificates.map((pem) => new X509Certificate(pem));
  const root = certs[certs.length - 1]!;
  return {
    subject: distinguishedName(root),
    uri: svc.url,
    certChain: { certificates: certs.map((c) => ({ rawBytes: c.raw.toString('base64') })) },
    validFor: { start: new Date(root.validFrom).toISOString() },
  };
}

/**
 * A Sigstore trusted root (protobuf-specs TrustedRoot, media type v0.1) naming Fulcio as the
 * certificate authority and the TSA as the timestamp authority; no transparency or CT logs.
 */
export function composeTrustedRoot(services: { fulcio: Pick<SigstoreService, 'url' | 'certificates'>; tsa?: Pick<SigstoreService, 'url' | 'certificates'> }): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [authority(services.fulcio)],
    ctlogs: [],
    timestampAuthorities: services.tsa ? [authority(services.tsa)] : [],
  };
}
