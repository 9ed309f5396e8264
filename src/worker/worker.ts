import { setMaxListeners } from 'node:events';
import { storedEventProblem, type Exposure, type SegueEvent } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { PULL_EXPIRES_MS, type BusMessage, type NatsBus } from '../bus/index.js';

/** How often a worker renews its partition leases (and looks for its share). */
export const LEASE_RENEW_MS = 2000;
/** When a message held back behind a hole is delivered again. */
const GAP_RETRY_MS = 250;
/** A held partition that handed over nothing this long, while its consumer holds messages, gets its consumer started again. */
const STALL_MS = 10_000;
import { FoldGap, type FoldMark, type RedisOnlineState, type SeqEvent } from '../features/index.js';
import { WorkerMetrics } from './metrics.js';

export interface WorkerOptions {
  store: Store;
  /** The Redis state to fold into; replaced by `setState` when the catalog grows. */
  state: RedisOnlineState;
  bus: NatsBus;
  signal: AbortSignal;
  log?: (line: string) => void;
  /** First and largest wait between retries of a store or Redis that does not answer (ms). */
  backoff?: { firstMs: number; maxMs: number };
}

/**
 * `segue worker`: consume the event partitions it holds the lease of (see `balance`), and
 * every exposures partition, and for each batch of events, in stream order (see `eventsNow`):
 *
 * 1. append the events to the store (idempotent on source/eventId), asking for their seqs;
 * 2. fold them into the Redis state (idempotent: a listener folds only seqs past its own);
 * 3. acknowledge, only now: a worker killed before this has its batch delivered again.
 *
 * A store or Redis that does not answer is retried with backoff, the batch kept (and its
 * ack deadline extended). A message that can never be stored (not JSON, an invalid event,
 * an unknown track) is terminated and counted, not retried for ever.
 */
export class Worker {
  readonly metrics = new WorkerMetrics();
  private state: RedisOnlineState;
  private readonly log: (line: string) => void;
  private readonly backoff: { firstMs: number; maxMs: number };

  constructor(private readonly opts: WorkerOptions) {
    this.state = opts.state;
    this.log = opts.log ?? (() => {});
    this.backoff = opts.backoff ?? { firstMs: 100, maxMs: 5000 };
  }

  /** Fold with another state (a reloaded catalog); the next batch uses it. */
  setState(state: RedisOnlineState): void {
    this.state = state;
  }

  /**
   * Consume until the signal aborts: every partition of the exposures (their order does not
   * matter), and the event partitions this worker holds a lease on (see `balance`).
   */
  async run(): Promise<void> {
    const { bus, signal } = this.opts;
    setMaxListeners(0, signal); // one consumer per stream and partition listens to it
    const loops: Array<Promise<void>> = [this.balance()];
    for (let p = 0; p < bus.partitions; p++) loops.push(this.loop(signal, () => bus.consume<unknown>('exposures', p, (b) => this.exposures(b), signal)));
    await Promise.all(loops);
  }

  /** Event partitions this worker consumes, each with its own stop, and when a batch of it was last handled. */
  private readonly held = new Map<number, { stop: AbortController; done: Promise<void>; active: number }>();
  readonly id = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  /** Event partitions held now. */
  get partitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /**
   * One worker at a time consumes an event partition, so that a listener's events are
   * folded in log order: it holds the partition's lease in Redis, renewed every
   * LEASE_RENEW_MS. A lease outlives its dead holder's last delivery by more than the ack
   * wait and a pull request's life, so whoever takes the partition over is delivered the
   * dead holder's unacknowledged batch first. Each worker takes its share (the partitions
   * over the live workers) and lets go of any beyond it, handing back what it had been
   * delivered and not handled.
   */
  private async balance(): Promise<void> {
    const { bus, signal } = this.opts;
    const ttl = bus.ackWait + PULL_EXPIRES_MS + 2 * LEASE_RENEW_MS;
    const name = (p: number): string => `${bus.prefix}:events:${p}`;
    const drop = async (p: number): Promise<void> => {
      const h = this.held.get(p)!;
      this.held.delete(p);
      h.stop.abort();
      await h.done;
      await this.state.cluster.releaseLease(name(p), this.id).catch(() => undefined);
    };
    while (!signal.aborted) {
      try {
        const alive = await this.state.cluster.heartbeat(`workers:${bus.prefix}`, this.id, ttl);
        const share = Math.ceil(bus.partitions / Math.max(1, alive));
        for (const p of [...this.held.keys()]) {
          if (!(await this.state.cluster.lease(name(p), this.id, ttl))) {
            this.log(`worker: lost partition ${p} (its lease went to another worker)`);
            const h = this.held.get(p)!;
            this.held.delete(p);
            h.stop.abort();
          }
        }
        while (this.held.size > share) await drop(Math.max(...this.held.keys()));
        for (let p = 0; p < bus.partitions && this.held.size < share; p++) {
          if (this.held.has(p) || !(await this.state.cluster.lease(name(p), this.id, ttl))) continue;
          this.consumePartition(p);
        }
        // A held partition that handed over nothing for a while though its consumer has messages: start its consumer again.
        for (const [p, h] of this.held) {
          if (Date.now() - h.active < STALL_MS) continue;
          const lag = await bus.partitionLag('events', p);
          h.active = Date.now();
          if (lag.pending + lag.unacked === 0) continue;
          this.log(`worker: partition ${p} handed over nothing for ${STALL_MS / 1000} s with ${lag.pending} messages pending and ${lag.unacked} unacked: starting its consumer again`);
          h.stop.abort();
          await Promise.race([h.done, this.sleep(5000)]); // a batch stuck in a call is left to time out on its own
          this.consumePartition(p);
        }
      } catch (err) {
        // Redis away: nothing can be folded; stop consuming until the leases can be held again.
        if (this.held.size > 0) this.log(`worker: cannot hold partition leases (${(err as Error).message}); pausing`);
        for (const [p, h] of this.held) {
          h.stop.abort();
          this.held.delete(p);
        }
      }
      await this.sleep(LEASE_RENEW_MS);
    }
    await Promise.all([...this.held.keys()].map(drop));
    await this.state.cluster.retire(`workers:${bus.prefix}`, this.id).catch(() => undefined);
  }

