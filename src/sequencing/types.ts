/** A candidate for a sequence: what the objectives and constraints read of a track. */
export interface SeqItem {
  trackId: string;
  artistId: string;
  albumId?: string;
  /** Predicted satisfaction, higher is better (the ranker's listen-through probability, or a scaled score). */
  satisfaction: number;
  /** Retrieval sources that found it. */
  sources: string[];
  /** Audio features for flow; NaN (or -1 for key and mode) when unknown. */
  tempo: number;
  energy: number;
  key: number;
  mode: number;
  genre?: string;
  emerging: boolean;
  promoted: boolean;
  /** Licensing cost tier 0..3. */
  costTier: number;
  explicit: boolean;
  /** Where it may be played; absent: everywhere. */
  markets?: readonly string[];
  podcast: boolean;
  /** New to this listener: never played. */
  isNew: boolean;
  durationMs: number;
}

/** A play already served (earlier pages of a station, or the listener's recent history). */
export interface PastPlay {
  trackId: string;
  artistId: string;
  albumId?: string;
  ts: number;
}

/** What a request knows beyond its candidates. */
export interface SeqContext {
  now: number;
  /** Earlier plays of this station (oldest first), for separation and window rules across pages. */
  history?: readonly PastPlay[];
  /** Tracks the listener played, with when, for the no-repeat window. */
  played?: ReadonlyMap<string, number>;
  bannedTracks?: ReadonlySet<string>;
  bannedArtists?: ReadonlySet<string>;
  /** Seed of exploration: same inputs and seed, same sequence. */
  seed?: number;
}

/** Why a track is where it is. */
export interface Explanation {
  sources: string[];
  /** Value per objective term (weighted), and the target multipliers' terms. */
  values: Record<string, number>;
  /** Constraints that held it back from an earlier position, and targets that raised it. */
  changedBy: string[];
}

export interface SequencedItem {
  trackId: string;
  artistId: string;
  albumId?: string;
  position: number;
  /** Its contribution to the sequence's value. */
  value: number;
  /** Probability with which the policy picked it here (1 without exploration). */
  propensity: number;
  explanation: Explanation;
}

export interface Sequence {
  items: SequencedItem[];
  /** Total value of the sequence. */
  value: number;
  /** Candidates left out before sequencing, by reason. */
  filtered: Record<string, number>;
}
