/**
 * The fixed vocabulary of the synthetic world: genres with their sound, countries with their
 * clocks, labels, and the words that names are made of. Data only.
 */

/**
 * A genre's sound: the centre and spread of its audio features. Means for pop, rap (hip hop),
 * rock, latin, r&b and edm are those of the 26k-song Spotify sample in
 * ../shared/datasets/spotify-songs-audio-features-tidytuesday2020 (per-genre means of
 * tempo, energy, valence, danceability, acousticness, instrumentalness, speechiness,
 * liveness, loudness, duration); the other ten are set by ear to sit plausibly among them.
 */
export interface GenreSpec {
  name: string;
  /** 0 mainstream (pop, dance, urban), 1 guitar, 2 acoustic and heritage: related genres share a family. */
  family: number;
  /** Share of the catalog and of listeners' attention. */
  share: number;
  tempo: number;
  tempoSd: number;
  energy: number;
  valence: number;
  danceability: number;
  acousticness: number;
  instrumentalness: number;
  speechiness: number;
  liveness: number;
  loudness: number;
  /** Share of tracks with explicit lyrics. */
  explicit: number;
  /** Mean duration in seconds. */
  seconds: number;
}

// prettier-ignore
export const GENRES: readonly GenreSpec[] = [
  { name: 'pop',       family: 0, share: 0.14, tempo: 121, tempoSd: 25, energy: 0.70, valence: 0.50, danceability: 0.64, acousticness: 0.17, instrumentalness: 0.03, speechiness: 0.07, liveness: 0.18, loudness: -6.4, explicit: 0.15, seconds: 218 },
  { name: 'hip hop',   family: 0, share: 0.12, tempo: 121, tempoSd: 30, energy: 0.65, valence: 0.50, danceability: 0.71, acousticness: 0.20, instrumentalness: 0.03, speechiness: 0.20, liveness: 0.19, loudness: -7.1, explicit: 0.60, seconds: 212 },
  { name: 'rock',      family: 1, share: 0.10, tempo: 125, tempoSd: 28, energy: 0.73, valence: 0.53, danceability: 0.52, acousticness: 0.15, instrumentalness: 0.05, speechiness: 0.06, liveness: 0.21, loudness: -7.6, explicit: 0.08, seconds: 246 },
  { name: 'latin',     family: 0, share: 0.08, tempo: 119, tempoSd: 28, energy: 0.71, valence: 0.61, danceability: 0.71, acousticness: 0.22, instrumentalness: 0.03, speechiness: 0.10, liveness: 0.18, loudness: -6.6, explicit: 0.20, seconds: 217 },
  { name: 'r&b',       family: 0, share: 0.07, tempo: 114, tempoSd: 28, energy: 0.58, valence: 0.53, danceability: 0.66, acousticness: 0.28, instrumentalness: 0.02, speechiness: 0.12, liveness: 0.18, loudness: -8.0, explicit: 0.30, seconds: 238 },
  { name: 'edm',       family: 0, share: 0.07, tempo: 126, tempoSd: 12, energy: 0.81, valence: 0.40, danceability: 0.66, acousticness: 0.08, instrumentalness: 0.25, speechiness: 0.09, liveness: 0.22, loudness: -5.5, explicit: 0.05, seconds: 226 },
  { name: 'indie',     family: 1, share: 0.07, tempo: 118, tempoSd: 26, energy: 0.60, valence: 0.45, danceability: 0.55, acousticness: 0.35, instrumentalness: 0.12, speechiness: 0.05, liveness: 0.15, loudness: -8.5, explicit: 0.10, seconds: 230 },
  { name: 'metal',     family: 1, share: 0.05, tempo: 135, tempoSd: 30, energy: 0.92, valence: 0.30, danceability: 0.42, acousticness: 0.02, instrumentalness: 0.15, speechiness: 0.08, liveness: 0.20, loudness: -5.0, explicit: 0.20, seconds: 280 },
  { name: 'jazz',      family: 2, share: 0.04, tempo: 112, tempoSd: 30, energy: 0.40, valence: 0.50, danceability: 0.55, acousticness: 0.70, instrumentalness: 0.45, speechiness: 0.05, liveness: 0.20, loudness: -12, explicit: 0.01, seconds: 300 },
  { name: 'classical', family: 2, share: 0.04, tempo: 100, tempoSd: 30, energy: 0.15, valence: 0.25, danceability: 0.30, acousticness: 0.93, instrumentalness: 0.85, speechiness: 0.04, liveness: 0.12, loudness: -21, explicit: 0.00, seconds: 330 },
  { name: 'country',   family: 1, share: 0.05, tempo: 118, tempoSd: 25, energy: 0.65, valence: 0.58, danceability: 0.58, acousticness: 0.30, instrumentalness: 0.01, speechiness: 0.04, liveness: 0.18, loudness: -6.8, explicit: 0.03, seconds: 205 },
  { name: 'folk',      family: 2, share: 0.04, tempo: 110, tempoSd: 25, energy: 0.38, valence: 0.42, danceability: 0.52, acousticness: 0.72, instrumentalness: 0.10, speechiness: 0.04, liveness: 0.14, loudness: -11, explicit: 0.02, seconds: 225 },
  { name: 'soul',      family: 2, share: 0.03, tempo: 108, tempoSd: 25, energy: 0.55, valence: 0.62, danceability: 0.62, acousticness: 0.35, instrumentalness: 0.03, speechiness: 0.06, liveness: 0.20, loudness: -8.5, explicit: 0.02, seconds: 220 },
  { name: 'reggae',    family: 2, share: 0.03, tempo: 92,  tempoSd: 18, energy: 0.60, valence: 0.70, danceability: 0.75, acousticness: 0.15, instrumentalness: 0.03, speechiness: 0.12, liveness: 0.15, loudness: -7.5, explicit: 0.08, seconds: 230 },
  { name: 'ambient',   family: 2, share: 0.03, tempo: 90,  tempoSd: 25, energy: 0.20, valence: 0.15, danceability: 0.30, acousticness: 0.75, instrumentalness: 0.88, speechiness: 0.04, liveness: 0.11, loudness: -18, explicit: 0.00, seconds: 320 },
  { name: 'k-pop',     family: 0, share: 0.04, tempo: 124, tempoSd: 22, energy: 0.78, valence: 0.58, danceability: 0.68, acousticness: 0.12, instrumentalness: 0.01, speechiness: 0.08, liveness: 0.18, loudness: -4.5, explicit: 0.05, seconds: 205 },
];

