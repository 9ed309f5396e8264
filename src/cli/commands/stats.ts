import type { Command } from 'commander';
import type { Leader, StoreStats } from '../../store/index.js';
import { clip, emit, fmt, table } from '../output.js';
import { withStore, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { NAME_WIDTH, TrackNames } from '../names.js';

export function registerStats(program: Command, globals: () => GlobalOptions): void {
  program
    .command('stats')
    .description('counts, sessions, skip rate, top tracks, artists and genres, most active listeners')
    .option('--top <n>', 'how many leaders to list', '10')
    .option('--ids', 'show the ids of tracks and artists in the tables too (--json always has them)', false)
    .action(async (flags: { top: string; ids: boolean }) => {
      const g = globals();
      const top = Number(flags.top);
      if (!Number.isInteger(top) || top < 0 || top > 10_000) throw new CliError(`--top must be an integer from 0 to 10000, got ${JSON.stringify(flags.top)}`);
      // Read only: stats never changes a store (nor creates one from a mistyped --store).
      const { s, names } = await withStore(g, async (store) => {
        const s = await store.stats({ top });
        // The top tracks' artists and albums for the table, in one read of the catalog.
        return { s, names: g.json ? undefined : await TrackNames.read(store.catalog, s.topTracks.map((r) => r.id)) };
      }, { readonly: true });
      emit(g.json, s, () => statsText(s, names!, flags.ids));
    });
}

/** The stats for people: counts, then the leaders by name (ids with --ids; genres and listeners are their own names). */
function statsText(s: StoreStats, names: TrackNames, ids: boolean): string {
  const when = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().slice(0, 19) + 'Z');
  const lead = (title: string, header: string[], rows: Array<Array<string | number>>) => (rows.length === 0 ? '' : `\n${title}\n` + table(['#', ...header], rows.map((r, i) => [String(i + 1), ...r])));
  const id = (r: Leader) => (ids ? [r.id] : []);
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
    lead('top tracks', ['track', 'artist', 'album', ...(ids ? ['id'] : []), 'plays'],
      s.topTracks.map((r) => [names.title(r.id), names.artists(r.id), names.album(r.id), ...id(r), r.plays])),
    lead('top artists', ['artist', ...(ids ? ['id'] : []), 'plays'], s.topArtists.map((r) => [clip(r.name || r.id, NAME_WIDTH.artist), ...id(r), r.plays])),
    lead('top genres', ['genre', 'plays'], s.topGenres.map((r) => [r.id, r.plays])),
    lead('most active listeners', ['listener', 'plays'], s.mostActiveListeners.map((r) => [r.id, r.plays])),
  ].join('\n');
}
