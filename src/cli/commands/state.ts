import type { Command } from 'commander';
import { checkState, openOnlineState, rebuildState, TrackTable, type RedisOnlineState } from '../../features/index.js';
import { emit } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import { services, withStore, type GlobalOptions } from '../context.js';

async function withRedisState<T>(g: GlobalOptions, fn: (store: Parameters<Parameters<typeof withStore>[1]>[0], state: RedisOnlineState) => Promise<T>): Promise<T> {
  const s = services(g);
  if (s.state === undefined) throw new CliError('state: needs --state redis://… (or SEGUE_STATE)');
  return withStore(g, async (store) => {
    const { state } = await openOnlineState(store, await TrackTable.load(store), { redis: { ...s.state!, readTimeoutMs: 10_000 } });
    try {
      return await fn(store, state as RedisOnlineState);
    } finally {
      await (state as RedisOnlineState).close();
    }
  });
}

/** `segue state rebuild` and `segue state check`: the Redis state against the store's event log. */
export function registerState(program: Command, globals: () => GlobalOptions): void {
  const state = program.command('state').description('the online state in Redis: rebuild it from the event log, or check it against the log');
  state
    .command('rebuild')
    .description("refold the Redis state from the store's event log (after a flush); workers' folds wait meanwhile")
    .action(async () => {
      const g = globals();
      await withRedisState(g, async (store, st) => {
        const total = await store.events.count();
        const bar = progressBar('rebuild', !g.json, 'events');
        const started = performance.now();
        const r = await rebuildState(store, st, (n) => bar.update(n, Math.max(total, n)));
        bar.stop();
        const seconds = (performance.now() - started) / 1000;
        emit(g.json, { ...r, seconds }, () => `rebuilt the state of ${r.listeners.toLocaleString('en-US')} listeners from ${r.events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s`);
      });
    });
  state
    .command('check')
    .description('compare the Redis state with an independent fold of the event log; exit 1 when they differ')
    .option('--limit <n>', 'differences to print', '50')
    .action(async (flags: { limit: string }) => {
      const g = globals();
      await withRedisState(g, async (store, st) => {
        const r = await checkState(store, st);
        const limit = Number(flags.limit);
        emit(g.json, r, () =>
          [
            ...r.differences.slice(0, limit),
            ...(r.differences.length > limit ? [`... and ${r.differences.length - limit} more`] : []),
            `${r.differences.length === 0 ? 'no difference' : `${r.differences.length} differences`}: ${r.listeners.toLocaleString('en-US')} listeners, ${r.tracks.toLocaleString('en-US')} tracks, ${r.events.toLocaleString('en-US')} events`,
          ].join('\n'),
        );
        if (r.differences.length > 0) throw new CliError(`state check: ${r.differences.length} differences between Redis and the log`);
      });
    });
}
