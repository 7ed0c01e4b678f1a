import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { fixturePath } from '@ocx/testkit';
import { arbitraryBytes, arbitraryText, fuzzParams, fuzzTimeout, hostileJsonValue, mutatedBytes, mutatedJson, mutatedText, parsesOrTyped, parsesOrTypedAsync } from '@ocx/testkit/fuzz';
import { describe, expect } from 'vitest';
import {
  DescriptorSchema,
  formatReference,
  ImageIndexSchema,
  ImageManifestSchema,
  isOciError,
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPE_OCI_INDEX,
  parseChallenge,
  parseIndex,
  parseManifest,
  parseNextLink,
  parsePlatform,
  parseReference,
  RegistryClient,
  RemoteRepository,
  type Descriptor,
} from '../src/index.ts';

// Property suite (issue 10 "Beyond the list"): every parser at @ocx/oci's trust boundary returns a
// value or throws OciError — never another exception, never a hang — on arbitrary input and on
// mutated real samples; formatters round-trip. `pnpm fuzz` runs the same properties ≥100k times.

const enc = new TextEncoder();
const typed = (err: unknown) => isOciError(err);

// Manifests and indexes written by real tools (notation's e2e layouts, cosign's derived image, a
// sigstore-oci fallback index observed on docker-registry 2.8).
function manifestSamples(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const layouts = fixturePath('notation/test/e2e/testdata/registry/oci_layout');
  for (const layout of readdirSync(layouts)) {
    out.push(readFileSync(join(layouts, layout, 'index.json')));
    const blobs = join(layouts, layout, 'blobs/sha256');
    for (const b of readdirSync(blobs)) {
      const bytes = readFileSync(join(blobs, b));
      if (bytes.length < 64 * 1024 && /"schemaVersion"/.test(bytes.toString('latin1'))) out.push(bytes);
    }
  }
  const ggcr = fixturePath('cosign/derived-ggcr-empty-image/blobs/sha256');
  for (const b of readdirSync(ggcr)) out.push(readFileSync(join(ggcr, b)));
  const observed = fixturePath('local-observations/sigstore-oci-0.7.2-on-docker-registry-2.8.2');
  for (const f of readdirSync(observed)) if (f.endsWith('.json')) out.push(readFileSync(join(observed, f)));
  return out;
}

const MANIFESTS = manifestSamples();
const MANIFEST_JSON = MANIFESTS.flatMap((b) => {
  try {
    return [JSON.parse(new TextDecoder().decode(b)) as unknown];
  } catch {
    return [];
  }
});
const manifestInput = fc.oneof(mutatedBytes(MANIFESTS), mutatedJson(MANIFEST_JSON).map((s) => enc.encode(s)), arbitraryBytes());
const hint = fc.option(fc.oneof(fc.constantFrom(...MANIFEST_MEDIA_TYPES), fc.string({ maxLength: 40 })), { nil: undefined });

describe('manifests and indexes', () => {
  test.prop([manifestInput, hint], fuzzParams(500))(
    'parseManifest returns a manifest or throws OciError',
    (bytes, h) => {
      const r = parsesOrTyped(() => parseManifest(bytes, h), typed);
      if (r.value) expect(MANIFEST_MEDIA_TYPES).toContain(r.value.mediaType);
    },
    fuzzTimeout(),
  );

  test.prop([manifestInput], fuzzParams(300))('parseIndex returns an index or throws OciError', (bytes) => {
    const r = parsesOrTyped(() => parseIndex(bytes, 'referrers response'), typed);
    if (r.value) expect(Array.isArray(r.value.manifests)).toBe(true);
  }, fuzzTimeout());

  test.prop([fc.oneof(hostileJsonValue(), fc.anything(), mutatedJson(MANIFEST_JSON).map((s) => JSON.parse(s) as unknown))], fuzzParams(300))(
    'the zod schemas never throw, whatever the value',
    (value) => {
      for (const schema of [DescriptorSchema, ImageManifestSchema, ImageIndexSchema]) parsesOrTyped(() => schema.safeParse(value), () => false);
    },
    fuzzTimeout(),
  );
});

