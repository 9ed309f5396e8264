import type { Store } from '../store/index.js';
import { Surfaces } from '../surfaces/index.js';
import { Assigner } from '../experiments/index.js';
import { isEvalReport } from '../evaluation/index.js';
import type { NatsBus } from '../bus/index.js';

/**
 * What the server answers with: the Surfaces (catalog, online state, models), swapped for a
 * new one when a model version lands or the catalog grows, without a restart.
 *
 * The online state folds the event log from its durable cursor. Folding and swapping are
 * serialized: a new Surfaces is opened only after the old one's last fold is flushed, and
 * the old one folds nothing more, so no event is ever applied twice.
 */
export class Serving {
  surfaces: Surfaces | undefined;
  /** Why there is nothing to serve yet (no model trained, still loading). */
  problem = 'loading the catalog, models and online state';
  loadedAt = 0;
  stopping = false;
  private signature = '';
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private catalogChanged = false;

  constructor(
    readonly store: Store,
    private readonly log: { info: (msg: string) => void; error: (msg: string) => void },
    private readonly onProgress?: (eventsFolded: number) => void,
    /** A second server process on the store: its online state is a read-only replica (the first process writes the state). */
    readonly replica = false,
    /** Scale-out: the online state in Redis, exposures onto the bus. */
    private readonly scale: { bus?: NatsBus; redis?: { url: string; prefix?: string } } = {},
  ) {}

  /** Load now (or record why not), then check for new models every `intervalMs` (0: never). */
  async start(intervalMs: number): Promise<void> {
    await this.refresh();
    if (intervalMs > 0) {
      const tick = (): void => {
        this.timer = setTimeout(() => {
          this.refresh().then(() => this.fold()).catch((err: unknown) => this.log.error(`model reload failed: ${(err as Error).message}`)).finally(() => {
            if (!this.stopping) tick();
          });
        }, intervalMs);
        this.timer.unref();
      };
      tick();
    }
  }

  /** Stop refreshing and flush the state; requests in flight may still fold (flushed by `close`). */
  stop(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The last flush, after the server has stopped taking requests. */
  async close(): Promise<void> {
    this.stop();
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.flush();
    // A state with a connection of its own (Redis) lets go of it, or the process would not end.
    const st = this.surfaces?.reco.state as { close?: () => Promise<void> } | undefined;
    await st?.close?.();
  }
  private flushTimer: NodeJS.Timeout | undefined;

  /** Flush every `ms`. */
  flushEvery(ms: number): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    // Fold first: with --workers, events another process acknowledged reach the stored state even while this one gets no requests.
    this.flushTimer = setInterval(() => void this.fold().then(() => this.flush()).catch((err: unknown) => this.log.error(`state flush failed: ${(err as Error).message}`)), ms);
    this.flushTimer.unref();
  }

  /** The catalog was written through the API: the next refresh reopens with it. */
  markCatalogChanged(): void {
    this.catalogChanged = true;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Fold newly logged events into the online state. A no-op before the first load and while a
   * reopen is under way (the new state catches up from the durable cursor when it opens, and
   * the next fold takes what arrived meanwhile), so ingest never waits for a reopen.
   */
  async fold(): Promise<number> {
    if (this.reopening || !this.surfaces) return 0;
    return this.serial(async () => {
      return (await this.surfaces?.reco.state.catchUp({ flush: false })) ?? 0;
    });
  }

  /**
   * Before a read: fold what the log holds past the state (events another process acknowledged,
   * or that arrived during a reopen). Takes the fold's turn only when the log has something
   * new, so a read never waits behind a flush or another read for nothing.
   */
  async foldForRead(): Promise<number> {
    const st = this.surfaces?.reco.state;
    if (this.reopening || st === undefined || !(await st.behind())) return 0;
    return this.fold();
  }

  /**
   * Write the online state (and its log cursor) to the store, in one transaction. The server
   * does this every few seconds, before a reopen and at shutdown, not per request: the state
   * is a fold of the log, so a crash between flushes loses nothing, the next start folds the
   * rest of the log again from the stored cursor.
   */
  flush(): Promise<void> {
    return this.serial(async () => {
      await this.surfaces?.reco.state.flush();
    });
  }
  private reopening = false;

  /** Reload the running experiments (after a start, stop or ship through the API; the refresh does it too). */
  async reloadExperiments(): Promise<void> {
    if (this.surfaces) this.surfaces.assigner = await Assigner.load(this.store);
  }

  /** Swap in the latest models, or reopen on a changed catalog; returns whether anything changed. */
  refresh(): Promise<boolean> {
    return this.serial(async () => {
      const models = await this.store.models.list();
      const latest = new Map<string, number>();
      for (const m of models) if (!isEvalReport(m.name)) latest.set(m.name, Math.max(latest.get(m.name) ?? 0, m.version));
      const counts = await this.store.catalog.counts();
      const modelSig = [...latest].sort().map(([n, v]) => `${n}@${v}`).join(',');
      const signature = `${modelSig}|${counts.tracks}|${counts.artists}`;
      // Nothing new: also when there is nothing to serve yet (no model), so that a store
      // without models is not refolded every few seconds.
      if (signature === this.signature && !this.catalogChanged) {
        await this.reloadExperiments();
        return false;
      }
      const catalogSame = this.surfaces !== undefined && !this.catalogChanged && signature.split('|').slice(1).join('|') === this.signature.split('|').slice(1).join('|');
      this.catalogChanged = false;
      try {
        this.reopening = !catalogSame;
        if (this.reopening) await this.surfaces?.reco.state.flush();
        const previous = this.surfaces;
        const next = catalogSame
          ? await this.surfaces!.reload()
          : await Surfaces.open(this.store, { assigner: Assigner.load, ...(this.onProgress ? { onProgress: this.onProgress } : {}), replica: this.replica, ...(this.scale.redis ? { redis: this.scale.redis } : {}) });
        const bus = this.scale.bus;
        if (bus) next.logExposures = (x) => bus.publishExposures([x]);
        this.surfaces = next;
        // A reopened Redis state is a new connection: the old one goes once requests in flight are done.
        const old = previous?.reco.state;
        if (old !== undefined && old !== next.reco.state && 'close' in old) setTimeout(() => void (old as { close(): Promise<void> }).close(), 10_000).unref();
        this.loadedAt = Date.now();
        this.problem = '';
        this.log.info(`serving models ${Object.entries(next.reco.versions).map(([n, v]) => `${n}@${v}`).join(', ')} on ${counts.tracks} tracks`);
      } catch (err) {
        const msg = (err as Error).message;
        if (!/no candidate source/.test(msg)) throw err;
        this.problem = 'no model is trained yet: run `segue train` on this store; the server picks the models up without a restart';
      } finally {
        this.reopening = false;
      }
      this.signature = signature;
      return true;
    });
  }
}
