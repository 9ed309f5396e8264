import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { simulate, writeToStore } from '../../simulator/index.js';
import { openStore } from '../../store/index.js';
import { emit, fmt, table } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';

/** The demo world: big enough to look real, small enough to build in well under a minute here. */
export const DEMO = { listeners: 1500, tracks: 20_000, days: 14, seed: 42 } as const;
export const DEMO_STORE = './segue-demo.db';

const DAY = 86_400_000;

/**
 * `segue demo`: the main job of a fresh clone (`npm start`). Builds a simulated world into
 * ./segue-demo.db unless it exists, then summarizes it and prints what to try next.
 */
export function registerDemo(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description(`simulate a demo world into ${DEMO_STORE} (or --store) and summarize it`)
    .option('--fresh', `rebuild the demo world (deletes ${DEMO_STORE} first; never another store)`, false)
    .action(async (flags: { fresh: boolean }) => {
      const g = globals();
      // The demo uses its own store unless --store or SEGUE_STORE names one.
      const explicit = program.getOptionValueSource('store') !== 'default' || process.env.SEGUE_STORE !== undefined;
      const storePath = explicit ? g.store : DEMO_STORE;
      if (flags.fresh) {
        if (explicit) throw new CliError(`--fresh deletes only the default ${DEMO_STORE}; remove ${storePath} yourself to rebuild it`);
        for (const f of [DEMO_STORE, `${DEMO_STORE}-wal`, `${DEMO_STORE}-shm`]) rmSync(f, { force: true });
      }
      const started = performance.now();
      let built = false;
      if (!existsSync(storePath)) {
        // Built under a temporary name and renamed when complete: an interrupted build never
        // passes for a finished demo world.
        const partial = `${storePath}.partial`;
        for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
        const store = await openStore(partial);
        try {
          const today = Math.floor(Date.now() / DAY) * DAY;
          const sim = simulate({ ...DEMO, startDate: today - (DEMO.days + 1) * DAY });
          const bar = progressBar('demo: simulating', !g.json, 'days');
          process.stderr.write(`segue demo: simulating ${fmt(DEMO.listeners)} listeners, ${fmt(DEMO.tracks)} tracks, ${DEMO.days} days into ${resolve(storePath)}\n`);
          const r = await writeToStore(sim, store, { onProgress: (p) => bar.update(p.days, p.totalDays, { events: p.events }) }).finally(() => bar.stop());
          if (r.rejected > 0) throw new CliError(`the demo world was refused by the store: ${r.rejects.join('; ')}`);
        } finally {
          await store.close(); // checkpoints the WAL into the file
        }
        renameSync(partial, storePath);
        built = true;
      }
      const s = await withStore({ ...g, store: storePath }, (store) => store.stats({ top: 5 }), { readonly: true });
      const seconds = (performance.now() - started) / 1000;
      const listener = s.mostActiveListeners[0]?.id ?? '-';
      const st = explicit ? ` --store ${storePath}` : ` --store ${DEMO_STORE}`;
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
          `most active listener: ${listener}`,
          '',
          'Try next (after `npm link`, or with `node dist/src/cli/main.js` in place of `segue`):',
          `  segue${st} stats --top 20`,
          `  segue${st} eval --task next-track`,
          `  segue${st} train --models transitions,sknn,popularity,ranker`,
          `  segue${st} recommend radio --listener ${listener} --n 20      # after train`,
          `  segue${st} recommend daily-mixes --listener ${listener}`,
          `  segue simulate --listeners 200 --tracks 5000 --days 7 --ndjson sim.ndjson`,
          `  segue --store mine.db import ndjson sim.ndjson          # idempotent: run it twice`,
          `  segue --store mine.db import spotify-history ~/my_spotify_data/`,
        ].join('\n'),
      );
    });
}
