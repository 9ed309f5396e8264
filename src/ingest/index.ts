import type { ImportFormat } from './types.js';
import { ImportError } from './errors.js';
import { ndjson } from './formats/ndjson.js';
import { mssd } from './formats/mssd.js';
import { mpd } from './formats/mpd.js';
import { lastfm1k } from './formats/lastfm-1k.js';
import { listenbrainz } from './formats/listenbrainz.js';
import { spotifyHistory } from './formats/spotify-history.js';
import { catalogCsv } from './formats/catalog-csv.js';
import { lastfm2k } from './formats/lastfm-2k.js';

export * from './types.js';
export * from './errors.js';
export { runImport, parseRejectRate, type ImportOptions, type ImportProgress } from './pipeline.js';
export { readLines } from './lines.js';

/** Every import format by its CLI name. */
export const FORMATS: ReadonlyMap<string, ImportFormat> = new Map(
  [ndjson, spotifyHistory, catalogCsv, mssd, mpd, lastfm1k, listenbrainz, lastfm2k].map((f) => [f.name, f]),
);

export function getFormat(name: string): ImportFormat {
  const f = FORMATS.get(name);
  if (!f) throw new ImportError(`unknown format ${JSON.stringify(name)}; formats: ${[...FORMATS.keys()].join(', ')}`);
  return f;
}
