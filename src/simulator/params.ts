/**
 * The knobs of the synthetic world, each with its default. Behaviour (skips, session ends)
 * has its own config, BehaviourParams in behaviour.ts; organic session habits are
 * SessionParams, below.
 */
export interface WorldParams {
  /** Tracks in the catalog, podcast episodes included. Default 20,000. */
  tracks: number;
  /** Listeners. Default 1,000. */
  listeners: number;
  /** Music artists; 0 derives tracks / 12 (about a dozen tracks per artist). Podcast shows come on top. Default 0. */
  artists: number;
  /** Music genres used, the first n of GENRES (at most 16). Default 16. */
  genres: number;
  /** Dimensions of the latent taste space shared by listeners, artists and tracks. Default 8. */
  dims: number;
  /** Share of tracks that are podcast episodes. Default 0.03. */
  podcastShare: number;
  /** Mean episodes per podcast show. Default 40. */
  episodesPerShow: number;
  /** Pareto tail index of artist popularity (smaller is more concentrated: 1 is Zipf-like). Default 0.8. */
  popularityAlpha: number;
  /** Log-normal sigma of a track's weight around its artist's (hits and deep cuts). Default 1.2. */
  trackPopularitySigma: number;
  /** Share of music artists that are emerging: debut in the last two years, low reach. Default 0.15. */
  emergingShare: number;
  /** Multiplier on emerging artists' popularity weight. Default 0.15. */
  emergingReach: number;
  /** Share of music tracks promoted during the simulated window. Default 0.005. */
  promotedShare: number;
  /** Days a promotion lasts, from the start date. Default 28. */
  promotedDays: number;
  /** Editorial playlists per genre (Essentials, Deep Cuts, Fresh, ...). Default 3. */
  playlistsPerGenre: number;
  /** Tracks per editorial playlist. Default 60. */
  playlistLength: number;
  /** Dirichlet concentration of listeners' genre preferences, times the genre's share and count (small: a few favourite genres). Default 0.35. */
  genreConcentration: number;
  /** Mean sessions per listener per day (log-normal across listeners). Default 1.4. */
  sessionsPerDay: number;
  /** Log-normal sigma of activity across listeners. Default 0.9. */
  activitySigma: number;
  /** Share of listeners who listen to podcasts at all. Default 0.25. */
  podcastListeners: number;
  /** Size of a listener's library before the simulation (log-normal median). Default 40. */
  librarySize: number;
  /** The catalog's "today": releases come before it, promotions start at it (epoch ms). Default 2025-06-02. */
  startMs: number;
}

export const DEFAULT_START_DATE = '2025-06-02';

export const DEFAULT_WORLD: Readonly<WorldParams> = {
  tracks: 20_000,
  listeners: 1_000,
  artists: 0,
  genres: 16,
  dims: 8,
  podcastShare: 0.03,
  episodesPerShow: 40,
  popularityAlpha: 0.8,
  trackPopularitySigma: 1.2,
  emergingShare: 0.15,
  emergingReach: 0.15,
  promotedShare: 0.005,
  promotedDays: 28,
  playlistsPerGenre: 3,
  playlistLength: 60,
  genreConcentration: 0.35,
  sessionsPerDay: 1.4,
  activitySigma: 0.9,
  podcastListeners: 0.25,
  librarySize: 40,
  startMs: Date.parse(`${DEFAULT_START_DATE}T00:00:00Z`),
};

/** Defaults filled in and every field checked; throws a RangeError naming the field. */
export function worldParams(p: Partial<WorldParams> = {}): WorldParams {
  const out: WorldParams = { ...DEFAULT_WORLD, ...p };
  const int = (k: keyof WorldParams, lo: number, hi: number): void => {
    const v = out[k];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`world.${k} must be an integer from ${lo} to ${hi}, got ${v}`);
  };
  const num = (k: keyof WorldParams, lo: number, hi: number): void => {
    const v = out[k];
    if (!(v >= lo && v <= hi)) throw new RangeError(`world.${k} must be a number from ${lo} to ${hi}, got ${v}`);
  };
  int('tracks', 10, 50_000_000);
  int('listeners', 1, 50_000_000);
  int('artists', 0, 10_000_000);
  int('genres', 1, 16);
  int('dims', 1, 256);
  num('podcastShare', 0, 0.9);
  num('episodesPerShow', 1, 10_000);
  num('popularityAlpha', 0.2, 10);
  num('trackPopularitySigma', 0, 5);
  num('emergingShare', 0, 1);
  num('emergingReach', 0.001, 10);
  num('promotedShare', 0, 1);
  num('promotedDays', 1, 3650);
  int('playlistsPerGenre', 0, 100);
  int('playlistLength', 1, 10_000);
  num('genreConcentration', 0.001, 1000);
  num('sessionsPerDay', 0.01, 100);
  num('activitySigma', 0, 5);
  num('podcastListeners', 0, 1);
  num('librarySize', 0, 100_000);
  if (!Number.isFinite(out.startMs)) throw new RangeError(`world.startMs must be epoch milliseconds, got ${out.startMs}`);
  return out;
}

const MINUTE = 60_000;

/** Habits of organic listening (what listeners play by themselves, before any Segue surface). */
export interface SessionParams {
  /** Candidates drawn when a listener picks a track for themselves; the best by taste (softly) wins. Default 6. */
  candidates: number;
  /** Softness of that choice: score = taste match / temperature + Gumbel noise. Default 0.15. */
  temperature: number;
  /** Candidates per radio or autoplay step. Default 10. */
  radioCandidates: number;
  /** Share of radio steps that draw from one of the listener's genres instead of the previous track's. Default 0.15. */
  radioExplore: number;
  /** Share of radio sessions seeded from the library (else from a taste pick). Default 0.4. */
  radioFromLibrary: number;
  /** Radio, autoplay and library avoid tracks among the last n played (at most 64). Default 20. */
  recentExclude: number;
  /** Share of searches for a popular track rather than a taste pick. Default 0.3. */
  searchPopular: number;
  /** After a searched track, the chance of searching again (else autoplay continues). Default 0.35. */
  searchAgain: number;
  /** Share of album sessions from the first track (else from the picked track). Default 0.7. */
  albumFromStart: number;
  /** Share of playlist sessions in shuffle. Default 0.5. */
  playlistShuffle: number;
  /** A library session needs this many library tracks; otherwise the listener plays a playlist. Default 10. */
  minLibrary: number;
  /** Least gap between two sessions of a listener, ms: above the 30-minute sessionization gap. Default 35 min. */
  minGapMs: number;
  /** Activity multiplier on Saturdays and Sundays. Default 1.15. */
  weekendActivity: number;
  /** Preferred hours move this much later on weekends. Default 1.5. */
  weekendShiftHours: number;
  /** Hard cap on tracks per session. Default 500. */
  maxSessionTracks: number;
  /** Tracks proposed per respond call. Default 8. */
  chunk: number;
}

export const DEFAULT_SESSIONS: Readonly<SessionParams> = {
  candidates: 6,
  temperature: 0.15,
  radioCandidates: 10,
  radioExplore: 0.15,
  radioFromLibrary: 0.4,
  recentExclude: 20,
  searchPopular: 0.3,
  searchAgain: 0.35,
  albumFromStart: 0.7,
  playlistShuffle: 0.5,
  minLibrary: 10,
  minGapMs: 35 * MINUTE,
  weekendActivity: 1.15,
  weekendShiftHours: 1.5,
  maxSessionTracks: 500,
  chunk: 8,
};
