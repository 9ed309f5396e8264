import type { Redis } from 'ioredis';

/** Upper bounds (seconds) of the fold latency histogram's buckets. */
export const FOLD_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What the processes of a deployment coordinate through in Redis, beside the online state:
 * workers' partition leases and liveness, and the cluster's fold latency histogram (which
 * every node shows). Keys under the state's prefix: `lease:`, `alive:`, `foldlat`.
 */
export class RedisCluster {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  /**
   * Take or keep the lease `name` for `owner` for `ttlMs` (a worker's hold on a partition):
   * true when `owner` holds it now. Leases live under `<prefix>lease:`.
   */
  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const r = await this.redis.eval(
      `local v = redis.call('GET', KEYS[1])
       if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
       if v then return 0 end
       redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`,
      1, `${this.prefix}lease:${name}`, owner, ttlMs,
    );
    return r === 1;
  }

  /** Let go of a lease `owner` holds (another's is left alone). */
  async releaseLease(name: string, owner: string): Promise<void> {
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, `${this.prefix}lease:${name}`, owner);
  }

  /** Say `owner` is alive for `ttlMs`, and count who is (`<prefix>alive:<group>`: owners by when they lapse). */
  async heartbeat(group: string, owner: string, ttlMs: number): Promise<number> {
    // A sorted set of owners by when they lapse: one key, however large the key space (no SCAN).
    const key = `${this.prefix}alive:${group}`;
    const r = (await this.redis.eval(
      `local t = redis.call('TIME')
       local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
       redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
       redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
       redis.call('PEXPIRE', KEYS[1], ARGV[2])
       return redis.call('ZCARD', KEYS[1])`,
      1, key, owner, ttlMs,
    )) as number;
    return r;
  }

  /**
   * Add fold latencies (seconds, publish to folded) to the cluster's histogram in Redis
   * (`<prefix>foldlat`: a count per bucket, the sum and the count), which every node shows
   * in its /metrics: one round trip per batch.
   */
  async recordFoldLatency(seconds: readonly number[]): Promise<void> {
    if (seconds.length === 0) return;
    const byBucket = new Map<string, number>();
    let sum = 0;
    for (const s of seconds) {
      const le = FOLD_BUCKETS.find((b) => s <= b);
      const k = le === undefined ? '+Inf' : String(le);
      byBucket.set(k, (byBucket.get(k) ?? 0) + 1);
      sum += s;
    }
    const m = this.redis.multi();
    for (const [k, n] of byBucket) m.hincrby(`${this.prefix}foldlat`, k, n);
    m.hincrbyfloat(`${this.prefix}foldlat`, 'sum', sum).hincrby(`${this.prefix}foldlat`, 'count', seconds.length);
    await m.exec();
  }

  /** The cluster's fold latency histogram, as Prometheus text (empty when no worker recorded any). */
  async foldLatencyMetric(name = 'segue_fold_latency_seconds'): Promise<string> {
    const h = await this.redis.hgetall(`${this.prefix}foldlat`);
    if (h.count === undefined) return '';
    const lines = [`# HELP ${name} From publish on the bus to folded into Redis and persisted, per event, every worker of the cluster`, `# TYPE ${name} histogram`];
    let cum = 0;
    for (const b of FOLD_BUCKETS) {
      cum += Number(h[String(b)] ?? 0);
      lines.push(`${name}_bucket{le="${b}"} ${cum}`);
    }
    lines.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum ?? 0}`, `${name}_count ${h.count}`);
    return lines.join('\n') + '\n';
  }

  /** `owner` leaves `group` (a worker that stops): the others take its share at once. */
  async retire(group: string, owner: string): Promise<void> {
    await this.redis.zrem(`${this.prefix}alive:${group}`, owner);
  }

}
