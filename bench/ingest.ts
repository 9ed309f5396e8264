/**
 * Ingest benchmark: events/s and peak RSS of `segue import` for (a) the real datasets in
 * ../shared/datasets and (b) simulated events as Segue NDJSON (1M by default, and a
 * larger file to show that memory does not grow with the input). Each import runs in its
 * own process (bench/child-import.ts); the baseline is the same input read and validated
 * without a store, in the same run.
 *
 *   npm run bench -- ingest [--events 1000000] [--big 3000000] [--skip-real] [--json]
 *
 * With --json (bench/report.ts): figures.<input> is each import (read, accepted, rejected,
 * seconds, rate, maxRssMB), baseline.<input> the parse-only read of the same input, and
 * ratios.<input>ImportOverParseOnlyRate. Inputs: spotifyHistory, catalogCsv, lastfm2k,
 * simulated<N> (N events asked for).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLine } from './machine.js';
import type { Results } from './report.js';

const HERE = import.meta.dirname;
const CHILD = join(HERE, 'child-import.js');
const CLI = join(HERE, '../src/cli/main.js');
const DATASETS = join(HERE, '../../../shared/datasets');
/** Targets from the foundation issue. */
const TARGET_RATE = 150_000;
const TARGET_RSS_MB = 300;

interface Run { read: number; accepted: number; rejected: number; seconds: number; rate: number; maxRssMB: number }

function child(format: string, path: string, store: string, parseOnly = false): Run {
  const out = execFileSync(process.execPath, [CHILD, format, path, store, ...(parseOnly ? ['parse-only'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
function row(label: string, r: Run, base?: Run): string {
  const vs = base ? `${(r.rate / base.rate * 100).toFixed(0)}% of parse-only` : '';
  return `${label.padEnd(44)} ${pad(r.read.toLocaleString('en-US'), 11)} ${pad(Math.round(r.rate).toLocaleString('en-US'), 10)}/s ${pad(r.maxRssMB.toFixed(0), 6)} MB  ${vs}`;
}

/** One input's import against its parse-only baseline. */
function record(rec: Results, name: string, r: Run & { generated?: number; listeners?: number; ndjsonMB?: number }, base: Run): void {
  rec.figures[name] = r;
  rec.baseline[name] = base;
  rec.ratio(`${name}ImportOverParseOnlyRate`, r.rate, base.rate);
}

export async function ingestBench(args: string[], rec: Results): Promise<void> {
  const events = arg(args, '--events', 1_000_000);
  const big = arg(args, '--big', 3_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'segue-bench-ingest-'));
  console.log(machineLine());
  console.log(`${'input'.padEnd(44)} ${pad('items', 11)} ${pad('rate', 12)} ${pad('peak RSS', 9)}`);
  try {
    if (!args.includes('--skip-real')) {
      const real: Array<[string, string, string, string]> = [
        ['spotify-history', 'spotify-extended-streaming-history-user-a', 'Spotify history (6,978 plays)', 'spotifyHistory'],
        ['catalog-csv', 'spotify-songs-audio-features-tidytuesday2020/spotify_songs.csv', 'song catalog CSV (26,229 tracks)', 'catalogCsv'],
        ['lastfm-2k', 'hetrec2011-lastfm-2k', 'Last.fm 2K (92,834 user-artist counts)', 'lastfm2k'],
      ];
      for (const [format, rel, label, name] of real) {
        const path = join(DATASETS, rel);
        if (!existsSync(path)) {
          console.log(`${label.padEnd(44)} skipped: ${path} is absent`);
          rec.figures[name] = { skipped: `${path} is absent` };
          continue;
        }
        const base = child(format, path, '-', true);
        const r = child(format, path, join(dir, `${format}.db`));
        console.log(row(`${label}, parse only`, base));
        console.log(row(`${label}, import`, r, base));
        record(rec, name, r, base);
      }
    }
    for (const n of [events, big]) {
      if (!(n > 0)) continue;
      const file = join(dir, `sim-${n}.ndjson`);
      const t = performance.now();
      // Enough listeners for about n events in 14 days: the default behaviour yields about 17.75 events per listener-day.
      const listeners = Math.max(100, Math.round(n / 14 / 17.75));
      const gen = spawnSync(process.execPath, [CLI, 'simulate', '--listeners', String(listeners), '--tracks', '50000', '--days', '14', '--seed', '7', '--ndjson', file, '--json'], { encoding: 'utf8' });
      if (gen.status !== 0) throw new Error(`simulate failed: ${gen.stderr}`);
      const generated = (JSON.parse(gen.stdout) as { events: number }).events;
      const mb = statSync(file).size / 1e6;
      console.log(`(simulated ${generated.toLocaleString('en-US')} events of ${listeners.toLocaleString('en-US')} listeners: ${mb.toFixed(0)} MB of NDJSON in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
      const base = child('ndjson', file, '-', true);
      const r = child('ndjson', file, join(dir, `sim-${n}.db`));
      console.log(row(`simulated NDJSON ~${(n / 1e6).toFixed(0)}M events, parse only`, base));
      console.log(row(`simulated NDJSON ~${(n / 1e6).toFixed(0)}M events, import`, r, base));
      const ok = r.rate >= TARGET_RATE ? 'meets' : 'BELOW';
      const okRss = r.maxRssMB < TARGET_RSS_MB ? 'meets' : 'ABOVE';
      console.log(`  target ${TARGET_RATE.toLocaleString('en-US')}/s: ${ok}; peak RSS under ${TARGET_RSS_MB} MB: ${okRss}`);
      record(rec, `simulated${n}`, { ...r, generated, listeners, ndjsonMB: mb }, base);
      rec.target(`simulated ${n}: import >= ${TARGET_RATE}/s`, r.rate >= TARGET_RATE);
      rec.target(`simulated ${n}: peak RSS < ${TARGET_RSS_MB} MB`, r.maxRssMB < TARGET_RSS_MB);
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
