// Takes the in-toto Statement out of a DSSE envelope (dsse/envelope.md) — bare, as in a cosign `.att`
// layer, or inside a Sigstore bundle's `dsseEnvelope` (sigstore_bundle.proto). Nothing is verified
// here: this only locates the SBOM; signatures are checked by @ocx/cosign.
import { z } from 'zod';
import { SbomError } from '../errors.ts';
import { IN_TOTO_PAYLOAD_TYPE } from './constants.ts';

const Envelope = z.looseObject({
  payloadType: z.string(),
  payload: z.string().regex(/^[A-Za-z0-9+/_\r\n-]*={0,2}\s*$/, 'payload is not base64'),
});
const Bundle = z.looseObject({ dsseEnvelope: Envelope });

export function statementFromEnvelope(bytes: Uint8Array, shape: 'dsse' | 'bundle'): Uint8Array {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new SbomError('INVALID_STATEMENT', `${shape === 'bundle' ? 'Sigstore bundle' : 'DSSE envelope'} is not UTF-8 JSON`, { cause });
  }
  const r = shape === 'bundle' ? Bundle.safeParse(json) : Envelope.safeParse(json);
  if (!r.success) {
    throw new SbomError('INVALID_STATEMENT', `not a ${shape === 'bundle' ? 'DSSE bundle' : 'DSSE envelope'}: ${r.error.issues[0]?.message ?? ''}`, { cause: r.error });
  }
  const env = 'dsseEnvelope' in r.data ? (r.data as z.infer<typeof Bundle>).dsseEnvelope : (r.data as z.infer<typeof Envelope>);
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new SbomError('INVALID_STATEMENT', `DSSE payloadType is ${JSON.stringify(env.payloadType.slice(0, 100))}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  return new Uint8Array(Buffer.from(env.payload, 'base64'));
}
