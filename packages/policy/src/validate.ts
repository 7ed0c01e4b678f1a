// Load-time validation: shape (zod, strict), then every cross-field rule, all problems reported
// at once and each located by path and rule. A policy that passes can be evaluated without any
// further checks; one that does not is refused by every command (exit 78).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { compileIdentity } from '@ocx/cosign';
import { checkTrustPolicy } from '@ocx/notation';
import type { z } from 'zod';
import { predicateTypeFor, isSlsaPredicate } from './attestation-types.ts';
import { errorFromIssues } from './errors.ts';
import type { PolicyErrorCode, PolicyIssue } from './errors.ts';
import { policyDocumentSchema, SIGNER_KINDS } from './schema.ts';
import type { PolicyDocument, RuleDocument, SignerDocument } from './schema.ts';
import { covers, parseScope, specificity } from './scope.ts';
import type { Scope } from './scope.ts';
import type { AttestationRequirement, Policy, Rule, Signer } from './types.ts';

export interface ValidateOptions {
  /** Names the policy in messages (its file path, or e.g. "inline policy"). */
  readonly source?: string;
  /** Relative paths are resolved against this (the policy file's directory). Default: cwd. */
  readonly baseDir?: string;
  /** What `~` expands to. Default: the user's home directory. */
  readonly home?: string;
}

const q = (v: unknown): string => JSON.stringify(v);

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

function ruleRef(input: unknown, index: number): { name: string; index: number } {
  const name = valueAt(input, ['rules', index, 'name']);
  return { name: typeof name === 'string' ? name : '', index };
}

/** `rule "acme" (rules[2])` or `signer "ci"` or the bare path: where a message points. */
function where(input: unknown, path: readonly PropertyKey[]): { label: string; rule?: { name: string; index: number } } {
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const rule = ruleRef(input, path[1]);
    const rest = pathText(path.slice(2));
    const label = `rule ${rule.name ? `${q(rule.name)} ` : ''}(rules[${path[1]}])${rest ? ` ${rest}` : ''}`;
    return { label, rule };
  }
  if (path[0] === 'signers' && typeof path[1] === 'string') {
    const rest = pathText(path.slice(2));
    return { label: `signer ${q(path[1])}${rest ? ` ${rest}` : ''}` };
  }
  return { label: pathText(path) || '(document)' };
}

// A union of strict objects reports "no member matched"; pick the member the user meant (by the
// key that selects it) and report its problems instead.
function flattenIssues(input: unknown, issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): { path: PropertyKey[]; issue: z.core.$ZodIssue }[] {
  const out: { path: PropertyKey[]; issue: z.core.$ZodIssue }[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && path[0] === 'signers' && path.length === 2) {
      const value = valueAt(input, path);
      const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
      const chosen = SIGNER_KINDS.filter((k) => keys.includes(k));
      if (chosen.length === 1) {
        const branch = issue.errors[SIGNER_KINDS.indexOf(chosen[0]!)] ?? [];
        out.push(...flattenIssues(input, branch, path));
        continue;
      }
      const msg = chosen.length === 0 ? `a signer is one of ${SIGNER_KINDS.map((k) => `{${k}: …}`).join(', ')}` : `a signer has exactly one of ${chosen.join(', ')}`;
      out.push({ path, issue: { ...issue, message: msg } });
      continue;
    }
    out.push({ path, issue });
  }
  return out;
}

function zodMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type' && value === undefined) return 'is missing (required)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => q(k)).join(', ');
    return `unknown key${issue.keys.length === 1 ? '' : 's'} ${keys} (unknown keys are errors: a misspelt key must not change what a rule means)`;
  }
  return issue.message;
}

