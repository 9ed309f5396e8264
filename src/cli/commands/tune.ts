import type { Command } from 'commander';
import { TUNE_METRICS, TuneError, parseGuardrail, tuneWeights, type TuneCandidate, type TuneMetric, type TuneReport } from '../../evaluation/index.js';
import { ExperimentError, INTERLEAVE_SURFACES, createExperiment, startExperiment } from '../../experiments/index.js';
import { POLICY_NAME, SURFACES, checkSavedPolicy, type Surface } from '../../sequencing/index.js';
import { positiveInt, timeFlag } from '../args.js';
import { emit, table } from '../output.js';
import { CliError } from '../errors.js';
import { announce, withStore, type GlobalOptions } from '../context.js';

interface TuneFlags {
  surface: string;
  objective: string;
  guardrail: string[];
  budget: string;
  since?: string;
  until?: string;
  confidence: string;
  bandwidth: string;
  save: string | false;
  experiment?: string;
}

const between = (flag: string, v: string, lo: number, hi: number): number => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > lo && n < hi)) throw new CliError(`${flag} must be a number between ${lo} and ${hi} (exclusive), got ${JSON.stringify(v)}`);
  return n;
};

/** `segue policy tune`: learned objective weights from the store's exposures served with explored weights. */
export function registerTune(policy: Command, globals: () => GlobalOptions): void {
  policy.command('tune')
    .description('propose a surface\'s objective weights from its exposures served with explored weights (policy.logging.weightsShare): the best pessimistic estimate of the objective within the guardrails; saves it as a policy and can start an experiment of it against the current weights')
    .requiredOption('--surface <surface>', `the surface (${SURFACES.join(', ')})`)
    .option('--objective <metric>', `what to maximize: ${Object.keys(TUNE_METRICS).join(', ')}`, 'minutes')
    .option('--guardrail <bound>', 'a bound that must hold at its pessimistic estimate: METRIC>=VALUE, METRIC<=VALUE, or relative to the current weights, e.g. emergingShare>=0.12, skipRate<=+5% (repeat for more)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--budget <n>', 'candidate weight vectors to evaluate over the explored box', '200')
    .option('--since <time>', 'exposures from this time (ISO-8601 or epoch ms; default: all)')
    .option('--until <time>', 'exposures until this time (default now)')
    .option('--confidence <p>', 'one-sided confidence of the pessimistic bounds', '0.95')
    .option('--bandwidth <share>', 'kernel bandwidth as a share of each weight\'s explored range', '0.15')
    .option('--save <name>', 'save the proposal as this policy (default tuned-<surface>)')
    .option('--no-save', 'do not save the proposal')
    .option('--experiment <design>', 'create and start an experiment of the proposal (treatment, team b) against the current weights: ab or interleave')
    .action(async (flags: TuneFlags) => {
      const g = globals();
      if (!(SURFACES as readonly string[]).includes(flags.surface)) throw new CliError(`--surface must be one of ${SURFACES.join(', ')}, got ${JSON.stringify(flags.surface)}`);
      const surface = flags.surface as Surface;
      if (!(flags.objective in TUNE_METRICS)) throw new CliError(`--objective must be one of ${Object.keys(TUNE_METRICS).join(', ')}, got ${JSON.stringify(flags.objective)}`);
      const design = flags.experiment;
      if (design !== undefined && design !== 'ab' && design !== 'interleave') throw new CliError(`--experiment must be ab or interleave, got ${JSON.stringify(design)}`);
      if (design === 'interleave' && !(INTERLEAVE_SURFACES as readonly string[]).includes(surface)) throw new CliError(`--experiment interleave runs on ${INTERLEAVE_SURFACES.join(', ')}, not ${surface}`);
      const name = flags.save === false ? undefined : (flags.save ?? `tuned-${surface}`);
      if (name !== undefined && !POLICY_NAME.test(name)) throw new CliError(`--save must be lowercase letters, digits, dot, dash or underscore, got ${JSON.stringify(name)}`);
      if (design !== undefined && name === undefined) throw new CliError('--experiment needs the proposal saved (drop --no-save)');
      let guardrails;
      try {
        guardrails = flags.guardrail.map(parseGuardrail);
      } catch (err) {
        if (err instanceof TuneError) throw new CliError(`--guardrail: ${err.message}`);
        throw err;
      }
      const opts = {
        surface, objective: flags.objective as TuneMetric, guardrails, budget: positiveInt('--budget', flags.budget),
        confidence: between('--confidence', flags.confidence, 0.5, 1), bandwidth: between('--bandwidth', flags.bandwidth, 0, 10),
        ...(flags.since !== undefined ? { since: timeFlag('--since', flags.since)! } : {}), ...(flags.until !== undefined ? { until: timeFlag('--until', flags.until)! } : {}),
      };
      const out = await withStore(g, async (store) => {
        let r: TuneReport;
        try {
          r = await tuneWeights(store, opts);
        } catch (err) {
          if (err instanceof TuneError) throw new CliError(err.message);
          throw err;
        }
        const proposal = { surface, objectives: r.proposal.weights };
        let saved: { name: string; version: number } | undefined;
        let experiment: string | undefined;
        if (name !== undefined) {
          checkSavedPolicy(name, proposal);
          saved = { name, version: await store.policies.put(name, proposal) };
          if (design !== undefined) {
            experiment = `tune-${name}-v${saved.version}`;
            const control = { objectives: r.current.weights }, treatment = proposal;
            const def = design === 'interleave'
              ? { name: experiment, design: 'interleave', surfaces: [surface], variants: [{ name: 'a', weight: 1, policy: control }, { name: 'b', weight: 1, policy: treatment }] }
              : { name: experiment, surfaces: [surface], variants: [{ name: 'control', weight: 1, policy: control }, { name: 'treatment', weight: 1, policy: treatment }] };
            try {
              await createExperiment(store, def);
              await startExperiment(store, experiment);
            } catch (err) {
              if (err instanceof ExperimentError) throw new CliError(err.message);
              throw err;
            }
          }
        }
        return { ...r, ...(saved ? { saved } : {}), ...(experiment ? { experiment } : {}) };
      });
      if (out.experiment) await announce(g, 'experiments');
      emit(g.json, out, () => tuneText(out));
    });
}

