export { fixturePath, fixturesDir, repoRoot } from './fixtures.ts';
export { isCI, RigError, runProcess, stopProcess } from './proc.ts';
export type { RigErrorCode, RunOptions, RunResult } from './proc.ts';
export {
  createPeerSandbox,
  isExecutableFile,
  missingToolMessage,
  peerNames,
  peerOrSkip,
  peerPath,
  peersBinDir,
  requirePeer,
  runPeer,
  warnOnce,
} from './peers.ts';
export type { PeerName, PeerRunOptions, PeerSandbox, SkipContext } from './peers.ts';
export { freePort, registryBinary, registryKinds, registryOrSkip, startRegistry } from './registries.ts';
export type { RealRegistry, RegistryKind, StartRegistryOptions } from './registries.ts';
