import type { Redis } from 'ioredis';
import { connectRedis } from './redis-state.js';

/** A count in a fixed window, and the ms left of the window. */
export interface WindowCount {
  count: number;
  ttl: number;
}

/** INCR, starting the window on its first hit; the count and the ms left. */
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { n, ttl }`;

/**
 * Fixed-window counters in Redis (`<prefix>rl:<key>`), shared by every node: the per-key
 * rate limits and the invalid-key lockout hold across the cluster, not per process. A node
 * that cannot reach Redis counts in its own memory meanwhile (`fallback`): limits loosen
 * to per-node for that time, and nothing answers 5xx for it.
 */
export class RedisCounters {
  private constructor(private readonly redis: Redis, private readonly prefix: string, private readonly fallback: { hit(key: string, windowMs: number): Promise<WindowCount>; peek(key: string, windowMs: number): Promise<WindowCount> }) {
    redis.defineCommand('segueHit', { numberOfKeys: 1, lua: HIT });
  }

  static async open(url: string, prefix: string, fallback: RedisCounters['fallback']): Promise<RedisCounters> {
    const redis = connectRedis(url, { commandTimeout: 250 });
    redis.on('error', () => {}); // reconnects by itself; meanwhile a command falls back
    // Not reachable now: counting falls back until it is (a node starts during a Redis outage).
    await redis.connect().catch(() => undefined);
    return new RedisCounters(redis, prefix, fallback);
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    try {
      const [count, ttl] = (await (this.redis as unknown as { segueHit(k: string, ms: number): Promise<[number, number]> }).segueHit(`${this.prefix}rl:${key}`, windowMs));
      return { count, ttl };
    } catch {
      return this.fallback.hit(key, windowMs);
    }
  }

  async peek(key: string, windowMs: number): Promise<WindowCount> {
    try {
      const k = `${this.prefix}rl:${key}`;
      const [[, n], [, ttl]] = (await this.redis.multi().get(k).pttl(k).exec()) as [[null, string | null], [null, number]];
      return n === null || ttl < 0 ? { count: 0, ttl: 0 } : { count: Number(n), ttl };
    } catch {
      return this.fallback.peek(key, windowMs);
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
