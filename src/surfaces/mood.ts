import { defaultPolicy, type Policy } from '../sequencing/index.js';
import type { Kit } from './kit.js';
import type { SurfaceRecipe } from './recipe.js';
import { SurfaceError, type Answer, type Planned } from './types.js';

/** Mood targets: energy, valence, tempo (NaN: any). */
const MOODS: Record<string, { energy: number; valence: number; tempo: number }> = {
  energetic: { energy: 0.85, valence: 0.6, tempo: 128 },
  calm: { energy: 0.25, valence: 0.5, tempo: 85 },
  happy: { energy: 0.65, valence: 0.85, tempo: 115 },
  sad: { energy: 0.3, valence: 0.2, tempo: 80 },
  focus: { energy: 0.4, valence: 0.4, tempo: 100 },
  party: { energy: 0.8, valence: 0.75, tempo: 122 },
};
export const MOOD_NAMES = Object.keys(MOODS);

/** Mood's default policy: flow and variety over discovery. */
export const moodPolicy = (): Policy => defaultPolicy('mood');

/**
 * Mood: retrieved from the listener's favourites, kept when they fit the mood's energy and
 * tempo. Ranked as a personalized mix ('mix'): see discovery.ts.
 */
async function recipe(kit: Kit, p: Planned): Promise<Answer> {
  const { req } = p;
  const m = MOODS[req.mood ?? ''];
  if (!m) throw new SurfaceError(`mood must be one of ${MOOD_NAMES.join(', ')}, got ${JSON.stringify(req.mood)}`);
  return kit.ranked(p, 'mix', { context: kit.favourites(p.view, p.ctx.now, 10) }, (it) => {
    // Fit to the mood, in [0, 1]; tracks far from it are left out, the rest weighted by fit.
    const parts = [1 - Math.abs(it.energy - m.energy) / 0.5, 1 - Math.abs((it.tempo > 0 ? it.tempo : m.tempo) - m.tempo) / 40];
    const fit = parts.filter((x) => !Number.isNaN(x)).reduce((a, b) => a + Math.max(0, b), 0) / 2;
    it.satisfaction *= fit;
    return fit > 0.5;
  });
}

export const mood: SurfaceRecipe = { surface: 'mood', defaultPolicy: moodPolicy, recipe };
