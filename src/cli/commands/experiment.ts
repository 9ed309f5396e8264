import type { Command } from 'commander';
import {
  ExperimentError, INTERLEAVE_SURFACES, createExperiment, experimentReport, getExperiment, interleavingReport, shipExperiment, simulateAb, simulateInterleaving, startExperiment, stopExperiment,
  type ExperimentReport, type InterleavingReport,
} from '../../experiments/index.js';
import { integer, jsonArg, positiveInt, timeFlag } from '../args.js';
import { POLICY_NAME, PolicyError, checkSavedPolicy } from '../../sequencing/index.js';
import { emit, table } from '../output.js';
import { CliError } from '../errors.js';
import { announce, withStore, type GlobalOptions } from '../context.js';
import { POLICY_FORMS, policyArg } from '../policy.js';
import { registerTune } from './tune.js';

const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ExperimentError) throw new CliError(err.message);
    throw err;
  }
};

/** `segue policy`: named partial policies, for recommend --policy, experiments' simulations and off-policy evaluation. */
export function registerPolicy(program: Command, globals: () => GlobalOptions): void {
  const pol = program.command('policy').description('named policies (partial policies over a surface\'s defaults), versioned in the store');
  pol.command('save')
    .description('save a policy under a name (a new version each time); checked against every surface it may apply to')
    .argument('<name>')
    .argument('<policy>', `a policy: ${POLICY_FORMS}`)
    .action(async (name: string, v: string) => {
      const g = globals();
      if (!POLICY_NAME.test(name)) throw new CliError(`<name> must be lowercase letters, digits, dot, dash or underscore, got ${JSON.stringify(name)}`);
      const p = await policyArg(g, '<policy>', v);
      try {
        checkSavedPolicy(name, p);
      } catch (err) {
        if (err instanceof PolicyError) throw new CliError(err.message);
        throw err;
      }
      const version = await withStore(g, (store) => store.policies.put(name, p));
      emit(g.json, { name, version }, () => `saved policy ${name} version ${version}`);
    });
  pol.command('list')
    .description('saved policies')
    .action(async () => {
      const g = globals();
      const list = await withStore(g, (store) => store.policies.list());
      emit(g.json, list, () => (list.length === 0 ? 'no saved policies' : table(['name', 'version', 'saved'], list.map((p) => [p.name, p.version, new Date(p.createdAt).toISOString()]))));
    });
  registerTune(pol, globals);
  pol.command('show')
    .description('a saved policy (its newest version)')
    .argument('<name>')
    .action(async (name: string) => {
      const g = globals();
      const p = await withStore(g, (store) => store.policies.get(name));
      if (!p) throw new CliError(`no policy named ${JSON.stringify(name)}`);
      emit(g.json, p, () => JSON.stringify(p.policy, null, 2));
    });
}