// ---- references ----

const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/, { size: 'xsmall' }).filter((s) => s.length > 0 && s.length <= 40);
const repository = fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join('/')).filter((r) => r.length <= 255);
const tag = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/, { size: 'xsmall' });
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const digest = fc.oneof(hex(64).map((h) => `sha256:${h}`), hex(128).map((h) => `sha512:${h}`));
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc.oneof(
  fc.tuple(fc.array(label, { minLength: 2, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([l, p]) => `${l.join('.')}${p ? `:${p}` : ''}`),
  fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }).map((p) => `localhost${p ? `:${p}` : ''}`),
  fc.constantFrom('docker.io', 'index.docker.io', 'registry-1.docker.io', '[::1]:5000', '127.0.0.1:5000', 'ghcr.io'),
);
const registryRef = fc
  .record({ host: fc.option(host, { nil: undefined }), repo: repository, tag: fc.option(tag, { nil: undefined }), digest: fc.option(digest, { nil: undefined }) })
  .map(({ host: h, repo, tag: t, digest: d }) => `${h ? `${h}/` : ''}${repo}${t ? `:${t}` : ''}${d ? `@${d}` : ''}`);
const layoutRef = fc
  .record({ dir: fc.array(fc.stringMatching(/^[A-Za-z0-9._ -]{1,12}$/), { minLength: 1, maxLength: 3 }), tag: fc.option(tag, { nil: undefined }), digest: fc.option(digest, { nil: undefined }) })
  .filter(({ dir }) => dir.every((d) => d !== '.' && d !== '..'))
  .map(({ dir, tag: t, digest: d }) => `oci-layout:/tmp/${dir.join('/')}${d ? `@${d}` : t ? `:${t}` : ''}`);
const REFERENCE_SAMPLES = [
  'ghcr.io/ocx/app:v1.2.3',
  'localhost:5000/a/b@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  'docker.io/library/alpine:3.20@sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f',
  '[::1]:5000/x:y',
  'oci-layout:/tmp/layout:tag',
  'oci-layout:./rel@sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  'alpine',
];
const referenceInput = fc.oneof(registryRef, layoutRef, mutatedText(REFERENCE_SAMPLES), arbitraryText(300), fc.string({ minLength: 4090, maxLength: 4200 }));
const parseOpts = { env: {}, cwd: '/work/cwd' };

describe('references', () => {
  test.prop([referenceInput, fc.constantFrom<string | null | undefined>(undefined, null, 'latest')], fuzzParams(1000))(
    'parseReference returns a reference or throws OciError',
    (input, defaultTag) => {
      parsesOrTyped(() => parseReference(input, { ...parseOpts, defaultTag }), typed);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(registryRef, layoutRef)], fuzzParams(1000))(
    'parse → format → parse is the identity (a digest pins: the tag beside it is dropped)',
    (input) => {
      const ref = parseReference(input, parseOpts);
      const text = formatReference(ref);
      const again = parseReference(text, parseOpts);
      expect(again).toEqual(ref.digest && ref.tag ? { ...ref, tag: undefined } : ref);
      expect(formatReference(again)).toBe(text);
    },
    fuzzTimeout(),
  );

  test.prop([fc.oneof(arbitraryText(64), mutatedText(['linux/amd64', 'linux/arm64/v8', 'windows/amd64']))], fuzzParams(300))(
    'parsePlatform returns a platform or throws OciError',
    (input) => {
      parsesOrTyped(() => parsePlatform(input), typed);
    },
    fuzzTimeout(),
  );
});

// ---- Link headers (RFC 8288) ----

