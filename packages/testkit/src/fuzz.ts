import { fc } from '@fast-check/vitest';

// Shared pieces of the property suites (packages/*/test/properties.test.ts): run counts, the fixed
// seed, the "typed error or a value, within a budget" check, and mutators that turn real samples into
// hostile input. `pnpm test` runs a few hundred cases per parser with a fixed seed (reproducible);
// `pnpm fuzz` sets OCX_FUZZ_RUNS (≥100k) and a fresh seed, printed by fast-check on failure.

/** The seed of `pnpm test`: the same cases on every machine. OCX_FUZZ_SEED replays a nightly failure. */
export const FUZZ_SEED = 20_261_202;

/**
 * A hang bound per case, far above any sane parse of these inputs (a few KiB to a few hundred KiB):
 * it catches super-linear blow-ups (regex backtracking, quadratic loops), it is not a speed target.
 */
export const CASE_BUDGET_MS = 5_000;

/** Cases per property: `base` in `pnpm test`, OCX_FUZZ_RUNS × `scale` (default 1) in `pnpm fuzz`. */
export function fuzzRuns(base: number, scale = 1): number {
  const env = Number(process.env.OCX_FUZZ_RUNS);
  return Number.isSafeInteger(env) && env > 0 ? Math.max(1, Math.round(env * scale)) : base;
}

/** fast-check parameters: fixed seed in `pnpm test`, a fresh one (or OCX_FUZZ_SEED) under `pnpm fuzz`. */
export function fuzzParams(base: number, scale = 1): { numRuns: number; seed?: number; endOnFailure: true } {
  const seed = Number(process.env.OCX_FUZZ_SEED);
  const nightly = process.env.OCX_FUZZ_RUNS !== undefined;
  return { numRuns: fuzzRuns(base, scale), endOnFailure: true, ...(Number.isSafeInteger(seed) ? { seed } : nightly ? {} : { seed: FUZZ_SEED }) };
}

/** Test timeout for a property: vitest's default in `pnpm test`, none in `pnpm fuzz`. */
export function fuzzTimeout(): number | undefined {
  return process.env.OCX_FUZZ_RUNS !== undefined ? 0 : undefined;
}

/** A thrown value that is not the package's typed error fails the case, carrying what it was. */
function typedOrRethrow(err: unknown, isTyped: (err: unknown) => boolean): { error: unknown } {
  if (!isTyped(err)) {
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`untyped exception escaped the parser: ${what}`, { cause: err });
  }
  return { error: err };
}

function withinBudget<T>(out: T, start: number, budgetMs: number): T {
  const took = performance.now() - start;
  if (took > budgetMs) throw new Error(`one parse took ${Math.round(took)} ms, over the ${budgetMs} ms hang bound`);
  return out;
}

/**
 * Runs one parse: a value, or an error `isTyped` accepts (the package's error class with a code from
 * its union). Any other exception is rethrown with what it was; a case over the budget fails.
 */
export function parsesOrTyped<T>(parse: () => T, isTyped: (err: unknown) => boolean, budgetMs = CASE_BUDGET_MS): { value?: T; error?: unknown } {
  const start = performance.now();
  let out: { value?: T; error?: unknown };
  try {
    out = { value: parse() };
  } catch (err) {
    out = typedOrRethrow(err, isTyped);
  }
  return withinBudget(out, start, budgetMs);
}

/** The async form of parsesOrTyped. */
export async function parsesOrTypedAsync<T>(parse: () => Promise<T>, isTyped: (err: unknown) => boolean, budgetMs = CASE_BUDGET_MS): Promise<{ value?: T; error?: unknown }> {
  const start = performance.now();
  let out: { value?: T; error?: unknown };
  try {
    out = { value: await parse() };
  } catch (err) {
    out = typedOrRethrow(err, isTyped);
  }
  return withinBudget(out, start, budgetMs);
}

const enc = new TextEncoder();

/** Strings a hostile producer reaches for: numbers past every limit, controls, bidi, surrogates. */
export const NASTY_STRINGS: readonly string[] = [
  '1e999999',
  '-1e999999',
  '9'.repeat(400),
  '-0',
  '-1',
  '1.5',
  '18446744073709551617',
  '9007199254740993',
  'NaN',
  'Infinity',
  '\u0000',
  '\u2028\u2029',
  '\u202e\u2066\u200b\ufeff\u061c',
  '\ud800',
  '\udfff\ud800',
  '𝕏🏳️‍🌈',
  'İı',
  '__proto__',
  'constructor',
  '%00%2e%2e/',
  '../../',
];

