/**
 * Loads of the cluster benchmark (bench/cluster.ts): recommendation requests with autocannon
 * (as bench/serve.ts sends them), event batches as fast as they are answered, and event
 * batches paced at a fixed rate.
 */
import autocannon from 'autocannon';
import { sleep } from './cluster-procs.js';

export interface LoadResult { rps: number; p50: number; p99: number; requests: number; errors: number }

export interface Recommend { path: string; body: (i: number) => string }

/** The radio and autoplay requests of bench/serve.ts. */
export function recommendLoads(listeners: string[], seeds: string[]): { radio: Recommend; autoplay: Recommend } {
  return {
    radio: { path: '/v1/recommend/radio', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], n: 50, seed: i }) },
    autoplay: { path: '/v1/recommend/autoplay', body: (i) => JSON.stringify({ listenerId: listeners[i % listeners.length], seedTrack: seeds[(i * 7) % seeds.length], seed: i }) },
  };
}

/**
 * Load `urls` (connections spread round robin over them: autocannon takes a list of URLs,
 * which its types do not say) for `seconds`; `before` and `after` run around the measured
 * part only (after a warm-up of `warmup` seconds).
 */
export async function loadRecommend(urls: string[], key: string, r: Recommend, o: { seconds: number; warmup: number; connections: number; around?: { before(): Promise<void>; after(): void } }): Promise<LoadResult> {
  let i = 0;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const run = (duration: number): Promise<autocannon.Result> =>
    autocannon({
      url: (urls.length === 1 ? urls[0]! : urls) as string, connections: o.connections, duration, pipelining: 1,
      requests: [{ method: 'POST', path: r.path, headers, setupRequest: (req: autocannon.Request) => ({ ...req, body: r.body(i++) }) }],
    });
  if (o.warmup > 0) await run(o.warmup);
  await o.around?.before();
  const result = await run(o.seconds);
  o.around?.after();
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, errors: result.non2xx + result.errors + result.timeouts };
}

/** Bodies of POST /v1/events: `batches` x `size` new play_end events of the world's listeners and tracks, ids `<prefix>-<batch>-<k>`. */
export function eventBodies(prefix: string, batches: number, size: number, listeners: string[], tracks: string[]): string[] {
  const now = Date.now();
  const total = batches * size;
  const out: string[] = [];
  for (let b = 0; b < batches; b++) {
    const events = [];
    for (let k = 0; k < size; k++) {
      const g = b * size + k;
      events.push({
        type: 'play_end', eventId: `${prefix}-${b}-${k}`, listenerId: listeners[(g * 7 + b) % listeners.length], trackId: tracks[(g * 31 + k) % tracks.length],
        // In the past, later with every event: each listener's events come in time order.
        ts: now - 300_000 + Math.floor((g * 240_000) / total), msPlayed: 150_000, endReason: k % 4 === 0 ? 'fwdbtn' : 'trackdone',
      });
    }
    out.push(JSON.stringify({ events }));
  }
  return out;
}

export interface PostResult { accepted: number; failed: number; firstMs: number; lastSentMs: number; lastAnswerMs: number; maxBehindMs: number }

async function post(url: string, key: string, body: string): Promise<number> {
  const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /v1/events answered ${res.status}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { accepted: number }).accepted;
}

/** POST every body, `concurrency` at a time, round robin over `urls`, as fast as they are answered. */
export async function postAll(urls: string[], key: string, bodies: string[], concurrency: number): Promise<PostResult> {
  let next = 0, accepted = 0, failed = 0;
  const firstMs = performance.now();
  const lane = async (): Promise<void> => {
    for (let j = next++; j < bodies.length; j = next++) {
      try {
        const n = await post(urls[j % urls.length]!, key, bodies[j]!); // not `accepted += await`: that reads accepted before the wait
        accepted += n;
      } catch (err) {
        failed++;
        if (failed <= 3) process.stderr.write(`bench cluster: ${(err as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const lastAnswerMs = performance.now();
  return { accepted, failed, firstMs, lastSentMs: lastAnswerMs, lastAnswerMs, maxBehindMs: 0 };
}

/** POST the bodies at a fixed pace (`perSecond` batches a second, by timers), round robin over `urls`, without waiting for answers. */
export async function postPaced(urls: string[], key: string, bodies: string[], perSecond: number): Promise<PostResult> {
  let accepted = 0, failed = 0, maxBehindMs = 0;
  const firstMs = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let j = 0; j < bodies.length; j++) {
    const due = firstMs + (j * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else maxBehindMs = Math.max(maxBehindMs, -wait);
    pending.push(post(urls[j % urls.length]!, key, bodies[j]!).then((n) => void (accepted += n), (err: unknown) => {
      failed++;
      if (failed <= 3) process.stderr.write(`bench cluster: ${(err as Error).message}\n`);
    }));
  }
  const lastSentMs = performance.now();
  await Promise.all(pending);
  return { accepted, failed, firstMs, lastSentMs, lastAnswerMs: performance.now(), maxBehindMs };
}
