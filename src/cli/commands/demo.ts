import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { simulate, writeToStore } from '../../simulator/index.js';
import { openStore, parseStoreLocation, redactLocation, type Store } from '../../store/index.js';
import { DEFAULT_SOURCES, trainModels } from '../../models/index.js';
import { DEFAULT_RANKER, trainRanker } from '../../ranking/index.js';
import { runServer } from './serve.js';
import { emit, fmt, table } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../context.js';

/**
 * The demo world: 200,000 tracks (the size the serving benchmark is stated on), 2,000
 * listeners over 14 days. Simulating, training and serving it takes about a minute here.
 */
export const DEMO = { listeners: 1500, tracks: 200_000, days: 14, seed: 42 } as const;
export const DEMO_STORE = './segue-demo.db';
/** The demo's ranker: fewer training queries and trees than the default, for a quick start. */
export const DEMO_RANKER = { ...DEFAULT_RANKER, maxTrainQueries: 4000, maxTestQueries: 1000, trees: 100 };

const DAY = 86_400_000;

interface Flags { fresh: boolean; serve: boolean; port?: string }

/**
 * `segue demo`: the main job of a fresh clone (`npm start`). Builds a simulated world into
 * ./segue-demo.db unless it exists, trains the models it lacks, makes a demo API key, and
 * serves the API on localhost with example requests to paste (`--no-serve`: stop after
 * building and print a summary).
 */