const linkUrl = fc.oneof(
  fc.webUrl({ withQueryParameters: true }),
  fc.stringMatching(/^\/v2\/[a-z0-9/]{1,30}\/(referrers|tags)\/[a-z0-9:]{0,20}\?n=[0-9]{1,4}&last=[A-Za-z0-9._;=%-]{0,20}$/),
).filter((u) => !/[<>]/.test(u));
const linkParam = fc.oneof(
  fc.constantFrom('type="application/json"', 'title="x, y"', 'anchor="#a"', 'hreflang=en'),
  fc.stringMatching(/^[a-z]{1,8}="[A-Za-z0-9 ,;=/]{0,16}"$/).filter((p) => !/^rel=/i.test(p)),
);
/** One link-value: `<url>; param; …` with `rel` somewhere among its parameters. */
function formatLink(url: string, rel: string, params: string[], relAt: number, quoted: boolean): string {
  const all = [...params];
  all.splice(relAt % (all.length + 1), 0, quoted ? `rel="${rel}"` : `rel=${rel}`);
  return `<${url}>; ${all.join('; ')}`;
}
const linkValue = (rel: fc.Arbitrary<string>) =>
  fc.tuple(linkUrl, rel, fc.array(linkParam, { maxLength: 3 }), fc.nat(), fc.boolean()).map(([u, r, p, at, q]) => ({ url: u, text: formatLink(u, r, p, at, q) }));

describe('Link headers', () => {
  test.prop([fc.oneof(arbitraryText(300), mutatedText(['</v2/a/referrers/sha256:ab?n=10&last=x>; rel="next"', '<https://r.example/v2/a/tags/list?n=1>; rel=next, <https://r.example/x>; rel="prev"'])), fc.constant(null)], fuzzParams(1000))(
    'parseNextLink never throws',
    (header, nil) => {
      parsesOrTyped(() => parseNextLink(header), () => false);
      parsesOrTyped(() => parseNextLink(nil), () => false);
    },
    fuzzTimeout(),
  );

  test.prop([fc.array(linkValue(fc.constantFrom('prev', 'first', 'last', 'self', 'nextish')), { maxLength: 3 }), linkValue(fc.constantFrom('next', 'NEXT', 'Next')), fc.nat()], fuzzParams(1000))(
    'format → parse: the rel="next" URL comes back, wherever it sits among other links',
    (others, next, at) => {
      const values = others.map((o) => o.text);
      values.splice(at % (values.length + 1), 0, next.text);
      expect(parseNextLink(values.join(', '))).toBe(next.url);
    },
    fuzzTimeout(),
  );

  test.prop([fc.array(linkValue(fc.constantFrom('prev', 'first', 'last')), { maxLength: 3 }), linkUrl, fc.array(fc.constantFrom('prev', 'first', 'self', 'nextish'), { maxLength: 3 }), fc.nat(), fc.array(linkParam, { maxLength: 2 })], fuzzParams(500))(
    'RFC 8288 §3.3: "next" is found anywhere in a space-separated rel list',
    (others, url, types, at, params) => {
      const rel: string[] = [...types];
      rel.splice(at % (rel.length + 1), 0, 'next');
      const value = formatLink(url, rel.join(' '), params, at, true);
      expect(parseNextLink([...others.map((o) => o.text), value].join(', '))).toBe(url);
    },
    fuzzTimeout(),
  );
});

// ---- WWW-Authenticate (RFC 7235 §4.1) ----

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/);
const paramValue = fc.oneof(fc.string({ maxLength: 40 }), fc.webUrl(), fc.constantFrom('repository:a/b:pull,push', 'a"b\\c', '', 'x,y'));
const quote = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

