import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Test support for the Redis online state (not part of the build): where the test Redis is,
 * whether it answers, and throwaway key prefixes on it that a test removes afterwards.
 */

/** The Redis tests use: SEGUE_TEST_REDIS, or the local server's db 0. */
export function testRedisUrl(): string {
  return process.env.SEGUE_TEST_REDIS ?? 'redis://127.0.0.1:6379/0';
}

export const REDIS_START_HINT = `start it with redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`;

/**
 * Whether the Redis tests can run: true when the server answers. Under CI (CI=true) an
 * unreachable server throws, so the run fails; elsewhere it warns and the caller skips.
 */
export async function requireRedis(url = testRedisUrl()): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch (err) {
    const msg = `Redis not reachable at ${url} (${(err as Error).message}): ${REDIS_START_HINT}`;
    if (process.env.CI === 'true') throw new Error(msg);
    console.warn(`skipping Redis tests: ${msg}`);
    return false;
  } finally {
    r.disconnect();
  }
}

/** A key prefix of a test's own (`segue-test:<hex>:`), and a function that deletes every key under it. */
export function testPrefix(url = testRedisUrl()): { prefix: string; drop(): Promise<number> } {
  const prefix = `segue-test:${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async drop() {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      r.on('error', () => {});
      await r.connect();
      let n = 0, cursor = '0';
      try {
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) n += await r.del(...keys);
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
      return n;
    },
  };
}
