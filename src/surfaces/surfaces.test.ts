import { describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import type { StateView } from '../features/index.js';
import type { NextRequest, Recommender, SourceName } from '../ranking/index.js';
import { MAX_RETRIEVED, PolicyError, SURFACES, defaultPolicy, parsePolicy, type Policy, type Surface } from '../sequencing/index.js';
import {
  Surfaces, autoplayPolicy, blendPolicy, dailyMixesPolicy, discoveryPolicy, enhancePolicy, moodPolicy, radioPolicy, releaseRadarPolicy, retrieval, shufflePolicy,
} from './index.js';

/**
 * The surfaces' shared path without a world: a stub Recommender that records what it is
 * asked, a listener with no history, a catalog of one track. (Served answers on a real world
 * are checked by src/ranking/realtime.test.ts and `npm run bench -- fingerprint`.)
 */
function stubs(): { surfaces: Surfaces; asked: NextRequest[]; countedAt: number[] } {
  const asked: NextRequest[] = [];
  const countedAt: number[] = [];
  const view: StateView = {
    listenerId: 'l1',
    countersInto: (_kind, _key, now, out, o) => {
      countedAt.push(now);
      out[o] = 1; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
    },
    session: () => undefined,
    banned: () => false,
    touchedSince: () => new Map(),
    top: () => [],
  };
  const table = { size: 1, ids: ['t1'], artist: ['a1'], genres: [['rock']], indexOf: (id: string) => (id === 't1' ? 0 : -1) };
  const reco = {
    table,
    sources: new Map([['transitions', {}]]),
    state: { view: async () => view },
    rank: async (q: NextRequest) => {
      asked.push(q);
      return { ix: new Int32Array(0), score: new Float64Array(0), listen: undefined, sources: [] };
    },
  } as unknown as Recommender;
  const store = { exposures: { append: async () => {} } } as unknown as Store;
  return { surfaces: new Surfaces(store, reco), asked, countedAt };
}

describe('surfaces', () => {
  it('each surface file names its default policy, the one sequencing holds', () => {
    const named: Record<Surface, () => Policy> = {
      autoplay: autoplayPolicy, radio: radioPolicy, 'daily-mixes': dailyMixesPolicy, discovery: discoveryPolicy, 'release-radar': releaseRadarPolicy,
      blend: blendPolicy, mood: moodPolicy, enhance: enhancePolicy, shuffle: shufflePolicy,
    };
    for (const s of SURFACES) expect(named[s](), s).toEqual(defaultPolicy(s));
  });

  it('ranks each request as the event context type the ranker knows (discovery and mood as mixes)', async () => {
    const { surfaces, asked } = stubs();
    const now = Date.UTC(2027, 0, 4);
    for (const [surface, extra] of [['radio', {}], ['discovery', {}], ['mood', { mood: 'calm' }]] as const) {
      await surfaces.serve({ surface, listenerId: 'l1', now, log: false, ...extra });
    }
    expect(asked.map((q) => q.surface)).toEqual(['radio', 'mix', 'mix']);
  });

  it("radio picks an artist's seed track by its plays as of the request's now, not the wall clock", async () => {
    const { surfaces, asked, countedAt } = stubs();
    const now = Date.UTC(2020, 5, 1);
    await surfaces.serve({ surface: 'radio', listenerId: 'l1', now, log: false, seedArtist: 'a1' });
    expect(countedAt).toEqual([now]);
    expect(asked[0]!.seedTrack).toBe('t1');
  });

  it('a surface that is not one is a clear error', async () => {
    const { surfaces } = stubs();
    await expect(surfaces.serve({ surface: 'podcasts' as Surface, listenerId: 'l1', log: false })).rejects.toThrow(/surface must be one of autoplay, radio/);
  });
});

describe('retrieval', () => {
  const trained: ReadonlyMap<SourceName, unknown> = new Map<SourceName, unknown>([['transitions', {}], ['sknn', {}]]);
  const policy = (candidates: Policy['candidates']): Policy => ({ ...defaultPolicy('radio'), candidates });

  it('sums a source listed twice and leaves out what is not a retrieval source', () => {
    expect(retrieval(policy([{ source: 'transitions', k: 50 }, { source: 'fresh', k: 10 }, { source: 'transitions', k: 25 }]), trained)).toEqual({ transitions: 75 });
  });

  it('refuses a policy whose sources are not trained (a PolicyError, 400), unless it is read leniently', () => {
    const p = policy([{ source: 'als', k: 100 }]);
    expect(() => retrieval(p, trained)).toThrow(PolicyError);
    expect(retrieval(p, trained, { lenient: true })).toBeUndefined();
    expect(retrieval(policy([{ source: 'fresh', k: 10 }]), trained, { lenient: true })).toBeUndefined();
  });

  it('scales a lenient policy that asks for more than MAX_RETRIEVED down to fit; a strict one is refused by parsePolicy first', () => {
    const big = policy([{ source: 'transitions', k: 3000 }, { source: 'sknn', k: 1000 }]);
    expect(() => parsePolicy(big)).toThrow(/at most 2000/);
    const out = retrieval(big, trained, { lenient: true })!;
    expect(out).toEqual({ transitions: 1500, sknn: 500 });
    expect(out.transitions! + out.sknn!).toBeLessThanOrEqual(MAX_RETRIEVED);
  });
});
