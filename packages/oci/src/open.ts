import { LayoutRepository, type LayoutOptions } from './layout.ts';
import type { Reference } from './reference.ts';
import { RegistryClient } from './remote/client.ts';
import { RemoteRepository } from './remote/repository.ts';
import type { Repository } from './roles.ts';

/**
 * Opens the backend a reference names: a remote repository through `client`, or an OCI layout.
 * `layout.onWarning` (default: the client's) applies to either, so a caller can tell what one
 * repository left out.
 */
export function openRepository(ref: Reference, client: RegistryClient, layout: LayoutOptions = {}): Repository {
  if (ref.kind === 'oci-layout') return new LayoutRepository(ref.path, { limits: client.options.limits, onWarning: (m, e) => client.warn(m, e), ...layout });
  return new RemoteRepository(client, ref, layout.onWarning ? { onWarning: layout.onWarning } : {});
}
