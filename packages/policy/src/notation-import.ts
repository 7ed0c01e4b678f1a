// `ocx policy import-notation`: a notation trust policy (version 1.0) as an ocx policy. The
// notation document is validated by @ocx/notation's own checker first, so exactly what notation
// refuses is refused here. Mapping (README "Importing a notation trust policy"):
//   statement                → one notation signer (its trustStores, trustedIdentities, level,
//                              override, verifyTimestamp under `verification`) + one rule per
//                              registry scope with `signatures: {threshold: 1, of: [signer]}`
//   registryScopes "*"       → scope "*" (the lowest precedence, as notation's global statement)
//   level strict|permissive|audit → the signer's verification.level; the rule stays enforce,
//                              because notation blocks even under audit when integrity fails or
//                              nothing is signed, and ocx's mode audit never blocks
//   level skip, exact scope  → a rule with mode skip
//   level skip, "*"          → defaults.unmatched: allow (notation's global skip applies to exactly
//                              the repositories no other statement names)
import { checkTrustPolicy } from '@ocx/notation';
import type { TrustPolicyStatement } from '@ocx/notation';
import { PolicyError } from './errors.ts';
import type { PolicyIssue } from './errors.ts';
import { NAME_PATTERN } from './schema.ts';
import type { PolicyDocument, RuleDocument, SignerDocument } from './schema.ts';
import { validatePolicy } from './validate.ts';

export interface ImportNotationOptions {
  /** Written as trust.notation.config (where the trust stores live). */
  readonly notationConfig?: string;
  /** Names the input in messages. */
  readonly source?: string;
}

export interface NotationImport {
  readonly document: PolicyDocument;
  /** What the conversion did that a reader should know, one line each. */
  readonly notes: readonly string[];
}

const GLOBAL = '*';

function uniqueName(raw: string, taken: Set<string>): string {
  let base = raw.replace(/[^A-Za-z0-9._:@/+-]/g, '-').slice(0, 120);
  if (!NAME_PATTERN.test(base)) base = `n${base}`.slice(0, 120);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/**
 * Convert a notation trust policy (decoded JSON, or its text) into a policy document. Throws
 * PolicyError NOTATION_POLICY_REFUSED with every problem notation would report.
 */
export function importNotationPolicy(input: unknown, options: ImportNotationOptions = {}): NotationImport {
  const source = options.source ?? 'notation trust policy';
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (err) {
      throw new PolicyError('NOTATION_POLICY_REFUSED', `${source} is not valid JSON: ${(err as Error).message}`, { cause: err, source });
    }
  }
  const check = checkTrustPolicy(json);
  if (check.document === undefined) {
    const issues: PolicyIssue[] = check.issues.map((i) => ({ code: 'NOTATION_POLICY_REFUSED', path: i.path, message: i.message }));
    const list = issues.map((i) => i.message);
    throw new PolicyError('NOTATION_POLICY_REFUSED', `${source} is refused, as notation refuses it: ${list.length === 1 ? list[0] : list.join('; ')}`, { issues, source });
  }
  const notes: string[] = [];
  const signers: Record<string, SignerDocument> = {};
  const rules: RuleDocument[] = [];
  const signerNames = new Set<string>();
  const ruleNames = new Set<string>();
  let unmatched: 'deny' | 'allow' = 'deny';
  for (const st of check.document.trustPolicies) {
    const level = st.signatureVerification.level;
    if (level === 'skip') {
      for (const scope of st.registryScopes) {
        if (scope === GLOBAL) {
          unmatched = 'allow';
          notes.push(`statement ${JSON.stringify(st.name)}: global skip → defaults.unmatched: allow (repositories no rule names are not verified)`);
        } else {
          rules.push({ name: uniqueName(ruleName(st, scope), ruleNames), scope, mode: 'skip' });
        }
      }
      continue;
    }
    const signer = uniqueName(st.name, signerNames);
    signers[signer] = { notation: notationSigner(st) };
    if (level === 'audit') notes.push(`statement ${JSON.stringify(st.name)}: level audit → verification.level audit under mode enforce (notation still blocks on integrity failures and unsigned artifacts)`);
    for (const scope of st.registryScopes) {
      rules.push({ name: uniqueName(ruleName(st, scope), ruleNames), scope, signatures: { threshold: 1, of: [signer] } });
    }
  }
  const document: PolicyDocument = {
    version: 1,
    defaults: { mode: 'enforce', unmatched },
    signers,
    ...(options.notationConfig !== undefined ? { trust: { notation: { config: options.notationConfig } } } : {}),
    rules,
  };
  // What we produce must load; a scope notation accepts but ocx cannot express is reported here.
  try {
    validatePolicy(document, { source: `${source} (converted)` });
  } catch (err) {
    if (err instanceof PolicyError) throw new PolicyError('NOTATION_POLICY_REFUSED', `${source} cannot be expressed as an ocx policy: ${err.message}`, { cause: err, issues: err.issues, source });
    throw err;
  }
  return { document, notes };
}

function ruleName(st: TrustPolicyStatement, scope: string): string {
  return st.registryScopes.length === 1 ? st.name : `${st.name}:${scope}`;
}

function notationSigner(st: TrustPolicyStatement): Extract<SignerDocument, { notation: unknown }>['notation'] {
  const sv = st.signatureVerification;
  const stores = st.trustStores.map((s) => `${s.type}:${s.name}`);
  const override = Object.keys(sv.override).length > 0 ? { override: sv.override } : {};
  return {
    trustStore: stores.length === 1 ? stores[0]! : stores,
    identities: [...st.trustedIdentities],
    verification: {
      level: sv.level as 'strict' | 'permissive' | 'audit',
      ...override,
      ...(sv.verifyTimestamp !== 'always' ? { verifyTimestamp: sv.verifyTimestamp } : {}),
    },
  };
}