function tuneText(r: TuneReport & { saved?: { name: string; version: number }; experiment?: string }): string {
  const w = (c: TuneCandidate): string => Object.entries(c.weights).map(([k, v]) => `${k} ${v}`).join(', ');
  const est = (c: TuneCandidate, m: TuneMetric): string => `${c.metrics[m].value.toFixed(4)} (${c.metrics[m].lower.toFixed(4)} .. ${c.metrics[m].upper.toFixed(4)})`;
  const shown = [r.objective, ...r.guardrails.map((x) => x.metric).filter((m) => m !== r.objective)];
  return [
    r.protocol,
    '',
    table(['', 'weights', ...shown, 'effective lists'], [
      ['current', w(r.current), ...shown.map((m) => est(r.current, m)), r.current.effectiveLists],
      ['proposal', w(r.proposal), ...shown.map((m) => est(r.proposal, m)), r.proposal.effectiveLists],
    ]),
    ...(r.guardrails.length > 0 ? ['', `guardrails: ${r.guardrails.map((x) => `${x.metric} ${x.op} ${x.threshold.toFixed(4)}${x.relative ? ` (${x.value >= 0 ? '+' : ''}${(100 * x.value).toFixed(1)}% of the current)` : ''}`).join('; ')}`] : []),
    `${r.feasible} of ${r.candidates} candidates hold every guardrail with confidence; ${r.keepCurrent ? 'keep the current weights' : `proposal: ${w(r.proposal)}`}`,
    ...r.warnings.map((x) => `warning: ${x}`),
    ...(r.saved ? [`saved as policy ${r.saved.name} version ${r.saved.version}${r.experiment ? `; experiment ${r.experiment} started (the proposal against the current weights): \`segue experiment report ${r.experiment}\`` : `; test it: \`segue experiment create --interleave --surface ${r.surface} --a default --b ${r.saved.name}\``}`] : []),
  ].join('\n');
}
