import type { PlayLog } from './dataset.js';
import { csrFromCoo, transpose, type Csr } from './csr.js';
import { topK, type Touched } from './topk.js';
import { decodeArtifact, encodeArtifact } from './artifact.js';

export interface SknnConfig {
  /** Neighbour sessions whose tracks are scored. Default 100. */
  k: number;
  /** Most recent sessions sharing a track with the current one that are compared. Default 500. */
  sampleSize: number;
  /** Weigh the current session's tracks by recency (V-SKNN: linear, latest = 1). Default true. */
  recencyWeighting: boolean;
}
export const DEFAULT_SKNN: SknnConfig = { k: 100, sampleSize: 500, recencyWeighting: true };

/**
 * Session-based k nearest neighbours (Jannach and Ludewig, RecSys 2017; V-SKNN of Ludewig
 * and Jannach, UMUAI 2018): a candidate's score is the summed similarity of the k past
 * sessions most similar to the current one that contain it. Similarity is the cosine of
 * binary track sets, with the current session's tracks weighted by recency; only the
 * `sampleSize` most recent sessions sharing a track with the current one are compared.
 */
export class SknnModel {
  private readonly sessionTracks: Csr;
  private readonly trackSessions: Csr;
  private readonly sessionTs: Float64Array;
  private readonly mark: Int32Array;
  private readonly overlap: Float64Array;
  private stamp = 0;

  private constructor(readonly cfg: SknnConfig, sessionTracks: Csr, sessionTs: Float64Array) {
    this.sessionTracks = sessionTracks;
    this.trackSessions = transpose(sessionTracks);
    this.sessionTs = sessionTs;
    this.mark = new Int32Array(sessionTracks.rows);
    this.overlap = new Float64Array(sessionTracks.rows);
  }

  /** Learn from the sessions of `sessionStart` whose rows are all in `rows` (training rows). */
  static train(log: PlayLog, sessionStart: Int32Array, rows?: Uint8Array, cfg: Partial<SknnConfig> = {}): SknnModel {
    const r = new Int32Array(log.length), c = new Int32Array(log.length), ts: number[] = [];
    let k = 0;
    for (let s = 0; s + 1 < sessionStart.length; s++) {
      const lo = sessionStart[s]!, hi = sessionStart[s + 1]!;
      if (rows && !rows[lo]) continue;
      const id = ts.length;
      ts.push(log.ts[hi - 1]!);
      for (let i = lo; i < hi; i++, k++) {
        r[k] = id;
        c[k] = log.track[i]!;
      }
    }
    const m = csrFromCoo(ts.length, log.trackIds.length, r.subarray(0, k), c.subarray(0, k), new Float32Array(k).fill(1));
    m.data.fill(1); // binary sets: repeats within a session count once
    return new SknnModel({ ...DEFAULT_SKNN, ...cfg }, m, Float64Array.from(ts));
  }

  /** The model as a versioned artifact (config, past sessions' track sets and end times). */
  save(meta: Record<string, unknown> = {}): Uint8Array {
    const m = this.sessionTracks;
    return encodeArtifact({ ...meta, model: 'sknn', modelVersion: 1, config: this.cfg, sessions: m.rows, tracks: m.cols }, {
      indptr: m.indptr, indices: m.indices, sessionTs: this.sessionTs,
    });
  }

  static load(bytes: Uint8Array): SknnModel {
    const { meta, arrays } = decodeArtifact(bytes, { model: 'sknn', modelVersion: 1 });
    const indices = arrays.indices as Int32Array;
    const m: Csr = { rows: meta.sessions as number, cols: meta.tracks as number, indptr: arrays.indptr as Int32Array, indices, data: new Float32Array(indices.length).fill(1) };
    return new SknnModel(meta.config as SknnConfig, m, arrays.sessionTs as Float64Array);
  }

  /**
   * The `k` most recent of the sessions, latest first (ties: lower id first). The cut-off
   * time comes from a selection over the times (linear, where a sort of every touched
   * session, thousands for popular tracks, had been the model's main cost); only the k
   * chosen are sorted with a comparator.
   */
  private mostRecent(sessions: number[], k: number): number[] {
    const n = sessions.length;
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = this.sessionTs[sessions[i]!]!;
    const cut = kthSmallest(times, n - k);
    const chosen: number[] = [];
    const atCut: number[] = [];
    for (const s of sessions) {
      const t = this.sessionTs[s]!;
      if (t > cut) chosen.push(s);
      else if (t === cut) atCut.push(s);
    }
    atCut.sort((a, b) => a - b);
    for (let i = 0; chosen.length < k; i++) chosen.push(atCut[i]!);
    return chosen.sort((a, b) => this.sessionTs[b]! - this.sessionTs[a]! || a - b);
  }

  /** Add candidate scores for a session prefix (latest last) into `out`, times `weight`; `sink` hears of every entry written. */
  scoreInto(prefix: Int32Array, out: Float32Array | Float64Array, weight = 1, sink?: Touched): void {
    if (prefix.length === 0) return;
    const { indptr: tp, indices: ts } = this.trackSessions;
    const stamp = ++this.stamp;
    const touched: number[] = [];
    // Weighted overlap of every session sharing a track with the prefix.
    const L = prefix.length;
    let norm2 = 0;
    for (let p = 0; p < L; p++) {
      const t = prefix[p]!;
      // A track repeated in the prefix counts once, at its latest position.
      let later = false;
      for (let q = p + 1; q < L; q++) if (prefix[q] === t) later = true;
      if (later || t < 0 || t >= this.trackSessions.rows) continue;
      const w = this.cfg.recencyWeighting ? (p + 1) / L : 1;
      norm2 += 1;
      for (let x = tp[t]!; x < tp[t + 1]!; x++) {
        const s = ts[x]!;
        if (this.mark[s] !== stamp) {
          this.mark[s] = stamp;
          this.overlap[s] = 0;
          touched.push(s);
        }
        this.overlap[s]! += w;
      }
    }
    if (touched.length === 0) return;
    // The most recent sampleSize sessions among them.
    let pool = touched;
    if (pool.length > this.cfg.sampleSize) pool = this.mostRecent(touched, this.cfg.sampleSize);
    const sims = new Float64Array(pool.length);
    const { indptr: sp, indices: st } = this.sessionTracks;
    for (let i = 0; i < pool.length; i++) {
      const s = pool[i]!;
      sims[i] = this.overlap[s]! / Math.sqrt(norm2 * (sp[s + 1]! - sp[s]!));
    }
    const best = topK(sims, this.cfg.k);
    for (let j = 0; j < best.ix.length; j++) {
      const s = pool[best.ix[j]!]!;
      const sim = best.scores[j]! * weight;
      if (sink) for (let x = sp[s]!; x < sp[s + 1]!; x++) sink.add(st[x]!);
      for (let x = sp[s]!; x < sp[s + 1]!; x++) out[st[x]!]! += sim;
    }
  }
}

/**
 * The value that would sit at index `k` of `a` sorted ascending (Hoare's quickselect,
 * median-of-three pivots). Reorders `a` in place.
 */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot value.
    let x = a[lo]!, y = a[mid]!;
    const z = a[hi]!;
    if (x > y) { const t = x; x = y; y = t; }
    if (y > z) { y = z; if (x > y) y = x; }
    const pivot = y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!; a[i] = a[j]!; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
