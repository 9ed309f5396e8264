import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SURFACES, parsePolicy, PolicyError, type Surface } from '../../sequencing/index.js';
import { MOOD_NAMES, Surfaces, SurfaceError, type SurfaceRequest, type ServedItem } from '../../surfaces/index.js';
import { Assigner } from '../../experiments/index.js';
import { emit, table } from '../output.js';
import { integer, timeFlag } from '../args.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';

interface Flags {
  listener: string;
  seedTrack?: string;
  seedArtist?: string;
  seedGenre?: string;
  with?: string;
  playlist?: string;
  station?: string;
  mood?: string;
  policy?: string;
  n?: string;
  seed: string;
  now?: string;
  log: boolean;
}

export function registerRecommend(program: Command, globals: () => GlobalOptions): void {
  program
    .command('recommend')
    .description(`serve a surface as an ordered sequence, with an explanation per track: ${SURFACES.join(', ')}`)
    .argument('<surface>', 'which surface')
    .requiredOption('--listener <id>', 'who listens')
    .option('--seed-track <id>', 'radio: the station\'s seed; autoplay: the last track of the finished album')
    .option('--seed-artist <id>', 'radio: seeded by an artist (its most played track)')
    .option('--seed-genre <name>', 'radio: seeded by a genre (its most played track)')
    .option('--with <ids>', 'blend: the other listeners, comma-separated')
    .option('--playlist <id>', 'radio seed, autoplay context, enhance or shuffle a playlist')
    .option('--station <id>', 'radio: continue this station (its pages never repeat a track and keep the window rules)')
    .option('--mood <name>', `mood: ${MOOD_NAMES.join(', ')}`)
    .option('--policy <file>', 'a policy JSON for this surface (default: the surface\'s own)')
    .option('--n <n>', 'tracks per list (default: the policy\'s length)')
    .option('--seed <n>', 'seed of exploration', '0')
    .option('--now <time>', 'serve as of this time (ISO-8601 or epoch ms; default now)')
    .option('--no-log', 'do not log the response as an exposure')
    .action(async (surfaceName: string, flags: Flags) => {
      const g = globals();
      if (!(SURFACES as readonly string[]).includes(surfaceName)) throw new CliError(`<surface> must be one of ${SURFACES.join(', ')}, got ${JSON.stringify(surfaceName)}`);
      const surface = surfaceName as Surface;
      const n = flags.n === undefined ? undefined : Number(flags.n);
      if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 500)) throw new CliError(`--n must be an integer in 1..500, got ${JSON.stringify(flags.n)}`);
      const seed = integer('--seed', flags.seed);
      const now = timeFlag('--now', flags.now);
      let policy;
      if (flags.policy !== undefined) {
        try {
          policy = parsePolicy(JSON.parse(readFileSync(flags.policy, 'utf8')) as unknown, flags.policy);
        } catch (err) {
          throw new CliError(err instanceof PolicyError ? err.message : `--policy ${flags.policy}: ${(err as Error).message}`);
        }
      }
      const req: SurfaceRequest = {
        surface, listenerId: flags.listener, seed, log: flags.log,
        ...(now !== undefined ? { now } : {}), ...(n !== undefined ? { n } : {}), ...(policy ? { policy } : {}),
        ...(flags.seedTrack ? { seedTrack: flags.seedTrack } : {}), ...(flags.seedArtist ? { seedArtist: flags.seedArtist } : {}),
        ...(flags.seedGenre ? { seedGenre: flags.seedGenre } : {}), ...(flags.with ? { with: flags.with.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
        ...(flags.playlist ? { playlistId: flags.playlist } : {}), ...(flags.station ? { stationId: flags.station } : {}), ...(flags.mood ? { mood: flags.mood } : {}),
      };
      const res = await withStore(g, async (store) => {
        const tty = !g.json && process.stderr.isTTY;
        const s = await Surfaces.open(store, { assigner: Assigner.load, ...(tty ? { onProgress: (n: number) => process.stderr.write(`\r\x1b[Kfolding the event log into the online listener state: ${n.toLocaleString('en-US')} events`) } : {}) });
        if (tty) process.stderr.write('\r\x1b[K');
        try {
          return await s.serve(req);
        } catch (err) {
          if (err instanceof SurfaceError || err instanceof PolicyError || err instanceof RangeError) throw new CliError(err.message);
          throw err;
        }
      });
      const rows = (items: ServedItem[]): string => table(['#', 'track', 'artist', 'score', 'from', 'changed by'], items.map((x) => [
        x.position, x.inserted ? `+ ${x.trackId}` : x.trackId, x.artistIds.join(', '), Number(x.score.toFixed(3)), x.explanation.sources.join(', '), x.explanation.changedBy.join('; '),
      ]));
      emit(g.json, res, () => [
        `${res.surface} for ${res.listenerId} (request ${res.requestId})${res.stationId ? `, station ${res.stationId}` : ''}`,
        ...(res.tasteMatch !== undefined ? [`taste match ${res.tasteMatch}; share of each member's solo-optimal value: ${Object.entries(res.memberShares ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
        ...(res.mixes ? res.mixes.map((m) => `${m.name}\n${rows(m.items)}`) : [rows(res.items)]),
        Object.keys(res.filtered).length > 0 ? `left out before sequencing: ${Object.entries(res.filtered).map(([k, v]) => `${k} ${v}`).join(', ')}` : '',
      ].filter(Boolean).join('\n'));
    });
}
