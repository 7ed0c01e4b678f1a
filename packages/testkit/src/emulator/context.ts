import type { MemoryStore } from './store.ts';
import type { FaultHook } from './types.ts';

/** The live switches; the emulator's setters change them between requests. */
export interface Switches {
  referrersApi: boolean;
  etag: boolean;
  latencyMs: number;
  pageSize: number;
  tagsPageSize: number;
  maxManifestBytes: number;
  chunkMinLength: number;
  validateReferences: boolean;
  mountAnonymous: boolean;
  requireAccept: boolean;
  faults: FaultHook | undefined;
}

export interface Context {
  readonly store: MemoryStore;
  readonly sw: Switches;
}

export function headOf(req: Request): boolean {
  return req.method === 'HEAD';
}
