/**
 * What a measured stretch of the cluster benchmark cost: CPU seconds per group of processes
 * (/proc), Redis commands and bytes (INFO stats), PostgreSQL transactions and inserted rows
 * of the bench database (pg_stat_database).
 */
import { cpuSeconds, pgStats, redisCommandCalls, redisTraffic, sleep, type RedisAt } from './cluster-procs.js';

/**
 * PostgreSQL (15) flushes a backend's statistics to pg_stat_database when it goes idle, but
 * not more often than once a second: one that flushed less than a second ago waits 10 s.
 * So a reading is exact only 10 s after the last activity: the meter waits this long before
 * each reading of PostgreSQL.
 */
export const PG_SETTLE_MS = 11_000;

export interface Cost {
  seconds: number;
  cpu: Record<string, number>;
  redis: { commands: number; bytesIn: number; bytesOut: number; byCommand: Record<string, number> };
  pg?: { xacts: number; inserted: number };
}

interface Snap { t: number; cpu: Record<string, number>; redis: Omit<Cost['redis'], 'byCommand'>; calls: Record<string, number>; pg?: { xacts: number; inserted: number } }

export class Meter {
  private a?: Snap;
  private b?: Snap;

  /** `groups`: fixed processes; `services`: processes found again at each reading (PostgreSQL's backends). */
  constructor(private readonly o: { groups: Record<string, number[]>; services?: Record<string, () => number[]>; redis: RedisAt; pg?: { admin: string; db: string } }) {}

  private snap(withPg: boolean): Snap {
    const cpu: Record<string, number> = {};
    for (const [g, pids] of Object.entries(this.o.groups)) cpu[g] = cpuSeconds(pids);
    for (const [g, find] of Object.entries(this.o.services ?? {})) cpu[g] = cpuSeconds(find(), true);
    return { t: performance.now(), cpu, redis: redisTraffic(this.o.redis), calls: redisCommandCalls(this.o.redis), ...(withPg && this.o.pg ? { pg: pgStats(this.o.pg.admin, this.o.pg.db) } : {}) };
  }

  /** At the start of the measured stretch; with PostgreSQL, after PG_SETTLE_MS of quiet (what ran before is then counted). */
  async before(): Promise<void> {
    if (this.o.pg) await sleep(PG_SETTLE_MS);
    this.a = this.snap(true);
  }

  /** At its end; `finish` then reads PostgreSQL's statistics once they are flushed. */
  after(): void {
    this.b = this.snap(false);
  }

  async finish(): Promise<Cost> {
    const a = this.a!, b = this.b!;
    let pg: Cost['pg'];
    if (a.pg) {
      await sleep(PG_SETTLE_MS);
      const p = pgStats(this.o.pg!.admin, this.o.pg!.db);
      pg = { xacts: p.xacts - a.pg.xacts, inserted: p.inserted - a.pg.inserted };
    }
    const cpu: Record<string, number> = {};
    for (const g of Object.keys(a.cpu)) cpu[g] = b.cpu[g]! - a.cpu[g]!;
    return {
      seconds: (b.t - a.t) / 1000, cpu,
      redis: {
        commands: b.redis.commands - a.redis.commands, bytesIn: b.redis.bytesIn - a.redis.bytesIn, bytesOut: b.redis.bytesOut - a.redis.bytesOut,
        byCommand: Object.fromEntries(Object.entries(b.calls).map(([c, n]) => [c, n - (a.calls[c] ?? 0)]).filter(([, n]) => (n as number) > 0)),
      },
      ...(pg ? { pg } : {}),
    };
  }

  /** The cost of `seconds` of nothing (the services' background: lease renewals, counter refreshes, ...). */
  async idle(seconds: number): Promise<Cost> {
    await this.before();
    await sleep(seconds * 1000);
    this.after();
    return this.finish();
  }
}

/** Per unit (request, event): the stretch's cost, and the same net of the idle background for as long. */
export function perUnit(c: Cost, units: number, idle?: Cost): Record<string, number> {
  const bg = (f: (x: Cost) => number): number => (idle ? (f(idle) / idle.seconds) * c.seconds : 0);
  const out: Record<string, number> = {};
  for (const g of Object.keys(c.cpu)) out[`cpuMs.${g}`] = (c.cpu[g]! * 1000) / units;
  out.redisCommands = c.redis.commands / units;
  out.redisCommandsNet = (c.redis.commands - bg((x) => x.redis.commands)) / units;
  out.redisBytesIn = c.redis.bytesIn / units;
  out.redisBytesOut = c.redis.bytesOut / units;
  for (const [cmd, n] of Object.entries(c.redis.byCommand)) out[`redis.${cmd}`] = n / units;
  if (c.pg) {
    out.pgXacts = c.pg.xacts / units;
    out.pgXactsNet = (c.pg.xacts - bg((x) => x.pg?.xacts ?? 0)) / units;
    out.pgInserted = c.pg.inserted / units;
  }
  return out;
}
