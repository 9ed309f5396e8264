import { existsSync } from 'node:fs';
import { ExperimentError, getExperiment } from '../experiments/index.js';
import { PolicyError, overridePolicy, type Policy, type Surface } from '../sequencing/index.js';
import { redactLocation, storeExists } from '../store/index.js';
import { jsonArg } from './args.js';
import { withStore, type GlobalOptions } from './context.js';
import { CliError } from './errors.js';

/** A policy as a command takes it: any subset of a policy's fields, laid over a surface's default. */
export type PartialPolicy = Record<string, unknown>;

/** How a policy flag's help names its forms. */
export const POLICY_FORMS = 'default, a JSON file, a saved policy\'s name (segue policy save), <experiment>:<variant>, or inline JSON; a partial policy over the surface\'s default';

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const VARIANT = /^([a-z0-9][a-z0-9._-]*):([a-z0-9][a-z0-9._-]*)$/;

/**
 * The one rule for every policy a command takes (`recommend --policy`, `experiment simulate
 * --control/--treatment`, `eval --logging/--target`, `policy save`): the value names a partial
 * policy, and `overridePolicy` lays it over the surface's default, as the API does with a
 * request's `policy` and serving with an experiment's variant. A whole policy is a partial that
 * names every field (objective weights and constraints it leaves out keep the default's). The
 * value is, tried in this order:
 *
 * - `default`: nothing over the default;
 * - a JSON file;
 * - `<experiment>:<variant>`: a stored experiment's variant;
 * - the name of a policy saved with `segue policy save`;
 * - inline JSON.
 *
 * @example
 *   await policyArg(g, '--policy', '{"objectives":{"flow":0.5}}') // { objectives: { flow: 0.5 } }
 *   await policyArg(g, '--control', 'fair')                         // the saved policy "fair"
 */
export async function policyArg(g: GlobalOptions, flag: string, v: string): Promise<PartialPolicy> {
  if (v === 'default') return {};
  if (!existsSync(v)) {
    const m = VARIANT.exec(v);
    if ((m || NAME.test(v)) && !storeExists(g.store)) throw new CliError(`${flag}: ${JSON.stringify(v)} is not a file, and there is no store ${g.store} to find it in (--store)`);
    if (m) {
      const x = await withStore(g, (store) => getExperiment(store, m[1]!)).catch((err: unknown) => {
        throw err instanceof ExperimentError ? new CliError(`${flag}: ${err.message}`) : err;
      });
      const variant = x.def.variants.find((p) => p.name === m[2]);
      if (!variant) throw new CliError(`${flag}: experiment ${m[1]} has no variant ${m[2]}`);
      return variant.policy ?? {};
    }
    if (NAME.test(v)) {
      const saved = await withStore(g, (store) => store.policies.get(v));
      if (!saved) throw new CliError(`${flag}: no policy named ${JSON.stringify(v)} in ${redactLocation(g.store)} (save one with \`segue policy save ${v} <file>\`), and not a file`);
      return saved.policy;
    }
  }
  const p = jsonArg(flag, v);
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new CliError(`${flag}: expected a JSON object (a partial policy), got ${JSON.stringify(p).slice(0, 60)}`);
  return p as PartialPolicy;
}

/**
 * A policy flag resolved for one surface: `policyArg`'s partial over the surface's default,
 * validated whole. A bad field is one line naming the flag, its value (unless inline JSON) and
 * the field: `--policy: weights: unexpected property, got {"flow":1}`.
 *
 * @example await surfacePolicy(g, '--policy', '{"objectives":{"flow":0.5}}', 'radio') // radio's default, flow 0.5
 */
export async function surfacePolicy(g: GlobalOptions, flag: string, v: string, surface: Surface): Promise<Policy> {
  const partial = await policyArg(g, flag, v);
  const where = v.trimStart().startsWith('{') ? flag : `${flag} ${v}`;
  try {
    return overridePolicy(surface, partial, where);
  } catch (err) {
    throw err instanceof PolicyError ? new CliError(err.message) : err;
  }
}
