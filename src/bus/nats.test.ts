import { describe, it, expect, afterEach } from 'vitest';
import type { SegueEvent } from '../domain/index.js';
import { NatsBus, partitionOf, type BusMessage } from './nats.js';
import { requireNats, testBusPrefix, testNatsUrl } from './testing.js';

const T0 = Date.UTC(2024, 4, 1, 10);
const ev = (i: number, listenerId: string): SegueEvent => ({ type: 'play_end', source: 'test', eventId: `e${i}`, listenerId, trackId: 't1', ts: T0 + i });

const natsUp = await requireNats();

describe.runIf(natsUp)('NatsBus (a real NATS JetStream, streams of its own)', () => {
  const opened: NatsBus[] = [];
  const open = async (opts = {}) => {
    const b = await NatsBus.open(testNatsUrl(), { partitions: 4, ...opts });
    opened.push(b);
    return b;
  };
  afterEach(async () => {
    await opened[0]?.destroy();
    for (const b of opened.splice(0)) await b.close();
  });

  it('stores each event once on its listener partition, a retried publish (same source/eventId) too, in publish order', async () => {
    const bus = await open({ prefix: testBusPrefix() });
    const events = Array.from({ length: 200 }, (_, i) => ev(i, `u${i % 7}`));
    await bus.publishEvents(events.slice(0, 120));
    await bus.publishEvents(events.slice(100)); // 100..119 again: a client's retry
    const got: Array<BusMessage<SegueEvent>> = [];
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 5000);
    await Promise.all([0, 1, 2, 3].map((p) => bus.consume<SegueEvent>('events', p, async (batch) => {
      got.push(...batch);
      for (const m of batch) m.raw.ack();
      if (got.length >= 200) stop.abort();
    }, stop.signal)));
    clearTimeout(timer);
    expect(got).toHaveLength(200);
    expect(new Set(got.map((m) => m.body!.eventId)).size).toBe(200);
    for (const m of got) expect(m.partition).toBe(partitionOf(m.body!.listenerId, 4));
    // One listener's events in the order published.
    const u3 = got.filter((m) => m.body!.listenerId === 'u3').map((m) => Number(m.body!.eventId.slice(1)));
    expect(u3).toEqual([...u3].sort((a, b) => a - b));
    // Acks are sent without waiting: the consumers show none pending once they arrived.
    let lag = await bus.lag('events');
    for (let i = 0; i < 40 && !lag.every((l) => l.pending === 0 && l.unacked === 0); i++) lag = await new Promise((r) => setTimeout(r, 50)).then(() => bus.lag('events'));
    expect(lag.map((l) => l.pending + l.unacked)).toEqual([0, 0, 0, 0]);
  });

  it('holds one batch out per partition: the next batch waits for its ack, an unacked one is delivered again, in order', async () => {
    const bus = await open({ prefix: testBusPrefix(), partitions: 1, batch: 5, ackWaitMs: 2500 });
    await bus.publishEvents(Array.from({ length: 12 }, (_, i) => ev(i, 'u1')));
    const first = await bus.fetch<SegueEvent>('events', 0, 5, 200);
    expect(first.map((m) => m.body!.eventId)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    // A second worker gets nothing while the first holds the batch.
    const other = await open({ prefix: bus.prefix, partitions: 1, batch: 5, ackWaitMs: 2500 });
    expect(await other.fetch('events', 0, 5, 1000)).toHaveLength(0);
    // The first "dies" (no ack): after the ack wait the same batch goes to the other, marked redelivered.
    const again = await other.fetch<SegueEvent>('events', 0, 5, 3000);
    expect(again.map((m) => m.body!.eventId)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(again.every((m) => m.redelivered)).toBe(true);
    for (const m of again) m.raw.ack();
    const next = await other.fetch<SegueEvent>('events', 0, 5, 1000);
    expect(next.map((m) => m.body!.eventId)).toEqual(['e5', 'e6', 'e7', 'e8', 'e9']);
    for (const m of next) m.raw.ack();
  });

  it('consumes a partition in batches as messages arrive, one batch at a time, until stopped', async () => {
    const bus = await open({ prefix: testBusPrefix(), partitions: 1, batch: 50 });
    const seen: number[][] = [];
    const stop = new AbortController();
    let inBatch = 0, most = 0;
    const done = bus.consume<SegueEvent>('events', 0, async (batch) => {
      most = Math.max(most, ++inBatch);
      seen.push(batch.map((m) => Number(m.body!.eventId.slice(1))));
      await new Promise((r) => setTimeout(r, 5));
      for (const m of batch) m.raw.ack();
      inBatch--;
      if (seen.flat().length === 130) stop.abort();
    }, stop.signal);
    await bus.publishEvents(Array.from({ length: 30 }, (_, i) => ev(i, 'u1')));
    await new Promise((r) => setTimeout(r, 100));
    await bus.publishEvents(Array.from({ length: 100 }, (_, i) => ev(30 + i, 'u1')));
    await done;
    expect(seen.flat()).toEqual(Array.from({ length: 130 }, (_, i) => i));
    expect(seen.every((b) => b.length <= 50)).toBe(true);
    expect(most).toBe(1);
  });

  it('marks a payload that is not JSON, and publishes announcements to every node', async () => {
    const bus = await open({ prefix: testBusPrefix(), partitions: 1 });
    await bus.nc.request(`${bus.prefix}.events.0`, 'not json{'); // JetStream acks a core publish to a stream subject
    const [m] = await bus.fetch('events', 0, 5, 500);
    expect(m!.error).toMatch(/not JSON/);
    const node = await open({ prefix: bus.prefix, partitions: 1 });
    const heard = new Promise<[string, unknown]>((resolve) => node.onAnnounce((k, b) => resolve([k, b])));
    await node.nc.flush();
    bus.announce('model', { name: 'als', version: 3 });
    expect(await heard).toEqual(['model', { name: 'als', version: 3 }]);
  });

  it('refuses a bad prefix, a bad partition count and a URL that is not nats://, each in one line', async () => {
    await expect(NatsBus.open(testNatsUrl(), { prefix: 'a.b' })).rejects.toThrow(/letters, digits/);
    await expect(NatsBus.open(testNatsUrl(), { partitions: 0 })).rejects.toThrow(/1\.\.1024/);
    await expect(NatsBus.open('redis://127.0.0.1:6379')).rejects.toThrow(/not a nats:\/\/ URL/);
    await expect(NatsBus.open('nats://127.0.0.1:1')).rejects.toThrow(/cannot connect to NATS/);
  });
});
