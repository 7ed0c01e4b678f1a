// `pnpm registry -- --port P [--no-referrers-api] [--latency-ms N] [--page-size N] [--no-etag] [--etag]`
// Serves the in-memory registry emulator on 127.0.0.1; prints its URL as the first stdout line.
import { createEmulator } from '../emulator/emulator.ts';
import { scriptArgs } from '../script-args.ts';

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value)) {
    process.stderr.write(`registry: --${name} expects a non-negative integer, got ${value}\n`);
    process.exit(64);
  }
  return Number(value);
}

const { values } = scriptArgs({
  name: 'registry',
  usage: 'pnpm registry -- [--port P] [--no-referrers-api] [--latency-ms N] [--page-size N] [--no-etag | --etag]',
  options: {
    port: { type: 'string' },
    'no-referrers-api': { type: 'boolean' },
    'latency-ms': { type: 'string' },
    'page-size': { type: 'string' },
    'no-etag': { type: 'boolean' },
    etag: { type: 'boolean' },
  },
}) as { values: Record<string, string | boolean | undefined> };

const referrersApi = !values['no-referrers-api'];
const etag = values['no-etag'] ? false : values.etag ? true : referrersApi;
const emulator = createEmulator({
  referrersApi,
  etag,
  latencyMs: int('latency-ms', values['latency-ms'] as string | undefined, 0),
  pageSize: int('page-size', values['page-size'] as string | undefined, 0),
});
const running = await emulator.listen({ port: int('port', values.port as string | undefined, 0) });
process.stdout.write(`${running.url}\n`);
process.stderr.write(`registry: referrers API ${referrersApi ? 'on' : 'off'}, etag ${etag ? 'on' : 'off'}\n`);

let closing = false;
const stop = (): void => {
  if (closing) return;
  closing = true;
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