export function reportText(r: ExperimentReport): string {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}%`;
  return [
    `experiment ${r.experiment} (${r.status}), ${new Date(r.from).toISOString()} .. ${new Date(r.until).toISOString()}, alpha ${r.alpha}`,
    table(['variant', 'listeners', 'exposures', 'weight'], r.variants.map((v) => [v.name, v.listeners, v.exposures, v.weight ?? '-'])),
    `sample ratio: chi2 ${r.srm.chi2}, p ${r.srm.pValue} (${r.srm.ok ? 'ok' : 'MISMATCH'}); attributed plays ${r.attributedPlays}; assignment conflicts ${r.assignmentConflicts}`,
    '',
    table(['metric', 'role', 'variant', 'control', 'treatment', 'lift', 'interval', 'p', 'p (Holm)', 'sequential', 'CUPED var. cut', 'verdict'], r.metrics.map((m) => [
      m.metric, m.role, m.variant, m.values[m.control] ?? NaN, m.values[m.variant] ?? NaN, pct(m.relativeLift), `${pct(m.ci[0])} .. ${pct(m.ci[1])}`, m.pValue, m.pValueAdjusted,
      m.sequential ? (m.sequential.method === 'msprt' ? `mSPRT p ${m.sequential.pValue}` : `z ${m.sequential.z} / ${m.sequential.boundary}`) : '-',
      m.cuped ? pct(m.cuped.varianceReduction) : '-',
      m.role === 'success' ? (m.significant ? 'improved' : '-') : m.role === 'guardrail' ? (m.nonInferior ? `holds (margin ${pct(m.margin!)})` : `BREACHED (margin ${pct(m.margin!)})`) : '',
    ])),
    '',
    `decision: ${r.decision.action}${r.decision.variant ? ` ${r.decision.variant}` : ''}`,
    ...r.decision.reasons.map((x) => `  ${x}`),
  ].join('\n');
}

export function interleavingText(r: InterleavingReport): string {
  const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
  const p = r.preference, s = r.sequential;
  return [
    `interleaving experiment ${r.experiment} (${r.status}), ${new Date(r.from).toISOString()} .. ${new Date(r.until).toISOString()}, alpha ${r.alpha}`,
    table(['team', 'variant', 'tracks placed', 'listens', 'skips'], r.teams.map((t) => [t.team, t.variant, t.picks, t.listens, t.skips])),
    `draft balance: chi2 ${r.balance.chi2}, p ${r.balance.pValue} (${r.balance.ok ? 'ok' : 'UNBALANCED'}); ${r.listeners} listeners, ${r.exposures} exposures, ${r.creditedPlays} credited plays`,
    '',
    `listeners preferring b: ${p.b}, a: ${p.a}, neither: ${p.ties}; b wins ${pct(p.winRateB)} of decided listeners (${pct(p.ci[0])} .. ${pct(p.ci[1])}), delta ${p.delta}`,
    `sign test: z ${p.z}, p ${p.pValue}; sequential (${s.method}, ${s.looks} daily looks): ${s.method === 'mixture-sprt' ? `always-valid p ${s.pValue}, confidence sequence ${pct(s.cs![0])} .. ${pct(s.cs![1])}` : `z ${s.z} against ${s.boundary}`}${s.reject ? ' REJECTS no preference' : ''}`,
    `listeners for 80% power at this preference: ${r.listenersFor80 ?? '-'}`,
    '',
    `decision: ${r.decision.action}${r.decision.variant ? ` ${r.decision.variant} (team ${r.decision.team})` : ''}`,
    ...r.decision.reasons.map((x) => `  ${x}`),
  ].join('\n');
}

export function registerExperiment(program: Command, globals: () => GlobalOptions): void {
  const ex = program.command('experiment').description('A/B experiments: define, start, stop, ship, report; simulate one in the closed loop');
  ex.command('create')
    .description('define an experiment: a JSON file or inline JSON (see docs/experiments.md), or an interleaving experiment from flags')
    .argument('[definition]', 'file or JSON')
    .option('--interleave', `an interleaving experiment of two policies (team draft; on ${INTERLEAVE_SURFACES.join(', ')})`)
    .option('--name <name>', 'with --interleave: the experiment\'s name (default interleave-<surface>)')
    .option('--surface <surface>', 'with --interleave: the surface')
    .option('--a <policy>', `with --interleave: team a's policy (the control): ${POLICY_FORMS}`)
    .option('--b <policy>', 'with --interleave: team b\'s policy')
    .option('--listen-ms <ms>', 'with --interleave: credit a play from this many ms played (default: listened through, not skipped)')
    .option('--planned-listeners <n>', 'with --interleave: a planned sample size makes the sequential test group-sequential')
    .action(async (v: string | undefined, flags: { interleave?: boolean; name?: string; surface?: string; a?: string; b?: string; listenMs?: string; plannedListeners?: string }) => {
      const g = globals();
      let def: unknown;
      if (flags.interleave) {
        if (v !== undefined) throw new CliError('give either a <definition> or --interleave with its flags, not both');
        for (const f of ['surface', 'a', 'b'] as const) if (flags[f] === undefined) throw new CliError(`--interleave needs --${f}`);
        def = {
          name: flags.name ?? `interleave-${flags.surface}`, design: 'interleave', surfaces: [flags.surface],
          variants: [{ name: 'a', weight: 1, policy: await policyArg(g, '--a', flags.a!) }, { name: 'b', weight: 1, policy: await policyArg(g, '--b', flags.b!) }],
          ...(flags.listenMs !== undefined ? { credit: { listenMs: positiveInt('--listen-ms', flags.listenMs) } } : {}),
          ...(flags.plannedListeners !== undefined ? { plannedListeners: positiveInt('--planned-listeners', flags.plannedListeners) } : {}),
        };
      } else {
        if (v === undefined) throw new CliError('give a <definition> (a JSON file or inline JSON), or --interleave --surface S --a P --b P');
        def = jsonArg('<definition>', v);
      }
      const x = await withStore(g, (store) => wrap(() => createExperiment(store, def)));
      emit(g.json, x, () => `created ${x.def.design === 'interleave' ? 'interleaving ' : ''}experiment ${x.def.name} (draft): ${x.def.variants.map((p) => `${p.name} ${p.weight}`).join(' / ')} on ${x.def.surfaces.join(', ')}; start it with \`segue experiment start ${x.def.name}\``);
    });
  for (const [verb, fn, about] of [['start', startExperiment, 'start assigning listeners (takes the next free slice of its layer)'], ['stop', stopExperiment, 'stop assigning; the report stays']] as const) {
    ex.command(verb)
      .description(about)
      .argument('<name>')
      .action(async (name: string) => {
        const g = globals();
        const x = await withStore(g, (store) => wrap(() => fn(store, name)));
        await announce(g, 'experiments');
        emit(g.json, x, () => `${x.def.name} is ${x.status}`);
      });
  }
  ex.command('ship')
    .description('serve a variant to the experiment\'s listeners, all but the long-term holdout')
    .argument('<name>')
    .argument('<variant>')
    .action(async (name: string, variant: string) => {
      const g = globals();
      const x = await withStore(g, (store) => wrap(() => shipExperiment(store, name, variant)));
      await announce(g, 'experiments');
      emit(g.json, x, () => `${x.def.name}: ${variant} shipped${x.def.holdout ? ` (a holdout of ${x.def.holdout} keeps the control)` : ''}`);
    });
  ex.command('list')
    .description('experiments and their status')
    .action(async () => {
      const g = globals();
      const list = await withStore(g, (store) => store.experiments.list());
      emit(g.json, list, () => (list.length === 0 ? 'no experiments' : table(['name', 'status', 'surfaces', 'variants', 'layer', 'started', 'stopped'], list.map((x) => {
        const d = x.def as { surfaces: string[]; variants: Array<{ name: string }>; layer?: string };
        return [x.name, x.status, d.surfaces.join(','), d.variants.map((v) => v.name).join(','), d.layer ?? 'default', x.startedAt ? new Date(x.startedAt).toISOString() : '-', x.stoppedAt ? new Date(x.stoppedAt).toISOString() : '-'];
      }))));
    });
  ex.command('report')
    .description('metrics per variant, lifts with intervals, p-values, sequential tests, guardrails and the decision')
    .argument('<name>')
    .option('--now <time>', 'report as of this time (default now; a stopped experiment ends at its stop)')
    .action(async (name: string, flags: { now?: string }) => {
      const g = globals();
      const now = timeFlag('--now', flags.now);
      const r = await withStore(g, (store) => wrap(async () => {
        const o = now !== undefined ? { now } : {};
        return (await getExperiment(store, name)).def.design === 'interleave' ? interleavingReport(store, name, o) : experimentReport(store, name, o);
      }));
      emit(g.json, r, () => ('design' in r ? interleavingText(r) : reportText(r)));
    });
  ex.command('simulate')
    .description('a simulated A/B test in the closed loop: listeners respond to what they are served, their state evolves day to day')
    .requiredOption('--control <policy>', `a policy: ${POLICY_FORMS}`)
    .requiredOption('--treatment <policy>', 'the same, for the treatment')
    .option('--listeners <n>', 'listeners in the simulated world, all in the experiment', '2000')
    .option('--days <n>', 'days of experiment', '7')
    .option('--seed <n>', 'seed of the world and the behaviour', '1')
    .option('--surface <s>', 'radio or autoplay', 'radio')
    .option('--tracks <n>', 'catalog size', '12000')
    .option('--success <metrics>', 'comma-separated success metrics (default listenThroughRate)')
    .option('--guardrail <metric:margin...>', 'guardrails with relative margins, e.g. skipRate:0.05 (default skipRate:0.02 minutesPerSession:0.03)')
    .option('--keep <store>', 'keep the simulated world, its models and the experiment (named simulated-ab) in this new, empty store instead of a temporary one: `segue --store <store> serve` then shows it in the console')
    .option('--interleave', 'an interleaving experiment instead of an A/B test: every page team-draft interleaved from control (a) and treatment (b)')
    .action(async (flags: { control: string; treatment: string; listeners: string; days: string; seed: string; surface: string; tracks: string; success?: string; guardrail?: string[]; keep?: string; interleave?: boolean }) => {
      const g = globals();
      if (flags.surface !== 'radio' && flags.surface !== 'autoplay') throw new CliError(`--surface must be radio or autoplay, got ${JSON.stringify(flags.surface)}`);
      const seed = integer('--seed', flags.seed);
      const metrics = flags.success || flags.guardrail ? {
        success: (flags.success ?? 'listenThroughRate').split(',').map((s) => s.trim()).filter(Boolean),
        guardrails: (flags.guardrail ?? ['skipRate:0.02', 'minutesPerSession:0.03']).map((s) => {
          const [metric, margin] = s.split(':');
          if (!metric || !(Number(margin) >= 0)) throw new CliError(`--guardrail expects metric:margin, got ${JSON.stringify(s)}`);
          return { metric, margin: Number(margin) };
        }),
      } : undefined;
      if (flags.keep !== undefined) {
        const counts = await withStore({ ...g, store: flags.keep }, (store) => store.catalog.counts());
        if (counts.tracks > 0) throw new CliError(`--keep: ${flags.keep} holds a catalog already; give it a new, empty store`);
      }
      const tty = !g.json && process.stderr.isTTY;
      const t = performance.now();
      const opts = {
        ...(flags.keep !== undefined ? { storePath: flags.keep } : {}),
        control: await policyArg(g, '--control', flags.control), treatment: await policyArg(g, '--treatment', flags.treatment),
        listeners: positiveInt('--listeners', flags.listeners), days: positiveInt('--days', flags.days), seed, surface: flags.surface as 'radio' | 'autoplay',
        tracks: positiveInt('--tracks', flags.tracks), ...(metrics ? { metrics: metrics as never } : {}),
        onProgress: (m: string) => {
          if (tty) process.stderr.write(`\r\x1b[K[${((performance.now() - t) / 1000).toFixed(0)} s] ${m}`);
        },
      };
      if (flags.interleave) {
        if (metrics) throw new CliError('--success and --guardrail apply to A/B tests; an interleaving experiment measures the listeners\' preference');
        const r = await wrap(() => simulateInterleaving(opts));
        if (tty) process.stderr.write('\r\x1b[K');
        emit(g.json, { protocol: r.protocol, sessions: r.sessions, ...r.report }, () => `${r.protocol}\n\n${interleavingText(r.report)}`);
        return;
      }
      const r = await wrap(() => simulateAb(opts));
      if (tty) process.stderr.write('\r\x1b[K');
      emit(g.json, { protocol: r.protocol, sessions: r.sessions, ...r.report }, () => `${r.protocol}\n\n${reportText(r.report)}`);
    });
}
