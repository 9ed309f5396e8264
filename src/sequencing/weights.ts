import type { Rng } from '../math/index.js';
import type { Policy } from './policy.js';

/** How far an exploring request's objective weights may be from its policy's when the policy does not say (policy.logging.weightsRadius). */
export const DEFAULT_WEIGHTS_RADIUS = 0.5;

/** The objective that stays fixed when weights are explored and tuned: a sequence's value is compared across candidates, so only the other weights' ratios to it matter. */
export const NUMERAIRE_OBJECTIVE = 'satisfaction';

/**
 * A request's explored objective weights, as its exposure logs them: the policy's own
 * (`base`), the ones it was served with (`used`), and the interval each was drawn from
 * uniformly (`low`, `high`), so that the logging density of any weights is known.
 */
export interface WeightDraw {
  base: Record<string, number>;
  used: Record<string, number>;
  low: Record<string, number>;
  high: Record<string, number>;
}

/**
 * Draw a request's objective weights around its policy's (policy.logging.weightsShare's
 * requests): each weight the policy sets, but the numeraire (satisfaction), uniformly within
 * plus or minus the radius, not below 0 nor above 100, at 4 decimals. Undefined when the
 * policy sets no other weight.
 *
 * @example drawWeights(radioPolicy(), rng) // { policy: radio with flow 0.73 ..., draw: { base: { flow: 1, ... }, used: { flow: 0.73, ... }, ... } }
 */
export function drawWeights(policy: Policy, rng: Rng): { policy: Policy; draw: WeightDraw } | undefined {
  const r = policy.logging?.weightsRadius ?? DEFAULT_WEIGHTS_RADIUS;
  const draw: WeightDraw = { base: {}, used: {}, low: {}, high: {} };
  let any = false;
  for (const [name, w] of Object.entries(policy.objectives)) {
    if (name === NUMERAIRE_OBJECTIVE || w === undefined) continue;
    const low = Math.max(0, w - r), high = Math.min(100, w + r);
    draw.base[name] = w;
    draw.low[name] = low;
    draw.high[name] = high;
    draw.used[name] = Math.min(high, Math.max(low, Math.round((low + rng.next() * (high - low)) * 1e4) / 1e4));
    any = true;
  }
  return any ? { policy: { ...policy, objectives: { ...policy.objectives, ...draw.used } }, draw } : undefined;
}

/** The logging density of a draw's `used` weights: the product of 1 / (high - low) over its weights. */
export function drawDensity(d: WeightDraw): number {
  let p = 1;
  for (const name of Object.keys(d.used)) p /= d.high[name]! - d.low[name]!;
  return p;
}
