import { openStore, type Store } from '../store/index.js';
import { CliError } from './errors.js';

export interface GlobalOptions {
  store: string;
  json: boolean;
  debug: boolean;
  /** The online state in Redis (redis://…), for stateless nodes and workers; absent: embedded. */
  state?: string;
  statePrefix: string;
  /** The event bus (nats://…); absent: events are written to the store directly. */
  bus?: string;
  busPrefix: string;
  busPartitions: string;
}

/** The scale-out services named by the global flags, checked. */
export function services(g: GlobalOptions): { state?: { url: string; prefix: string }; bus?: { url: string; prefix: string; partitions: number } } {
  const partitions = Number(g.busPartitions);
  if (!(Number.isInteger(partitions) && partitions >= 1 && partitions <= 1024)) throw new CliError(`--bus-partitions must be a whole number in 1..1024, got ${JSON.stringify(g.busPartitions)}`);
  if (g.state !== undefined && !g.state.startsWith('redis://')) throw new CliError(`--state must be a redis:// URL, got ${JSON.stringify(g.state.replace(/:[^@/]*@/, ':***@'))}`);
  if (g.bus !== undefined && !g.bus.startsWith('nats://')) throw new CliError(`--bus must be a nats:// URL, got ${JSON.stringify(g.bus)}`);
  return {
    ...(g.state !== undefined ? { state: { url: g.state, prefix: g.statePrefix } } : {}),
    ...(g.bus !== undefined ? { bus: { url: g.bus, prefix: g.busPrefix, partitions } } : {}),
  };
}

/** Open the store, run, and always close it. */
export async function withStore<T>(g: GlobalOptions, fn: (store: Store) => Promise<T>, opts: { readonly?: boolean } = {}): Promise<T> {
  const store = await openStore(g.store, opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Tell the nodes on the bus (when --bus is given) that something they serve with changed:
 * `model` (a new version), `experiments`, `catalog`. They reload at once; without it, within
 * their reload interval.
 */
export async function announce(g: GlobalOptions, kind: 'model' | 'experiments' | 'catalog'): Promise<void> {
  const s = services(g);
  if (s.bus === undefined) return;
  const { NatsBus } = await import('../bus/index.js');
  const bus = await NatsBus.open(s.bus.url, s.bus);
  try {
    bus.announce(kind);
    await bus.nc.flush();
  } finally {
    await bus.close();
  }
}