/** The genre name given to podcast episodes (not one of the music genres). */
export const PODCAST_GENRE = 'podcast';

export interface CountrySpec {
  code: string;
  /** Share of listeners. */
  share: number;
  /** Offset of local time from UTC in minutes (standard time). */
  utcOffset: number;
  /** Genres this country's listeners favour beyond the global shares. */
  boost?: readonly string[];
}

// prettier-ignore
export const COUNTRIES: readonly CountrySpec[] = [
  { code: 'US', share: 0.24, utcOffset: -300 },
  { code: 'GB', share: 0.08, utcOffset: 0 },
  { code: 'DE', share: 0.07, utcOffset: 60 },
  { code: 'BR', share: 0.09, utcOffset: -180, boost: ['latin'] },
  { code: 'MX', share: 0.07, utcOffset: -360, boost: ['latin'] },
  { code: 'IN', share: 0.08, utcOffset: 330 },
  { code: 'JP', share: 0.05, utcOffset: 540 },
  { code: 'FR', share: 0.05, utcOffset: 60 },
  { code: 'SE', share: 0.03, utcOffset: 60, boost: ['metal'] },
  { code: 'ES', share: 0.04, utcOffset: 60, boost: ['latin'] },
  { code: 'CA', share: 0.03, utcOffset: -300, boost: ['country'] },
  { code: 'AU', share: 0.03, utcOffset: 600 },
  { code: 'NG', share: 0.03, utcOffset: 60, boost: ['r&b'] },
  { code: 'KR', share: 0.04, utcOffset: 540, boost: ['k-pop'] },
  { code: 'ID', share: 0.07, utcOffset: 420 },
];

/** Record labels by licensing cost tier (0 owned or free, 1 low, 2 standard, 3 premium). */
export const LABELS: readonly { name: string; costTier: number; share: number }[] = [
  { name: 'Self-released', costTier: 0, share: 0.12 },
  { name: 'Commons Audio', costTier: 0, share: 0.03 },
  { name: 'Lantern Sound', costTier: 1, share: 0.1 },
  { name: 'Paper Boat Records', costTier: 1, share: 0.1 },
  { name: 'Quiet Harbor', costTier: 1, share: 0.1 },
  { name: 'Northwind Music', costTier: 2, share: 0.15 },
  { name: 'Bluecrest Records', costTier: 2, share: 0.15 },
  { name: 'Sunfield Recordings', costTier: 2, share: 0.12 },
  { name: 'Meridian Global', costTier: 3, share: 0.08 },
  { name: 'Atlas Major', costTier: 3, share: 0.05 },
];

// Words that names are built from. Names are a function of (seed, kind, index), made when
// records are written, so a world of 200k tracks holds no strings.
export const SYLLABLES = ['ka', 'ri', 'mo', 'la', 'ven', 'so', 'ta', 'ni', 'el', 'ra', 'do', 'mi', 'an', 'lu', 'ze', 'or', 'ia', 'be', 'no', 'sa', 'vi', 'ko', 'ly', 'ma'];
export const FIRST_NAMES = ['Nina', 'Omar', 'Lena', 'Kofi', 'Mara', 'Jun', 'Ivy', 'Theo', 'Rosa', 'Emil', 'Aya', 'Luca', 'Zoe', 'Ravi', 'Nora', 'Felix', 'Yara', 'Hugo', 'Mina', 'Otis', 'Sade', 'Tomas', 'Ines', 'Kai'];
export const ADJECTIVES = ['Velvet', 'Silver', 'Quiet', 'Neon', 'Golden', 'Broken', 'Electric', 'Paper', 'Midnight', 'Wild', 'Hollow', 'Crystal', 'Lonely', 'Burning', 'Blue', 'Soft', 'Distant', 'Northern', 'Sweet', 'Heavy', 'Little', 'Endless', 'Secret', 'Golden Hour'];
export const NOUNS = ['Owls', 'Rivers', 'Lights', 'Hearts', 'Echoes', 'Foxes', 'Tides', 'Mirrors', 'Gardens', 'Wolves', 'Signals', 'Waves', 'Skies', 'Dreams', 'Roads', 'Stars', 'Ghosts', 'Bells', 'Summers', 'Machines', 'Flowers', 'Cities', 'Shadows', 'Letters'];
export const WORDS = ['Love', 'Night', 'Fire', 'Rain', 'Home', 'Gold', 'Heart', 'Dance', 'Light', 'Time', 'Ocean', 'Dream', 'Road', 'Sky', 'Moon', 'Summer', 'Stone', 'Glass', 'Wind', 'River', 'Smoke', 'Honey', 'Thunder', 'Echo', 'Bloom', 'Static', 'Fever', 'Silence', 'Sugar', 'Winter'];
export const SHOW_TOPICS = ['Science', 'History', 'Football', 'True Crime', 'Comedy', 'Business', 'Tech', 'Film', 'Food', 'Health', 'Music', 'Politics', 'Books', 'Travel'];
