// Test-only: a tiny RFC 3161 TSA on 127.0.0.1 (root CA → TSA certificate with the critical
// id-kp-timeStamping EKU; tokens with signingCertificateV2, RFC 3161 §2.4.2 / RFC 5816).
import { createHash, webcrypto } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { engineFor as engine, makeCert, pem } from '@ocx/testkit/pki';

const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const sha256 = (b: ArrayBuffer | Uint8Array) => createHash('sha256').update(new Uint8Array(b as ArrayBuffer)).digest();

export interface TestTsa {
  readonly url: string;
  readonly rootPem: string;
  requests: number;
  /** What the next answers say: granted (default), rejection, or garbage. */
  mode: 'grant' | 'reject' | 'garbage' | 'wrong-nonce';
  close(): Promise<void>;
}

export async function startTsa(): Promise<TestTsa> {
  const gen = () => webcrypto.subtle.generateKey(RSA as never, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
  const rootKeys = await gen();
  const tsaKeys = await gen();
  const rootName: [string, string][] = [['C', 'US'], ['O', 'ocx test'], ['CN', 'ocx test TSA root']];
  const tsaName: [string, string][] = [['C', 'US'], ['O', 'ocx test'], ['CN', 'ocx test TSA']];
  const root = await makeCert(rootName, rootName, rootKeys.publicKey, rootKeys.privateKey, 'SHA-256', true, 11);
  const tsaCert = await makeCert(tsaName, rootName, tsaKeys.publicKey, rootKeys.privateKey, 'SHA-256', false, 12, { oid: '1.3.6.1.5.5.7.3.8', critical: true });
  const tsaDer = tsaCert.toSchema(true).toBER(false);
  let serial = 100;

  async function answer(body: Uint8Array, mode: TestTsa['mode']): Promise<Uint8Array> {
    if (mode === 'garbage') return new TextEncoder().encode('not DER');
    if (mode === 'reject') {
      return new Uint8Array(new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 2, statusStrings: [new asn1js.Utf8String({ value: 'bad request' })] }) }).toSchema().toBER(false));
    }
    const req = pkijs.TimeStampReq.fromBER(body);
    const nonce = mode === 'wrong-nonce' ? new asn1js.Integer({ value: 42 }) : req.nonce;
    const tst = new pkijs.TSTInfo({
      version: 1,
      policy: '1.3.6.1.4.1.4146.2.3',
      messageImprint: req.messageImprint,
      serialNumber: new asn1js.Integer({ value: serial++ }),
      genTime: new Date(Math.floor(Date.now() / 1000) * 1000),
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(nonce ? { nonce } : {}),
    });
    const tstDer = tst.toSchema().toBER(false);
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 { certHash } (sha256 default).
    const signingCertV2 = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: sha256(tsaDer) })] })] })] });
    // DER, as real TSAs send it: pkijs' constructor would split eContent into a constructed (BER)
    // OCTET STRING, which notation's CMS parser does not accept, so it is set after construction.
    const encap = new pkijs.EncapsulatedContentInfo({ eContentType: OID_TST_INFO });
    encap.eContent = new asn1js.OctetString({ valueHex: tstDer });
    const sd = new pkijs.SignedData({
      version: 3,
      encapContentInfo: encap,
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: tsaCert.issuer, serialNumber: tsaCert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: OID_TST_INFO })] }),
              new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: sha256(tstDer) })] }),
              new pkijs.Attribute({ type: '1.2.840.113549.1.9.16.2.47', values: [signingCertV2] }),
            ],
          }),
        }),
      ],
      certificates: [tsaCert, root],
    });
    await sd.sign(tsaKeys.privateKey, 0, 'SHA-256', undefined, engine);
    const token = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) });
    return new Uint8Array(new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 0 }), timeStampToken: token }).toSchema().toBER(false));
  }

  const tsa: TestTsa = {
    url: '',
    rootPem: pem('CERTIFICATE', root.toSchema(true).toBER(false)),
    requests: 0,
    mode: 'grant',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      tsa.requests++;
      answer(new Uint8Array(Buffer.concat(chunks)), tsa.mode).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
          res.end(Buffer.from(body));
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (tsa as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  return tsa;
}
