// Trust policy v1.0 validation, rule for rule as notation applies it before every verification
// (notary trust-store-trust-policy.md "Trust Policy", "OCI Trust Policy Constraints",
// "Trusted Identities Constraints"; notation-go verifier/trustpolicy). Unlike notation, which
// stops at the first problem, every independent problem is reported.
import { z } from 'zod';
import { GLOBAL_SCOPE, registryScopeProblem } from './scope.ts';
import { checkStatement } from './statement.ts';
import type { Ctx } from './statement.ts';
import type { TrustPolicyDocument, TrustPolicyIssue, TrustPolicyStatement } from './types.ts';

export const SUPPORTED_POLICY_VERSIONS: readonly string[] = ['1.0'];

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
export type StatementShape = z.infer<typeof statementShape>;

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
