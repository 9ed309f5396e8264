import type { ExposureCandidates } from '../domain/index.js';
import type { StateView } from '../features/index.js';
import type { Policy, SeqContext, Surface } from '../sequencing/index.js';

export interface SurfaceRequest {
  surface: Surface;
  listenerId: string;
  now?: number;
  seedTrack?: string;
  seedArtist?: string;
  seedGenre?: string;
  /** Other listeners of a blend. */
  with?: string[];
  /** A playlist to continue (autoplay), seed (radio), enhance or shuffle. */
  playlistId?: string;
  /** A station whose pages continue from what it already served (radio). */
  stationId?: string;
  /** energetic, calm, happy, sad, focus or party (mood). */
  mood?: string;
  policy?: Policy;
  /** Tracks per list; default the policy's length. */
  n?: number;
  /** Seed of exploration; default 0. */
  seed?: number;
  /** Log the response as an exposure (default true). */
  log?: boolean;
  /** Recorded on the exposure: the policy's name (default: the surface's default or a hash of the given policy), an experiment and its variant, the session. */
  policyId?: string;
  experiment?: string;
  variant?: string;
  sessionId?: string;
}

export interface ServedItem {
  position: number;
  trackId: string;
  artistIds: string[];
  albumId?: string;
  score: number;
  propensity: number;
  explanation: { sources: string[]; values: Record<string, number>; changedBy: string[] };
  /** enhance: true for a recommended track put into the listener's playlist. */
  inserted?: boolean;
  /** An interleaving experiment's list: the variant (team a or b) whose track this is. */
  team?: 'a' | 'b';
}

export interface SurfaceResponse {
  requestId: string;
  surface: Surface;
  listenerId: string;
  /** The policy that served it, as recorded on the exposure. */
  policyId: string;
  items: ServedItem[];
  /** daily-mixes: each mix, named from its dominant genre and artists. */
  mixes?: Array<{ name: string; genre: string; items: ServedItem[] }>;
  /** blend: similarity of the members' tastes (0..1), and each member's share of their solo-optimal value. */
  tasteMatch?: number;
  memberShares?: Record<string, number>;
  stationId?: string;
  filtered: Record<string, number>;
  /** The listener's online state could not be read (Redis unreachable, or flushed and not yet rebuilt): answered from the models alone. */
  degraded?: true;
  /** The running experiments and their variants that served it (comma-separated, as on its exposure), when the listener is in any. */
  experiment?: string;
  variant?: string;
}

/** A clear error for a request that cannot be served as asked (unknown ids, missing seed). */
export class SurfaceError extends Error {
  /** The request names something that does not exist (a track, playlist, artist or genre). */
  readonly notFound: boolean;
  constructor(message: string, notFound = false) {
    super(message);
    this.name = 'SurfaceError';
    this.notFound = notFound;
  }
}

/** What a recipe answers: the response without the fields the shared serve path adds, and the candidates to log when asked (`Planned.logCandidates`). */
export type Answer = Omit<SurfaceResponse, 'requestId' | 'surface' | 'listenerId' | 'policyId'> & { candidates?: ExposureCandidates };

/** One request as a recipe sees it, its policy resolved by the shared serve path (serve.ts). */
export interface Planned {
  req: SurfaceRequest;
  policy: Policy;
  ctx: SeqContext;
  /** The listener's online state. */
  view: StateView;
  /**
   * The policy is a stored experiment variant's, which may predate the retrieval rules: its
   * candidates are read leniently (see `retrieval`), never refused.
   */
  lenient: boolean;
  /**
   * An interleaving experiment: team b's policy (team a's is `policy`). Recipes built on
   * Kit.ranked serve one list merged from both teams' sequences.
   */
  interleaveWith?: Policy;
  /** This request is sampled to log its candidate set on the exposure (policy.logging.candidatesShare). */
  logCandidates?: boolean;
}
