import { defaultPolicy, type Policy } from '../sequencing/index.js';
import { ClosedLoopWorld, type ArmMetrics, type ClosedLoopOptions } from './closed-loop.js';

/** Objective weights a sweep may vary. */
export const SWEEPABLE = ['satisfaction', 'flow', 'discovery', 'variety', 'emergingArtists', 'fairness', 'promoted', 'cost'] as const;
export type Sweepable = (typeof SWEEPABLE)[number];

export interface Sweep {
  objective: Sweepable;
  values: number[];
}

/** Parse `name=from:to:step` (e.g. `emergingArtists=0:1:0.1`), with a clear error. */
export function parseSweep(spec: string): Sweep {
  const m = /^(\w+)=(-?[\d.]+):(-?[\d.]+):([\d.]+)$/.exec(spec.trim());
  if (!m) throw new RangeError(`--sweep must look like emergingArtists=0:1:0.1 (objective=from:to:step), got ${JSON.stringify(spec)}`);
  const objective = m[1] as Sweepable;
  if (!SWEEPABLE.includes(objective)) throw new RangeError(`--sweep: unknown objective ${JSON.stringify(m[1])}; one of ${SWEEPABLE.join(', ')}`);
  const [from, to, step] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (!(step > 0) || !(to >= from) || (to - from) / step > 200) throw new RangeError(`--sweep: from ${from} to ${to} by ${step} must be ascending with at most 200 steps`);
  if (from < 0 || to > 100) throw new RangeError('--sweep: weights must lie in 0..100');
  const values: number[] = [];
  for (let k = 0; from + k * step <= to + 1e-9; k++) values.push(Number((from + k * step).toFixed(6)));
  return { objective, values };
}

export interface TradeoffPoint extends ArmMetrics {
  weight: number;
}

export interface TradeoffReport {
  surface: 'radio' | 'autoplay';
  objective: Sweepable;
  protocol: string;
  points: TradeoffPoint[];
  /** The ranker's scores sorted without sequencing, for reference. */
  baseline: ArmMetrics;
  /** The policy given as `current` (e.g. the one being edited), served on the same listeners: where it sits against the frontier. */
  current?: ArmMetrics & { weight: number };
}

export interface TradeoffOptions extends ClosedLoopOptions {
  /** Also serve this policy and report it as `current`. */
  current?: Policy;
  /** Hears how many of the runs are done (the baseline, each point, the current policy). */
  onStep?: (done: number, total: number) => void;
}

/**
 * `segue tradeoff`: trace the frontier between listener satisfaction (listen-through,
 * minutes) and a creator or business objective, by serving the sequencer with each weight of
 * the swept objective in the simulator's closed loop (one world, the same listeners).
 */
export async function runTradeoff(surface: 'radio' | 'autoplay', sweep: Sweep, opts: TradeoffOptions = {}): Promise<TradeoffReport> {
  const world = await ClosedLoopWorld.build(opts);
  try {
    const base = defaultPolicy(surface);
    const points: TradeoffPoint[] = [];
    const total = 1 + sweep.values.length + (opts.current ? 1 : 0);
    const baseline = (await world.serve(surface, base, ['ranker-sorted']))['ranker-sorted']!;
    opts.onStep?.(1, total);
    for (const weight of sweep.values) {
      opts.onProgress?.(`${sweep.objective} = ${weight}`);
      const policy: Policy = { ...base, objectives: { ...base.objectives, [sweep.objective]: weight } };
      points.push({ weight, ...(await world.serve(surface, policy, ['sequencer'])).sequencer! });
      opts.onStep?.(1 + points.length, total);
    }
    let current: TradeoffReport['current'];
    if (opts.current) {
      current = { weight: opts.current.objectives[sweep.objective] ?? 0, ...(await world.serve(surface, opts.current, ['sequencer'])).sequencer! };
      opts.onStep?.(total, total);
    }
    return { surface, objective: sweep.objective, protocol: world.protocol, points, baseline, ...(current ? { current } : {}) };
  } finally {
    await world.close();
  }
}

/** The frontier as an SVG plot: the creator or business share across, listen-through up, one labelled point per weight. */
export function tradeoffSvg(r: TradeoffReport): string {
  const W = 640, H = 420, m = { l: 70, r: 30, t: 40, b: 60 };
  const xs = [...r.points.map((p) => p.emergingShare), r.baseline.emergingShare];
  const ys = [...r.points.map((p) => p.listenThrough), r.baseline.listenThrough];
  const pad = (lo: number, hi: number): [number, number] => (hi - lo < 1e-6 ? [lo - 0.01, hi + 0.01] : [lo - (hi - lo) * 0.08, hi + (hi - lo) * 0.08]);
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const X = (v: number): number => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (v: number): number => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ticks = (lo: number, hi: number): number[] => Array.from({ length: 5 }, (_, k) => lo + ((hi - lo) * k) / 4);
  const line = r.points.map((p) => `${X(p.emergingShare).toFixed(1)},${Y(p.listenThrough).toFixed(1)}`).join(' ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(`${r.surface}: listen-through vs emerging-artist share, sweeping ${r.objective}`)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
    ...ticks(x0, x1).map((v) => `<text x="${X(v).toFixed(1)}" y="${H - m.b + 18}" text-anchor="middle">${v.toFixed(3)}</text>`),
    ...ticks(y0, y1).map((v) => `<text x="${m.l - 8}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`),
    `<text x="${W / 2}" y="${H - 18}" text-anchor="middle">emerging-artist share of plays</text>`,
    `<text x="18" y="${H / 2}" text-anchor="middle" transform="rotate(-90 18 ${H / 2})">listen-through rate</text>`,
    `<polyline points="${line}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    ...r.points.map((p) => `<circle cx="${X(p.emergingShare).toFixed(1)}" cy="${Y(p.listenThrough).toFixed(1)}" r="4" fill="#1f77b4"><title>${r.objective} ${p.weight}: listen-through ${p.listenThrough}, emerging ${p.emergingShare}, ${p.minutes} min</title></circle>`),
    ...r.points.map((p) => `<text x="${(X(p.emergingShare) + 6).toFixed(1)}" y="${(Y(p.listenThrough) - 6).toFixed(1)}" font-size="10">${p.weight}</text>`),
    `<rect x="${(X(r.baseline.emergingShare) - 4).toFixed(1)}" y="${(Y(r.baseline.listenThrough) - 4).toFixed(1)}" width="8" height="8" fill="#d62728"><title>ranker sorted, no sequencing</title></rect>`,
    `<text x="${(X(r.baseline.emergingShare) + 8).toFixed(1)}" y="${(Y(r.baseline.listenThrough) + 4).toFixed(1)}" font-size="10" fill="#d62728">ranker sorted</text>`,
    '</svg>',
  ].join('\n') + '\n';
}
