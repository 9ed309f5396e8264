import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { Exposure, ExposureCandidates } from '../domain/index.js';
import type { StateView } from '../features/index.js';
import { Rng, deriveSeed } from '../math/index.js';
import { Recommender } from '../ranking/index.js';
import { DEFAULT_CANDIDATES_SHARE, DEFAULT_LOGGING_EXPLORATION, drawWeights, overridePolicy, parsePolicy, type Policy, type SeqContext, type Surface, type WeightDraw } from '../sequencing/index.js';
import { Kit, RANKED_LIST_SURFACES } from './kit.js';
import { SurfaceError, type SurfaceRequest, type SurfaceResponse } from './types.js';
import type { SurfaceRecipe } from './recipe.js';
import type { Assigner, LoadAssigner } from './assignment.js';
import { autoplay } from './autoplay.js';
import { blend } from './blend.js';
import { dailyMixes } from './daily-mixes.js';
import { discovery } from './discovery.js';
import { enhance } from './enhance.js';
import { mood } from './mood.js';
import { radio } from './radio.js';
import { releaseRadar } from './release-radar.js';
import { shuffle } from './shuffle.js';

const HOUR = 3_600_000;

/** Each surface's recipe and default policy, one file each. */
const RECIPES: Readonly<Record<Surface, SurfaceRecipe>> = {
  autoplay, radio, 'daily-mixes': dailyMixes, discovery, 'release-radar': releaseRadar, blend, mood, enhance, shuffle,
};

/**
 * Every surface: a candidate recipe (retrieval and ranking through the Recommender, or the
 * listener's own tracks), a policy (the surface's default unless given), the sequencer, and
 * an exposure logged with each item's propensity. This is the path they share: experiment
 * assignment, policy resolution, the sequencing context and the exposure log.
 *
 * Experiments come later in the stage order: the caller passes in how to load them (the
 * experiments' `Assigner.load`), or null to serve every request its own or the default policy.
 *
 * @example
 *   const surfaces = await Surfaces.open(store, { assigner: Assigner.load });
 *   const res = await surfaces.serve({ surface: 'radio', listenerId: 'l1', seedTrack: 't9' });
 */
export class Surfaces {
  /** Running experiments: a request without its own policy gets its listener's variants. */
  assigner: Assigner | undefined;
  private readonly kit: Kit;
  /**
   * `loadAssigner` reads the experiments again at each `reload` (without it, a reload keeps
   * `assigner`).
   */
  /** Where exposures go: the store's log by default; the event bus on stateless nodes. */
  logExposures: (x: Exposure) => Promise<unknown>;

  constructor(readonly store: Store, readonly reco: Recommender, assigner?: Assigner, private readonly loadAssigner?: LoadAssigner) {
    this.assigner = assigner;
    this.kit = new Kit(store, reco);
    this.logExposures = (x) => store.exposures.append(x);
  }

