import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { SegueEvent } from '../domain/index.js';

/** The bus could not store a message (unreachable, or no acknowledgement in time): the sender should retry later. */
export class BusUnavailable extends Error {
  constructor(message: string, readonly retryAfterSeconds = 2) {
    super(message);
    this.name = 'BusUnavailable';
  }
}

export interface BusOptions {
  /** Names the streams (`<PREFIX>_EVENTS`, `<PREFIX>_EXPOSURES`) and subjects (`<prefix>.events.<p>`): default `segue`. */
  prefix?: string;
  /** Partitions of each stream, by listener hash (default 16). Fixed when a stream is created. */
  partitions?: number;
  /** How long a publish waits for JetStream's acknowledgement (default 2 s). */
  publishTimeoutMs?: number;
  /** Messages a partition's consumer may have out unacknowledged (default BATCH). Fixed when a consumer is created. */
  batch?: number;
  /** How long a delivered message waits for its ack before it is delivered again (default ACK_WAIT_MS). */
  ackWaitMs?: number;
}

export type StreamKind = 'events' | 'exposures';

/** A consumed message: its partition, stream seq, publish time, payload, and the acknowledgements. */
export interface BusMessage<T> {
  partition: number;
  streamSeq: number;
  publishedMs: number;
  redelivered: boolean;
  body: T | undefined;
  /** Why the payload is unusable (not JSON), when it is. */
  error?: string;
  raw: JsMsg;
}

/** Messages a partition's consumer may have out at once: one batch, so a partition's messages are folded in order. */
export const BATCH = 500;
/** How long a fetched message waits for its ack before it is redelivered (a dead worker's batch goes to another). */
export const ACK_WAIT_MS = 10_000;
/** How long a consumer's pull request stays open (a dead worker's request ends within this). */
export const PULL_EXPIRES_MS = 5000;
/** Duplicate window of the streams: a retry with the same Nats-Msg-Id within it is stored once. */
export const DUPLICATE_WINDOW_MS = 120_000;

