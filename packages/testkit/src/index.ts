export { fixturePath, fixturesDir, repoRoot } from './fixtures.ts';
export { parseScriptArgs, scriptArgs } from './script-args.ts';
export type { ScriptArgs, ScriptArgsResult, ScriptSpec } from './script-args.ts';
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
export { createEmulator } from './emulator/emulator.ts';
export type { Emulator } from './emulator/emulator.ts';
export type { Switches as EmulatorSwitches } from './emulator/context.ts';
export type { AuthSeen, EmulatorAuth } from './emulator/auth.ts';
export { makeTestCertificate } from './tls.ts';
export type { TestCertificate, TestCertificateOptions } from './tls.ts';
export type { EmulatorOptions, FaultHook, ListenOptions, RequestLogEntry, RunningRegistry } from './emulator/types.ts';
export { cannedFaults, combineFaults } from './emulator/faults.ts';
export type { FaultMatch } from './emulator/faults.ts';
export type { RegistryErrorCode } from './emulator/errors.ts';
export { attach, blob, manifest, pushBundleReferrer, pushImage, pushManifest, pushMultiPlatform, pushReferrer, pushTagged, sha256Digest } from './artifacts.ts';
export type { ArtifactDescriptor, ArtifactTarget, AttachOptions, BuiltBlob, TaggableTarget } from './artifacts.ts';
export { listTree } from './fs-tree.ts';
export { rawHeader, tarGz, tarOf } from './tar.ts';
export type { TarEntry } from './tar.ts';
export { dripForever, startHttpServer } from './http-server.ts';
export type { TestHttpServer } from './http-server.ts';
export { startProxy } from './proxy.ts';
export type { ProxyLogEntry, TestProxy, TestProxyOptions } from './proxy.ts';
export { composeTrustedRoot, sigstoreServicesOrSkip, startFulcio, startOidcIssuer, startTimestampServer } from './sigstore-services.ts';
export type { OidcClaims, OidcIssuer, SigstoreService, StartFulcioOptions } from './sigstore-services.ts';
