import type { Command } from 'commander';
import { SURFACES, PolicyError, type Surface } from '../../sequencing/index.js';
import { MOOD_NAMES, Surfaces, SurfaceError, type SurfaceRequest, type SurfaceResponse, type ServedItem } from '../../surfaces/index.js';
import { Assigner } from '../../experiments/index.js';
import { emit, table } from '../output.js';
import { integer, timeFlag } from '../args.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';
import { POLICY_FORMS, surfacePolicy } from '../policy.js';
import { TrackNames } from '../names.js';

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
  ids: boolean;
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
    .option('--policy <policy>', `the policy (default: the surface's own, or the listener's experiment variants): ${POLICY_FORMS}`)
    .option('--n <n>', 'tracks per list (default: the policy\'s length)')
    .option('--seed <n>', 'seed of exploration', '0')
    .option('--now <time>', 'serve as of this time (ISO-8601 or epoch ms; default now)')
    .option('--no-log', 'do not log the response as an exposure')
    .option('--ids', 'show track and artist ids in the table too (--json always has them)', false)
    .action(async (surfaceName: string, flags: Flags) => {
      const g = globals();
      if (!(SURFACES as readonly string[]).includes(surfaceName)) throw new CliError(`<surface> must be one of ${SURFACES.join(', ')}, got ${JSON.stringify(surfaceName)}`);
      const surface = surfaceName as Surface;
      const n = flags.n === undefined ? undefined : Number(flags.n);
      if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 500)) throw new CliError(`--n must be an integer in 1..500, got ${JSON.stringify(flags.n)}`);
      const seed = integer('--seed', flags.seed);
      const now = timeFlag('--now', flags.now);
      const policy = flags.policy === undefined ? undefined : await surfacePolicy(g, '--policy', flags.policy, surface);
      const req: SurfaceRequest = {
        surface, listenerId: flags.listener, seed, log: flags.log,
        ...(now !== undefined ? { now } : {}), ...(n !== undefined ? { n } : {}), ...(policy ? { policy } : {}),
        ...(flags.seedTrack ? { seedTrack: flags.seedTrack } : {}), ...(flags.seedArtist ? { seedArtist: flags.seedArtist } : {}),
        ...(flags.seedGenre ? { seedGenre: flags.seedGenre } : {}), ...(flags.with ? { with: flags.with.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
        ...(flags.playlist ? { playlistId: flags.playlist } : {}), ...(flags.station ? { stationId: flags.station } : {}), ...(flags.mood ? { mood: flags.mood } : {}),
      };
      const { res, names } = await withStore(g, async (store) => {
        const tty = !g.json && process.stderr.isTTY;
        const s = await Surfaces.open(store, { assigner: Assigner.load, ...(tty ? { onProgress: (n: number) => process.stderr.write(`\r\x1b[Kfolding the event log into the online listener state: ${n.toLocaleString('en-US')} events`) } : {}) });
        if (tty) process.stderr.write('\r\x1b[K');
        let res: SurfaceResponse;
        try {
          res = await s.serve(req);
        } catch (err) {
          if (err instanceof SurfaceError || err instanceof PolicyError || err instanceof RangeError) throw new CliError(err.message);
          throw err;
        }
        // The table's names: every listed track in one read of the catalog (--json has ids only, as the API).
        return { res, names: g.json ? undefined : await TrackNames.read(store.catalog, served(res).map((x) => x.trackId)) };
      });
      emit(g.json, res, () => responseText(res, names!, flags.ids));
    });
}

const served = (res: SurfaceResponse): ServedItem[] => (res.mixes ? res.mixes.flatMap((m) => m.items) : res.items);

/** The response for people: a table per list, with titles, artists' names and albums (and ids with --ids). */
function responseText(res: SurfaceResponse, names: TrackNames, ids: boolean): string {
  const rows = (items: ServedItem[]): string => table(
    ['#', 'track', 'artist', 'album', ...(ids ? ['track id', 'artist id'] : []), 'score', 'from', 'changed by'],
    items.map((x) => [
      x.position, `${x.inserted ? '+ ' : ''}${names.title(x.trackId)}`, names.artists(x.trackId, x.artistIds), names.album(x.trackId),
      ...(ids ? [x.trackId, x.artistIds.join(', ')] : []),
      Number(x.score.toFixed(3)), x.explanation.sources.join(', '), x.explanation.changedBy.join('; '),
    ]),
  );
  return [
    `${res.surface} for ${res.listenerId} (request ${res.requestId})${res.stationId ? `, station ${res.stationId}` : ''}`,
    ...(res.tasteMatch !== undefined ? [`taste match ${res.tasteMatch}; share of each member's solo-optimal value: ${Object.entries(res.memberShares ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
    ...(res.mixes ? res.mixes.map((m) => `${mixTitle(m, names)}\n${rows(m.items)}`) : [rows(res.items)]),
    Object.keys(res.filtered).length > 0 ? `left out before sequencing: ${Object.entries(res.filtered).map(([k, v]) => `${k} ${v}`).join(', ')}` : '',
  ].filter(Boolean).join('\n');
}

/**
 * A daily mix's name with its artists' names: the surface names a mix `<genre> mix: <artist
 * ids>` (the ids of artists of its tracks, comma-separated). The ids are matched against the
 * mix's own artists (an id may hold a comma); a name that does not read so prints as it is.
 */
export function mixTitle(m: { name: string; genre: string; items: ServedItem[] }, names: TrackNames): string {
  const head = `${m.genre} mix: `;
  if (!m.name.startsWith(head)) return m.name;
  const nameOf = new Map<string, string>();
  for (const x of m.items) for (const a of x.artistIds) if (!nameOf.has(a)) nameOf.set(a, names.artists(x.trackId, [a]));
  const split = (rest: string): string[] | undefined => {
    for (const id of nameOf.keys()) {
      if (!rest.startsWith(id)) continue;
      if (rest.length === id.length) return [id];
      if (!rest.startsWith(', ', id.length)) continue;
      const tail = split(rest.slice(id.length + 2));
      if (tail) return [id, ...tail];
    }
    return undefined;
  };
  const leaders = split(m.name.slice(head.length));
  return leaders ? head + leaders.map((a) => nameOf.get(a)!).join(', ') : m.name;
}
