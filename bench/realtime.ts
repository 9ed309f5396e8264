/**
 * Real-time path (issue 4): event-to-state update in the embedded store, feature assembly
 * and ranker scoring per request, and the scoring kernel (500 candidates x 40 features,
 * 100 trees of depth 6; issue 20's target: <= 0.15 ms, bit-identical to the node walk).
 *
 *   npm run bench -- ranking [--skip training]          (this runs after the training comparison)
 *
 * State: the events of a simulated world (`--state-listeners 3000 --state-tracks 20000
 * --state-days 7`), read back from a SQLite store and applied in batches of 1,000; once to
 * the bare engine, once to the embedded state with a durable flush after every batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/math/index.js';
import { openStore, type StoredEvent } from '../src/store/index.js';
import { simulate, writeToStore } from '../src/simulator/index.js';
import { EmbeddedOnlineState, StateEngine, TrackTable } from '../src/features/index.js';
import { FEATURES, FeatureBuilder, ForestKernel, audioEmbedding, trackInfo, trainGbdt } from '../src/ranking/index.js';

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** Median, fastest and slowest of per-call times in ms over `batches` batches of `reps` calls, after a warm-up. */
function timeMs(fn: () => void, reps: number, batches = 15): { median: number; min: number; p99: number } {
  for (let i = 0; i < reps; i++) fn();
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push((performance.now() - t) / reps);
  }
  per.sort((a, b) => a - b);
  return { median: per[Math.floor(per.length / 2)]!, min: per[0]!, p99: per[per.length - 1]! };
}

/** Rows whose margins differ in any bit (Object.is) from the reference's. */
function differing(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

/** What scoringBench measured: times per request of `candidates` rows in ms (median of 15 batches; `Min` the fastest batch). */
export interface ScoringFigures {
  candidates: number; features: number; trees: number; depth: number;
  walkMs: number; compiledMs: number; kernelMs: number; kernelMinMs: number;
  /** Rows of the request where the compiled layout or the kernel differ in any bit from the walk. */
  differingRows: number;
  /** Two ensembles (100 + 100 trees) on the same rows: one after the other through `margins`, and in one pass. */
  twoSeparateMs: number; twoOnePassMs: number;
}

/**
 * The scoring kernel: the node-by-node walk (the reference), the compiled JavaScript layout
 * (the path before the kernel, kept for trees of depth 9 and 10) and the WebAssembly kernel
 * on bit planes (src/ranking/gbdt/forest.ts); same model, same 500 rows. Then two ensembles
 * on the same rows, separately and in one pass (what `Ranker.scoreAndListen` does).
 */
export function scoringBench(): ScoringFigures {
  const S = 500, SF = 40, N = 20_000;
  const rng = new Rng(3);
  const X = new Float32Array(N * SF), y = new Float32Array(N), y2 = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let z = 0, z2 = 0;
    for (let j = 0; j < SF; j++) {
      const v = rng.next() < 0.05 ? NaN : rng.next();
      X[i * SF + j] = v;
      if (j < 10 && !Number.isNaN(v)) z += Math.sin(6 * v * (j + 1));
      if (j >= 5 && j < 15 && !Number.isNaN(v)) z2 += Math.cos(5 * v * (j + 1));
    }
    y[i] = z > 0 ? 1 : 0;
    y2[i] = z2 > 0 ? 1 : 0;
  }
  const featureNames = Array.from({ length: SF }, (_, j) => `f${j}`);
  const m = trainGbdt({ X, n: N, y }, { featureNames, trees: 100, maxDepth: 6, earlyStoppingRounds: 0 }).model;
  const batch = X.subarray(0, S * SF);
  const ref = m.marginsReference(batch, S), out = new Float64Array(S);
  const differingRows = Math.max(differing(m.marginsCompiled(batch, S)!, ref), differing(m.margins(batch, S), ref));
  const walk = timeMs(() => m.marginsReference(batch, S, out), 200);
  const compiled = timeMs(() => m.marginsCompiled(batch, S, out), 200);
  const kernel = timeMs(() => m.margins(batch, S, out), 200);
  console.log(`scoring ${S} candidates x ${SF} features, ${m.trees} trees of depth <= 6 (median of 15 batches of 200 requests; fastest batch in brackets):`);
  console.log(`  ${'path'.padEnd(36)} ${'ms'.padStart(7)} ${'vs walk'.padStart(8)} ${'vs compiled'.padStart(12)}`);
  for (const [name, t] of [['node-by-node walk (baseline)', walk], ['compiled JavaScript layout (before)', compiled], ['WebAssembly kernel, bit planes (now)', kernel]] as const) {
    console.log(`  ${name.padEnd(36)} ${t.median.toFixed(3).padStart(7)} ${(walk.median / t.median).toFixed(1).padStart(7)}x ${(compiled.median / t.median).toFixed(1).padStart(11)}x  [${t.min.toFixed(3)}]`);
  }
  console.log(`  bit-identical to the walk on all ${S} rows (compiled layout and kernel): ${differingRows === 0 ? 'yes' : `NO, ${differingRows} rows differ`}; target <= 0.15 ms: ${kernel.median <= 0.15 ? 'met' : 'NOT met'}`);
  // A second ensemble on the same features (another label), as the ranker's listen-through model beside its rank model.
  const m2 = trainGbdt({ X, n: N, y: y2 }, { featureNames, trees: 100, maxDepth: 6, earlyStoppingRounds: 0, seed: 7 }).model;
  const both = ForestKernel.build([m, m2])!;
  const out2 = new Float64Array(S);
  const separate = timeMs(() => {
    m.margins(batch, S, out);
    m2.margins(batch, S, out2);
  }, 200);
  const onePass = timeMs(() => both.margins(batch, S, [out, out2]), 200);
  const twoDiffer = differing(out, ref) + differing(out2, m2.marginsReference(batch, S));
  console.log(`  two ensembles of 100 trees on the same rows: one after the other ${separate.median.toFixed(3)} ms, in one pass ${onePass.median.toFixed(3)} ms (${(onePass.median / separate.median).toFixed(2)} of the time; bit-identical: ${twoDiffer === 0 ? 'yes' : 'NO'})`);
  return {
    candidates: S, features: SF, trees: m.trees, depth: 6,
    walkMs: walk.median, compiledMs: compiled.median, kernelMs: kernel.median, kernelMinMs: kernel.min, differingRows: differingRows + twoDiffer,
    twoSeparateMs: separate.median, twoOnePassMs: onePass.median,
  };
}

