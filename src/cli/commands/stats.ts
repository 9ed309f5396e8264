import type { Command } from 'commander';
import type { Leader } from '../../store/index.js';
import { emit, fmt, table } from '../output.js';
import { withStore, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';

export function registerStats(program: Command, globals: () => GlobalOptions): void {
  program
    .command('stats')
    .description('counts, sessions, skip rate, top tracks, artists and genres, most active listeners')
    .option('--top <n>', 'how many leaders to list', '10')
    .action(async (flags: { top: string }) => {
      const g = globals();
      const top = Number(flags.top);
      if (!Number.isInteger(top) || top < 0 || top > 10_000) throw new CliError(`--top must be an integer from 0 to 10000, got ${JSON.stringify(flags.top)}`);
      // Read only: stats never changes a store (nor creates one from a mistyped --store).
      const s = await withStore(g, (store) => store.stats({ top }), { readonly: true });
      emit(g.json, s, () => {
        const when = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().slice(0, 19) + 'Z');
        const lead = (title: string, rows: Leader[]) =>
          rows.length === 0 ? '' : `\n${title}\n` + table(['#', 'id', 'name', 'plays'], rows.map((r, i) => [String(i + 1), r.id, r.name ?? '', r.plays]));
        return [
          table(
            ['', 'count'],
            [
              ['events', s.events], ['plays', s.plays], ['sessions', s.sessions], ['listeners', s.listeners],
              ['tracks', s.tracks], ['artists', s.artists], ['playlists', s.playlists],
            ],
          ),
          `skip rate: ${s.skipRate === null ? '-' : fmt(s.skipRate)}   span: ${when(s.firstTs)} .. ${when(s.lastTs)}`,
          `events by type: ${Object.entries(s.eventsByType).map(([k, v]) => `${k} ${fmt(v!)}`).join(', ') || '-'}`,
          lead('top tracks', s.topTracks),
          lead('top artists', s.topArtists),
          lead('top genres', s.topGenres),
          lead('most active listeners', s.mostActiveListeners),
        ].join('\n');
      });
    });
}
