// Certificate files in a trust store hold PEM or DER (notation-core-go x509.ReadCertificateFile):
// if the bytes contain a PEM block, every block is taken as a certificate whatever its label
// (so a stray key block is an error, not silently skipped); otherwise the bytes are one or more
// concatenated DER certificates. Pure: bytes in, DER certificates out.

export class CertificateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateFileError';
  }
}

// A PEM block starts at the beginning of a line (RFC 7468 §2); the END label must match.
const PEM_BLOCK = /(?:^|\n)-----BEGIN ([^\r\n]*?)-----\r?\n([\s\S]*?)(?:^|\n)-----END \1-----/gm;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function pemBlocks(text: string): { label: string; body: string }[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', body: m[2] ?? '' }));
}

// Length of the DER TLV at `offset` (definite lengths only, as DER requires).
function tlvLength(bytes: Uint8Array, offset: number): number {
  if (offset + 2 > bytes.length) throw new CertificateFileError('truncated DER data');
  if (bytes[offset] !== 0x30) throw new CertificateFileError('data is neither PEM nor a DER certificate (no SEQUENCE)');
  const first = bytes[offset + 1]!;
  if (first < 0x80) return checkFits(bytes, offset, 2, first);
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new CertificateFileError('invalid DER length encoding');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[offset + 2 + i] ?? 0);
  return checkFits(bytes, offset, 2 + n, len);
}

function checkFits(bytes: Uint8Array, offset: number, header: number, len: number): number {
  if (offset + header + len > bytes.length) throw new CertificateFileError('truncated DER certificate');
  return header + len;
}

/** Split a certificate file into DER certificates (not yet parsed). An empty result is possible. */
export function splitCertificateFile(bytes: Uint8Array): Uint8Array[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const blocks = pemBlocks(text);
  if (blocks.length > 0) {
    return blocks.map(({ label, body }, i) => {
      const b64 = body.replace(/\s+/g, '');
      if (body.includes(':') || !BASE64.test(b64) || b64.length % 4 !== 0) {
        throw new CertificateFileError(`PEM block ${i + 1} ("${label}") is not valid base64`);
      }
      return new Uint8Array(Buffer.from(b64, 'base64'));
    });
  }
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const len = tlvLength(bytes, offset);
    out.push(bytes.slice(offset, offset + len));
    offset += len;
  }
  return out;
}