  /**
   * Open on a store, with its experiments as `assigner` loads them (null: none); `onProgress`
   * hears of events folded into the online state (many, the first time after an import of history).
   */
  static async open(store: Store, opts: { assigner: LoadAssigner | null; onProgress?: (eventsFolded: number) => void; replica?: boolean; redis?: { url: string; prefix?: string } }): Promise<Surfaces> {
    const reco = await Recommender.open(store, { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), replica: opts.replica ?? false, ...(opts.redis ? { redis: opts.redis } : {}) });
    const load = opts.assigner ?? undefined;
    return new Surfaces(store, reco, load ? await load(store) : undefined, load);
  }

  /** The same catalog and online state with the latest trained models (see Recommender.reload), and the experiments read again. */
  async reload(): Promise<Surfaces> {
    const reco = await this.reco.reload(this.store);
    const next = new Surfaces(this.store, reco, this.loadAssigner ? await this.loadAssigner(this.store) : this.assigner, this.loadAssigner);
    next.logExposures = this.logExposures;
    return next;
  }

  async serve(req: SurfaceRequest): Promise<SurfaceResponse> {
    const now = req.now ?? Date.now();
    const surface = RECIPES[req.surface];
    if (surface === undefined) throw new SurfaceError(`surface must be one of ${Object.keys(RECIPES).join(', ')}, got ${JSON.stringify(req.surface)}`);
    // Experiments: assignment at request time; the variants' policies and names go on the exposure.
    // (A stored variant may predate the retrieval rules: it is read leniently, never refused.)
    let lenient = false;
    let interleaveWith: Policy | undefined;
    if (req.policy === undefined && this.assigner) {
      const assigned = this.assigner.assign(req.listenerId, req.surface, now);
      if (assigned.length > 0) {
        let policy = surface.defaultPolicy();
        for (const a of assigned) if (!a.interleave) policy = overridePolicy(req.surface, a.policy, `experiment ${a.experiment}, variant ${a.variant}`, policy, { retrievalRules: false });
        // An interleaving experiment (one per request): both teams over what the other layers set.
        const inter = assigned.find((a) => a.interleave);
        if (inter) {
          const over = (team: 'a' | 'b'): Policy => overridePolicy(req.surface, inter.interleave![team], `experiment ${inter.experiment}, team ${team}`, policy, { retrievalRules: false });
          interleaveWith = over('b');
          policy = over('a');
        }
        lenient = true;
        req = {
          ...req, policy, experiment: assigned.map((a) => a.experiment).join(','), variant: assigned.map((a) => a.variant).join(','),
          policyId: req.policyId ?? assigned.map((a) => `${a.experiment}:${a.variant}`).join('+'),
        };
      }
    }
    const base = req.policy ?? surface.defaultPolicy();
    if (base.surface !== req.surface) throw new SurfaceError(`the policy is for ${base.surface}, not ${req.surface}`);
    let policy = req.policy === undefined ? this.defaultFor(req.surface, req.n) : parsePolicy({ ...base, ...(req.n !== undefined ? { length: req.n } : {}) }, 'policy', { retrievalRules: !lenient });
    const view = await this.reco.state.view(req.listenerId);
    const seed = deriveSeed(req.seed ?? 0, `${req.listenerId}/${req.surface}`);
    // A sampled share (policy.logging.weightsShare, default none) is served with objective weights drawn around the policy's, logged on the exposure (segue policy tune).
    const weightsShare = policy.logging?.weightsShare ?? 0;
    let weights: WeightDraw | undefined;
    if (req.log !== false && interleaveWith === undefined && weightsShare > 0 && (weightsShare >= 1 || deriveSeed(seed, 'weights', now) / 2 ** 32 < weightsShare)) {
      const d = drawWeights(policy, new Rng(deriveSeed(seed, 'weights-draw', now)));
      if (d) ({ policy, draw: weights } = d);
    }
    const ctx: SeqContext = { now, played: this.played(view, now, policy), seed };
    // A sampled share of logged requests also logs the candidates its list was chosen from (off-policy evaluation).
    // Such a request explores (the policy's own exploration, else logging.exploration), so that other policies can be estimated from the log.
    const share = policy.logging?.candidatesShare ?? DEFAULT_CANDIDATES_SHARE;
    // Sampled by the request's seed, listener, surface and time: reproducible in a simulation, spread evenly in service.
    const logCandidates = req.log !== false && interleaveWith === undefined && share > 0 && (RANKED_LIST_SURFACES as readonly string[]).includes(req.surface)
      && (share >= 1 || deriveSeed(seed, 'candidates', now) / 2 ** 32 < share);
    const explore = policy.logging?.exploration ?? DEFAULT_LOGGING_EXPLORATION;
    const served = logCandidates && !(policy.exploration && policy.exploration.epsilon > 0) && explore.epsilon > 0 ? { ...policy, exploration: { ...explore } } : policy;
    const { candidates, ...res } = await surface.recipe(this.kit, { req, policy: served, ctx, view, lenient, logCandidates, ...(interleaveWith ? { interleaveWith: parsePolicy({ ...interleaveWith, ...(req.n !== undefined ? { length: req.n } : {}) }, 'policy', { retrievalRules: false }) } : {}) });
    const policyId = req.policyId ?? (req.policy === undefined ? `${req.surface}:default` : `${req.surface}:${createHash('sha256').update(JSON.stringify(req.policy)).digest('hex').slice(0, 12)}`);
    const response: SurfaceResponse = {
      requestId: randomUUID(), surface: req.surface, listenerId: req.listenerId, policyId, ...res, ...(view.degraded ? { degraded: true as const } : {}),
      ...(req.experiment !== undefined ? { experiment: req.experiment } : {}), ...(req.variant !== undefined ? { variant: req.variant } : {}),
    };
    if (req.log !== false) await this.logExposure(req, response, now, candidates, weights);
    return response;
  }

  // Each surface's default policy (at a page length), checked once: most requests use it, and
  // building and validating it again cost about 3% of a radio request. Frozen: nothing may change a shared policy.
  private readonly defaults = new Map<string, Policy>();
  private defaultFor(surface: Surface, n: number | undefined): Policy {
    const key = `${surface}/${n ?? ''}`;
    let p = this.defaults.get(key);
    if (p === undefined) {
      const base = RECIPES[surface]!.defaultPolicy();
      p = deepFreeze(parsePolicy({ ...base, ...(n !== undefined ? { length: n } : {}) }, 'policy'));
      if (this.defaults.size < 1_000) this.defaults.set(key, p);
    }
    return p;
  }

  /** The response as an exposure: each item (every mix's, in order) with its position, score, propensity and first source. */
  private async logExposure(req: SurfaceRequest, response: SurfaceResponse, now: number, candidates?: ExposureCandidates, weights?: WeightDraw): Promise<void> {
    const all = response.mixes ? response.mixes.flatMap((m) => m.items) : response.items;
    await this.logExposures({
      requestId: response.requestId, listenerId: req.listenerId, surface: req.surface, ts: now, policyId: response.policyId.slice(0, 128),
      ...(req.experiment !== undefined ? { experiment: req.experiment } : {}), ...(req.variant !== undefined ? { variant: req.variant } : {}), ...(req.sessionId !== undefined ? { sessionId: req.sessionId } : {}),
      items: all.map((x, k) => ({
        trackId: x.trackId, position: k, score: x.score, propensity: x.propensity, ...(x.explanation.sources[0] ? { source: x.explanation.sources[0].slice(0, 64) } : {}),
        ...(x.team ? { team: x.team } : {}),
      })),
      ...(candidates ? { candidates } : {}),
      ...(weights ? { weights } : {}),
    });
  }

  /** When the listener last played each track within the policy's no-repeat window (from the online state). */
  private played(view: StateView, now: number, policy: Policy): Map<string, number> {
    const hours = Math.max(policy.constraints.noRepeatHours ?? 0, 6);
    const out = view.touchedSince(now - hours * HOUR);
    for (const [id, ts] of out) if (ts > now) out.delete(id);
    return out;
  }
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}
