// Which Sigstore services a keyless signature uses: the public-good instance by default, single URLs
// from flags, or a Sigstore signing config (protobuf-specs SigningConfig v0.2 JSON, the file
// `cosign sign --signing-config` takes). Pure: the caller reads the file.
import { z } from 'zod';
import { SignerError } from '../errors.ts';

export const PUBLIC_GOOD = {
  fulcio: 'https://fulcio.sigstore.dev',
  rekor: 'https://rekor.sigstore.dev',
} as const;

export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';
const MAX_SERVICES = 32;

const service = z.object({
  url: z.string().min(1).max(2048),
  majorApiVersion: z.number().int().nonnegative().default(1),
  validFor: z.object({ start: z.string().optional(), end: z.string().optional() }).optional(),
  operator: z.string().optional(),
});
const selector = z.object({ selector: z.enum(['SERVICE_SELECTOR_UNDEFINED', 'ALL', 'ANY', 'EXACT']).optional(), count: z.number().optional() });

export const signingConfigSchema = z.object({
  mediaType: z.literal(SIGNING_CONFIG_MEDIA_TYPE),
  caUrls: z.array(service).max(MAX_SERVICES).default([]),
  oidcUrls: z.array(service).max(MAX_SERVICES).default([]),
  rekorTlogUrls: z.array(service).max(MAX_SERVICES).default([]),
  rekorTlogConfig: selector.optional(),
  tsaUrls: z.array(service).max(MAX_SERVICES).default([]),
  tsaConfig: selector.optional(),
});
export type SigningConfig = z.infer<typeof signingConfigSchema>;

export interface KeylessServices {
  readonly fulcioURL: string;
  /** Rekor base URL and API major version; absent: no transparency-log entry. */
  readonly rekor?: { readonly url: string; readonly majorApiVersion: number };
  /** TSA base URL (or full timestamp URL from a signing config); absent: no RFC 3161 timestamp. */
  readonly tsaURL?: string;
}

export interface ServiceChoice {
  readonly fulcioURL?: string;
  readonly rekorURL?: string;
  readonly tsaURL?: string;
  /** The parsed JSON of a signing config file. */
  readonly signingConfig?: unknown;
  /** false: no Rekor entry even where the defaults or the signing config name one (cosign --tlog-upload=false). */
  readonly tlogUpload?: boolean;
}

/** The API versions the @sigstore/sign clients speak (its config.ts: CA v1, Rekor v1–v2, TSA v1). */
const MAX_API = { ca: 1, tlog: 2, tsa: 1 } as const;

function baseURL(flag: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SignerError('INVALID_OPTIONS', `${flag} is not a URL: ${raw}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new SignerError('INVALID_OPTIONS', `${flag} must be an http(s) URL, not ${u.protocol}`);
  if (u.username || u.password) throw new SignerError('INVALID_OPTIONS', `${flag} must not carry credentials`);
  return u.toString().replace(/\/+$/, '');
}

/** The newest service valid at `now` whose API version the client speaks (protobuf-specs SigningConfig: "clients SHOULD select the first … valid"). */
function pick(services: SigningConfig['caUrls'], maxApi: number, now: Date): SigningConfig['caUrls'][number] | undefined {
  const t = now.getTime();
  const valid = services.filter((s) => {
    if (s.majorApiVersion > maxApi) return false;
    const start = s.validFor?.start ? Date.parse(s.validFor.start) : -Infinity;
    const end = s.validFor?.end ? Date.parse(s.validFor.end) : Infinity;
    return start <= t && t < end;
  });
  return valid.sort((a, b) => Date.parse(b.validFor?.start ?? '0') - Date.parse(a.validFor?.start ?? '0'))[0];
}

function fromSigningConfig(raw: unknown, now: Date): { fulcio?: string; rekor?: { url: string; majorApiVersion: number }; tsa?: string } {
  const parsed = signingConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SignerError('INVALID_OPTIONS', `--signing-config is not a Sigstore signing config v0.2: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const cfg = parsed.data;
  for (const [what, sel] of [['rekorTlogConfig', cfg.rekorTlogConfig], ['tsaConfig', cfg.tsaConfig]] as const) {
    // One service of each kind is used; ALL/EXACT ask for several, which would be silently weaker.
    if (sel?.selector === 'ALL' || sel?.selector === 'EXACT') throw new SignerError('INVALID_OPTIONS', `--signing-config ${what}.selector ${sel.selector} is not supported (ANY is)`);
  }
  const ca = pick(cfg.caUrls, MAX_API.ca, now);
  const tlog = cfg.rekorTlogConfig || cfg.rekorTlogUrls.length > 0 ? pick(cfg.rekorTlogUrls, MAX_API.tlog, now) : undefined;
  const tsa = cfg.tsaConfig || cfg.tsaUrls.length > 0 ? pick(cfg.tsaUrls, MAX_API.tsa, now) : undefined;
  if (cfg.rekorTlogUrls.length > 0 && !tlog) throw new SignerError('INVALID_OPTIONS', '--signing-config names no Rekor valid now with API version ≤ 2');
  if (cfg.tsaUrls.length > 0 && !tsa) throw new SignerError('INVALID_OPTIONS', '--signing-config names no TSA valid now with API version 1');
  return {
    ...(ca ? { fulcio: ca.url } : {}),
    ...(tlog ? { rekor: { url: tlog.url, majorApiVersion: tlog.majorApiVersion } } : {}),
    ...(tsa ? { tsa: tsa.url } : {}),
  };
}

/**
 * Flags win over the signing config, which wins over the public-good defaults (Fulcio and Rekor;
 * public-good has a TSA too, used only when named). A keyless certificate lives ten minutes, so the
 * signature needs a trusted time: a Rekor entry or a TSA timestamp — without either it is refused.
 */
export function resolveServices(choice: ServiceChoice, now: Date): KeylessServices {
  const cfg = choice.signingConfig === undefined ? undefined : fromSigningConfig(choice.signingConfig, now);
  const fulcioURL = baseURL('--fulcio-url', choice.fulcioURL ?? cfg?.fulcio ?? PUBLIC_GOOD.fulcio);
  const tlogUpload = choice.tlogUpload ?? true;
  const rekorRaw = choice.rekorURL ? { url: choice.rekorURL, majorApiVersion: 1 } : cfg ? cfg.rekor : { url: PUBLIC_GOOD.rekor, majorApiVersion: 1 };
  const rekor = tlogUpload && rekorRaw ? { url: baseURL('--rekor-url', rekorRaw.url), majorApiVersion: rekorRaw.majorApiVersion } : undefined;
  const tsaRaw = choice.tsaURL ?? cfg?.tsa;
  const tsaURL = tsaRaw ? baseURL('--tsa-url', tsaRaw) : undefined;
  if (!rekor && !tsaURL) {
    throw new SignerError(
      'INVALID_OPTIONS',
      'keyless signing needs a trusted time for its short-lived certificate: a Rekor entry (drop --tlog-upload=false) or an RFC 3161 timestamp (--tsa-url)',
    );
  }
  return { fulcioURL, ...(rekor ? { rekor } : {}), ...(tsaURL ? { tsaURL } : {}) };
}
