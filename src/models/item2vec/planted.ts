import { AliasTable, Rng } from '../../math/index.js';
import type { Item2vecCorpus } from './corpus.js';
import { similar } from './similar.js';

/** Shape of a synthetic session corpus with planted clusters. */
export interface PlantedOptions {
  items: number;
  clusters: number;
  sessions: number;
  /** Session length, uniform in [minLength, maxLength]. */
  minLength: number;
  maxLength: number;
  /** Share of items drawn from the whole catalog instead of the session's cluster. */
  noise: number;
  /** Item popularity ~ 1 / rank^zipf inside each cluster (and in the catalog); 0 is uniform. */
  zipf: number;
  seed: number;
}

/**
 * Sessions whose answer is known by construction: item i belongs to cluster i % clusters,
 * each session picks one cluster and draws its items from it (Zipf by rank inside the
 * cluster), plus a `noise` share from the whole catalog. A good embedding puts an item's
 * nearest neighbours in its own cluster.
 *
 * @example plantedSessions({ items: 200, clusters: 10, sessions: 2000, minLength: 5, maxLength: 15, noise: 0, zipf: 0, seed: 1 })
 */
export function plantedSessions(o: PlantedOptions): { corpus: Item2vecCorpus; cluster: Int32Array } {
  const rng = new Rng(o.seed);
  const cluster = new Int32Array(o.items);
  const weight = new Float64Array(o.items);
  for (let i = 0; i < o.items; i++) {
    cluster[i] = i % o.clusters;
    weight[i] = 1 / Math.pow(Math.floor(i / o.clusters) + 1, o.zipf);
  }
  const global = new AliasTable(weight);
  const perCluster: AliasTable[] = [];
  for (let c = 0; c < o.clusters; c++) {
    const members: number[] = [];
    for (let i = c; i < o.items; i += o.clusters) members.push(i);
    perCluster.push(new AliasTable(members.map((i) => weight[i]!), Int32Array.from(members)));
  }
  const offsets = new Int32Array(o.sessions + 1);
  const lengths = new Int32Array(o.sessions);
  for (let s = 0; s < o.sessions; s++) {
    lengths[s] = o.minLength + rng.int(o.maxLength - o.minLength + 1);
    offsets[s + 1] = offsets[s]! + lengths[s]!;
  }
  const tokens = new Int32Array(offsets[o.sessions]!);
  for (let s = 0; s < o.sessions; s++) {
    const table = perCluster[rng.int(o.clusters)]!;
    for (let t = offsets[s]!; t < offsets[s + 1]!; t++) tokens[t] = rng.next() < o.noise ? global.sample(rng) : table.sample(rng);
  }
  return { corpus: { tokens, offsets }, cluster };
}

/**
 * Mean share of the k nearest neighbours (cosine, {@link similar}) that are in the query
 * item's cluster, over the given query items.
 */
export function clusterPrecision(vectors: Float32Array, dims: number, cluster: Int32Array, queries: ArrayLike<number>, k: number): number {
  let sum = 0;
  for (let q = 0; q < queries.length; q++) {
    const ix = queries[q]!;
    const nb = similar(vectors, dims, ix, k);
    let hits = 0;
    for (let j = 0; j < nb.ix.length; j++) if (cluster[nb.ix[j]!] === cluster[ix]) hits++;
    sum += hits / k;
  }
  return queries.length === 0 ? NaN : sum / queries.length;
}