/** Tokens that steer JSON, XML, YAML, CBOR-ish and header grammars into their corners. */
const TOKENS: readonly string[] = [
  '{', '}', '[', ']', '"', "'", ',', ':', '\\', '\\u0000', '\\ud800', 'null', 'true', '0', '-', 'e9999',
  '<', '>', '/>', '</', '<!--', '-->', '<![CDATA[', '<!DOCTYPE x [<!ENTITY a "b">]>', '&amp;', '&#x110000;', '&#99999999999;', '&a;', '<?xml?>',
  '&', '*', '!!', '!!binary ', '---', '...', '? ', '- ', '|', '>-', '#', '%YAML 1.1', '&x [*x]', '<<: *x',
  ';', '=', 'rel=next', '<>', 'realm=', ',,', '\r\n', '\t', ' ',
  '\x98', '\xff', '\xd8\x12', '\x9f', '\xbf\xff',
];

type Mutation =
  | { readonly kind: 'flip'; readonly pos: number; readonly bit: number }
  | { readonly kind: 'set'; readonly pos: number; readonly byte: number }
  | { readonly kind: 'truncate'; readonly pos: number }
  | { readonly kind: 'delete'; readonly pos: number; readonly len: number }
  | { readonly kind: 'insert'; readonly pos: number; readonly bytes: Uint8Array }
  | { readonly kind: 'duplicate'; readonly pos: number; readonly len: number; readonly times: number }
  | { readonly kind: 'splice'; readonly pos: number; readonly from: number; readonly start: number; readonly len: number }
  | { readonly kind: 'number'; readonly pos: number; readonly value: string }
  | { readonly kind: 'nest'; readonly pos: number; readonly open: string; readonly close: string; readonly depth: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), byte: fc.constantFrom(0, 0x22, 0x5c, 0x7f, 0x80, 0xc0, 0xff) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      pos: fc.nat(),
      bytes: fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        fc.constantFrom(...TOKENS).map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0) & 0xff)),
        fc.constantFrom(...NASTY_STRINGS).map((s) => enc.encode(s)),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).map((s) => enc.encode(s)),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 256 }), times: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('splice' as const), pos: fc.nat(), from: fc.nat(), start: fc.nat(), len: fc.integer({ min: 1, max: 512 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('number' as const), pos: fc.nat(), value: fc.constantFrom(...NASTY_STRINGS.slice(0, 10)) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('nest' as const),
      pos: fc.nat(),
      open: fc.constantFrom('[', '{"a":', '<a>', '- ', '  ', '\x81', '\x9f'),
      close: fc.constantFrom(']', '}', '</a>', ''),
      depth: fc.constantFrom(64, 1_000, 10_000, 100_000),
    }),
  },
);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