  /** Consume an event partition this worker holds the lease of, until it lets go. */
  private consumePartition(p: number): void {
    const { bus, signal } = this.opts;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const entry = { stop, done: Promise.resolve(), active: Date.now() };
    entry.done = this.loop(stop.signal, () => bus.consume<unknown>('events', p, async (b) => {
      entry.active = Date.now();
      await this.events(b, stop.signal);
      entry.active = Date.now();
    }, stop.signal)).finally(() => signal.removeEventListener('abort', onAbort));
    this.held.set(p, entry);
  }

  /** Keep a consumer running until `signal`: start it again after a failure (a stream recreated, NATS gone for long). */
  private async loop(signal: AbortSignal, run: () => Promise<void>): Promise<void> {
    let wait = this.backoff.firstMs;
    while (!signal.aborted) {
      try {
        await run();
        wait = this.backoff.firstMs;
      } catch (err) {
        if (signal.aborted) return;
        this.log(`worker: consumer stopped (${(err as Error).message}); starting it again in ${wait} ms`);
        await this.sleep(wait);
        wait = Math.min(this.backoff.maxMs, wait * 2);
      }
    }
  }

  /**
   * Persist, fold, then ack one batch of events. Stopped midway (`signal`: the partition's
   * lease lost, or the worker stopping), it hands the batch back at once (nak), so the
   * partition's next holder gets it before anything newer.
   */
  async events(batch: Array<BusMessage<unknown>>, signal: AbortSignal = this.opts.signal): Promise<void> {
    try {
      await this.eventsNow(batch, signal);
    } catch (err) {
      // Nothing of a failed batch was acked (acks come last); refused messages were terminated.
      for (const m of batch) if (!this.terminated.has(m)) m.raw.nak();
      throw err;
    }
  }

  /**
   * A partition's messages are folded in stream order, each once: the fold's mark (in
   * Redis, moved by the fold itself) is the last stream seq folded, and a batch is folded
   * only from the message after it. Messages past a hole (ones still with a dead worker, or
   * delivered again out of order) go back (nak) and come again shortly.
   */
  private async eventsNow(delivered: Array<BusMessage<unknown>>, signal: AbortSignal): Promise<void> {
    delivered.sort((a, b) => a.streamSeq - b.streamSeq);
    // A message delivered again while its first delivery still waits here comes twice: it is
    // handled once, and its other delivery answered as it is (acked once it is done, else sent back).
    const all = delivered.filter((m, i) => i === 0 || m.streamSeq !== delivered[i - 1]!.streamSeq);
    const twice = delivered.filter((m, i) => i > 0 && m.streamSeq === delivered[i - 1]!.streamSeq);
    let doneUpTo = -1;
    try {
      doneUpTo = await this.foldInOrder(all, signal);
    } finally {
      for (const m of twice) if (m.streamSeq <= doneUpTo) m.raw.ack(); else m.raw.nak(GAP_RETRY_MS);
    }
  }

