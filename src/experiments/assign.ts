import { createHash } from 'node:crypto';
import type { Store, StoredExperiment } from '../store/index.js';
import { parseTimestamp } from '../domain/index.js';
import type { Surface } from '../sequencing/index.js';
import type { Assigner as ServingAssigner, Assignment } from '../surfaces/index.js';
import { ExperimentError, controlOf, parseExperiment, type Experiment, type ExperimentDef, type ExperimentStatus } from './types.js';

/** A uniform number in [0, 1) from a key: the first 48 bits of SHA-256. */
export function hash01(key: string): number {
  const h = createHash('sha256').update(key).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

export function fromStored(x: StoredExperiment): Experiment {
  return {
    def: parseExperiment(x.def, `experiment ${x.name}`, true), status: x.status as ExperimentStatus, createdAt: x.createdAt,
    startedAt: x.startedAt, stoppedAt: x.stoppedAt, offset: x.offset, shippedVariant: x.shippedVariant,
  };
}

const time = (v: number | string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const t = parseTimestamp(v, Number.MAX_SAFE_INTEGER);
  return t.ok ? t.ms : undefined;
};

/**
 * Sticky, deterministic assignment at request time. A listener's place in a layer is
 * hash(layer, listener); each experiment of the layer owns a slice [offset, offset +
 * allocation) of it, so experiments of one layer never share a listener. Inside an experiment,
 * hash(salt:holdout, listener) < holdout puts the listener in the long-term holdout (control
 * experience, kept after a variant ships), and hash(salt, listener) picks the variant by
 * weight. The same listener always gets the same answer while the definition stands.
 *
 * Serving (surfaces) knows it as its `Assigner` interface, and loads it with `Assigner.load`.
 *
 * @example const surfaces = await Surfaces.open(store, { assigner: Assigner.load });
 */
export class Assigner implements ServingAssigner {
  constructor(readonly experiments: readonly Experiment[]) {}

  static async load(store: Store): Promise<Assigner> {
    const live = (await store.experiments.list()).filter((x) => x.status === 'running' || x.status === 'shipped');
    return new Assigner(live.map(fromStored));
  }

  /** The experiments a request of this listener and surface is in (at most one per layer). */
  assign(listenerId: string, surface: Surface, now: number): Assignment[] {
    const out: Assignment[] = [];
    for (const x of this.experiments) {
      const d = x.def;
      if (!d.surfaces.includes(surface)) continue;
      if (x.status === 'running') {
        const from = time(d.startAt) ?? x.startedAt ?? 0;
        const until = time(d.stopAt) ?? Infinity;
        if (now < from || now >= until) continue;
      }
      const v = variantOf(x, listenerId);
      if (v === undefined) continue;
      out.push(v);
    }
    return out;
  }
}

/** The variant of a listener in an experiment, or undefined when outside its slice of the layer. */
export function variantOf(x: Experiment, listenerId: string): Assignment | undefined {
  const d = x.def;
  const slot = hash01(`layer:${d.layer ?? 'default'}/${listenerId}`);
  if (slot < x.offset || slot >= x.offset + (d.allocation ?? 1)) return undefined;
  const salt = d.salt ?? d.name;
  const control = controlOf(d);
  if ((d.holdout ?? 0) > 0 && hash01(`${salt}:holdout/${listenerId}`) < d.holdout!) return { experiment: d.name, variant: 'holdout', policy: {} };
  let name: string;
  if (d.design === 'interleave' && x.status !== 'shipped') {
    return { experiment: d.name, variant: INTERLEAVED, policy: {}, interleave: { a: d.variants[0]!.policy ?? {}, b: d.variants[1]!.policy ?? {} } };
  }
  if (x.status === 'shipped' && x.shippedVariant !== null) name = x.shippedVariant;
  else {
    const total = d.variants.reduce((a, v) => a + v.weight, 0);
    let u = hash01(`${salt}/${listenerId}`) * total;
    name = d.variants[d.variants.length - 1]!.name;
    for (const v of d.variants) {
      if (u < v.weight) {
        name = v.name;
        break;
      }
      u -= v.weight;
    }
  }
  const variant = d.variants.find((v) => v.name === name)!;
  return { experiment: d.name, variant: name, policy: name === control ? {} : (variant.policy ?? {}) };
}

/** The variant name an interleaving experiment's exposures carry. */
export const INTERLEAVED = 'interleaved';

// ---- life cycle ----

export async function createExperiment(store: Store, value: unknown, now = Date.now()): Promise<Experiment> {
  const def = parseExperiment(value);
  const ok = await store.experiments.create({ name: def.name, def: def as unknown as Record<string, unknown>, status: 'draft', createdAt: now, startedAt: null, stoppedAt: null, offset: 0, shippedVariant: null });
  if (!ok) throw new ExperimentError(`an experiment named ${JSON.stringify(def.name)} exists already`);
  return { def, status: 'draft', createdAt: now, startedAt: null, stoppedAt: null, offset: 0, shippedVariant: null };
}

export async function getExperiment(store: Store, name: string): Promise<Experiment> {
  const x = await store.experiments.get(name);
  if (!x) throw new ExperimentError(`no experiment named ${JSON.stringify(name)}`, true);
  return fromStored(x);
}

/** Start: take the next free slice of the layer (refused when the layer has no room). */
export async function startExperiment(store: Store, name: string, now = Date.now()): Promise<Experiment> {
  const x = await getExperiment(store, name);
  if (x.status !== 'draft') throw new ExperimentError(`experiment ${name} is ${x.status}; only a draft can start`);
  const layer = x.def.layer ?? 'default';
  const others = (await store.experiments.list()).map(fromStored).filter((o) => o.def.name !== name && (o.status === 'running' || o.status === 'shipped') && (o.def.layer ?? 'default') === layer);
  const offset = others.reduce((m, o) => Math.max(m, o.offset + (o.def.allocation ?? 1)), 0);
  const alloc = x.def.allocation ?? 1;
  if (offset + alloc > 1 + 1e-9) throw new ExperimentError(`layer ${layer} has ${Math.max(0, 1 - offset).toFixed(3)} of its listeners free, experiment ${name} needs ${alloc}: stop one of ${others.map((o) => o.def.name).join(', ')} or use another layer`);
  await store.experiments.update(name, { status: 'running', startedAt: now, offset });
  return { ...x, status: 'running', startedAt: now, offset };
}

export async function stopExperiment(store: Store, name: string, now = Date.now()): Promise<Experiment> {
  const x = await getExperiment(store, name);
  if (x.status !== 'running') throw new ExperimentError(`experiment ${name} is ${x.status}; only a running experiment can stop`);
  await store.experiments.update(name, { status: 'stopped', stoppedAt: now });
  return { ...x, status: 'stopped', stoppedAt: now };
}

/** Ship a variant to everyone in the experiment's slice but the long-term holdout. */
export async function shipExperiment(store: Store, name: string, variant: string, now = Date.now()): Promise<Experiment> {
  const x = await getExperiment(store, name);
  if (!x.def.variants.some((v) => v.name === variant)) throw new ExperimentError(`experiment ${name} has no variant ${JSON.stringify(variant)}`);
  if (x.status === 'draft') throw new ExperimentError(`experiment ${name} never ran`);
  await store.experiments.update(name, { status: 'shipped', shippedVariant: variant, stoppedAt: x.stoppedAt ?? now });
  return { ...x, status: 'shipped', shippedVariant: variant, stoppedAt: x.stoppedAt ?? now };
}

export type { ExperimentDef, Assignment };
