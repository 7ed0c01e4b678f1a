// When each family applies, from flags and files alone: the engine's rules (@ocx/policy/engine).
import { cosignApplies as engineCosignApplies, cosignLegacyTags as engineLegacyTags, notationApplies as engineNotationApplies } from '@ocx/policy/engine';
import type { Context } from '../context.ts';
import type { VerifyFlags } from './types.ts';

const bare = (flags: VerifyFlags) => ({ ...flags, annotations: undefined });

export const cosignApplies = (flags: VerifyFlags): boolean => engineCosignApplies(bare(flags));
export const notationApplies = (flags: VerifyFlags, ctx: Pick<Context, 'io'>): boolean => engineNotationApplies(bare(flags), ctx);
export const cosignLegacyTags = (subjectDigest: string, flags: VerifyFlags): string[] => engineLegacyTags(subjectDigest, bare(flags));
