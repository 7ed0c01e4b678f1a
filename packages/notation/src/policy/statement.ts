// Rules for one trust policy statement (notary trust-store-trust-policy.md "Trust Policy" and
// "Trusted Identities Constraints"; notation-go verifier/trustpolicy validatePolicyCore):
// verification level and overrides, trust stores, trusted identities.
import { isTrustStoreType, isValidTrustStoreName } from '../truststore/types.ts';
import type { TrustStoreRef } from '../truststore/types.ts';
import type { ValidationType } from '../verify/types.ts';
import { DnSyntaxError, isSubsetDn, parseNotationDn } from './dn.ts';
import { isVerificationLevel, overrideProblem } from './levels.ts';
import type {
  SignatureVerificationConfig,
  TrustPolicyIssue,
  TrustPolicyStatement,
  ValidationAction,
  VerifyTimestampOption,
} from './types.ts';
import type { StatementShape } from './validate.ts';

export const WILDCARD_IDENTITY = '*';
export const X509_SUBJECT_PREFIX = 'x509.subject';

const q = (v: unknown): string => JSON.stringify(v);

export interface Ctx {
  readonly at: string;
  readonly who: string;
  readonly policy: string | undefined;
  readonly add: (issue: TrustPolicyIssue) => void;
}

export function checkStatement(s: StatementShape, ctx: Ctx): TrustPolicyStatement | undefined {
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

