// The keyless signer: an ephemeral P-256 key, certified once per run by Fulcio for the identity in
// the OIDC token (@sigstore/sign FulcioSigner: the proof of possession signs the token's subject),
// then reused for every manifest signed in that run, as cosign does; and the witnesses that give
// the short-lived certificate a trusted time (Rekor entry and/or RFC 3161 timestamp).
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { FulcioSigner, InternalError, RekorWitness, TSAWitness, type Signature, type Signer, type Witness } from '@sigstore/sign';
import { SignerError, type SignerErrorCode } from '../errors.ts';
import type { KeylessServices } from './services.ts';
import { redact } from './token.ts';

/** Per request to Fulcio, Rekor and the TSA; @sigstore/sign retries on 5xx/429 within it. */
const DEFAULT_TIMEOUT_MS = 30_000;
const RETRY = { retries: 2 } as const;

function ephemeralKey(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as { privateKey: KeyObject; publicKey: KeyObject };
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { sign: async (data) => ({ signature: cryptoSign('sha256', data, privateKey), key: { $case: 'publicKey', publicKey: pem } }) };
}

export interface KeylessSigner {
  readonly signer: Signer;
  readonly witnesses: Witness[];
  /** The PEM leaf certificate, once the first signature was made. */
  certificate(): string | undefined;
}

export interface KeylessSignerOptions {
  readonly identityToken: string;
  readonly services: KeylessServices;
  /** Rekor entry kind for a DSSE envelope (default dsse); a message signature is always logged as hashedrekord. */
  readonly entryType?: 'dsse' | 'intoto';
  readonly timeoutMs?: number;
}

export function keylessSigner(opts: KeylessSignerOptions): KeylessSigner {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keyHolder = ephemeralKey();
  const fulcio = new FulcioSigner({
    fulcioBaseURL: opts.services.fulcioURL,
    identityProvider: { getToken: async () => opts.identityToken },
    keyHolder,
    timeout,
    retry: RETRY,
  });
  let cert: string | undefined;
  const signer: Signer = {
    async sign(data: Buffer): Promise<Signature> {
      if (cert === undefined) {
        const first = await fulcio.sign(data);
        if (first.key.$case === 'x509Certificate') cert = first.key.certificate;
        return first;
      }
      const sig = await keyHolder.sign(data);
      return { signature: sig.signature, key: { $case: 'x509Certificate', certificate: cert } };
    },
  };
  const witnesses: Witness[] = [];
  const { rekor, tsaURL } = opts.services;
  if (rekor) witnesses.push(new RekorWitness({ rekorBaseURL: rekor.url, majorApiVersion: rekor.majorApiVersion, entryType: opts.entryType ?? 'dsse', fetchOnConflict: true, timeout, retry: RETRY }));
  if (tsaURL) witnesses.push(new TSAWitness({ tsaBaseURL: tsaURL, timeout, retry: RETRY }));
  return { signer, witnesses, certificate: () => cert };
}

const SERVICE_OF: Record<string, SignerErrorCode> = {
  CA_CREATE_SIGNING_CERTIFICATE_ERROR: 'CA_FAILED',
  IDENTITY_TOKEN_PARSE_ERROR: 'INVALID_TOKEN',
  IDENTITY_TOKEN_READ_ERROR: 'TOKEN_UNAVAILABLE',
  TLOG_CREATE_ENTRY_ERROR: 'TLOG_FAILED',
  TLOG_FETCH_ENTRY_ERROR: 'TLOG_FAILED',
  TSA_CREATE_TIMESTAMP_ERROR: 'TIMESTAMP_FAILED',
};

/**
 * @sigstore/sign errors as SignerError, with the token cut out of every message (FulcioSigner puts an
 * unparsable token into its message verbatim).
 */
export function keylessError(e: unknown, token: string, services: KeylessServices): unknown {
  if (!(e instanceof InternalError)) {
    if (e instanceof Error && e.message.includes(token)) return new Error(redact(e.message, token));
    return e;
  }
  let code = SERVICE_OF[e.code] ?? 'CA_FAILED';
  const status = (e.cause as { statusCode?: number } | undefined)?.statusCode;
  // Fulcio answers 400 for a token it cannot verify (unknown issuer, bad signature), 401/403 for one it refuses.
  if (code === 'CA_FAILED' && (status === 400 || status === 401 || status === 403)) code = 'INVALID_TOKEN';
  const where = code === 'TLOG_FAILED' ? services.rekor?.url : code === 'TIMESTAMP_FAILED' ? services.tsaURL : services.fulcioURL;
  const detail = e.cause instanceof Error && !e.message.includes(e.cause.message) ? `: ${e.cause.message}` : '';
  const what = code === 'INVALID_TOKEN' ? `Fulcio (${where}) refused the identity token` : `${e.message} (${where})`;
  return new SignerError(code, redact(`${what}${detail}`, token));
}
