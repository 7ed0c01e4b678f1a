import type { EnvelopeMediaType, SignatureAlgorithm, SigningScheme } from './constants.ts';
import type { NotationPayload } from './payload.ts';

/** A protected header notation does not define (plugins and vendors use these). */
export interface ExtendedAttribute {
  readonly key: string;
  readonly value: unknown;
  readonly critical: boolean;
}

export interface SignedAttributes {
  readonly contentType: string;
  readonly signingScheme: SigningScheme;
  /** `io.cncf.notary.signingTime` (notary.x509; claimed by the signer, not trusted). */
  readonly signingTime?: Date;
  /** `io.cncf.notary.authenticSigningTime` (notary.x509.signingAuthority; trusted). */
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
  readonly verificationPlugin?: string;
  readonly verificationPluginMinVersion?: string;
  readonly extendedAttributes: readonly ExtendedAttribute[];
}

export interface UnsignedAttributes {
  readonly signingAgent?: string;
  /** DER/BER RFC 3161 TimeStampToken over the envelope's signature bytes. */
  readonly timestampSignature?: Uint8Array;
}

/** A parsed, structurally validated notation signature envelope (signature not yet verified). */
export interface SignatureEnvelope {
  readonly mediaType: EnvelopeMediaType;
  readonly format: 'jws' | 'cose';
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signedAttributes: SignedAttributes;
  readonly unsignedAttributes: UnsignedAttributes;
  /** DER certificates, leaf first, root last, as carried by x5c / x5chain. */
  readonly certificateChain: readonly Uint8Array[];
  readonly payloadContentType: string;
  readonly payloadBytes: Uint8Array;
  /** The decoded notation payload; undefined only when parsed with `headersOnly`. */
  readonly payload?: NotationPayload;
  readonly signature: Uint8Array;
  /** The exact bytes the signature covers: JWS signing input, or the COSE Sig_structure. */
  readonly signedBytes: Uint8Array;
  /** The original JWS object (for jose verification); undefined for COSE. */
  readonly jws?: { readonly protected: string; readonly payload: string; readonly signature: string; readonly header: Record<string, unknown> };
}
