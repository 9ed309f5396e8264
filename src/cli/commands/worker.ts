import type { Command } from 'commander';
import { openStore } from '../../store/index.js';
import { startWorker } from '../../worker/index.js';
import { CliError } from '../errors.js';
import { services, type GlobalOptions } from '../context.js';

/**
 * `segue worker --store postgres://… --state redis://… --bus nats://…`: fold the bus into the
 * Redis state and persist it to the store (docs/scale-out.md), until SIGINT or SIGTERM.
 */
export function registerWorker(program: Command, globals: () => GlobalOptions): void {
  program
    .command('worker')
    .description('consume the event bus: append events and exposures to the store, fold events into the Redis state, then acknowledge')
    .option('--metrics-port <port>', 'serve /metrics (fold latency, consumer lag) and /health on this port (0 picks one)')
    .option('--metrics-host <host>', 'address of the metrics port', '127.0.0.1')
    .action(async (flags: { metricsPort?: string; metricsHost: string }) => {
      const g = globals();
      const s = services(g);
      if (s.state === undefined || s.bus === undefined) throw new CliError('worker: needs --state redis://… and --bus nats://… (or SEGUE_STATE and SEGUE_BUS), besides --store');
      const port = flags.metricsPort === undefined ? undefined : Number(flags.metricsPort);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new CliError(`--metrics-port must be an integer in 0..65535, got ${JSON.stringify(flags.metricsPort)}`);
      const store = await openStore(g.store);
      try {
        const w = await startWorker({
          store, state: s.state, bus: s.bus, ...(port !== undefined ? { metricsPort: port, metricsHost: flags.metricsHost } : {}),
          log: (line) => process.stderr.write(`segue ${line}\n`),
        });
        process.stderr.write(`segue worker: consuming ${s.bus.partitions} partitions of ${s.bus.prefix} on ${s.bus.url}${w.metricsUrl ? `; metrics at ${w.metricsUrl}/metrics` : ''}\n`);
        if (g.json) process.stdout.write(JSON.stringify({ metrics: w.metricsUrl ?? null, partitions: s.bus.partitions }) + '\n');
        await new Promise<void>((resolve) => {
          const stop = (signal: string): void => {
            process.stderr.write(`segue worker: ${signal}: finishing the batches in hand, then stopping\n`);
            void w.stop().then(resolve);
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
          void w.done.then(resolve);
        });
      } finally {
        await store.close();
      }
    });
}
