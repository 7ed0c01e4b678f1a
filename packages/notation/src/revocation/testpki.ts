// Test-only: a small PKI whose leaf names an OCSP responder and a CRL distribution point, plus a
// loopback responder that signs OCSP answers and CRLs with pkijs + WebCrypto. Not exported.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { engine, OID_REV } from './asn1.ts';

type Key = webcrypto.CryptoKey;
type Pair = webcrypto.CryptoKeyPair;
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export const genKey = () => webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<Pair>;

function setName(target: pkijs.RelativeDistinguishedNames, cn: string): void {
  target.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: '2.5.4.10', value: new asn1js.Utf8String({ value: 'ocx revocation test' }) }));
  target.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) }));
}

function keyUsage(byte: number, unusedBits: number): ArrayBuffer {
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits }).toBER(false);
}

export interface MintOptions {
  readonly cn: string;
  readonly issuerCn?: string;
  readonly publicKey: Key;
  readonly signingKey: Key;
  readonly serial: number;
  readonly ca?: boolean;
  readonly eku?: string;
  readonly ocsp?: string;
  readonly crl?: string;
  /** freshestCRL (delta CRL) URL named by the certificate. */
  readonly freshest?: string;
  readonly noCheck?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export async function mintCert(o: MintOptions): Promise<Uint8Array> {
  const c = new pkijs.Certificate();
  c.version = 2;
  c.serialNumber = new asn1js.Integer({ value: o.serial });
  setName(c.subject, o.cn);
  setName(c.issuer, o.issuerCn ?? o.cn);
  c.notBefore.value = o.notBefore ?? new Date('2020-01-01T00:00:00Z');
  c.notAfter.value = o.notAfter ?? new Date('2040-01-01T00:00:00Z');
  await c.subjectPublicKeyInfo.importKey(o.publicKey, engine);
  const bc = new pkijs.BasicConstraints({ cA: o.ca ?? false, ...(o.ca ? { pathLenConstraint: 1 } : {}) });
  const exts = [
    new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: bc.toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: o.ca ? keyUsage(0x06, 1) : keyUsage(0x80, 7) }),
  ];
  if (!o.ca) exts.push(new pkijs.Extension({ extnID: '2.5.29.37', critical: false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: [o.eku ?? '1.3.6.1.5.5.7.3.3'] }).toSchema().toBER(false) }));
  if (o.ocsp) {
    const aia = new pkijs.InfoAccess({ accessDescriptions: [new pkijs.AccessDescription({ accessMethod: OID_REV.aiaOcsp, accessLocation: new pkijs.GeneralName({ type: 6, value: o.ocsp }) })] });
    exts.push(new pkijs.Extension({ extnID: OID_REV.aia, critical: false, extnValue: aia.toSchema().toBER(false) }));
  }
  if (o.crl) {
    const dp = new pkijs.CRLDistributionPoints({ distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: o.crl })] })] });
    exts.push(new pkijs.Extension({ extnID: OID_REV.crlDistributionPoints, critical: false, extnValue: dp.toSchema().toBER(false) }));
  }
  if (o.freshest) exts.push(new pkijs.Extension({ extnID: OID_REV.freshestCrl, critical: false, extnValue: distributionPoints([o.freshest]) }));
  if (o.noCheck) exts.push(new pkijs.Extension({ extnID: OID_REV.ocspNoCheck, critical: false, extnValue: new asn1js.Null().toBER(false) }));
  c.extensions = exts;
  await c.sign(o.signingKey, 'SHA-256', engine);
  return new Uint8Array(c.toSchema(true).toBER(false));
}

export interface TestCa {
  readonly rootKey: Pair;
  readonly root: Uint8Array;
  readonly leafKey: Pair;
  readonly leaf: Uint8Array;
  /** leaf, root */
  readonly chain: Uint8Array[];
}

/** Root CA → code-signing leaf (serial 2) naming `ocsp` and/or `crl` URLs. */
export async function makeTestCa(urls: { ocsp?: string; crl?: string; freshest?: string }): Promise<TestCa> {
  const rootKey = await genKey();
  const root = await mintCert({ cn: 'Revocation Test Root', publicKey: rootKey.publicKey, signingKey: rootKey.privateKey, serial: 1, ca: true });
  const leafKey = await genKey();
  const leaf = await mintCert({ cn: 'Revocation Test Leaf', issuerCn: 'Revocation Test Root', publicKey: leafKey.publicKey, signingKey: rootKey.privateKey, serial: 2, ...urls });
  return { rootKey, root, leafKey, leaf, chain: [leaf, root] };
}

export interface OcspSpec {
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revocationTime?: Date;
  readonly invalidityDate?: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Sign with this key instead of the issuer's (bad signature or delegated responder). */
  readonly signingKey?: Key;
  /** Delegated responder certificate to embed and name as responder. */
  readonly responderCert?: Uint8Array;
}

