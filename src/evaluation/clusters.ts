import type { Store } from '../store/index.js';
import { audioEmbedding, type TrackTable } from '../features/index.js';
import { modelFromArtifact, AlsCandidates, Item2vecCandidates } from '../models/index.js';
import { kmeans } from '../math/index.js';

/** Where the marginalized estimator's track embeddings come from. */
export const CLUSTER_EMBEDDINGS = ['als', 'item2vec', 'audio'] as const;
export type ClusterEmbedding = (typeof CLUSTER_EMBEDDINGS)[number];

export interface TrackClusters {
  /** Cluster of each track id asked for; a track without a vector is a cluster of its own. */
  of: Map<string, number>;
  embedding: ClusterEmbedding;
  k: number;
  /** Tracks without a vector in the embedding (each its own cluster). */
  alone: number;
}

/** The tracks' vectors in one embedding: `rows` (row-major, `dims` each) for the ids that have one. */
async function vectors(store: Store, table: TrackTable, ids: readonly string[], embedding: ClusterEmbedding): Promise<{ dims: number; have: string[]; rows: Float32Array } | undefined> {
  if (embedding === 'audio') {
    const e = audioEmbedding(table);
    const have: string[] = [], rows: number[] = [];
    for (const id of ids) {
      const v = e.vectorOf(table.indexOf(id));
      if (!v) continue;
      have.push(id);
      rows.push(...v);
    }
    return { dims: e.dims, have, rows: Float32Array.from(rows) };
  }
  const got = await store.models.get(embedding);
  if (!got) return undefined;
  const m = modelFromArtifact(got.data);
  const src = m instanceof AlsCandidates ? { f: m.itemFactors, dims: m.dims } : m instanceof Item2vecCandidates ? { f: m.vectors, dims: m.dims } : undefined;
  if (!src) return undefined;
  const have: string[] = [];
  const rows = new Float32Array(ids.length * src.dims);
  for (const id of ids) {
    const ix = m.trackIndex(id);
    if (ix < 0) continue;
    // Unit length: clusters by direction, as the models score by inner product or cosine.
    let n = 0;
    for (let j = 0; j < src.dims; j++) n += src.f[ix * src.dims + j]! ** 2;
    const s = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let j = 0; j < src.dims; j++) rows[have.length * src.dims + j] = src.f[ix * src.dims + j]! * s;
    have.push(id);
  }
  return { dims: src.dims, have, rows: rows.subarray(0, have.length * src.dims) };
}

/**
 * Clusters of tracks by their embedding (k-means, seeded): the action groups of the
 * marginalized estimator (MIPS). The embedding is the one asked for, or by default the first
 * the store has of ALS and item2vec factors, then the catalog's audio features.
 */
export async function trackClusters(store: Store, table: TrackTable, ids: readonly string[], o: { k: number; embedding?: ClusterEmbedding; seed?: number }): Promise<TrackClusters> {
  let got: Awaited<ReturnType<typeof vectors>>, embedding: ClusterEmbedding = 'audio';
  for (const e of o.embedding ? [o.embedding] : CLUSTER_EMBEDDINGS) {
    got = await vectors(store, table, ids, e);
    if (got) {
      embedding = e;
      break;
    }
  }
  if (!got) throw new RangeError(`off-policy: no trained ${o.embedding} model in the store for the marginalized estimator's clusters; train it (segue train --models ${o.embedding}) or choose another embedding (${CLUSTER_EMBEDDINGS.join(', ')})`);
  const r = kmeans(got.rows, got.dims, o.k, { seed: o.seed ?? 1 });
  const of = new Map<string, number>();
  got.have.forEach((id, i) => of.set(id, r.assignment[i]!));
  let next = r.k, alone = 0;
  for (const id of ids) {
    if (of.has(id)) continue;
    of.set(id, next++);
    alone++;
  }
  return { of, embedding, k: r.k, alone };
}
