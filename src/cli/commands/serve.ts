import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { openStore, type Store } from '../../store/index.js';
import { buildServer, DEFAULTS, runPrimary, workerPlace, WorkerSiblings, type Siblings } from '../../server/index.js';
import { positiveInt } from '../args.js';
import { CliError } from '../errors.js';
import { services, type GlobalOptions } from '../context.js';
import { NatsBus } from '../../bus/index.js';

/** More processes than this is a typo, not a plan: each holds the catalog, models and state. */
const MAX_WORKERS = 64;

interface Flags { port?: string; workers?: string; host: string; rateLimit?: string; bodyLimit?: string; reloadInterval?: string; corsOrigin?: string[]; log: boolean }

export interface RunningServer {
  url: string;
  /** Resolves when the server has shut down (SIGINT or SIGTERM: in-flight requests finish first). */
  closed: Promise<void>;
}

/**
 * Serve the API on a store until SIGINT or SIGTERM; then stop taking requests, let the
 * in-flight ones finish, and close the store. Every accepted event is committed before its
 * response, so even a SIGKILL loses nothing that was acknowledged.
 */
export async function runServer(store: Store, o: { port: number; host: string; rateLimit?: number; bodyLimit?: number; reloadIntervalMs?: number; corsOrigins?: string[]; log?: boolean; quiet?: boolean; siblings?: Siblings; bus?: NatsBus; redis?: { url: string; prefix?: string } }): Promise<RunningServer> {
  const tty = !o.quiet && process.stderr.isTTY;
  const { app, serving } = await buildServer(store, {
    ...(o.rateLimit !== undefined ? { rateLimit: o.rateLimit } : {}), ...(o.bodyLimit !== undefined ? { bodyLimit: o.bodyLimit } : {}),
    ...(o.reloadIntervalMs !== undefined ? { reloadIntervalMs: o.reloadIntervalMs } : {}), ...(o.corsOrigins ? { corsOrigins: o.corsOrigins } : {}),
    logger: o.log ? { level: 'info' } : false, ...(o.siblings ? { siblings: o.siblings } : {}), ...(o.bus ? { bus: o.bus } : {}), ...(o.redis ? { redis: o.redis } : {}),
    ...(tty ? { onProgress: (n: number) => process.stderr.write(`\r\x1b[Kfolding the event log into the online listener state: ${n.toLocaleString('en-US')} events`) } : {}),
  });
  if (!o.quiet) process.stderr.write('segue serve: loading the catalog, models and online state...\n');
  await serving.start(o.reloadIntervalMs ?? DEFAULTS.reloadIntervalMs);
  if (tty) process.stderr.write('\r\x1b[K');
  if (!serving.surfaces && !o.quiet) process.stderr.write(`segue serve: not ready to recommend: ${serving.problem}\n`);
  let address: string;
  try {
    address = await app.listen({ port: o.port, host: o.host });
  } catch (err) {
    await app.close();
    const e = err as NodeJS.ErrnoException;
    throw new CliError(e.code === 'EADDRINUSE' ? `port ${o.port} on ${o.host} is in use: pass --port (or PORT) to choose another` : `cannot listen on ${o.host}:${o.port}: ${e.message}`);
  }
  const closed = new Promise<void>((resolve) => {
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) return;
      closing = true;
      if (!o.quiet) process.stderr.write(`segue serve: ${signal}: finishing in-flight requests, then stopping\n`);
      serving.stop();
      void app.close().finally(() => resolve());
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return { url: address.replace('[::1]', 'localhost'), closed };
}

export function registerServe(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the HTTP API (JSON, /v1) on the store; OpenAPI document at /docs')
    .option('--port <port>', 'TCP port (default: PORT, else 8080; 0 picks a free one)')
    .option('--workers <n>', 'server processes on the port and store, to use more cores: a number, or auto for one per core (default 1; see docs/api.md, "Several processes")')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--rate-limit <n>', `requests per minute per API key, unless the key has its own (default ${DEFAULTS.rateLimit})`)
    .option('--body-limit <bytes>', `largest request body (default ${DEFAULTS.bodyLimit})`)
    .option('--reload-interval <ms>', `how often to look for new model versions and catalog (default ${DEFAULTS.reloadIntervalMs}; 0: never)`)
    .option('--cors-origin <origin...>', 'allow browser calls from these origins (default: CORS off)')
    .option('--log', 'log every request (JSON lines on stdout)', false)
    .action(async (flags: Flags) => {
      const g = globals();
      const portText = flags.port ?? process.env.PORT ?? '8080';
      const port = Number(portText);
      if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new CliError(`--port must be an integer in 0..65535, got ${JSON.stringify(portText)}`);
      const reload = flags.reloadInterval === undefined ? undefined : Number(flags.reloadInterval);
      if (reload !== undefined && !(Number.isInteger(reload) && reload >= 0)) throw new CliError(`--reload-interval must be a whole number of ms, got ${JSON.stringify(flags.reloadInterval)}`);
      const workers = flags.workers === undefined ? 1 : flags.workers === 'auto' ? availableParallelism() : Number(flags.workers);
      if (!(Number.isInteger(workers) && workers >= 1)) throw new CliError(`--workers must be a whole number of processes (1 or more) or auto, got ${JSON.stringify(flags.workers)}`);
      if (workers > MAX_WORKERS) throw new CliError(`--workers must be at most ${MAX_WORKERS} (each process holds the catalog, models and online state in memory), got ${workers}`);
      const place = workerPlace();
      if (workers > 1 && !place) {
        // The primary: checks the store opens (one clear error rather than one per worker), then forks.
        await (await openStore(g.store)).close();
        process.exitCode = await runPrimary({
          workers,
          log: (m) => process.stderr.write(`segue serve: ${m}\n`),
          onListening: (url) => process.stdout.write(`Segue API listening on ${url.replace('[::1]', 'localhost')} (OpenAPI at ${url}/docs; console at ${url}/console; ${workers} processes)\n`),
        });
        return;
      }
      const siblings = place ? new WorkerSiblings(place.index, place.count) : undefined;
      const scale = services(g);
      const store = await openStore(g.store);
      const bus = scale.bus ? await NatsBus.open(scale.bus.url, scale.bus).catch(async (err: unknown) => {
        await store.close();
        throw new CliError((err as Error).message);
      }) : undefined;
      try {
        const s = await runServer(store, {
          port: place?.port ?? port, host: flags.host, log: flags.log, ...(siblings ? { siblings, quiet: siblings.index > 0 } : {}),
          ...(flags.rateLimit !== undefined ? { rateLimit: positiveInt('--rate-limit', flags.rateLimit) } : {}),
          ...(flags.bodyLimit !== undefined ? { bodyLimit: positiveInt('--body-limit', flags.bodyLimit) } : {}),
          ...(reload !== undefined ? { reloadIntervalMs: reload } : {}), ...(flags.corsOrigin ? { corsOrigins: flags.corsOrigin } : {}),
          ...(bus ? { bus } : {}), ...(scale.state ? { redis: scale.state } : {}),
        });
        if (siblings) siblings.listening(s.url);
        else process.stdout.write(`Segue API listening on ${s.url} (OpenAPI at ${s.url}/docs; console at ${s.url}/console)\n`);
        await s.closed;
      } finally {
        await bus?.close();
        await store.close();
      }
    });
}
