// SPDX license expressions (SPDX 2.3 Annex D; SPDX 3.0 SimpleLicensing "License Expressions"),
// parsed with spdx-expression-parse and printed back in one canonical form so that counts merge
// `(MIT OR Apache-2.0)`, `MIT or Apache-2.0` and `mit OR apache-2.0`.
import parseSpdxExpression from 'spdx-expression-parse';
import licenseIds from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecatedIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import exceptionIds from 'spdx-exceptions/index.json' with { type: 'json' };

export interface NormalizedLicense {
  /** Canonical form when valid; otherwise the raw text (whitespace collapsed, clipped). */
  readonly expression: string;
  /** True when `expression` is a valid SPDX license expression (or NONE / NOASSERTION). */
  readonly valid: boolean;
}

/**
 * The parser re-slices its input for every token, so its cost grows with the square of the length;
 * real expressions are a few hundred characters at most. Longer text is kept (clipped), not parsed.
 */
export const MAX_LICENSE_EXPRESSION_LENGTH = 1024;

/** SPDX special values meaning "no license information" rather than a license. */
export function isNoLicense(expression: string): boolean {
  return expression === 'NONE' || expression === 'NOASSERTION';
}

// Annex D.2: license identifiers match case-insensitively; operators are upper case but the parser
// already accepts any case for them. Map lowercased ids back to their listed spelling.
let canonicalIds: Map<string, string> | undefined;
function canonicalIdMap(): Map<string, string> {
  canonicalIds ??= new Map(
    [...(licenseIds as string[]), ...(deprecatedIds as string[]), ...(exceptionIds as string[])].map((id) => [
      id.toLowerCase(),
      id,
    ]),
  );
  return canonicalIds;
}

type Node = parseSpdxExpression.Info;

function render(node: Node, parent?: 'and' | 'or'): string {
  if ('license' in node) {
    return `${node.license}${node.plus ? '+' : ''}${node.exception ? ` WITH ${node.exception}` : ''}`;
  }
  const text = `${render(node.left, node.conjunction)} ${node.conjunction.toUpperCase()} ${render(node.right, node.conjunction)}`;
  // AND binds tighter than OR (Annex D.4), so only an OR inside an AND needs parentheses.
  return parent === 'and' && node.conjunction === 'or' ? `(${text})` : text;
}

function tryParse(text: string): string | undefined {
  try {
    return render(parseSpdxExpression(text));
  } catch {
    return undefined;
  }
}

export function normalizeLicenseExpression(raw: string): NormalizedLicense {
  // The parser only skips spaces; producers wrap long expressions with newlines and tabs.
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text.length > MAX_LICENSE_EXPRESSION_LENGTH) {
    return { expression: `${text.slice(0, MAX_LICENSE_EXPRESSION_LENGTH)}…`, valid: false };
  }
  const upper = text.toUpperCase();
  if (isNoLicense(upper)) return { expression: upper, valid: true };
  const direct = tryParse(text);
  if (direct !== undefined) return { expression: direct, valid: true };
  const ids = canonicalIdMap();
  const recased = text.replace(/[A-Za-z0-9.-]+/g, (token) => ids.get(token.toLowerCase()) ?? token);
  const fixed = recased === text ? undefined : tryParse(recased);
  return fixed !== undefined ? { expression: fixed, valid: true } : { expression: text, valid: false };
}

export interface LicenseCount {
  readonly expression: string;
  /** Packages whose license information includes this expression. */
  readonly count: number;
  readonly valid: boolean;
}

/** Counts license expressions per package; a package without any counts as unlicensed. */
export class LicenseTally {
  readonly #cache = new Map<string, NormalizedLicense>();
  readonly #counts = new Map<string, { expression: string; valid: boolean; count: number }>();
  #withoutLicense = 0;

  normalize(raw: string): NormalizedLicense {
    let hit = this.#cache.get(raw);
    if (hit === undefined) {
      hit = normalizeLicenseExpression(raw);
      this.#cache.set(raw, hit);
    }
    return hit;
  }

  /** Records one package's licenses; returns the distinct expressions kept for it. */
  addPackage(raws: readonly string[]): string[] {
    const seen = new Map<string, boolean>();
    for (const raw of raws) {
      const n = this.normalize(raw);
      if (!isNoLicense(n.expression)) seen.set(n.expression, n.valid);
    }
    if (seen.size === 0) this.#withoutLicense++;
    for (const [expression, valid] of seen) {
      const key = `${valid ? 'v' : 'i'}:${expression}`;
      const entry = this.#counts.get(key);
      if (entry) entry.count++;
      else this.#counts.set(key, { expression, valid, count: 1 });
    }
    return [...seen.keys()];
  }

  get withoutLicense(): number {
    return this.#withoutLicense;
  }

  /** Most used first, then by expression, so output is stable for a given document. */
  result(): LicenseCount[] {
    return [...this.#counts.values()]
      .map(({ expression, count, valid }) => ({ expression, count, valid }))
      .sort((a, b) => b.count - a.count || (a.expression < b.expression ? -1 : a.expression > b.expression ? 1 : 0));
  }
}