export function registerDemo(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description(`simulate a demo world into ${DEMO_STORE} (or --store), train its models and serve the API on localhost`)
    .option('--fresh', `rebuild the demo world (deletes ${DEMO_STORE} first; never another store)`, false)
    .option('--no-serve', 'build and train only, print a summary and exit')
    .option('--port <port>', 'port to serve on (default: PORT, else 8080, else any free port)')
    .action(async (flags: Flags) => {
      const g = globals();
      // The demo uses its own store unless --store or SEGUE_STORE names one.
      const explicit = program.getOptionValueSource('store') !== 'default' || process.env.SEGUE_STORE !== undefined;
      const storePath = explicit ? g.store : DEMO_STORE;
      const portText = flags.port ?? process.env.PORT;
      const port = portText === undefined ? 8080 : Number(portText);
      if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new CliError(`--port must be an integer in 0..65535, got ${JSON.stringify(portText)}`);
      if (flags.fresh) {
        if (explicit) throw new CliError(`--fresh deletes only the default ${DEMO_STORE}; remove ${redactLocation(storePath)} yourself to rebuild it`);
        for (const f of [DEMO_STORE, `${DEMO_STORE}-wal`, `${DEMO_STORE}-shm`, `${DEMO_STORE}.key`]) rmSync(f, { force: true });
      }
      const started = performance.now();
      const say = (msg: string): void => {
        if (!g.json) process.stderr.write(`segue demo: ${msg}\n`);
      };
      let built = false;
      const location = parseStoreLocation(storePath);
      const shown = location.kind === 'sqlite' ? resolve(location.path) : redactLocation(storePath);
      if (location.kind === 'postgres') {
        // A database cannot be built aside and renamed: a marker written after the whole
        // world says it is complete, and a database with data but no marker is refused.
        const store = await openStore(storePath);
        try {
          if ((await store.listenerState.get(DEMO_MARKER.owner, DEMO_MARKER.key)) === undefined) {
            if ((await store.catalog.counts()).tracks > 0) {
              throw new CliError(`${redactLocation(storePath)} holds data but no complete demo world (an interrupted build, or another store): give segue demo an empty database`);
            }
            await buildWorld(store, redactLocation(storePath), !g.json, say);
            await store.listenerState.put(DEMO_MARKER.owner, DEMO_MARKER.key, new TextEncoder().encode(JSON.stringify(DEMO)));
            built = true;
          }
        } finally {
          await store.close();
        }
      } else if (!existsSync(location.path)) {
        // Built under a temporary name and renamed when complete: an interrupted build never
        // passes for a finished demo world.
        const partial = `${location.path}.partial`;
        for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
        const store = await openStore(partial);
        try {
          await buildWorld(store, resolve(storePath), !g.json, say);
        } finally {
          await store.close(); // checkpoints the WAL into the file
        }
        renameSync(partial, location.path);
        built = true;
      }
      const store = await openStore(storePath);
      try {
        // Train what the store lacks (all of it the first time).
        const have = new Set((await store.models.list()).map((m) => m.name));
        const tty = !g.json && process.stderr.isTTY;
        const progress = (msg: string): void => {
          if (tty) process.stderr.write(`\r\x1b[K${msg}`);
        };
        // The default serving set (models' DEFAULT_SOURCES), the sources the demo's ranker ranks.
        const missing = DEFAULT_SOURCES.filter((m) => !have.has(m));
        const trained: string[] = [];
        if (missing.length > 0) {
          say(`training ${missing.join(', ')}`);
          await trainModels(store, missing, undefined, progress);
          trained.push(...missing);
        }
        if (!have.has('ranker')) {
          if (tty) process.stderr.write('\r\x1b[K');
          say('training the ranker (LambdaMART and listen-through trees)');
          await trainRanker(store, DEMO_RANKER, progress);
          trained.push('ranker');
        }
        if (tty) process.stderr.write('\r\x1b[K');
        const keyFile = keyFileOf(storePath);
        const key = await demoKey(store, keyFile);
        const s = await store.stats({ top: 5 });
        const seconds = (performance.now() - started) / 1000;
        const listener = s.mostActiveListeners[0]?.id ?? '-';
        const track = s.topTracks[0]?.id ?? '-';
        const other = s.mostActiveListeners[1]?.id ?? '-';
        const st = explicit ? ` --store ${location.kind === 'sqlite' ? storePath : redactLocation(storePath)}` : ` --store ${DEMO_STORE}`;
        if (!flags.serve) {
          emit(g.json, { store: shown, built, trained, seconds, key: key.key, keyFile: resolve(keyFile), stats: s }, () =>
            [
              `${built ? 'Built' : 'Opened'} the demo world in ${shown} (${seconds.toFixed(1)} s${trained.length > 0 ? `; trained ${trained.join(', ')}` : ''}).`,
              '',
              table(
                ['', 'count'],
                [['listeners', s.listeners], ['tracks', s.tracks], ['artists', s.artists], ['playlists', s.playlists], ['events', s.events], ['plays', s.plays], ['sessions', s.sessions]],
              ),
              `skip rate ${s.skipRate === null ? '-' : s.skipRate.toFixed(3)}; top genres: ${s.topGenres.map((x) => x.id).join(', ')}`,
              `top artists: ${s.topArtists.map((a) => `${a.name ?? a.id} (${fmt(a.plays)})`).join(', ')}`,
              `most active listener: ${listener}`,
              `demo API key (also in ${keyFile}): ${key.key}`,
              '',
              'Try next (after `npm link`, or with `node dist/src/cli/main.js` in place of `segue`):',
              `  segue${st} serve                     # the HTTP API (npm start does this)`,
              `  segue${st} recommend radio --listener ${listener} --n 20`,
              `  segue${st} recommend daily-mixes --listener ${listener}`,
              `  segue${st} stats --top 20`,
              `  segue${st} eval --task next-track`,
              `  segue simulate --listeners 200 --tracks 5000 --days 7 --ndjson sim.ndjson`,
              `  segue --store mine.db import ndjson sim.ndjson          # idempotent: run it twice`,
              `  segue --store mine.db import spotify-history ~/my_spotify_data/`,
            ].join('\n'),
          );
          return;
        }
        let server;
        try {
          server = await runServer(store, { port, host: '127.0.0.1', quiet: g.json });
        } catch (err) {
          // The default port is taken: any free port will do for a demo.
          if (portText !== undefined || !(err instanceof CliError && /in use/.test(err.message))) throw err;
          server = await runServer(store, { port: 0, host: '127.0.0.1', quiet: g.json });
        }
        const u = server.url;
        const h = `-H 'authorization: Bearer ${key.key}' -H 'content-type: application/json'`;
        emit(g.json, { url: u, console: `${u}/console`, key: key.key, listener, seconds, built, trained }, () => [
          '',
          `Segue demo: ${fmt(s.tracks)} tracks, ${fmt(s.listeners)} listeners, ${fmt(s.events)} events; ready in ${seconds.toFixed(1)} s.`,
          `Console:  ${u}/console  (log in with the API key below)`,
          `API:      ${u}  (OpenAPI document: ${u}/docs, metrics: ${u}/metrics)`,
          `API key:  ${key.key}  (scopes ingest, recommend, admin; saved in ${keyFile})`,
          '',
          'Try (paste into another terminal):',
          `  curl -s ${u}/v1/recommend/radio ${h} -d '{"listenerId":"${listener}","n":10,"stationId":"demo-1"}'`,
          `  curl -s ${u}/v1/recommend/autoplay ${h} -d '{"listenerId":"${listener}","seedTrack":"${track}","n":10}'`,
          `  curl -s ${u}/v1/recommend/blend ${h} -d '{"listenerId":"${listener}","with":["${other}"],"n":10}'`,
          `  curl -s ${u}/v1/recommend/radio ${h} -d '{"listenerId":"${listener}","n":10,"policy":{"objectives":{"emergingArtists":1}}}'`,
          `  curl -s ${u}/v1/events ${h} -d '{"events":[{"type":"like","eventId":"demo-like-1","listenerId":"${listener}","trackId":"${track}","ts":${Date.now()}}]}'`,
          `  curl -s ${u}/v1/listeners/${listener} -H 'authorization: Bearer ${key.key}'`,
          `  curl -s ${u}/v1/models -H 'authorization: Bearer ${key.key}'`,
          '',
          'Ctrl-C stops the server (in-flight requests finish first).',
        ].join('\n'));
        await server.closed;
      } finally {
        await store.close();
      }
    });
}

