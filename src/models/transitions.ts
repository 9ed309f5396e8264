import type { PlayLog } from './dataset.js';
import { csrFromCoo, type Csr } from './csr.js';
import { decodeArtifact, encodeArtifact } from './artifact.js';
import type { Touched } from './topk.js';

export interface TransitionsConfig {
  /** How many later positions of a session a track links to. Default 5. */
  window: number;
  /** Weight of a link d positions ahead: 1 / d^distancePower. Default 1. */
  distancePower: number;
  /** Shrinkage: a source track's links are divided by (its total link weight + shrinkage). Default 2. */
  shrinkage: number;
  /** How many of the latest prefix tracks vote, the latest weighing most. Default 3. */
  prefixTracks: number;
  /** Each older prefix track's vote is multiplied by this. Default 0.5. */
  prefixDecay: number;
  /** Half-life of a link's weight in days (older sessions count less); 0 for none. Default 0. */
  halfLifeDays: number;
}
export const DEFAULT_TRANSITIONS: TransitionsConfig = { window: 5, distancePower: 1, shrinkage: 2, prefixTracks: 3, prefixDecay: 0.5, halfLifeDays: 0 };

/**
 * Sequence-aware item-to-item weights: within each session, a track links to each of the
 * next `window` tracks with weight 1 / distance^p (directional next-track counts when
 * window = 1: a first-order Markov chain; with a window, the "sequential rules" of Ludewig
 * and Jannach 2018), optionally time-decayed, then row-normalized with shrinkage so that
 * rare source tracks do not get overconfident links.
 */
export class TransitionsModel {
  private constructor(readonly cfg: TransitionsConfig, readonly links: Csr, private readonly norm: Float32Array) {}

  /**
   * @param sessionStart session boundaries over the log's rows (SessionSplit.start)
   * @param rows 1 for rows to learn from (training rows); all when absent
   */
  static train(log: PlayLog, sessionStart: Int32Array, rows?: Uint8Array, cfg: Partial<TransitionsConfig> = {}): TransitionsModel {
    const c = { ...DEFAULT_TRANSITIONS, ...cfg };
    const lambda = c.halfLifeDays > 0 ? Math.LN2 / (c.halfLifeDays * 86_400_000) : 0;
    let last = -Infinity;
    for (let i = 0; i < log.length; i++) if (!rows || rows[i]) last = Math.max(last, log.ts[i]!);
    // Two passes: count the links, then fill typed arrays (no per-link JS numbers).
    let from = new Int32Array(0), to = new Int32Array(0), w = new Float32Array(0);
    let links = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 0; s + 1 < sessionStart.length; s++) {
        const lo = sessionStart[s]!, hi = sessionStart[s + 1]!;
        for (let i = lo; i < hi; i++) {
          if (rows && !rows[i]) continue;
          const decay = pass === 1 && lambda > 0 ? Math.exp(-lambda * (last - log.ts[i]!)) : 1;
          for (let j = i + 1; j < Math.min(hi, i + 1 + c.window); j++) {
            if (rows && !rows[j]) continue;
            if (pass === 1) {
              from[links] = log.track[i]!;
              to[links] = log.track[j]!;
              w[links] = decay / Math.pow(j - i, c.distancePower);
            }
            links++;
          }
        }
      }
      if (pass === 0) {
        from = new Int32Array(links);
        to = new Int32Array(links);
        w = new Float32Array(links);
        links = 0;
      }
    }
    const n = log.trackIds.length;
    const matrix = csrFromCoo(n, n, from, to, w);
    const norm = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let p = matrix.indptr[r]!; p < matrix.indptr[r + 1]!; p++) sum += matrix.data[p]!;
      norm[r] = 1 / (sum + c.shrinkage);
    }
    return new TransitionsModel(c, matrix, norm);
  }

  /** The model as a versioned artifact (config, link matrix, normalizers). */
  save(meta: Record<string, unknown> = {}): Uint8Array {
    return encodeArtifact({ ...meta, model: 'transitions', modelVersion: 1, config: this.cfg, tracks: this.links.rows }, {
      indptr: this.links.indptr, indices: this.links.indices, data: this.links.data, norm: this.norm,
    });
  }

  static load(bytes: Uint8Array): TransitionsModel {
    const { meta, arrays } = decodeArtifact(bytes, { model: 'transitions', modelVersion: 1 });
    const n = meta.tracks as number;
    return new TransitionsModel(meta.config as TransitionsConfig, { rows: n, cols: n, indptr: arrays.indptr as Int32Array, indices: arrays.indices as Int32Array, data: arrays.data as Float32Array }, arrays.norm as Float32Array);
  }

  /**
   * Add the scores of every candidate given a session prefix (latest last) into `out`
   * (length = tracks), times `weight`. Candidates with no link keep what `out` had.
   */
  scoreInto(prefix: Int32Array, out: Float32Array | Float64Array, weight = 1, touched?: Touched): void {
    let vote = weight;
    for (let k = 0; k < this.cfg.prefixTracks && k < prefix.length; k++) {
      const src = prefix[prefix.length - 1 - k]!;
      if (src >= 0 && src < this.norm.length) {
        const f = vote * this.norm[src]!;
        const { indptr, indices, data } = this.links;
        if (touched) for (let p = indptr[src]!; p < indptr[src + 1]!; p++) touched.add(indices[p]!);
        for (let p = indptr[src]!; p < indptr[src + 1]!; p++) out[indices[p]!]! += f * data[p]!;
      }
      vote *= this.cfg.prefixDecay;
    }
  }
}
