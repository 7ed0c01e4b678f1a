// Trust policy v1.0 validation, rule for rule as notation applies it before every verification
// (notary trust-store-trust-policy.md "Trust Policy", "OCI Trust Policy Constraints",
// "Trusted Identities Constraints"; notation-go verifier/trustpolicy). Unlike notation, which
// stops at the first problem, every independent problem is reported.
import { z } from 'zod';
import { isTrustStoreType, isValidTrustStoreName } from '../truststore/types.ts';
import type { TrustStoreRef } from '../truststore/types.ts';
import type { ValidationType } from '../verify/types.ts';
import { DnSyntaxError, isSubsetDn, parseNotationDn } from './dn.ts';
import { isVerificationLevel, overrideProblem } from './levels.ts';
import { GLOBAL_SCOPE, registryScopeProblem } from './scope.ts';
import type {
  SignatureVerificationConfig,
  TrustPolicyDocument,
  TrustPolicyIssue,
  TrustPolicyStatement,
  ValidationAction,
  VerifyTimestampOption,
} from './types.ts';

export const SUPPORTED_POLICY_VERSIONS: readonly string[] = ['1.0'];
export const WILDCARD_IDENTITY = '*';
export const X509_SUBJECT_PREFIX = 'x509.subject';

// The JSON shape. Like notation's decoder, absent or null fields read as empty and unknown
// fields are ignored; a wrong JSON type is a shape error. Emptiness is judged by the rules below.
const str = z.string().nullish();
const strList = z
  .array(z.string().nullable())
  .nullish()
  .transform((list) => (list ?? []).map((v) => v ?? ''));
const statementShape = z.object({
  name: str,
  registryScopes: strList,
  signatureVerification: z
    .object({ level: str, override: z.record(z.string(), z.string().nullable()).nullish(), verifyTimestamp: str })
    .nullish(),
  trustStores: strList,
  trustedIdentities: strList,
});
const documentShape = z.object({ version: str, trustPolicies: z.array(statementShape).nullish() });
type StatementShape = z.infer<typeof statementShape>;

export interface TrustPolicyCheck {
  /** Present only when there are no issues. */
  readonly document?: TrustPolicyDocument;
  readonly issues: readonly TrustPolicyIssue[];
}

const q = (v: unknown): string => JSON.stringify(v);

function zodPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`), '');
}

// Go's encoding/json matches struct field names case-insensitively (the last matching key wins),
// so notation reads `"TrustPolicies"` or `"Level"` as the documented fields; so do we.
const DOC_FIELDS = ['version', 'trustPolicies'];
const STATEMENT_FIELDS = ['name', 'registryScopes', 'signatureVerification', 'trustStores', 'trustedIdentities'];
const SV_FIELDS = ['level', 'override', 'verifyTimestamp'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function foldKeys(v: unknown, fields: readonly string[]): unknown {
  if (!isRecord(v)) return v;
  const canonical = new Map(fields.map((f) => [f.toLowerCase(), f]));
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const field = canonical.get(k.toLowerCase());
    if (field !== undefined) out[field] = val;
  }
  return out;
}

function normalise(input: unknown): unknown {
  const doc = foldKeys(input, DOC_FIELDS);
  if (!isRecord(doc) || !Array.isArray(doc.trustPolicies)) return doc;
  const trustPolicies = doc.trustPolicies.map((s) => {
    const st = foldKeys(s, STATEMENT_FIELDS);
    if (!isRecord(st)) return st;
    return { ...st, ...(st.signatureVerification === undefined ? {} : { signatureVerification: foldKeys(st.signatureVerification, SV_FIELDS) }) };
  });
  return { ...doc, trustPolicies };
}

/** Validate an already JSON-decoded trust policy document. Pure. */
export function checkTrustPolicy(input: unknown): TrustPolicyCheck {
  const shaped = documentShape.safeParse(normalise(input));
  if (!shaped.success) {
    const issues = shaped.error.issues.map((i): TrustPolicyIssue => {
      const path = zodPath(i.path) || '(document)';
      return { path, message: `${path}: ${i.message}` };
    });
    return { issues };
  }
  const doc = shaped.data;
  const issues: TrustPolicyIssue[] = [];
  const add = (issue: TrustPolicyIssue): void => void issues.push(issue);

  const version = doc.version ?? '';
  if (version === '') add({ path: 'version', message: 'version is missing or empty; it must be "1.0"' });
  else if (!SUPPORTED_POLICY_VERSIONS.includes(version)) {
    add({ path: 'version', value: version, message: `version ${q(version)} is not supported; it must be "1.0"` });
  }

  const raw = doc.trustPolicies ?? [];
  if (raw.length === 0) add({ path: 'trustPolicies', message: 'trustPolicies has no statements; at least one is required' });

  const seenNames = new Map<string, number>();
  const statements: TrustPolicyStatement[] = [];
  raw.forEach((s, i) => {
    const name = s.name ?? '';
    const at = `trustPolicies[${i}]`;
    const who = name === '' ? at : `policy ${q(name)}`;
    const ctx: Ctx = { at, who, policy: name === '' ? undefined : name, add };
    if (name === '') add({ path: `${at}.name`, message: `${at}: name is missing or empty; every statement needs a unique name` });
    else if (seenNames.has(name)) {
      add({ path: `${at}.name`, policy: name, value: name, message: `${who}: the name is also used by trustPolicies[${seenNames.get(name)}]; statement names must be unique` });
    } else seenNames.set(name, i);
    const statement = checkStatement(s, ctx);
    if (statement !== undefined) statements.push(statement);
  });

  checkRegistryScopes(raw, add);

  if (issues.length > 0) return { issues };
  return { document: { version: '1.0', trustPolicies: statements }, issues };
}

interface Ctx {
  readonly at: string;
  readonly who: string;
  readonly policy: string | undefined;
  readonly add: (issue: TrustPolicyIssue) => void;
}

function checkStatement(s: StatementShape, ctx: Ctx): TrustPolicyStatement | undefined {
  const { at, who, policy, add } = ctx;
  const sv = s.signatureVerification ?? {};
  const level = sv.level ?? '';
  const svPath = `${at}.signatureVerification`;
  let ok = true;
  if (level === '') {
    add({ path: `${svPath}.level`, policy, message: `${who}: signatureVerification.level is missing or empty; use strict, permissive, audit or skip` });
    return undefined;
  }
  if (!isVerificationLevel(level)) {
    add({ path: `${svPath}.level`, policy, value: level, message: `${who}: signatureVerification.level ${q(level)} is not one of strict, permissive, audit, skip` });
    return undefined;
  }
  const override: Partial<Record<ValidationType, ValidationAction>> = {};
  const entries = Object.entries(sv.override ?? {});
  if (level === 'skip' && entries.length > 0) {
    ok = false;
    add({ path: `${svPath}.override`, policy, value: sv.override, message: `${who}: signatureVerification.override is not allowed with level "skip", which cannot be customised` });
    entries.length = 0;
  }
  for (const [type, action] of entries) {
    const problem = overrideProblem(level, type, action ?? '');
    if (problem === undefined) override[type as ValidationType] = action as ValidationAction;
    else {
      ok = false;
      add({ path: `${svPath}.override.${type}`, policy, value: action, message: `${who}: signatureVerification.override ${q(type)}: ${q(action)}: ${problem}` });
    }
  }
  const ts = sv.verifyTimestamp ?? '';
  if (ts !== '' && ts !== 'always' && ts !== 'afterCertExpiry') {
    ok = false;
    add({ path: `${svPath}.verifyTimestamp`, policy, value: ts, message: `${who}: signatureVerification.verifyTimestamp ${q(ts)} must be "always" or "afterCertExpiry"` });
  }

  // Level skip verifies nothing, so it must not name trust material; every other level needs both.
  const stores = s.trustStores;
  const identities = s.trustedIdentities;
  let refs: TrustStoreRef[] = [];
  if (level === 'skip') {
    for (const [field, list] of [['trustStores', stores], ['trustedIdentities', identities]] as const) {
      if (list.length > 0) {
        ok = false;
        add({ path: `${at}.${field}`, policy, value: list, message: `${who}: level "skip" verifies nothing, so ${field} must be absent or empty` });
      }
    }
  } else {
    for (const [field, list] of [['trustStores', stores], ['trustedIdentities', identities]] as const) {
      if (list.length === 0) {
        ok = false;
        add({ path: `${at}.${field}`, policy, message: `${who}: ${field} is missing or empty; level ${q(level)} needs both trustStores and trustedIdentities` });
      }
    }
    const parsed = checkTrustStores(stores, ctx);
    ok = checkTrustedIdentities(identities, ctx) && parsed !== undefined && ok;
    refs = parsed ?? [];
  }
  if (!ok) return undefined;
  const signatureVerification: SignatureVerificationConfig = {
    level,
    override,
    verifyTimestamp: (ts === '' ? 'always' : ts) as VerifyTimestampOption,
  };
  return { name: s.name ?? '', registryScopes: s.registryScopes, signatureVerification, trustStores: refs, trustedIdentities: identities };
}

/** Parse `{type}:{name}`; undefined with issues added when any entry is invalid. */
function checkTrustStores(stores: readonly string[], { at, who, policy, add }: Ctx): TrustStoreRef[] | undefined {
  const refs: TrustStoreRef[] = [];
  let ok = true;
  stores.forEach((entry, j) => {
    const path = `${at}.trustStores[${j}]`;
    const colon = entry.indexOf(':');
    const fail = (problem: string): void => {
      ok = false;
      add({ path, policy, value: entry, message: `${who}: trustStores entry ${q(entry)} ${problem}` });
    };
    if (colon < 0) return fail('is not of the form {type}:{name} (for example ca:acme-rockets)');
    const type = entry.slice(0, colon);
    const name = entry.slice(colon + 1);
    if (!isTrustStoreType(type)) return fail(`has unsupported store type ${q(type)}; supported: ca, signingAuthority, tsa`);
    if (!isValidTrustStoreName(name)) return fail(`has invalid store name ${q(name)}; names must match [a-zA-Z0-9_.-]+`);
    refs.push({ type, name });
  });
  return ok ? refs : undefined;
}

function checkTrustedIdentities(identities: readonly string[], { at, who, policy, add }: Ctx): boolean {
  if (identities.length > 1 && identities.includes(WILDCARD_IDENTITY)) {
    add({ path: `${at}.trustedIdentities`, policy, value: identities, message: `${who}: trustedIdentities "*" cannot be combined with other identities` });
    return false;
  }
  let ok = true;
  const dns: { raw: string; index: number; map: ReadonlyMap<string, string> }[] = [];
  identities.forEach((identity, j) => {
    const path = `${at}.trustedIdentities[${j}]`;
    const fail = (problem: string): void => {
      ok = false;
      add({ path, policy, value: identity, message: `${who}: trustedIdentities entry ${q(identity)} ${problem}` });
    };
    if (identity === '') return fail('is empty');
    if (identity === WILDCARD_IDENTITY) return;
    const colon = identity.indexOf(':');
    if (colon < 0) return fail('has no ":" separator; expected x509.subject: <DN> or "*"');
    // Other prefixes belong to verification plugins; notation accepts them unchecked.
    if (identity.slice(0, colon) !== X509_SUBJECT_PREFIX) return;
    const value = identity.slice(colon + 1);
    if (value === '') return fail('has no DN after "x509.subject:"');
    try {
      dns.push({ raw: identity, index: j, map: parseNotationDn(value) });
    } catch (err) {
      if (!(err instanceof DnSyntaxError)) throw err;
      fail(`is invalid: ${err.message}`);
    }
  });
  // Overlap: one certificate subject could satisfy both entries (spec: MUST NOT overlap).
  for (let a = 0; a < dns.length; a++) {
    for (let b = a + 1; b < dns.length; b++) {
      const x = dns[a]!;
      const y = dns[b]!;
      if (isSubsetDn(x.map, y.map) || isSubsetDn(y.map, x.map)) {
        ok = false;
        add({
          path: `${at}.trustedIdentities[${y.index}]`,
          policy,
          value: y.raw,
          message: `${who}: trustedIdentities ${q(x.raw)} and ${q(y.raw)} overlap (one is a subset of the other, so one subject could match both)`,
        });
      }
    }
  }
  return ok;
}

function checkRegistryScopes(raw: readonly StatementShape[], add: (issue: TrustPolicyIssue) => void): void {
  const owners = new Map<string, number[]>();
  raw.forEach((s, i) => {
    const name = s.name ?? '';
    const at = `trustPolicies[${i}]`;
    const who = name === '' ? at : `policy ${q(name)}`;
    const policy = name === '' ? undefined : name;
    const scopes = s.registryScopes;
    if (scopes.length === 0) {
      add({ path: `${at}.registryScopes`, policy, message: `${who}: registryScopes is missing or empty; list fully qualified repositories or "*"` });
    }
    if (scopes.length > 1 && scopes.includes(GLOBAL_SCOPE)) {
      add({ path: `${at}.registryScopes`, policy, value: scopes, message: `${who}: registryScopes "*" (global scope) cannot be combined with other scopes` });
    }
    scopes.forEach((scope, j) => {
      if (scope !== GLOBAL_SCOPE) {
        const problem = registryScopeProblem(scope);
        if (problem !== undefined) {
          add({ path: `${at}.registryScopes[${j}]`, policy, value: scope, message: `${who}: registryScopes entry ${q(scope)} is invalid: ${problem}` });
        }
      }
      owners.set(scope, [...(owners.get(scope) ?? []), i]);
    });
  });
  // A repository (or the global scope) may belong to one statement only, and only once.
  for (const [scope, idx] of owners) {
    if (idx.length < 2) continue;
    const names = idx.map((i) => (raw[i]!.name ? `policy ${q(raw[i]!.name)}` : `trustPolicies[${i}]`));
    const unique = [...new Set(names)];
    const message =
      unique.length === 1
        ? `${unique[0]}: registryScopes lists ${q(scope)} more than once`
        : `registry scope ${q(scope)} appears in ${unique.join(' and ')}; a scope may belong to only one statement`;
    add({ path: `trustPolicies[${idx[1]}].registryScopes`, policy: raw[idx[1]!]!.name || undefined, value: scope, message });
  }
}
