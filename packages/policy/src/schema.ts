// The policy document, version 1: a strict zod schema (unknown keys are errors, so a misspelt
// `scope` can never widen a rule to everything). The shipped JSON Schema is generated from it
// (json-schema.ts). Cross-field rules (names that must exist, precedence, satisfiability) are
// checked after the shape, in validate.ts, so that every problem names its rule.
import { z } from 'zod';

const text = z.string().min(1).max(4096);
/** A signer or rule name: referenced from lists, printed in why-trees. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;
const name = z.string().regex(NAME_PATTERN, 'a name starts with a letter or digit and uses letters, digits and . _ : @ / + - (at most 128)');

export const RULE_MODES = ['enforce', 'audit', 'skip'] as const;
export const UNMATCHED_ACTIONS = ['deny', 'warn', 'allow'] as const;
export const ruleModeSchema = z.enum(RULE_MODES);

const defaultsSchema = z
  .strictObject({
    mode: ruleModeSchema.optional().describe('mode of a rule that names none (default enforce)'),
    unmatched: z.enum(UNMATCHED_ACTIONS).optional().describe('what happens to a target no rule covers (default deny)'),
  })
  .describe('defaults for rules and for targets no rule covers');

const githubSchema = z
  .strictObject({
    repository: text.optional().describe('source repository, owner/name or https://github.com/owner/name (Fulcio Source Repository URI 1.3.6.1.4.1.57264.1.12, else v1 Workflow Repository .1.5)'),
    workflowRef: text.optional().describe('git ref the workflow ran for, exact, e.g. refs/tags/v1.2.3 (Fulcio Source Repository Ref 1.3.6.1.4.1.57264.1.14, else v1 Workflow Ref .1.6)'),
    runner: z.enum(['github-hosted', 'self-hosted']).optional().describe('runner environment (Fulcio Runner Environment 1.3.6.1.4.1.57264.1.11)'),
  })
  .describe('GitHub Actions claims the certificate must carry');

const keylessSchema = z.strictObject({
  keyless: z
    .strictObject({
      issuer: text.describe('OIDC issuer, exact'),
      identity: text.optional().describe('certificate identity (SAN), exact; XOR identityRegexp'),
      identityRegexp: text.optional().describe('certificate identity regular expression, anchored at both ends'),
      github: githubSchema.optional(),
    })
    .describe('a Fulcio certificate identity (cosign keyless)'),
});

const keySchema = z.strictObject({
  key: text.describe('PEM public key file, absolute or relative to the policy file; ~ is the home directory'),
  tlog: z.enum(['required', 'optional']).optional().describe('required (default): the signature must be in the transparency log; optional = --insecure-ignore-tlog, warns on use'),
});

// notation trust store references, "{type}:{name}" (notary trust-store-trust-policy.md).
const storeRef = z.string().regex(/^(ca|signingAuthority|tsa):[A-Za-z0-9_.-]+$/, 'a trust store is "ca:NAME", "signingAuthority:NAME" or "tsa:NAME"');
const VALIDATION_TYPES = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'] as const;

const notationSchema = z.strictObject({
  notation: z
    .strictObject({
      trustStore: z.union([storeRef, z.array(storeRef).min(1)]).describe('trust store(s) the signing chain must end in, and TSA stores for timestamps'),
      identities: z.array(text).min(1).describe('trusted identities: "x509.subject: C=…, ST=…, O=…" entries, or ["*"]'),
      verification: z
        .strictObject({
          level: z.enum(['strict', 'permissive', 'audit']).optional().describe('notation verification level (default strict)'),
          override: z.partialRecord(z.enum(VALIDATION_TYPES), z.enum(['enforce', 'log', 'skip'])).optional().describe('notation per-check overrides'),
          verifyTimestamp: z.enum(['always', 'afterCertExpiry']).optional(),
        })
        .optional()
        .describe('notation verification level and overrides, as in a notation trust policy (added by ocx; not in the issue example)'),
    })
    .describe('a notation X.509 signer: trust store plus trusted identities'),
});

const extensionSchema = z.strictObject({
  extension: z
    .strictObject({
      family: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a family name is lowercase letters, digits and -'),
      config: z.record(z.string(), z.unknown()).optional().describe('handed to the family verifier as is'),
    })
    .describe('a signer of a verifier family registered with the engine (added by ocx)'),
});

export const signerSchema = z.union([keylessSchema, keySchema, notationSchema, extensionSchema]);
/** Which key of a signer object selects which union member (for readable error messages). */
export const SIGNER_KINDS = ['keyless', 'key', 'notation', 'extension'] as const;

const attestationSchema = z.strictObject({
  type: text.describe('cosign alias (slsaprovenance1, cyclonedx, …) or predicate type URI'),
  signers: z.array(name).min(1).describe('names of signers, any one of which must have signed the attestation'),
  builderId: text.optional().describe('SLSA builder id, exact'),
  sourceRepository: text.optional().describe('SLSA source repository'),
  sourceRef: text.optional().describe('SLSA source ref, e.g. refs/tags/v1.2.3'),
});

// The scope grammar (scope.ts) as a JSON Schema pattern, so editors flag a bad scope; zod leaves
// the check to parseScope, whose messages say what is wrong. test/schema.test.ts keeps them in step.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const SCOPE_PATTERN = `^(?:\\*|\\*\\.${LABEL}(?:\\.${LABEL})+|${LABEL}(?:\\.${LABEL})*(?::[0-9]{1,5})?(?:(?:/${COMPONENT})+(?:/\\*\\*)?)?)$`;
const scope = text.meta({ pattern: SCOPE_PATTERN });

const ruleSchema = z.strictObject({
  name,
  scope: scope.describe('exact repo | prefix/** | registry | *.host | *'),
  exclude: z.array(scope).optional().describe('targets removed from this rule only'),
  mode: ruleModeSchema.optional(),
  signatures: z
    .strictObject({
      threshold: z.int().min(1).max(64).describe('how many distinct named signers must verify'),
      of: z.array(name).min(1).max(64),
      required: z.array(name).optional().describe('signers that must be among those that verified'),
    })
    .optional()
    .describe('required unless mode is skip'),
  attestations: z.array(attestationSchema).max(64).optional(),
  sbom: z.strictObject({ required: z.boolean(), signed: z.boolean().optional() }).optional(),
});

const trustSchema = z.strictObject({
  sigstore: z.strictObject({ trustedRoot: text.describe('trusted_root.json; else the public-good root via TUF') }).optional(),
  notation: z.strictObject({ config: text.describe('notation config directory holding the trust stores') }).optional(),
});

export const policyDocumentSchema = z
  .strictObject({
    version: z.literal(1),
    defaults: defaultsSchema.optional(),
    signers: z.record(name, signerSchema).optional(),
    trust: trustSchema.optional(),
    rules: z.array(ruleSchema).max(4096).optional(),
  })
  .meta({ title: 'ocx trust policy', description: 'whom ocx trusts for which repositories (version 1)' });

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type SignerDocument = z.infer<typeof signerSchema>;
export type RuleDocument = z.infer<typeof ruleSchema>;
export type AttestationRequirementDocument = z.infer<typeof attestationSchema>;
export type RuleMode = (typeof RULE_MODES)[number];
export type UnmatchedAction = (typeof UNMATCHED_ACTIONS)[number];
