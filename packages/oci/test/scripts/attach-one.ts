import { RegistryClient, RemoteRepository } from '@ocx/oci';
import { pushReferrer } from '@ocx/testkit';

// One attach from its own process: argv = host repository subjectDigest subjectSize subjectMediaType seed.
const [host, repository, digest, size, mediaType, seed] = process.argv.slice(2);
const client = new RegistryClient({});
const repo = new RemoteRepository(client, { host: host!, registry: host!, repository: repository! });
await pushReferrer(repo, { digest: digest!, size: Number(size), mediaType: mediaType! }, 'application/vnd.example.concurrent', { 'com.example.seed': seed! }, `payload ${seed}`);
await client.close();