function expandPath(p: string, baseDir: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

class Collector {
  readonly issues: PolicyIssue[] = [];
  constructor(readonly input: unknown) {}
  add(code: PolicyErrorCode, path: readonly PropertyKey[], message: string): void {
    const at = where(this.input, path);
    this.issues.push({ code, path: pathText(path), ...(at.rule ? { rule: at.rule } : {}), message: `${at.label}: ${message}` });
  }
}

/**
 * Validate a decoded policy document (from YAML or JSON) and resolve it into a Policy. Pure
 * apart from reading the home directory when `home` is not given. Throws PolicyError.
 */
export function validatePolicy(input: unknown, options: ValidateOptions = {}): Policy {
  const source = options.source ?? 'policy';
  const c = new Collector(input);
  const shaped = policyDocumentSchema.safeParse(input);
  if (!shaped.success) {
    for (const { path, issue } of flattenIssues(input, shaped.error.issues)) c.add('POLICY_INVALID', path, zodMessage(issue, valueAt(input, path)));
    throw errorFromIssues(c.issues, source);
  }
  const doc = shaped.data;
  const baseDir = options.baseDir ?? process.cwd();
  const home = options.home ?? homedir();
  const path = (p: string, at: readonly PropertyKey[]): string => {
    if (/^~[^/]/.test(p)) c.add('POLICY_INVALID', at, `only "~/" is expanded, not ${q(p.split('/')[0])}`);
    return expandPath(p, baseDir, home);
  };

  const signers: Record<string, Signer> = {};
  for (const [name, s] of Object.entries(doc.signers ?? {})) {
    const signer = resolveSigner(name, s, c, path);
    if (signer !== undefined) signers[name] = signer;
  }
  const trust: { sigstore?: { trustedRoot: string }; notation?: { config: string } } = {};
  if (doc.trust?.sigstore) trust.sigstore = { trustedRoot: path(doc.trust.sigstore.trustedRoot, ['trust', 'sigstore', 'trustedRoot']) };
  if (doc.trust?.notation) trust.notation = { config: path(doc.trust.notation.config, ['trust', 'notation', 'config']) };

  const defaults = { mode: doc.defaults?.mode ?? 'enforce', unmatched: doc.defaults?.unmatched ?? 'deny' } as const;
  const rules: Rule[] = [];
  const names = new Map<string, number>();
  (doc.rules ?? []).forEach((r, index) => {
    const at = ['rules', index];
    const seen = names.get(r.name);
    if (seen !== undefined) c.add('POLICY_INVALID', [...at, 'name'], `the name is also used by rules[${seen}]; rule names must be unique`);
    else names.set(r.name, index);
    const rule = resolveRule(r, index, defaults.mode, doc, c);
    if (rule !== undefined) rules.push(rule);
  });
  checkAmbiguity(rules, c);
  if (c.issues.length > 0) throw errorFromIssues(c.issues, source);
  return { version: 1, source, defaults, signers, trust, rules, document: doc };
}

function resolveSigner(name: string, s: SignerDocument, c: Collector, path: (p: string, at: readonly PropertyKey[]) => string): Signer | undefined {
  const at = ['signers', name];
  if ('keyless' in s) {
    const k = s.keyless;
    if ((k.identity === undefined) === (k.identityRegexp === undefined)) {
      c.add('POLICY_INVALID', [...at, 'keyless'], 'exactly one of identity and identityRegexp is required');
      return undefined;
    }
    if (k.identityRegexp !== undefined) {
      // Compiled as `ocx verify --certificate-identity-regexp` compiles it (anchored, Unicode mode),
      // so RE2 constructs JavaScript reads differently (\z, (?P<…>), POSIX classes) are refused here
      // with the same explanation instead of loading and silently matching something else.
      try {
        compileIdentity({ subjectRegExp: k.identityRegexp });
      } catch (err) {
        c.add('POLICY_INVALID', [...at, 'keyless', 'identityRegexp'], `not a valid regular expression: ${(err as Error).message}`);
        return undefined;
      }
    }
    return { kind: 'keyless', name, ...k };
  }
  if ('key' in s) return { kind: 'key', name, key: path(s.key, [...at, 'key']), tlog: s.tlog ?? 'required' };
  if ('notation' in s) {
    const n = s.notation;
    const trustStores = typeof n.trustStore === 'string' ? [n.trustStore] : n.trustStore;
    const level = n.verification?.level ?? 'strict';
    // notation's own statement rules (stores, x509.subject DNs, "*", overrides), applied to a
    // one-statement policy built from this signer, so a signer loads iff notation would load it.
    const statement = {
      name,
      registryScopes: ['*'],
      signatureVerification: { level, ...(n.verification?.override ? { override: n.verification.override } : {}), ...(n.verification?.verifyTimestamp ? { verifyTimestamp: n.verification.verifyTimestamp } : {}) },
      trustStores,
      trustedIdentities: n.identities,
    };
    const check = checkTrustPolicy({ version: '1.0', trustPolicies: [statement] });
    for (const issue of check.issues) {
      const msg = issue.message.replace(/^policy "[^"]*": /, '');
      c.add('POLICY_INVALID', [...at, 'notation'], msg);
    }
    if (check.issues.length > 0) return undefined;
    return {
      kind: 'notation',
      name,
      trustStores,
      identities: n.identities,
      verification: { level, override: n.verification?.override ?? {}, verifyTimestamp: n.verification?.verifyTimestamp ?? 'always' },
    };
  }
  if (s.extension.family === 'cosign' || s.extension.family === 'notation') {
    c.add('POLICY_INVALID', [...at, 'extension', 'family'], `${q(s.extension.family)} is built in; write a keyless, key or notation signer`);
    return undefined;
  }
  return { kind: 'extension', name, family: s.extension.family, config: s.extension.config ?? {} };
}

function resolveRule(r: RuleDocument, index: number, defaultMode: Rule['mode'], doc: PolicyDocument, c: Collector): Rule | undefined {
  const at = ['rules', index];
  const known = doc.signers ?? {};
  const before = c.issues.length;
  const parsed = parseScope(r.scope);
  if (parsed.problem !== undefined) c.add('POLICY_INVALID', [...at, 'scope'], `${q(r.scope)} is not a scope: ${parsed.problem}`);
  const exclude: Scope[] = [];
  (r.exclude ?? []).forEach((e, j) => {
    const p = parseScope(e);
    if (p.problem !== undefined) return c.add('POLICY_INVALID', [...at, 'exclude', j], `${q(e)} is not a scope: ${p.problem}`);
    exclude.push(p.scope);
    if (parsed.scope === undefined) return;
    if (covers(p.scope, parsed.scope)) c.add('POLICY_UNSATISFIABLE', [...at, 'exclude', j], `${q(e)} excludes the whole scope ${q(parsed.scope.text)}; the rule would cover nothing`);
    else if (!covers(parsed.scope, p.scope)) c.add('POLICY_INVALID', [...at, 'exclude', j], `${q(e)} is outside the scope ${q(parsed.scope.text)}, so it excludes nothing (a typo?)`);
  });
  const mode = r.mode ?? defaultMode;
  if (mode === 'skip') {
    if (parsed.scope !== undefined && parsed.scope.kind !== 'exact') {
      c.add('POLICY_INVALID', [...at, r.mode ? 'mode' : 'scope'], `mode skip${r.mode ? '' : ' (from defaults.mode)'} is only allowed for an exact repository, not ${q(r.scope)}`);
    }
    for (const k of ['signatures', 'attestations', 'sbom'] as const) {
      if (r[k] !== undefined) c.add('POLICY_INVALID', [...at, k], 'a rule in mode skip checks nothing; remove the requirement or change the mode');
    }
  } else if (r.signatures === undefined) {
    c.add('POLICY_INVALID', [...at], `signatures is required (mode ${mode})`);
  }
  const unknown = (names: readonly string[], where: readonly PropertyKey[]): void =>
    names.forEach((n, j) => {
      if (!Object.hasOwn(known, n)) c.add('POLICY_INVALID', [...where, j], `names the unknown signer ${q(n)}${Object.keys(known).length ? `; signers: ${Object.keys(known).join(', ')}` : ''}`);
    });
  const dup = (names: readonly string[], where: readonly PropertyKey[]): void =>
    names.forEach((n, j) => {
      if (names.indexOf(n) !== j) c.add('POLICY_INVALID', [...where, j], `names ${q(n)} twice`);
    });
  const sig = r.signatures;
  if (sig !== undefined) {
    const required = sig.required ?? [];
    unknown(sig.of, [...at, 'signatures', 'of']);
    dup(sig.of, [...at, 'signatures', 'of']);
    unknown(required, [...at, 'signatures', 'required']);
    dup(required, [...at, 'signatures', 'required']);
    if (sig.threshold > sig.of.length) {
      c.add('POLICY_UNSATISFIABLE', [...at, 'signatures', 'threshold'], `threshold ${sig.threshold} is more than the ${sig.of.length} signer${sig.of.length === 1 ? '' : 's'} in of; it can never be met`);
    }
    required.forEach((n, j) => {
      if (!sig.of.includes(n)) c.add('POLICY_UNSATISFIABLE', [...at, 'signatures', 'required', j], `required signer ${q(n)} is not in of [${sig.of.join(', ')}]; it could never count`);
    });
  }
  const attestations: AttestationRequirement[] = [];
  (r.attestations ?? []).forEach((a, j) => {
    const aat = [...at, 'attestations', j];
    unknown(a.signers, [...aat, 'signers']);
    dup(a.signers, [...aat, 'signers']);
    a.signers.forEach((n, k) => {
      if (known[n] !== undefined && 'notation' in known[n]) c.add('POLICY_UNSATISFIABLE', [...aat, 'signers', k], `${q(n)} is a notation signer; notation does not sign in-toto attestations`);
    });
    const predicateType = predicateTypeFor(a.type);
    if (predicateType === undefined) {
      c.add('POLICY_INVALID', [...aat, 'type'], `${q(a.type)} is neither a cosign attestation type (cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance02, slsaprovenance1, link, vuln, openvex, custom) nor a predicate type URI`);
      return;
    }
    for (const k of ['builderId', 'sourceRepository', 'sourceRef'] as const) {
      if (a[k] !== undefined && !isSlsaPredicate(predicateType)) c.add('POLICY_INVALID', [...aat, k], `${k} is a SLSA provenance check; type ${q(a.type)} is not SLSA provenance`);
    }
    attestations.push({ ...a, predicateType });
  });
  if (c.issues.length > before || parsed.scope === undefined) return undefined;
  return {
    name: r.name,
    index,
    scope: parsed.scope,
    specificity: specificity(parsed.scope),
    exclude,
    mode,
    ...(sig ? { signatures: { threshold: sig.threshold, of: sig.of, required: sig.required ?? [] } } : {}),
    attestations,
    ...(r.sbom ? { sbom: { required: r.sbom.required, signed: r.sbom.signed ?? false } } : {}),
  };
}

// Equal specificity can only overlap when the scopes are the same (two different exact repos,
// prefixes of equal length, registries or *.host suffixes never share a target), so the
// ambiguity check is: no two rules with the same normalised scope.
function checkAmbiguity(rules: readonly Rule[], c: Collector): void {
  const byScope = new Map<string, Rule>();
  for (const rule of rules) {
    const other = byScope.get(rule.scope.text);
    if (other === undefined) {
      byScope.set(rule.scope.text, rule);
      continue;
    }
    c.add(
      'POLICY_AMBIGUOUS',
      ['rules', rule.index, 'scope'],
      `same scope ${q(rule.scope.text)} (${rule.specificity.label}) as rule ${q(other.name)} (rules[${other.index}]): two rules of equal specificity for the same target leave no single winner; merge them (k-of-n lives in signatures.threshold)`,
    );
  }
}
