import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { simulate, writeToStore } from '../../simulator/index.js';
import { openStore } from '../../store/index.js';
import { emit, fmt, table } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../context.js';

/** The demo world: big enough to look real, small enough to build in well under a minute here. */
export const DEMO = { listeners: 1500, tracks: 20_000, days: 14, seed: 42 } as const;
export const DEMO_STORE = './segue-demo.db';

const DAY = 86_400_000;

/**
 * `segue demo`: the main job of a fresh clone (`npm start`). Builds a simulated world into
 * ./segue-demo.db (unless that store already holds events), then summarizes it and prints
 * what to try next.
 */
export function registerDemo(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description(`simulate a demo world into ${DEMO_STORE} (or --store) and summarize it`)
    .option('--fresh', 'rebuild the demo world even if the store already has one', false)
    .action(async (flags: { fresh: boolean }) => {
      const g = globals();
      // The demo uses its own store unless --store was given explicitly.
      const storePath = program.getOptionValueSource('store') === 'default' ? DEMO_STORE : g.store;
      if (flags.fresh && existsSync(storePath)) throw new CliError(`--fresh: remove ${storePath} first (the demo never deletes a store)`);
      const store = await openStore(storePath);
      try {
        const started = performance.now();
        let built = false;
        if ((await store.events.count()) === 0) {
          // Fourteen days ending yesterday (UTC), so the demo's history is recent.
          const today = Math.floor(Date.now() / DAY) * DAY;
          const sim = simulate({ ...DEMO, startDate: today - (DEMO.days + 1) * DAY });
          const bar = progressBar('demo: simulating', !g.json, 'days');
          process.stderr.write(`segue demo: simulating ${fmt(DEMO.listeners)} listeners, ${fmt(DEMO.tracks)} tracks, ${DEMO.days} days into ${resolve(storePath)}\n`);
          const r = await writeToStore(sim, store, { onProgress: (p) => bar.update(p.days, p.totalDays, { events: p.events }) }).finally(() => bar.stop());
          if (r.rejected > 0) throw new CliError(`the demo world was refused by the store: ${r.rejects.join('; ')}`);
          built = true;
        }
        const s = await store.stats({ top: 5 });
        const seconds = (performance.now() - started) / 1000;
        const listener = s.mostActiveListeners[0]?.id ?? '-';
        emit(g.json, { store: resolve(storePath), built, seconds, stats: s }, () =>
          [
            `${built ? 'Built' : 'Opened'} the demo world in ${resolve(storePath)} (${seconds.toFixed(1)} s).`,
            '',
            table(
              ['', 'count'],
              [['listeners', s.listeners], ['tracks', s.tracks], ['artists', s.artists], ['playlists', s.playlists], ['events', s.events], ['plays', s.plays], ['sessions', s.sessions]],
            ),
            `skip rate ${s.skipRate === null ? '-' : s.skipRate.toFixed(3)}; top genres: ${s.topGenres.map((x) => x.id).join(', ')}`,
            `top artists: ${s.topArtists.map((a) => `${a.name ?? a.id} (${fmt(a.plays)})`).join(', ')}`,
            '',
            'Try next:',
            `  segue --store ${storePath} stats --top 20`,
            `  segue --store ${storePath} stats --json | head -40`,
            `  segue simulate --listeners 200 --tracks 5000 --days 7 --ndjson sim.ndjson   # Segue NDJSON (catalog then events)`,
            `  segue --store mine.db import ndjson sim.ndjson                               # idempotent: run it twice`,
            `  segue --store mine.db import spotify-history path/to/my_spotify_data/       # your own Spotify export`,
            `Most active listener in the demo: ${listener}.`,
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}