/** What realtimeBench measured (for `--json`): per-event update times in us, per-request times in ms. */
export interface RealtimeFigures { events: number; engineUsPerEvent: number; embeddedFlushedUsPerEvent: number; assemblyMs: number; rankerScoringMs: number; features: number }

export async function realtimeBench(args: string[]): Promise<RealtimeFigures> {
  const listeners = Number(arg(args, '--state-listeners', '3000'));
  const tracks = Number(arg(args, '--state-tracks', '20000'));
  const days = Number(arg(args, '--state-days', '7'));
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-realtime-'));
  try {
    const store = await openStore(join(dir, 'sim.db'));
    let t = performance.now();
    await writeToStore(simulate({ listeners, tracks, days, seed: 5 }), store);
    const events: StoredEvent[] = [];
    for await (const b of store.events.scan({ batchSize: 20_000 })) events.push(...b);
    const table = await TrackTable.load(store);
    const emb = audioEmbedding(table);
    console.log(`state: ${events.length.toLocaleString('en-US')} events of a simulated world (${listeners} listeners, ${tracks} tracks, ${days} days), built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const engine = new StateEngine(trackInfo(table, emb));
    t = performance.now();
    for (const e of events) engine.apply(e);
    const bare = (performance.now() - t) / events.length;

    const state = await EmbeddedOnlineState.open(store, trackInfo(table, emb));
    t = performance.now();
    for (let i = 0; i < events.length; i += 1000) {
      await state.apply(events.slice(i, i + 1000));
      await state.flush();
    }
    const durable = (performance.now() - t) / events.length;
    console.log(`  event-to-state update: engine ${(bare * 1000).toFixed(2)} us/event; embedded, flushed to SQLite every 1,000 events ${(durable * 1000).toFixed(2)} us/event; target < 100 us: ${durable < 0.1 ? 'met' : 'NOT met'}`);

    // Feature assembly for 500 candidates of one listener's live session, and ranking them.
    const listener = events[events.length - 1]!.listenerId;
    const now = events[events.length - 1]!.ts;
    const view = await state.view(listener);
    const rng = new Rng(9);
    const cands = Int32Array.from({ length: 500 }, () => rng.int(table.size));
    const builder = new FeatureBuilder(table, emb);
    const X = new Float32Array(500 * FEATURES.length);
    const scores = { transitions: Float32Array.from({ length: 500 }, () => rng.next()), popularity: Float32Array.from({ length: 500 }, () => rng.next()) };
    const feat = timeMs(() => builder.build({ view, now, surface: 'radio', seedIx: cands[0]! }, cands, X, scores), 50);
    const ys = Float32Array.from({ length: 500 }, () => (rng.next() < 0.3 ? 1 : 0));
    const model = trainGbdt({ X, n: 500, y: ys }, { featureNames: FEATURES, trees: 100, maxDepth: 6, minChildWeight: 0, earlyStoppingRounds: 0 }).model;
    const out = new Float64Array(500);
    const score = timeMs(() => model.margins(X, 500, out), 200);
    console.log(`  per request, 500 candidates x ${FEATURES.length} features: assembly from the live state ${feat.median.toFixed(3)} ms, ranker scoring ${score.median.toFixed(3)} ms`);
    await store.close();
    return { events: events.length, engineUsPerEvent: bare * 1000, embeddedFlushedUsPerEvent: durable * 1000, assemblyMs: feat.median, rankerScoringMs: score.median, features: FEATURES.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
