// Whatever the bytes, summarizeSbom / detectSbomFormat / extractPredicate either answer or throw an
// SbomError: never a TypeError from a field of the wrong type, never a stack overflow.
import { readFileSync } from 'node:fs';
import { fixturePath } from '@ocx/testkit';
import { describe, expect, it } from 'vitest';
import { detectSbomFormat } from './detect.ts';
import { SbomError } from './errors.ts';
import { extractPredicate } from './statement.ts';
import { summarizeSbom } from './summarize.ts';

const enc = new TextEncoder();

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof SbomError) return e.code;
    throw e;
  }
}

const REPLACEMENTS: readonly unknown[] = [null, 0, -1.5, true, '', 'x', [], [null], {}, { a: 1 }];

/** Every document obtained by replacing one value (at any depth) with a value of another type. */
function* mutations(doc: unknown): Generator<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  for (const path of paths) {
    for (const r of REPLACEMENTS) {
      const copy = structuredClone(doc) as Record<string | number, unknown>;
      if (path.length === 0) {
        yield r;
        continue;
      }
      let parent: Record<string | number, unknown> = copy;
      for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
      parent[path[path.length - 1]!] = r;
      yield copy;
    }
  }
}

describe('hostile input', () => {
  it.each([
    ['cosign', 'test/testdata/bom-go-mod.spdx.json'],
    ['cosign', 'test/testdata/bom-go-mod.cyclonedx.json'],
    ['spdx-examples', 'software/example11/spdx2.3/sbom.spdx.json'],
    ['spdx-examples', 'software/example11/spdx3.0/sbom.spdx3.json'],
    ['spdx-examples', 'software/example12/spdx2.2/hello-dist.spdx.json'],
  ])('every single-value type confusion of %s/%s is answered or refused with an SbomError', (...p) => {
    const doc = JSON.parse(readFileSync(fixturePath(...p), 'utf8'));
    const seen = new Set<string>();
    let n = 0;
    for (const m of mutations(doc)) {
      const bytes = enc.encode(JSON.stringify(m));
      seen.add(outcome(() => summarizeSbom(bytes, undefined, { includePackages: true })));
      outcome(() => detectSbomFormat(bytes));
      n++;
    }
    expect(n).toBeGreaterThan(50);
    expect(seen.has('ok')).toBe(true);
  });

  it('every truncation of a CycloneDX fixture is answered or refused with an SbomError', () => {
    const bytes = readFileSync(fixturePath('cyclonedx-bom-examples', 'SBOM/cern-lhc-vdm-editor-e564943/bom.json'));
    for (let cut = 0; cut < bytes.length; cut += 97) {
      const code = outcome(() => summarizeSbom(bytes.subarray(0, cut)));
      expect(['PARSE', 'UNSUPPORTED_FORMAT']).toContain(code);
    }
  });

  it('every truncation of a CycloneDX XML document is answered or refused with an SbomError', () => {
    const xml = enc.encode(
      `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"><!-- c --><metadata><component><name>a&amp;b</name></component></metadata><components><component><name><![CDATA[x]]></name><licenses><license><id>MIT</id></license></licenses></component></components></bom>`,
    );
    for (let cut = 0; cut <= xml.length; cut++) outcome(() => summarizeSbom(xml.subarray(0, cut)));
    expect(summarizeSbom(xml).packageCount).toBe(1);
  });

  it('random bytes are refused, not crashed on', () => {
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (let i = 0; i < 200; i++) {
      const bytes = new Uint8Array(1 + (i % 50)).map(rnd);
      bytes[0] = [0x7b, 0x3c, 0x53, 0x20][i % 4]!; // {, <, S, space
      outcome(() => summarizeSbom(bytes));
      outcome(() => extractPredicate(bytes));
    }
  });

  it('summaries refuse documents above maxBytes before parsing them', () => {
    const bytes = readFileSync(fixturePath('cyclonedx-bom-examples', 'SBOM/laravel-7.12.0/bom.1.4.json'));
    expect(outcome(() => summarizeSbom(bytes, undefined, { limits: { maxBytes: 1024 } }))).toBe('TOO_LARGE');
  });

  it('a huge license string is clipped, not parsed', () => {
    const lic = `${'MIT AND '.repeat(200_000)}MIT`;
    const bytes = enc.encode(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'a', licenses: [{ expression: lic }] }] }));
    const started = performance.now();
    const s = summarizeSbom(bytes);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(s.licenses[0]).toMatchObject({ count: 1, valid: false });
    expect(s.licenses[0]!.expression.length).toBe(1025);
  });

  it('__proto__ keys are data, not prototypes', () => {
    const text = '{"bomFormat":"CycloneDX","specVersion":"1.6","__proto__":{"components":[{"name":"evil"}]},"components":[{"name":"ok","__proto__":{"version":"9"}}]}';
    const s = summarizeSbom(enc.encode(text), undefined, { includePackages: true });
    expect(s.packages).toEqual([{ name: 'ok', licenses: [] }]);
    for (const t of [
      '{"bomFormat":"CycloneDX","specVersion":"1.6","__proto__":{"components":[{"name":"evil"}]}}',
      '{"spdxVersion":"SPDX-2.3","__proto__":{"packages":[{"name":"evil"}]}}',
      '{"spdxVersion":"SPDX-2.3","creationInfo":{"__proto__":{"creators":["Tool: evil"]}}}',
    ]) {
      expect(summarizeSbom(enc.encode(t))).toMatchObject({ packageCount: 0, creators: [] });
    }
  });
});
