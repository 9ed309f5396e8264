import { defaultPolicy, type Policy } from '../sequencing/index.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import type { Answer, Planned } from './types.js';

/** Discovery's default policy: discovery weighs most, one track per artist, nothing played in a year. */
export const discoveryPolicy = (): Policy => defaultPolicy('discovery');

/**
 * Discovery: retrieved from the listener's twenty favourites, only tracks the listener never
 * played. Ranked as a personalized mix ('mix', as daily mixes and blend are): the ranker's
 * surface feature knows event context types, and 'discovery' would read as missing.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  return kit.ranked(p, 'mix', { context: kit.favourites(p.view, p.ctx.now, 20) }, (it) => it.isNew);
}

export const discovery: SurfaceRecipe = { surface: 'discovery', defaultPolicy: discoveryPolicy, recipe };
