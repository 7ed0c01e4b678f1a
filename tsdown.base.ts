import type { UserConfig } from 'tsdown';

// Shared build: ESM only, declarations, node platform, publint on the packed output.
export const baseConfig: UserConfig = {
  entry: ['src/index.ts'],
  format: 'esm',
  dts: true,
  platform: 'node',
  target: 'node20',
  clean: true,
};
