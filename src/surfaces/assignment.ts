import type { Store } from '../store/index.js';
import type { Surface } from '../sequencing/index.js';

/** One experiment a request is in: its variant, and the variant's partial policy (empty for control and holdout). */
export interface Assignment {
  experiment: string;
  variant: string;
  policy: Record<string, unknown>;
  /** An interleaving experiment: the two teams' partial policies; the request's list is merged from both (variant `interleaved`). */
  interleave?: { a: Record<string, unknown>; b: Record<string, unknown> };
}

/**
 * What serving asks of experiments: the variants a listener's request of a surface is in at
 * `now` (at most one per layer), laid over the surface's default policy in order. The
 * experiments' `Assigner` is one; experiments come after surfaces in the stage order, so
 * whoever builds Surfaces (the server, the CLI, evaluation, the benchmarks) passes it in.
 *
 * @example
 *   const fixed: Assigner = { assign: () => [{ experiment: 'x', variant: 'b', policy: { length: 20 } }] };
 *   const surfaces = new Surfaces(store, reco, fixed);
 */
export interface Assigner {
  assign(listenerId: string, surface: Surface, now: number): readonly Assignment[];
}

/**
 * Reads a store's live experiments into an Assigner, when Surfaces open and at every reload:
 * the experiments' `Assigner.load`.
 *
 * @example const surfaces = await Surfaces.open(store, { assigner: Assigner.load });
 */
export type LoadAssigner = (store: Store) => Promise<Assigner>;
