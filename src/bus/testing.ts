import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';

/** Test support for the bus (not part of the build): where the test NATS is, whether it answers, and a prefix of a test's own. */

export function testNatsUrl(): string {
  return process.env.SEGUE_TEST_NATS ?? 'nats://127.0.0.1:4222';
}

export const NATS_START_HINT =
  'start it with start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log';

/** Whether the NATS tests can run. Under CI (CI=true) an unreachable server throws; elsewhere it warns and the caller skips. */
export async function requireNats(url = testNatsUrl()): Promise<boolean> {
  try {
    const u = new URL(url);
    const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, timeout: 2000, reconnect: false });
    await nc.close();
    return true;
  } catch (err) {
    const msg = `NATS not reachable at ${url} (${(err as Error).message}): ${NATS_START_HINT}`;
    if (process.env.CI === 'true') throw new Error(msg);
    console.warn(`skipping NATS tests: ${msg}`);
    return false;
  }
}

/** A bus prefix of a test's own (streams and subjects apart from every other test's). */
export function testBusPrefix(): string {
  return `segue-test-${randomBytes(5).toString('hex')}`;
}
