import type { Track } from '../domain/index.js';
import { topK } from './topk.js';
import { decodeArtifact, encodeArtifact } from './artifact.js';

/** Audio features used, in this order; each is standardized (z-score) over the catalog. */
export const CONTENT_FEATURES = ['tempo', 'energy', 'valence', 'danceability', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'loudness'] as const;

export interface ContentConfig {
  /** Weight of the genre part against the audio part (both have unit norm before weighting). Default 1. */
  genreWeight: number;
  /** Weight of the audio-feature part. Default 1. */
  audioWeight: number;
}
export const DEFAULT_CONTENT: ContentConfig = { genreWeight: 1, audioWeight: 1 };

/**
 * Content similarity for cold-start tracks: each track is a vector of its standardized
 * audio features (missing features count as the catalog mean) and its genres (one-hot,
 * normalized), each part scaled to unit length and weighted, the whole normalized so that
 * a dot product is a cosine. Needs no plays at all.
 */
export class ContentModel {
  private constructor(
    readonly cfg: ContentConfig,
    readonly trackIds: string[],
    readonly genres: string[],
    /** Row-major tracks x dims, unit rows (zero rows for tracks with nothing known). */
    readonly vectors: Float32Array,
    readonly dims: number,
  ) {}

  static train(tracks: readonly Track[], cfg: Partial<ContentConfig> = {}): ContentModel {
    const c = { ...DEFAULT_CONTENT, ...cfg };
    const F = CONTENT_FEATURES.length;
    const n = tracks.length;
    // Mean and standard deviation of each feature over the tracks that have it.
    const sum = new Float64Array(F), sq = new Float64Array(F), cnt = new Float64Array(F);
    const genreIx = new Map<string, number>();
    for (const t of tracks) {
      CONTENT_FEATURES.forEach((f, j) => {
        const v = t.audio?.[f];
        if (v !== undefined) {
          sum[j] += v;
          sq[j] += v * v;
          cnt[j]++;
        }
      });
      for (const g of t.genres ?? []) if (!genreIx.has(g)) genreIx.set(g, genreIx.size);
    }
    const mean = Float64Array.from(sum, (s, j) => (cnt[j]! > 0 ? s / cnt[j]! : 0));
    const sd = Float64Array.from(sq, (s, j) => (cnt[j]! > 1 ? Math.sqrt(Math.max(1e-12, s / cnt[j]! - mean[j]! ** 2)) : 1));
    const G = genreIx.size;
    const dims = F + G;
    const vectors = new Float32Array(n * dims);
    const row = new Float64Array(dims);
    tracks.forEach((t, i) => {
      row.fill(0);
      let a2 = 0;
      CONTENT_FEATURES.forEach((f, j) => {
        const v = t.audio?.[f];
        const z = v === undefined ? 0 : (v - mean[j]!) / sd[j]!;
        row[j] = z;
        a2 += z * z;
      });
      const an = a2 > 0 ? c.audioWeight / Math.sqrt(a2) : 0;
      for (let j = 0; j < F; j++) row[j]! *= an;
      const gs = t.genres ?? [];
      for (const g of gs) row[F + genreIx.get(g)!] = c.genreWeight / Math.sqrt(gs.length);
      let r2 = 0;
      for (let j = 0; j < dims; j++) r2 += row[j]! * row[j]!;
      const rn = r2 > 0 ? 1 / Math.sqrt(r2) : 0;
      for (let j = 0; j < dims; j++) vectors[i * dims + j] = row[j]! * rn;
    });
    return new ContentModel(c, tracks.map((t) => t.id), [...genreIx.keys()], vectors, dims);
  }

  /** The model as a versioned artifact (config, vocabularies, unit vectors). */
  save(meta: Record<string, unknown> = {}): Uint8Array {
    return encodeArtifact({ ...meta, model: 'content', modelVersion: 1, config: this.cfg, trackIds: this.trackIds, genres: this.genres, dims: this.dims }, { vectors: this.vectors });
  }

  static load(bytes: Uint8Array): ContentModel {
    const { meta, arrays } = decodeArtifact(bytes, { model: 'content', modelVersion: 1 });
    return new ContentModel(meta.config as ContentConfig, meta.trackIds as string[], meta.genres as string[], arrays.vectors as Float32Array, meta.dims as number);
  }

  /** Cosine similarity of every track to track `ix` (exact), into `out`. */
  similarities(ix: number, out: Float32Array = new Float32Array(this.trackIds.length)): Float32Array {
    const d = this.dims, v = this.vectors, base = ix * d;
    for (let i = 0; i < this.trackIds.length; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += v[base + j]! * v[o + j]!;
      out[i] = s;
    }
    return out;
  }

  /** The k most similar tracks to `ix`, itself excluded; ties by lower ix. */
  neighbours(ix: number, k: number): { ix: Int32Array; scores: Float32Array } {
    if (!(ix >= 0 && ix < this.trackIds.length)) throw new RangeError(`content.neighbours: track ix ${ix} outside 0..${this.trackIds.length - 1}`);
    return topK(this.similarities(ix), k, new Set([ix]));
  }
}