describe('WWW-Authenticate challenges', () => {
  test.prop(
    [fc.oneof(arbitraryText(300), mutatedText(['Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"', 'Basic realm="Registry Realm"', 'Bearer realm=x, error="insufficient_scope"']))],
    fuzzParams(1000),
  )('parseChallenge never throws', (header) => {
    const r = parsesOrTyped(() => parseChallenge(header), () => false);
    if (r.value) expect(r.value.scheme).toBe(r.value.scheme.toLowerCase());
  }, fuzzTimeout());

  test.prop([token, fc.uniqueArray(fc.tuple(token, paramValue), { maxLength: 5, selector: ([k]) => k.toLowerCase() }), fc.constantFrom(',', ', ', ' ,', ',\t')], fuzzParams(1000))(
    'format → parse gives back the scheme and every parameter',
    (scheme, params, sep) => {
      const header = `${scheme} ${params.map(([k, v]) => `${k}=${quote(v)}`).join(sep)}`;
      const c = parseChallenge(header);
      expect(c?.scheme).toBe(scheme.toLowerCase());
      expect(c?.params).toEqual(Object.fromEntries(params.map(([k, v]) => [k.toLowerCase(), v])));
    },
    fuzzTimeout(),
  );
});

// ---- referrer listings and tag lists from a hostile registry ----

const SUBJECT: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9', size: 728 };
const LISTING = readFileSync(fixturePath('local-observations/sigstore-oci-0.7.2-on-docker-registry-2.8.2/fallback-index-sha256-b8479de3.json'));
const TAGS = enc.encode(JSON.stringify({ name: 'a/b', tags: ['v1', 'sha256-b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9.sig'] }));
const page = fc.record({
  status: fc.constantFrom(200, 200, 200, 200, 400, 404, 405, 500),
  type: fc.constantFrom(MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_INDEX, 'application/json', ''),
  body: fc.oneof(mutatedBytes([LISTING, TAGS]), mutatedJson([JSON.parse(LISTING.toString('utf8')), JSON.parse(new TextDecoder().decode(TAGS))]).map((s) => enc.encode(s)), arbitraryBytes(128)),
  link: fc.option(fc.oneof(arbitraryText(80), fc.constantFrom('</v2/a/b/referrers/x?page=2>; rel="next"', '<http://other.example/v2/a/b/tags/list?n=1>; rel="next"', '</v2/a/b/tags/list?last=v1>; rel="next"', '<:::>; rel=next')), { nil: undefined }),
});

function hostileRegistry(pages: readonly { status: number; type: string; body: Uint8Array; link?: string }[]) {
  let n = 0;
  const fetch = async (): Promise<Response> => {
    const p = pages[Math.min(n++, pages.length - 1)]!;
    const headers = new Headers({ 'content-type': p.type });
    if (p.link !== undefined) {
      try {
        headers.set('link', p.link);
      } catch {
        // not a valid header value: a real server could not send it either
      }
    }
    return new Response(p.status === 204 ? null : p.body, { status: p.status, headers });
  };
  const client = new RegistryClient({ fetch, plainHttp: true, retries: 0, sleep: async () => undefined, onWarning: () => undefined });
  return new RemoteRepository(client, { host: 'registry.test', registry: 'registry.test', repository: 'a/b' });
}

describe('referrer listings and tag lists', () => {
  test.prop([fc.array(page, { minLength: 1, maxLength: 3 })], fuzzParams(300, 0.2))(
    'listing referrers yields descriptors or throws OciError',
    async (pages) => {
      const repo = hostileRegistry(pages);
      await parsesOrTypedAsync(async () => {
        const out: Descriptor[] = [];
        for await (const p of repo.referrers(SUBJECT)) out.push(...p);
        return out;
      }, typed);
    },
    fuzzTimeout(),
  );

  test.prop([fc.array(page, { minLength: 1, maxLength: 3 })], fuzzParams(300, 0.2))(
    'listing tags yields strings or throws OciError',
    async (pages) => {
      const repo = hostileRegistry(pages);
      await parsesOrTypedAsync(async () => {
        const out: string[] = [];
        for await (const p of repo.tags()) out.push(...p);
        for (const t of out) expect(typeof t).toBe('string');
        return out;
      }, typed);
    },
    fuzzTimeout(),
  );
});
