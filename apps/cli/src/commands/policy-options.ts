// Flags and help of `ocx policy`, kept apart from the policy code so `ocx --help` loads none of it.
export const POLICY_OPTIONS = {
  policy: { type: 'string' },
  verify: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
  'notation-config': { type: 'string' },
  'all-platforms': { type: 'boolean', default: false },
  scope: { type: 'string' },
  'verification-time': { type: 'string' },
} as const;

export const POLICY_HELP = `Usage: ocx policy check [FILE]
       ocx policy explain <ref> [--verify] [--policy FILE]
       ocx policy import-notation trustpolicy.json [-o FILE] [--notation-config DIR]

check            validates a policy (FILE, else --policy, OCX_POLICY, $OCX_HOME/policy.yaml) and
                 prints its rules in order of precedence: exact repository, then the longest
                 prefix/** by path segments, then registry, then *.host, then *.
explain <ref>    without touching the network: which rule governs the reference, why every other
                 rule lost, and what will be enforced. --verify also runs it (as ocx verify under
                 the policy: exit 81 when blocked).
import-notation  converts a notation trust policy (all its statements, levels and overrides) into
                 an ocx policy on stdout or -o FILE, refusing what notation refuses;
                 --notation-config DIR becomes trust.notation.config (where its trust stores live).

A policy that does not load (bad YAML, unknown keys, ambiguous precedence, requirements that can
never be met) is exit 78 with a message naming the rule.

Defaults: FILE/--policy: OCX_POLICY, else $OCX_HOME/policy.yaml; --verify, --all-platforms: false;
-o/--output: stdout; --notation-config: none (notation's default directory at verification time);
--scope: none (an oci-layout: reference's registry/repository); --verification-time: now.

Examples:
  ocx policy check policy.yaml
  ocx policy explain ghcr.io/org/app:1.0 --policy policy.yaml
  ocx policy explain ghcr.io/org/app:1.0 --verify --format json
  ocx policy import-notation ~/.config/notation/trustpolicy.json -o policy.yaml
`;
