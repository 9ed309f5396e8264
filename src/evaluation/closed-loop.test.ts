import { describe, it, expect } from 'vitest';
import { runClosedLoop } from './closed-loop.js';

describe('closed loop in the simulator', () => {
  it('the sequencer listens through at least as well as the same candidates sorted by the ranker, with more emerging artists; both far above popularity', async () => {
    // Measured (1,500 listeners, 12,000 tracks, 14 days, 300 sessions): see docs/sequencing.md, "Closed loop in the simulator".
    const r = await runClosedLoop({ listeners: 600, tracks: 6000, days: 8, sessions: 150, length: 25, seed: 5 });
    expect(r.sessions).toBe(150);
    for (const surface of ['radio', 'autoplay']) {
      const { popularity, 'ranker-sorted': sorted, sequencer } = r.results[surface]!;
      expect(sorted.plays).toBeGreaterThan(500);
      expect(sorted.listenThrough).toBeGreaterThan(popularity.listenThrough + 0.05);
      expect(sequencer.listenThrough).toBeGreaterThan(popularity.listenThrough + 0.05);
      expect(sequencer.listenThrough).toBeGreaterThanOrEqual(sorted.listenThrough - 0.01);
      expect(sequencer.emergingShare).toBeGreaterThanOrEqual(sorted.emergingShare);
    }
  }, 240_000);
});
