import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_START_DATE, simulate, summarize, writeNdjson, writeToStore, type SinkResult } from '../../simulator/index.js';
import { emit, fmt, table } from '../output.js';
import { progressBar } from '../progress.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';
import { parseStoreLocation, redactLocation } from '../../store/index.js';
import { simulateServed } from '../../experiments/index.js';
import { PolicyError } from '../../sequencing/index.js';
import { POLICY_FORMS, policyArg } from '../policy.js';

interface SimulateFlags {
  listeners: string;
  tracks: string;
  days: string;
  seed: string;
  startDate: string;
  ndjson?: string;
  batchSize: string;
  served?: boolean;
  policy?: string;
  warmupDays: string;
  exploreWeights?: string;
}

const DAY = 86_400_000;

function intFlag(name: string, value: string, lo: number, hi: number): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < lo || n > hi) {
    throw new CliError(`--${name} must be an integer from ${fmt(lo)} to ${fmt(hi)}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parse and check --start-date: a real calendar day, early enough that no event lies in the future. */
export function parseStartDate(value: string, days: number, now = Date.now()): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new CliError(`--start-date must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  if (ms < Date.UTC(1990, 0, 1)) throw new CliError(`--start-date must be 1990-01-01 or later, got ${value}`);
  // Late sessions and time zones carry events up to about a day past the last simulated day.
  if (ms + (days + 1) * DAY > now) {
    throw new CliError(`--start-date ${value} + ${days} days runs past yesterday; events in the future are rejected on import, so choose an earlier --start-date or fewer --days`);
  }
  return ms;
}

export function registerSimulate(program: Command, globals: () => GlobalOptions): void {
  program
    .command('simulate')
    .description('generate a synthetic world (artists, tracks, podcasts, listeners) and organic listening events, into the store or as NDJSON')
    .option('--listeners <n>', 'listeners', '1000')
    .option('--tracks <n>', 'tracks, about 3% of them podcast episodes', '20000')
    .option('--days <n>', 'days of listening', '14')
    .option('--seed <n>', 'random seed: the same seed and flags give the same output', '42')
    .option('--start-date <YYYY-MM-DD>', 'first simulated day (UTC); the catalog is as of this day', DEFAULT_START_DATE)
    .option('--ndjson <file>', 'write Segue NDJSON (catalog lines, then events) to this file instead of the store')
    .option('--batch-size <n>', 'events per batch (one store transaction each)', '5000')
    .option('--served', 'build the store as a running service would: after --warmup-days of organic listening and training, --days (default 7) of radio and autoplay sessions served by Segue, each page an exposure (a sampled share with its candidates), the plays attributed to it')
    .option('--policy <policy>', `with --served: the policy serving (default: each surface's default policy): ${POLICY_FORMS}`)
    .option('--warmup-days <n>', 'with --served: days of organic listening before serving', '14')
    .option('--explore-weights <share>', 'with --served: this share of requests is served with objective weights drawn around the policy\'s, each exposure logging them (policy.logging.weightsShare): what `segue policy tune` learns from')
    .addHelpText('after', '\nExample: segue simulate --listeners 5000 --days 30 --ndjson sim.ndjson && segue import ndjson sim.ndjson')
    .action(async (flags: SimulateFlags, cmd: Command) => {
      const g = globals();
      if (flags.served) return served(g, flags, cmd.getOptionValueSource('days') === 'default' ? 7 : intFlag('days', flags.days, 1, 365));
      if (flags.policy !== undefined) throw new CliError('--policy applies with --served');
      if (flags.exploreWeights !== undefined) throw new CliError('--explore-weights applies with --served');
      const listeners = intFlag('listeners', flags.listeners, 1, 10_000_000);
      const tracks = intFlag('tracks', flags.tracks, 100, 10_000_000);
      const days = intFlag('days', flags.days, 0, 3650);
      const seed = intFlag('seed', flags.seed, 0, 2 ** 32 - 1);
      const batchSize = intFlag('batch-size', flags.batchSize, 1, 1_000_000);
      const startMs = parseStartDate(flags.startDate, days);
      const started = performance.now();
      const sim = simulate({ listeners, tracks, days, seed, startDate: startMs, batchSize });
      const bar = progressBar('simulate', !g.json, 'days');
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      const sink = {
        signal: ac.signal,
        onProgress: (p: { days: number; totalDays: number; events: number }) => bar.update(p.days, p.totalDays, { events: p.events }),
      };
      let result: SinkResult;
      let output: string;
      try {
        if (flags.ndjson !== undefined) {
          output = resolve(flags.ndjson);
          result = await writeNdjson(sim, output, sink).catch((err: Error) => {
            throw new CliError(`cannot write ${output}: ${err.message}`);
          });
        } else {
          const at = parseStoreLocation(g.store);
          output = at.kind === 'sqlite' ? resolve(at.path) : redactLocation(g.store);
          result = await withStore(g, async (store) => {
            // Event ids are serials of one simulation: a second world on top would mix the two.
            const existing = await store.events.count();
            if (existing > 0) throw new CliError(`${output} already holds ${existing.toLocaleString('en-US')} events: simulate into a new store (--store) or write --ndjson`);
            return writeToStore(sim, store, { ...sink, batchSize });
          });
        }
      } finally {
        bar.stop();
        process.off('SIGINT', onSigint);
      }
      const w = sim.world;
      const s = summarize(sim.stats);
      const seconds = (performance.now() - started) / 1000;
      const summary = {
        output,
        format: flags.ndjson !== undefined ? 'ndjson' : 'store',
        seed,
        startDate: new Date(startMs).toISOString().slice(0, 10),
        days: sim.stats.days,
        listeners,
        activeListeners: sim.stats.activeListeners,
        tracks: w.tracks,
        podcastEpisodes: w.tracks - w.musicTracks,
        artists: w.musicArtists,
        shows: w.shows,
        playlists: w.playlists,
        events: result.events,
        plays: s.plays,
        sessions: s.sessions,
        skipRate: s.skipRate,
        sessionMedianTracks: s.sessionMedian,
        likes: sim.stats.likes,
        rejected: result.rejected,
        seconds,
        eventsPerSecond: seconds > 0 ? result.events / seconds : 0,
        ...(result.aborted ? { aborted: 'interrupted' } : {}),
      };
      emit(g.json, summary, () =>
        [
          `simulated ${fmt(listeners)} listeners over ${summary.days} days from ${summary.startDate} (seed ${seed}) in ${seconds.toFixed(1)} s -> ${output}`,
          table(
            ['', 'count'],
            [
              ['tracks', w.tracks], ['podcast episodes', summary.podcastEpisodes], ['artists', w.musicArtists], ['podcast shows', w.shows],
              ['playlists', w.playlists], ['listeners', listeners], ['events', result.events], ['plays', s.plays], ['sessions', s.sessions],
            ],
          ),
          `skip rate: ${s.plays > 0 ? s.skipRate.toFixed(3) : '-'}   tracks per session: median ${Number.isNaN(s.sessionMedian) ? '-' : s.sessionMedian}   events/s: ${fmt(Math.round(summary.eventsPerSecond))}`,
          result.rejected > 0 ? `rejected by the store: ${fmt(result.rejected)} (${result.rejects.join('; ')})` : '',
          result.aborted ? 'stopped early: interrupted' : '',
        ].filter(Boolean).join('\n'),
      );
      if (result.aborted) process.exitCode = 130;
      else if (result.rejected > 0) process.exitCode = 1;
    });
}

/** `segue simulate --served`: a store built as a running service builds one (experiments' simulateServed). */
async function served(g: GlobalOptions, flags: SimulateFlags, days: number): Promise<void> {
  if (flags.ndjson !== undefined) throw new CliError('--served writes a store (exposures and their events); it cannot write --ndjson');
  const listeners = intFlag('listeners', flags.listeners, 1, 1_000_000);
  const tracks = intFlag('tracks', flags.tracks, 100, 10_000_000);
  const seed = intFlag('seed', flags.seed, 0, 2 ** 32 - 1);
  const warmup = intFlag('warmup-days', flags.warmupDays, 1, 365);
  let policy = flags.policy === undefined ? undefined : await policyArg(g, '--policy', flags.policy);
  if (flags.exploreWeights !== undefined) {
    const share = Number(flags.exploreWeights);
    if (!(flags.exploreWeights.trim() !== '' && share >= 0 && share <= 1)) throw new CliError(`--explore-weights must be a share from 0 to 1, got ${JSON.stringify(flags.exploreWeights)}`);
    const logging = (policy?.logging ?? {}) as Record<string, unknown>;
    policy = { ...(policy ?? {}), logging: { ...logging, weightsShare: share } };
  }
  const existing = await withStore(g, (store) => store.events.count());
  if (existing > 0) throw new CliError(`the store already holds ${existing.toLocaleString('en-US')} events: simulate a served world into a new store (--store)`);
  const tty = !g.json && process.stderr.isTTY;
  const t = performance.now();
  const r = await simulateServed({
    storePath: g.store, listeners, tracks, days, historyDays: warmup, seed, ...(policy ? { policy } : {}),
    onProgress: (m) => {
      if (tty) process.stderr.write(`\r\x1b[K[${((performance.now() - t) / 1000).toFixed(0)} s] ${m}`);
    },
  }).catch((err: unknown) => {
    if (err instanceof PolicyError) throw new CliError(err.message);
    throw err;
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const summary = { ...r, store: redactLocation(g.store), seconds: Number(((performance.now() - t) / 1000).toFixed(1)) };
  emit(g.json, summary, () => `${r.protocol}\n${fmt(r.exposures)} exposures, ${fmt(r.logged)} with their candidates logged${r.explored > 0 ? `, ${fmt(r.explored)} served with explored weights` : ''}, in ${summary.seconds} s -> ${summary.store}; evaluate a policy on them with \`segue eval --task off-policy --target <policy>\`${r.explored > 0 ? ', learn weights with `segue policy tune --surface radio`' : ''}`);
}