function apply(b: Uint8Array, m: Mutation, samples: readonly Uint8Array[]): Uint8Array {
  const at = b.length === 0 ? 0 : m.pos % (b.length + 1);
  switch (m.kind) {
    case 'flip': {
      if (b.length === 0) return b;
      const out = Uint8Array.from(b);
      out[m.pos % b.length]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (b.length === 0) return Uint8Array.of(m.byte);
      const out = Uint8Array.from(b);
      out[m.pos % b.length] = m.byte;
      return out;
    }
    case 'truncate':
      return b.subarray(0, at);
    case 'delete':
      return concat(b.subarray(0, at), b.subarray(at + m.len));
    case 'insert':
      return concat(b.subarray(0, at), m.bytes, b.subarray(at));
    case 'duplicate': {
      const piece = b.subarray(at, at + m.len);
      return concat(b.subarray(0, at), ...Array.from({ length: m.times + 1 }, () => piece), b.subarray(at + m.len));
    }
    case 'splice': {
      const other = samples[m.from % samples.length]!;
      const start = other.length === 0 ? 0 : m.start % other.length;
      return concat(b.subarray(0, at), other.subarray(start, start + m.len), b.subarray(at));
    }
    case 'number': {
      // Replace the digit run at or after `at` (a size, an index, a time) with a hostile number.
      let i = at;
      while (i < b.length && (b[i]! < 0x30 || b[i]! > 0x39)) i++;
      let j = i;
      while (j < b.length && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
      return concat(b.subarray(0, i), enc.encode(m.value), b.subarray(j));
    }
    case 'nest':
      return concat(b.subarray(0, at), enc.encode(m.open.repeat(m.depth)), b.subarray(at), enc.encode(m.close.repeat(m.depth)));
  }
}

/** A real sample with 1–4 stacked mutations: bit flips, truncation, splices, nesting, numbers, unicode. */
export function mutatedBytes(samples: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (samples.length === 0) throw new Error('mutatedBytes needs at least one sample');
  return fc
    .tuple(fc.nat(samples.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([i, ms]) => ms.reduce((b, m) => apply(b, m, samples), samples[i]!));
}

/** mutatedBytes over text samples, decoded again (invalid UTF-8 becomes U+FFFD, as a lenient reader sees it). */
export function mutatedText(samples: readonly string[]): fc.Arbitrary<string> {
  const dec = new TextDecoder();
  return mutatedBytes(samples.map((s) => enc.encode(s))).map((b) => dec.decode(b));
}

/** JSON values a schema must refuse or survive: wrong types, huge and odd numbers, deep nesting. */
export function hostileJsonValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom<unknown>(null, true, 0, -1, 1.5, -0, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_VALUE, '', [], {}, 'a'.repeat(70_000)),
    fc.constantFrom(...NASTY_STRINGS),
    fc.integer({ min: 1, max: 300 }).map((d) => {
      let v: unknown = 'x';
      for (let i = 0; i < d; i++) v = [v];
      return v;
    }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'mediaType', 'digest', 'size', 'type', 'name'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  );
}

type Path = readonly (string | number)[];

function paths(value: unknown, limit = 4_000): Path[] {
  const out: Path[] = [[]];
  const walk = (v: unknown, p: Path): void => {
    if (out.length >= limit || typeof v !== 'object' || v === null) return;
    for (const [k, child] of Array.isArray(v) ? v.map((c, i) => [i, c] as const) : Object.entries(v)) {
      if (out.length >= limit) return;
      const next = [...p, k];
      out.push(next);
      walk(child, next);
    }
  };
  walk(value, []);
  return out;
}

type JsonEdit = { readonly op: 'replace' | 'delete' | 'duplicate' | 'add'; readonly at: number; readonly value: unknown; readonly key: string };

function edit(doc: unknown, e: JsonEdit): unknown {
  const all = paths(doc);
  const path = all[e.at % all.length]!;
  if (path.length === 0) return e.op === 'replace' ? e.value : doc;
  const root = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = root;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (e.op === 'replace') parent[key] = e.value;
  else if (e.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (e.op === 'duplicate' && Array.isArray(parent)) parent.push(...Array.from({ length: 50 }, () => parent[key as number]));
  else if (e.op === 'add' && typeof parent[key] === 'object' && parent[key] !== null && !Array.isArray(parent[key])) {
    Object.defineProperty(parent[key], e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
  } else parent[key] = e.value;
  return root;
}

/** A parsed JSON sample with 1–3 structural edits (replace, delete, duplicate, add a key), as text. */
export function mutatedJson(samples: readonly unknown[]): fc.Arbitrary<string> {
  if (samples.length === 0) throw new Error('mutatedJson needs at least one sample');
  const editArb = fc.record({
    op: fc.constantFrom('replace', 'replace', 'delete', 'duplicate', 'add') as fc.Arbitrary<JsonEdit['op']>,
    at: fc.nat(),
    value: hostileJsonValue(),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'mediaType', 'x-extra', ''), fc.string({ maxLength: 8 })),
  });
  return fc.tuple(fc.nat(samples.length - 1), fc.array(editArb, { minLength: 1, maxLength: 3 })).map(([i, edits]) => JSON.stringify(edits.reduce(edit, samples[i]!)));
}

/** Arbitrary bytes and text with no relation to any format. */
export function arbitraryBytes(maxLength = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof(fc.uint8Array({ maxLength }), fc.string({ unit: 'binary', maxLength }).map((s) => enc.encode(s)));
}

export function arbitraryText(maxLength = 512): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme', maxLength }));
}