  /** eventsNow for messages in stream order, each once; returns the last stream seq handled (-1: none). */
  private async foldInOrder(all: Array<BusMessage<unknown>>, signal: AbortSignal): Promise<number> {
    const name = `${this.opts.bus.prefix}:events:${all[0]!.partition}`;
    // No mark (a new partition, or a flushed state): everything up to the consumer's ack floor was folded (acks come after folds).
    const w = (await this.retry('redis', all, () => this.state.mark(name), signal)) ?? (await this.opts.bus.ackFloor('events', all[0]!.partition));
    let next = w + 1, end = 0;
    for (; end < all.length; end++) {
      const s = all[end]!.streamSeq;
      if (s < next) continue; // folded already: delivered again (its ack was lost)
      if (s !== next) break;
      next++;
    }
    for (const m of all.slice(end)) m.raw.nak(GAP_RETRY_MS);
    this.metrics.heldBack(all.length - end);
    const batch = all.slice(0, end);
    if (batch.length === 0) return -1;
    const mark: FoldMark = { name, first: batch[0]!.streamSeq, last: batch[batch.length - 1]!.streamSeq };
    const good: Array<{ m: BusMessage<unknown>; e: SegueEvent }> = [];
    for (const m of batch) {
      const problem = m.body === undefined ? (m.error ?? 'empty') : storedEventProblem(m.body);
      if (problem === undefined) good.push({ m, e: m.body as SegueEvent });
      else this.refuse(m, `stream seq ${m.streamSeq}: ${problem}`);
    }
    const events = good.map((g) => g.e);
    const result = events.length === 0 ? { accepted: 0, duplicates: 0, rejected: [], seqs: new Float64Array(0) } : await this.retry('store', batch, () => this.opts.store.ingest({ events, wantSeqs: true }), signal);
    this.metrics.persisted(result.accepted, result.duplicates);
    const folded: SeqEvent[] = [];
    const rejected = new Map(result.rejected.filter((r) => r.kind === 'event').map((r) => [r.index, r.reason]));
    good.forEach((g, i) => {
      const reason = rejected.get(i);
      if (reason !== undefined) this.refuse(g.m, `stream seq ${g.m.streamSeq}: ${reason}`);
      else if (result.seqs![i]! > 0) folded.push({ ...g.e, seq: result.seqs![i]! });
    });
    let applied: number;
    try {
      applied = await this.retry('redis', batch, () => this.state.fold(folded, mark), signal);
    } catch (err) {
      if (!(err instanceof FoldGap)) throw err;
      // The mark moved back (a flush) or another holder folds this partition: try again shortly.
      for (const g of good) if (!this.terminated.has(g.m)) g.m.raw.nak(GAP_RETRY_MS);
      this.metrics.heldBack(batch.length);
      return -1;
    }
    this.metrics.folded(applied);
    const now = Date.now();
    const latencies: number[] = [];
    good.forEach((g, i) => {
      if (rejected.has(i)) return;
      g.m.raw.ack();
      latencies.push((now - g.m.publishedMs) / 1000);
      this.metrics.foldLatency(latencies[latencies.length - 1]!);
    });
    // The cluster's histogram, which nodes show: a failure here loses a few observations, nothing else.
    await this.state.cluster.recordFoldLatency(latencies).catch(() => undefined);
    return mark.last;
  }

  /** Log exposures (idempotent on request id), then ack. */
  async exposures(batch: Array<BusMessage<unknown>>): Promise<void> {
    const good: Array<BusMessage<unknown>> = [];
    for (const m of batch) {
      if (m.body !== undefined && typeof (m.body as Exposure).requestId === 'string') good.push(m);
      else this.refuse(m, `exposure stream seq ${m.streamSeq}: ${m.error ?? 'no requestId'}`);
    }
    await this.retry('store', batch, () => Promise.all(good.map((m) => this.opts.store.exposures.append(m.body as Exposure))));
    for (const m of good) {
      m.raw.ack();
      this.metrics.exposure();
    }
  }

  /** A message that can never be stored: terminated (not delivered again), logged and counted. */
  private readonly terminated = new WeakSet<BusMessage<unknown>>();

  private refuse(m: BusMessage<unknown>, why: string): void {
    this.terminated.add(m);
    m.raw.term(why.slice(0, 200));
    this.metrics.refused();
    this.log(`worker: refused ${why}`);
  }

  /**
   * Run `fn` until it succeeds: a service that does not answer is waited for with backoff,
   * the batch's ack deadline extended meanwhile. Gives up only when the worker stops (the
   * batch, unacked, goes to another worker).
   */
  private async retry<T>(what: 'store' | 'redis', batch: Array<BusMessage<unknown>>, fn: () => Promise<T>, signal: AbortSignal = this.opts.signal): Promise<T> {
    let wait = this.backoff.firstMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (signal.aborted || this.opts.signal.aborted || err instanceof FoldGap) throw err;
        this.metrics.retry(what);
        this.log(`worker: ${what} failed (${(err as Error).message}); retrying in ${wait} ms`);
        for (const m of batch) m.raw.working();
        await this.sleep(wait);
        wait = Math.min(this.backoff.maxMs, wait * 2);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.opts.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