/** Where a demo store on a server records that its world is complete. */
const DEMO_MARKER = { owner: '*', key: 'demo-world' } as const;

/** Simulate the demo world into a store. */
async function buildWorld(store: Store, where: string, bars: boolean, say: (msg: string) => void): Promise<void> {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const sim = simulate({ ...DEMO, startDate: today - (DEMO.days + 1) * DAY });
  const bar = progressBar('demo: simulating', bars, 'days');
  say(`simulating ${fmt(DEMO.listeners)} listeners, ${fmt(DEMO.tracks)} tracks, ${DEMO.days} days into ${where}`);
  const r = await writeToStore(sim, store, { onProgress: (p) => bar.update(p.days, p.totalDays, { events: p.events }) }).finally(() => bar.stop());
  if (r.rejected > 0) throw new CliError(`the demo world was refused by the store: ${r.rejects.join('; ')}`);
}

/** The file that keeps the demo key: beside a store file, or in the working folder for a database named by URL. */
function keyFileOf(storePath: string): string {
  const at = parseStoreLocation(storePath);
  if (at.kind === 'sqlite') return `${at.path}.key`;
  const db = new URL(at.url).pathname.replace(/^\//, '') || 'postgres';
  return `segue-demo-${db.replace(/[^A-Za-z0-9_.-]/g, '_')}.key`;
}

/** The demo's API key: the one saved beside the store while it still verifies, else a new one (saved, mode 0600). */
async function demoKey(store: Store, file: string): Promise<{ key: string }> {
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (await store.keys.verify(saved)) return { key: saved };
  }
  const { key } = await store.keys.create({ scopes: ['ingest', 'recommend', 'admin'], name: 'demo' });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key };
}