/** A DER OCSPResponse for `serial`, issued under `issuerCert`. */
export async function makeOcspResponse(issuerCert: Uint8Array, issuerKey: Key, serial: number, spec: OcspSpec): Promise<Uint8Array> {
  const issuer = pkijs.Certificate.fromBER(issuerCert);
  const sha1 = async (b: Uint8Array | ArrayBuffer) => new Uint8Array(await webcrypto.subtle.digest('SHA-1', b));
  const id = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_REV.sha1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: await sha1(issuer.subject.toSchema().toBER(false)) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: await sha1(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView) }),
    serialNumber: new asn1js.Integer({ value: serial }),
  });
  const certStatus =
    spec.status === 'good'
      ? new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } })
      : spec.status === 'unknown'
        ? new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } })
        : new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: spec.revocationTime ?? spec.thisUpdate })] });
  const single = new pkijs.SingleResponse({ certID: id, certStatus, thisUpdate: spec.thisUpdate, ...(spec.nextUpdate ? { nextUpdate: spec.nextUpdate } : {}) });
  if (spec.invalidityDate) {
    single.singleExtensions = [new pkijs.Extension({ extnID: OID_REV.invalidityDate, extnValue: new asn1js.GeneralizedTime({ valueDate: spec.invalidityDate }).toBER(false) })];
  }
  const basic = new pkijs.BasicOCSPResponse();
  const responder = spec.responderCert ? pkijs.Certificate.fromBER(spec.responderCert) : issuer;
  basic.tbsResponseData.responderID = responder.subject;
  basic.tbsResponseData.producedAt = spec.thisUpdate;
  basic.tbsResponseData.responses = [single];
  if (spec.responderCert) basic.certs = [responder];
  await basic.sign(spec.signingKey ?? issuerKey, 'SHA-256', engine);
  const resp = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({ responseType: OID_REV.ocspBasic, response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }) }),
  });
  return new Uint8Array(resp.toSchema().toBER(false));
}

/** A CRLDistributionPoints / FreshestCRL value: one distribution point per URI. */
export function distributionPoints(uris: string[]): ArrayBuffer {
  return new pkijs.CRLDistributionPoints({ distributionPoints: uris.map((u) => new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: u })] })) })
    .toSchema()
    .toBER(false);
}

export interface CrlSpec {
  /** `reason` is the RFC 5280 §5.3.1 reasonCode (6 certificateHold, 8 removeFromCRL). */
  readonly revoked?: { serial: number; date: Date; invalidityDate?: Date; reason?: number }[];
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly signingKey?: Key;
  /** cRLNumber. */
  readonly number?: number;
  /** deltaCRLIndicator (makes this a delta CRL): the minimum base CRL number. */
  readonly deltaOf?: number;
  /** freshestCRL URLs (where the delta CRLs of this base are). */
  readonly freshest?: string[];
}

export async function makeCrl(issuerCert: Uint8Array, issuerKey: Key, spec: CrlSpec): Promise<Uint8Array> {
  const issuer = pkijs.Certificate.fromBER(issuerCert);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = issuer.subject;
  crl.thisUpdate = new pkijs.Time({ type: 1, value: spec.thisUpdate });
  if (spec.nextUpdate) crl.nextUpdate = new pkijs.Time({ type: 1, value: spec.nextUpdate });
  if (spec.revoked?.length) {
    crl.revokedCertificates = spec.revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ value: r.serial }),
          revocationDate: new pkijs.Time({ type: 1, value: r.date }),
          ...(r.invalidityDate || r.reason !== undefined ? { crlEntryExtensions: new pkijs.Extensions({ extensions: entryExtensions(r) }) } : {}),
        }),
    );
  }
  const exts: pkijs.Extension[] = [];
  if (spec.number !== undefined) exts.push(new pkijs.Extension({ extnID: OID_REV.crlNumber, critical: false, extnValue: new asn1js.Integer({ value: spec.number }).toBER(false) }));
  if (spec.deltaOf !== undefined) exts.push(new pkijs.Extension({ extnID: OID_REV.deltaCrlIndicator, critical: true, extnValue: new asn1js.Integer({ value: spec.deltaOf }).toBER(false) }));
  if (spec.freshest) exts.push(new pkijs.Extension({ extnID: OID_REV.freshestCrl, critical: false, extnValue: distributionPoints(spec.freshest) }));
  if (exts.length > 0) crl.crlExtensions = new pkijs.Extensions({ extensions: exts });
  await crl.sign(spec.signingKey ?? issuerKey, 'SHA-256', engine);
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

function entryExtensions(r: { invalidityDate?: Date; reason?: number }): pkijs.Extension[] {
  const out: pkijs.Extension[] = [];
  if (r.reason !== undefined) out.push(new pkijs.Extension({ extnID: OID_REV.reasonCode, extnValue: new asn1js.Enumerated({ value: r.reason }).toBER(false) }));
  if (r.invalidityDate) out.push(new pkijs.Extension({ extnID: OID_REV.invalidityDate, extnValue: new asn1js.GeneralizedTime({ valueDate: r.invalidityDate }).toBER(false) }));
  return out;
}

export type Handler = (req: IncomingMessage, body: Uint8Array, res: ServerResponse) => void;

/** A loopback HTTP server; `requests` counts what it received. */
export async function startServer(handler: Handler): Promise<{ url: string; requests: { method: string; url: string }[]; close(): Promise<void>; server: Server }> {
  const requests: { method: string; url: string }[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      handler(req, new Uint8Array(Buffer.concat(parts)), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
