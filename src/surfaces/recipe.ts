import type { Policy, Surface } from '../sequencing/index.js';
import type { Kit } from './kit.js';
import type { Answer, Planned } from './types.js';

/**
 * A surface: its default policy and its candidate recipe (what to retrieve, rank and hand to
 * the sequencer). One file per surface; `Surfaces.serve` picks it by the request's surface.
 *
 * @example
 *   const answer = await radio.recipe(kit, { req, policy: radio.defaultPolicy(), ctx, view, lenient: false });
 */
export interface SurfaceRecipe {
  readonly surface: Surface;
  /** The surface's default policy (its data lives in sequencing/policy.ts: see index.ts). */
  defaultPolicy(): Policy;
  recipe(kit: Kit, p: Planned): Promise<Answer>;
}
