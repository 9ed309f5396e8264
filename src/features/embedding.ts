import type { TrackTable } from './catalog.js';
import type { TrackInfo } from './engine.js';

/** Track vectors for session vectors and similarities, by catalog track ix. */
export interface Embedding {
  readonly dims: number;
  vectorOf(trackIx: number): Float32Array | undefined;
}

/**
 * Audio features (tempo, energy, valence, danceability) standardized over the catalog: the
 * embedding every track with audio features has, played or not. Undefined for a track
 * missing any of them.
 */
export function audioEmbedding(t: TrackTable): Embedding {
  const cols = [t.tempo, t.energy, t.valence, t.danceability];
  const mean = cols.map(() => 0), sd = cols.map(() => 1);
  cols.forEach((c, j) => {
    let s = 0, s2 = 0, k = 0;
    for (let i = 0; i < t.size; i++) if (!Number.isNaN(c[i]!)) { s += c[i]!; s2 += c[i]! * c[i]!; k++; }
    if (k === 0) return;
    mean[j] = s / k;
    sd[j] = Math.sqrt(Math.max(1e-12, s2 / k - mean[j]! ** 2));
  });
  return {
    dims: cols.length,
    vectorOf(ix: number): Float32Array | undefined {
      if (ix < 0 || ix >= t.size) return undefined;
      const v = new Float32Array(cols.length);
      for (let j = 0; j < cols.length; j++) {
        const x = cols[j]![ix]!;
        if (Number.isNaN(x)) return undefined;
        v[j] = (x - mean[j]!) / sd[j]!;
      }
      return v;
    },
  };
}

/** The state's view of the catalog: artist and genres from the table, vectors from the embedding. */
export function trackInfo(table: TrackTable, embedding?: Embedding): TrackInfo {
  return {
    artistOf: (id) => table.artistOf(id),
    genresOf: (id) => table.genresOf(id),
    ...(embedding ? { embed: (id: string) => embedding.vectorOf(table.indexOf(id)) } : {}),
  };
}
