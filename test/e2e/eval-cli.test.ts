import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segue } from './cli.js';
import { dataset, present } from '../datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-eval-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segue eval --task next-track', () => {
  it('ranks next tracks on a simulated world better than popularity, as a table and as JSON', () => {
    const db = join(dir, 'sim.db');
    const sim = segue(['--store', db, 'simulate', '--listeners', '150', '--tracks', '3000', '--days', '7', '--seed', '5', '--json']);
    expect(sim.status, sim.stderr).toBe(0);
    const out = join(dir, 'report.json');
    const r = segue(['--store', db, 'eval', '--task', 'next-track', '--json', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { queries: number; results: Record<string, Record<string, number>>; models: string[]; blend: { weights: Record<string, number>; tunedOn: string } };
    // Blend weights come from validation sessions inside the training period, never the test set.
    expect(report.blend.tunedOn).toMatch(/validation queries \(latest 20% of training sessions\)/);
    expect(report.blend.tunedOn).toMatch(/mean of the best grid points of 100 bootstrap resamples of the validation sessions/);
    expect(Object.keys(report.blend.weights)).toEqual(['transitions', 'sknn', 'item2vec', 'popularity', 'repeat', 'played']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(report.models).toEqual(['popularity', 'markov', 'transitions', 'sknn', 'item2vec', 'blend']);
    expect(report.queries).toBeGreaterThan(500);
    const pop = report.results.popularity!['HR@10']!;
    expect(report.results.blend!['HR@10']).toBeGreaterThan(pop);
    // The tuned blend is at least as good as its best single source, within noise.
    const best = Math.max(...['markov', 'transitions', 'sknn', 'item2vec'].map((m) => report.results[m]!['NDCG@10']!));
    expect(report.results.blend!['NDCG@10']).toBeGreaterThanOrEqual(best * 0.95);
    for (const m of report.models) for (const k of ['HR@10', 'NDCG@10', 'MRR@10', 'HR@100', 'coverage']) expect(report.results[m]![k]).toBeGreaterThanOrEqual(0);
    const text = segue(['--store', db, 'eval', '--task', 'next-track', '--models', 'transitions']);
    expect(text.stdout).toMatch(/^popularity\s+\d/m);
    expect(text.stdout).toMatch(/^transitions\s+\d/m);
    expect(text.stdout).not.toMatch(/^sknn/m);
  });

  it('subsamples test sessions evenly with --max-queries', () => {
    const db = join(dir, 'sim.db');
    const r = JSON.parse(segue(['--store', db, 'eval', '--task', 'next-track', '--models', 'transitions', '--max-queries', '200', '--json']).stdout) as { queries: number; protocol: string };
    expect(r.queries).toBeLessThanOrEqual(200);
    expect(r.queries).toBeGreaterThan(100);
    expect(r.protocol).toMatch(/every \d+th test session/);
  });

  it('rejects unknown tasks and models in one line', () => {
    const db = join(dir, 'empty.db');
    expect(segue(['--store', db, 'eval', '--task', 'vibes']).stderr.trim()).toMatch(/^segue: --task must be one of next-track/);
    expect(segue(['--store', db, 'eval', '--task', 'next-track', '--models', 'magic']).stderr.trim()).toMatch(/^segue: --models: unknown for next-track: "magic"/);
    expect(segue(['--store', db, 'eval', '--task', 'next-track']).stderr.trim()).toMatch(/^segue: .*empty\.db: no such store/);
    expect(segue(['--store', db, 'stats']).stderr.trim()).toMatch(/no such store/);
    expect(existsSync(db)).toBe(false); // reading never creates a store
  });
});

/**
 * Playlists with planted structure: 4 clusters of 30 tracks; each playlist walks one
 * cluster's cycle from a random start (one or two steps at a time), so the rest of a test
 * playlist is predictable from its first tracks and popularity (flat) is not.
 */
function plantedPlaylists(file: string, playlists: number, seed: number): void {
  let x = seed;
  const rand = (n: number): number => ((x = (x * 1103515245 + 12345) % 2147483648) % n);
  const lines: string[] = [JSON.stringify({ type: 'artist', id: 'a0', name: 'Zero' })];
  for (let t = 0; t < 120; t++) lines.push(JSON.stringify({ type: 'track', id: `t${t}`, title: `T${t}`, artists: [{ id: 'a0', name: 'Zero' }] }));
  for (let p = 0; p < playlists; p++) {
    const c = p % 4;
    let pos = rand(30);
    const ids: string[] = [];
    for (let j = 0; j < 14; j++) {
      ids.push(`t${c * 30 + pos}`);
      pos = (pos + 1 + rand(2)) % 30;
    }
    lines.push(JSON.stringify({ type: 'playlist', id: `p${p}`, name: `P${p}`, trackIds: ids, modifiedAt: 1_700_000_000_000 + p * 60_000 }));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

describe('segue eval --task continuation', () => {
  it('continues held-out playlists far better than popularity, split by modifiedAt', () => {
    const db = join(dir, 'playlists.db');
    const file = join(dir, 'playlists.ndjson');
    plantedPlaylists(file, 400, 3);
    expect(segue(['--store', db, 'import', 'ndjson', file]).status).toBe(0);
    const r = segue(['--store', db, 'eval', '--task', 'continuation', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { queries: number; split: Record<string, unknown>; protocol: string; results: Record<string, Record<string, number>> };
    expect(report.split).toMatchObject({ playlists: 400, trainPlaylists: 320, testPlaylists: 80, split: 'modifiedAt' });
    expect(report.queries).toBe(80);
    expect(report.protocol).toMatch(/the latest 20% of playlists by modifiedAt/);
    expect(Object.keys(report.results)).toEqual(['popularity', 'transitions', 'sknn', 'item2vec', 'als', 'blend']);
    const pop = report.results.popularity!['NDCG@10']!;
    for (const m of ['transitions', 'sknn', 'als', 'blend']) expect(report.results[m]!['NDCG@10'], m).toBeGreaterThan(2 * pop + 0.1);
    for (const m of Object.keys(report.results)) {
      const x = report.results[m]!;
      for (const k of ['HR@10', 'Recall@10', 'NDCG@10', 'MRR@10', 'R-precision', 'coverage']) {
        expect(x[k], `${m} ${k}`).toBeGreaterThanOrEqual(0);
        expect(x[k], `${m} ${k}`).toBeLessThanOrEqual(1);
      }
      expect(x['Recall@100']!).toBeGreaterThanOrEqual(x['Recall@10']!);
    }
    const text = segue(['--store', db, 'eval', '--task', 'continuation', '--models', 'sknn', '--seed-tracks', '3']);
    expect(text.stdout).toMatch(/^sknn\s+\d/m);
    expect(text.stdout).toMatch(/the first 3 tracks are given/);
    expect(segue(['--store', db, 'eval', '--task', 'continuation', '--models', 'content']).stderr.trim()).toMatch(/^segue: --models: unknown for continuation: "content"/);
    expect(segue(['--store', db, 'eval', '--task', 'continuation', '--seed-tracks', '20']).stderr.trim()).toMatch(/^segue: no test queries: no held-out playlist has more than 20 distinct tracks/);
  });
});

describe('segue eval --task listener-artist', () => {
  it('holds out artists per listener; on a simulated world (listeners follow genres) ALS and the blend beat popularity', () => {
    const db = join(dir, 'artists.db');
    expect(segue(['--store', db, 'simulate', '--listeners', '300', '--tracks', '4000', '--days', '7', '--seed', '9']).status).toBe(0);
    const r = segue(['--store', db, 'eval', '--task', 'listener-artist', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { queries: number; candidates: number; split: Record<string, number>; results: Record<string, Record<string, number>> };
    expect(report.split.listeners).toBeGreaterThan(250); // listeners with plays
    expect(report.queries).toBe(report.split.testListeners);
    expect(Object.keys(report.results)).toEqual(['popularity', 'sknn', 'als', 'blend']);
    const pop = report.results.popularity!['NDCG@10']!;
    expect(report.results.als!['NDCG@10']).toBeGreaterThan(pop);
    expect(report.results.blend!['NDCG@10']).toBeGreaterThan(pop);
  });

  it.runIf(present(dataset('hetrec2011-lastfm-2k')))('on the real Last.fm 2K data, ALS beats popularity by a wide margin', () => {
    const db = join(dir, 'lfm2k.db');
    expect(segue(['--store', db, 'import', 'lastfm-2k', dataset('hetrec2011-lastfm-2k')]).status).toBe(0);
    const r = segue(['--store', db, 'eval', '--task', 'listener-artist', '--max-queries', '400', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { queries: number; results: Record<string, Record<string, number>> };
    expect(report.queries).toBe(400);
    // Measured on all 1,877 queries: popularity 0.078, ALS 0.227, blend 0.232 NDCG@10.
    expect(report.results.als!['NDCG@10']).toBeGreaterThan(2 * report.results.popularity!['NDCG@10']!);
    expect(report.results.blend!['NDCG@10']).toBeGreaterThan(2 * report.results.popularity!['NDCG@10']!);
  }, 120_000);
});

describe('segue eval --task skip', () => {
  type SkipJson = { queries: number; predictions: number; skipRate: { train: number; test: number }; results: Record<string, Record<string, number>>; split: Record<string, number> };
  const metrics = ['mean-average-accuracy', 'first-prediction-accuracy', 'accuracy', 'AUC'];

  it('predicts second-half skips on a simulated world better than both baselines', () => {
    const db = join(dir, 'skips.db');
    expect(segue(['--store', db, 'simulate', '--listeners', '400', '--tracks', '4000', '--days', '14', '--seed', '3']).status).toBe(0);
    const r = segue(['--store', db, 'eval', '--task', 'skip', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as SkipJson;
    expect(report.queries).toBeGreaterThan(500);
    expect(Object.keys(report.results)).toEqual(['majority', 'track-skip-rate', 'gbdt']);
    for (const m of Object.values(report.results)) for (const k of metrics) expect(m[k]).toBeGreaterThanOrEqual(0);
    const { majority, 'track-skip-rate': rate, gbdt } = report.results as Record<string, Record<string, number>>;
    // Measured (3,000 listeners, 20,000 tracks, 28 days): MAA 0.703 vs 0.667 / 0.632, AUC 0.799 vs 0.694 / 0.634.
    expect(gbdt!['mean-average-accuracy']).toBeGreaterThan(majority!['mean-average-accuracy']!);
    expect(gbdt!['mean-average-accuracy']).toBeGreaterThan(rate!['mean-average-accuracy']!);
    expect(gbdt!.AUC).toBeGreaterThan(majority!.AUC! + 0.03);
    expect(gbdt!.AUC).toBeGreaterThan(rate!.AUC! + 0.03);
    const text = segue(['--store', db, 'eval', '--task', 'skip', '--models', 'majority']);
    expect(text.stdout).toMatch(/^majority\s+0\.\d+/m);
    expect(text.stdout).not.toMatch(/^gbdt/m);
  }, 120_000);

  it.runIf(present(dataset('spotify-extended-streaming-history-user-a')))('reports the WSDM Cup metrics on the real Spotify history, with its own skip flags', () => {
    const db = join(dir, 'spotify.db');
    expect(segue(['--store', db, 'import', 'spotify-history', dataset('spotify-extended-streaming-history-user-a')]).status).toBe(0);
    const r = segue(['--store', db, 'eval', '--task', 'skip', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as SkipJson;
    // Measured: 82 test sessions, 574 tracks; MAA majority 0.795, track-skip-rate 0.685, gbdt 0.816.
    expect(report.queries).toBeGreaterThan(50);
    expect(report.skipRate.train).toBeGreaterThan(0.1);
    expect(report.results.gbdt!['mean-average-accuracy']).toBeGreaterThan(report.results['track-skip-rate']!['mean-average-accuracy']!);
    expect(report.results.gbdt!.AUC).toBeGreaterThan(0.7);
  }, 60_000);
});

describe('segue eval --task skip on the challenge\'s own format', () => {
  it('imports Music Streaming Sessions Dataset logs (mssd) and reports on them', () => {
    // A log in the challenge's format: 1,500 sessions of 10 to 20 plays over 12 days. Each track
    // has its own skip propensity and each session its own mood, as in the real data.
    const rng = (() => { let s = 7; return () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296); })();
    const header = 'session_id,session_position,session_length,track_id_clean,skip_1,skip_2,skip_3,not_skipped,context_switch,no_pause_before_play,short_pause_before_play,long_pause_before_play,hist_user_behavior_n_seekfwd,hist_user_behavior_n_seekback,hist_user_behavior_is_shuffle,hour_of_day,date,premium,context_type,hist_user_behavior_reason_start,hist_user_behavior_reason_end';
    const propensity = Array.from({ length: 300 }, () => (rng() < 0.4 ? 0.75 : 0.15));
    const lines = [header];
    for (let s = 0; s < 1500; s++) {
      const len = 10 + Math.floor(rng() * 11), mood = rng() < 0.5 ? -0.1 : 0.15;
      const day = 1 + Math.floor((s / 1500) * 12), hour = Math.floor(rng() * 24);
      for (let i = 1; i <= len; i++) {
        const t = Math.floor(rng() * 300);
        const skip = rng() < Math.min(0.95, Math.max(0.02, propensity[t]! + mood));
        lines.push([`0_s${s}`, i, len, `t_${t}`, skip, skip, skip, !skip, 0, 1, 0, 0, 0, 0, false, hour, `2018-07-${String(day).padStart(2, '0')}`, true, 'user_collection', 'trackdone', skip ? 'fwdbtn' : 'trackdone'].join(','));
      }
    }
    const folder = join(dir, 'mssd', 'training_set');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'log_0_20180701_000000000000.csv'), lines.join('\n') + '\n');
    const db = join(dir, 'mssd.db');
    const imp = segue(['--store', db, 'import', 'mssd', join(dir, 'mssd')]);
    expect(imp.status, imp.stderr).toBe(0);
    const r = segue(['--store', db, 'eval', '--task', 'skip', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { queries: number; results: Record<string, Record<string, number>> };
    expect(report.queries).toBe(300); // the latest 20% of 1,500 sessions
    // Every session is a new listener: what is learnt is each track's skip rate and the first half's mood.
    expect(report.results.gbdt!['mean-average-accuracy']).toBeGreaterThan(report.results.majority!['mean-average-accuracy']!);
    expect(report.results.gbdt!.AUC).toBeGreaterThan(report.results.majority!.AUC!);
    expect(report.results['track-skip-rate']!.AUC).toBeGreaterThan(0.6);
  }, 60_000);
});
