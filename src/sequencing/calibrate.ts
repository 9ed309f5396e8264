import type { Policy } from './policy.js';
import { sequence } from './solver.js';
import type { SeqContext, SeqItem } from './types.js';

type Target = 'discoveryShare' | 'emergingArtistShare';
const TARGETS: readonly Target[] = ['discoveryShare', 'emergingArtistShare'];
const counts: Record<Target, (it: SeqItem) => boolean> = { discoveryShare: (it) => it.isNew, emergingArtistShare: (it) => it.emerging };

export interface CalibrationReport {
  /** Multipliers found, to store with the policy. */
  multipliers: Partial<Record<Target, number>>;
  /** Shares over the sample with those multipliers, and the targets. */
  shares: Partial<Record<Target, number>>;
  targets: Partial<Record<Target, number>>;
  iterations: number;
  requests: number;
}

/**
 * Meet population targets on average (DESIGN.md "Policies are data"): a Lagrangian dual
 * update over a sample of requests. Each target k has a multiplier lambda_k added to the
 * value of every item that counts toward it; after sequencing the whole sample, lambda_k
 * moves by step * (target_k - share_k), kept >= 0, with a step that shrinks when the sign
 * of the gap flips. Stops when every share is within `tolerance` of its target.
 */
export function calibrate(
  sample: ReadonlyArray<{ items: readonly SeqItem[]; ctx: SeqContext }>,
  policy: Policy,
  opts: { tolerance?: number; maxIterations?: number; step?: number } = {},
): { policy: Policy; report: CalibrationReport } {
  const targets = policy.targets ?? {};
  const active = TARGETS.filter((t) => targets[t] !== undefined);
  const tol = opts.tolerance ?? 0.01;
  const lambda: Partial<Record<Target, number>> = { ...policy.multipliers };
  const step: Partial<Record<Target, number>> = Object.fromEntries(active.map((t) => [t, opts.step ?? 2]));
  const lastGap: Partial<Record<Target, number>> = {};
  let best: { err: number; lambda: Partial<Record<Target, number>>; shares: Partial<Record<Target, number>> } | undefined;
  let it = 0;
  for (; it < (opts.maxIterations ?? 40); it++) {
    const p: Policy = { ...policy, multipliers: { ...lambda } };
    const hits: Partial<Record<Target, number>> = {};
    let total = 0;
    for (const { items, ctx } of sample) {
      const byId = new Map(items.map((x) => [x.trackId, x]));
      for (const s of sequence(items, p, ctx).items) {
        total++;
        for (const t of active) if (counts[t](byId.get(s.trackId)!)) hits[t] = (hits[t] ?? 0) + 1;
      }
    }
    const shares: Partial<Record<Target, number>> = {};
    let err = 0;
    for (const t of active) {
      shares[t] = total > 0 ? (hits[t] ?? 0) / total : 0;
      err = Math.max(err, Math.abs(shares[t]! - targets[t]!));
    }
    if (!best || err < best.err) best = { err, lambda: { ...lambda }, shares };
    if (err <= tol) break;
    for (const t of active) {
      const gap = targets[t]! - shares[t]!;
      if (lastGap[t] !== undefined && Math.sign(gap) !== Math.sign(lastGap[t]!)) step[t]! *= 0.5;
      lastGap[t] = gap;
      lambda[t] = Math.max(0, (lambda[t] ?? 0) + step[t]! * gap);
    }
  }
  const multipliers = Object.fromEntries(active.map((t) => [t, Number((best?.lambda[t] ?? 0).toFixed(6))])) as Partial<Record<Target, number>>;
  return {
    policy: { ...policy, multipliers },
    report: { multipliers, shares: best?.shares ?? {}, targets: Object.fromEntries(active.map((t) => [t, targets[t]!])), iterations: it + 1, requests: sample.length },
  };
}