/** The partition of a listener (FNV-1a of the id): one listener's events stay in order on one. */
export function partitionOf(listenerId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < listenerId.length; i++) h = Math.imul(h ^ listenerId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

/**
 * The event bus on NATS JetStream (DESIGN.md "Storage"): accepted events and exposures on
 * file-backed streams, one per partition of the listeners (their stream seqs have no holes); each message's Nats-Msg-Id is its
 * idempotency key (source/eventId, or the exposure's request id), so a retried publish is
 * stored once. `publish*` resolves only when JetStream has stored every message, and throws
 * BusUnavailable otherwise. Consumers are durable pull consumers, one per stream and
 * partition, shared by every worker.
 *
 * @example
 *   const bus = await NatsBus.open('nats://127.0.0.1:4222');
 *   await bus.publishEvents(events);                   // a node, before it answers 200
 *   const batch = await bus.fetch('events', 3, 500);   // a worker
 */
export class NatsBus {
  readonly prefix: string;
  readonly partitions: number;
  readonly batch: number;
  readonly ackWait: number;
  private readonly timeout: number;
  private announcements = new Set<(kind: string, body: unknown) => void>();

  private constructor(readonly nc: NatsConnection, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager, opts: BusOptions) {
    this.prefix = opts.prefix ?? 'segue';
    this.partitions = opts.partitions ?? 16;
    this.timeout = opts.publishTimeoutMs ?? 2000;
    this.batch = opts.batch ?? BATCH;
    this.ackWait = opts.ackWaitMs ?? ACK_WAIT_MS;
  }

  /** Connect (reconnecting by itself for ever after) and create the streams if absent. */
  static async open(url: string, opts: BusOptions = {}): Promise<NatsBus> {
    const prefix = opts.prefix ?? 'segue';
    if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`bus prefix ${JSON.stringify(prefix)}: letters, digits, - and _ only`);
    const partitions = opts.partitions ?? 16;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new Error(`bus partitions: an integer 1..1024, got ${partitions}`);
    const u = new URL(url);
    if (u.protocol !== 'nats:') throw new Error(`${url}: not a nats:// URL`);
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 2000, name: 'segue' });
    } catch (err) {
      throw new Error(`${url}: cannot connect to NATS (${(err as Error).message})`);
    }
    const jsm = await jetstreamManager(nc);
    const bus = new NatsBus(nc, jetstream(nc), jsm, { ...opts, prefix, partitions });
    for (const kind of ['events', 'exposures'] as const) await bus.ensureStream(kind);
    nc.subscribe(`${prefix}.announce`, {
      callback: (_err, msg) => {
        let doc: { kind?: string; body?: unknown } = {};
        try {
          doc = msg.json();
        } catch {
          return;
        }
        for (const f of bus.announcements) f(doc.kind ?? '', doc.body);
      },
    });
    return bus;
  }

  /**
   * The stream of a partition: one per partition, so that a partition's stream sequence
   * numbers run 1, 2, 3… with no gap, and a worker can tell that it holds every message
   * before the ones it folds (see Worker).
   */
  streamName(kind: StreamKind, partition: number): string {
    return `${this.prefix}_${kind}_${partition}`.toUpperCase().replace(/-/g, '_');
  }

  subject(kind: StreamKind, partition: number): string {
    return `${this.prefix}.${kind}.${partition}`;
  }

  consumerName(kind: StreamKind, partition: number): string {
    return `${this.prefix}-${kind}-p${partition}`;
  }

  private async ensureStream(kind: StreamKind): Promise<void> {
    for (let p = 0; p < this.partitions; p++) {
      const name = this.streamName(kind, p);
      try {
        await this.jsm.streams.info(name);
      } catch {
        await this.jsm.streams.add({
          name, subjects: [this.subject(kind, p)], storage: StorageType.File, retention: RetentionPolicy.Limits,
          duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000, max_age: 7 * 86_400 * 1e9,
        });
      }
      await this.jsm.consumers.add(name, {
        durable_name: this.consumerName(kind, p), ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All, max_ack_pending: this.batch, ack_wait: this.ackWait * 1_000_000, max_deliver: -1,
      });
    }
  }

  /** Publish events, each on its listener's partition; resolves when JetStream stored them all. */
  async publishEvents(events: readonly SegueEvent[]): Promise<{ duplicates: number }> {
    return this.publishAll('events', events.map((e) => ({ key: e.listenerId, id: `${e.source}/${e.eventId}`, body: e })));
  }

  /** Publish exposures (by listener, keyed by request id). */
  async publishExposures(exposures: ReadonlyArray<{ listenerId: string; requestId: string }>): Promise<{ duplicates: number }> {
    return this.publishAll('exposures', exposures.map((x) => ({ key: x.listenerId, id: x.requestId, body: x })));
  }

  /** Publish every item; how many JetStream already held (same Nats-Msg-Id within the duplicate window). */
  private async publishAll(kind: StreamKind, items: Array<{ key: string; id: string; body: unknown }>): Promise<{ duplicates: number }> {
    if (this.nc.isClosed() || this.nc.isDraining()) throw new BusUnavailable('the event bus connection is closed');
    const results = await Promise.allSettled(
      items.map((it) => this.js.publish(this.subject(kind, partitionOf(it.key, this.partitions)), JSON.stringify(it.body), { msgID: it.id, timeout: this.timeout })),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw new BusUnavailable(`the event bus stored ${results.length - failed.length} of ${results.length} messages: ${(failed[0] as PromiseRejectedResult).reason instanceof Error ? ((failed[0] as PromiseRejectedResult).reason as Error).message : 'no acknowledgement'}`);
    let duplicates = 0;
    for (const r of results) if (r.status === 'fulfilled' && r.value.duplicate) duplicates++;
    return { duplicates };
  }

  /**
   * Up to `max` messages of a partition, waiting at most `waitMs`. The consumer has at most
   * one batch out unacknowledged (max_ack_pending); a message not acked within the ack wait
   * is delivered again (not necessarily in stream order: see Worker for how order is kept).
   */
  async fetch<T>(kind: StreamKind, partition: number, max = this.batch, waitMs = 1000): Promise<Array<BusMessage<T>>> {
    const c = await this.js.consumers.get(this.streamName(kind, partition), this.consumerName(kind, partition));
    const msgs = await c.fetch({ max_messages: max, expires: Math.max(1000, waitMs) });
    const out: Array<BusMessage<T>> = [];
    for await (const m of msgs) out.push(this.message<T>(m, partition));
    return out;
  }

  /**
   * Consume a partition until `signal` aborts: messages as they arrive, handed to `onBatch`
   * in batches (what arrived within `lingerMs` of the first, at most the consumer's batch),
   * one batch at a time. `onBatch` acknowledges what it has made durable; a batch it fails
   * on is left unacknowledged and comes again after the ack wait. The consumer reconnects
   * by itself when NATS restarts.
   */
  async consume<T>(kind: StreamKind, partition: number, onBatch: (batch: Array<BusMessage<T>>) => Promise<void>, signal: AbortSignal, lingerMs = 2): Promise<void> {
    const c = await this.js.consumers.get(this.streamName(kind, partition), this.consumerName(kind, partition));
    const msgs = await c.consume({ max_messages: this.batch, expires: PULL_EXPIRES_MS });
    const stop = (): void => void msgs.stop();
    signal.addEventListener('abort', stop, { once: true });
    const queue: Array<BusMessage<T>> = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const reading = (async () => {
      try {
        for await (const m of msgs) {
          queue.push(this.message<T>(m, partition));
          wake?.();
        }
      } finally {
        ended = true;
        wake?.();
      }
    })();
    try {
      while (!signal.aborted) {
        if (queue.length === 0) {
          if (ended) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        if (queue.length < this.batch && lingerMs > 0) await new Promise((r) => setTimeout(r, lingerMs));
        await onBatch(queue.splice(0, this.batch));
      }
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
      await reading.catch(() => undefined);
      // Delivered but not handled: back to the consumer at once, ahead of newer messages, for whoever consumes next.
      for (const m of queue) m.raw.nak();
    }
  }

  private message<T>(m: JsMsg, partition: number): BusMessage<T> {
    const item: BusMessage<T> = { partition, streamSeq: m.seq, publishedMs: Math.floor(Number(m.info.timestampNanos) / 1e6), redelivered: m.redelivered, body: undefined, raw: m };
    try {
      item.body = m.json<T>();
    } catch (err) {
      item.error = `not JSON (${(err as Error).message})`;
    }
    return item;
  }

  /** The stream seq up to which a partition's consumer has every message acknowledged (0: none). */
  async ackFloor(kind: StreamKind, partition: number): Promise<number> {
    return (await this.jsm.consumers.info(this.streamName(kind, partition), this.consumerName(kind, partition))).ack_floor.stream_seq;
  }

  /** A partition's messages not yet delivered (pending) and delivered but not acked (unacked). */
  async partitionLag(kind: StreamKind, partition: number): Promise<{ pending: number; unacked: number }> {
    const info = await this.jsm.consumers.info(this.streamName(kind, partition), this.consumerName(kind, partition));
    return { pending: info.num_pending, unacked: info.num_ack_pending };
  }

  /** Messages of each partition not yet delivered, and delivered but not acked. */
  async lag(kind: StreamKind): Promise<Array<{ partition: number; pending: number; unacked: number }>> {
    const out = [];
    for (let p = 0; p < this.partitions; p++) {
      const info = await this.jsm.consumers.info(this.streamName(kind, p), this.consumerName(kind, p));
      out.push({ partition: p, pending: info.num_pending, unacked: info.num_ack_pending });
    }
    return out;
  }

  /** Tell every node: a model version, an experiment change, a key revocation. */
  announce(kind: string, body: unknown = null): void {
    this.nc.publish(`${this.prefix}.announce`, JSON.stringify({ kind, body }));
  }

  onAnnounce(f: (kind: string, body: unknown) => void): () => void {
    this.announcements.add(f);
    return () => this.announcements.delete(f);
  }

  /** Delete this prefix's streams (and their consumers): a test's or a teardown's cleanup. */
  async destroy(): Promise<void> {
    for (const kind of ['events', 'exposures'] as const) for (let p = 0; p < this.partitions; p++) await this.jsm.streams.delete(this.streamName(kind, p)).catch(() => false);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
