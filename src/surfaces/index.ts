/**
 * Surfaces: one file per surface (autoplay, radio, daily-mixes, discovery, release-radar,
 * blend, mood, enhance, shuffle), each its candidate recipe and its default policy, and one
 * shared serve path (serve.ts: experiment assignment, policy resolution, exposure log; kit.ts:
 * retrieval and ranking, station history). Experiments are a later stage: serving knows them
 * as an `Assigner` (assignment.ts) that the caller passes in.
 *
 * Where the default policies live: their data stays in sequencing/policy.ts
 * (`defaultPolicy(surface)`), and each surface file names its own (`radioPolicy()`, ...) from
 * it. Moving the data here would need sequencing to reach back into surfaces, a later stage:
 * `overridePolicy` lays every partial policy (API, CLI, experiments, saved policies) over the
 * surface's default, and evaluation, experiments and the benchmarks call `defaultPolicy`
 * without opening surfaces. A registry that surface files fill at import would hide the same
 * back-edge in import order (a caller importing only sequencing would get no defaults).
 */
export { Surfaces } from './serve.js';
export { RANKED_LIST_SURFACES } from './kit.js';
export { SurfaceError, type SurfaceRequest, type SurfaceResponse, type ServedItem } from './types.js';
export type { SurfaceRecipe } from './recipe.js';
export type { Assigner, Assignment, LoadAssigner } from './assignment.js';
export { MOOD_NAMES } from './mood.js';
export { retrieval, type RetrievalOptions } from './retrieval.js';
export { toSeqItems, itemOf } from './items.js';
export { replayInputs, loggingPolicy } from './replay.js';
export { radioPolicy } from './radio.js';
export { autoplayPolicy } from './autoplay.js';
export { dailyMixesPolicy } from './daily-mixes.js';
export { discoveryPolicy } from './discovery.js';
export { releaseRadarPolicy } from './release-radar.js';
export { blendPolicy } from './blend.js';
export { moodPolicy } from './mood.js';
export { enhancePolicy } from './enhance.js';
export { shufflePolicy } from './shuffle.js';
