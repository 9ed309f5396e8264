import type { Command } from 'commander';
import { openStore } from '../../store/index.js';
import { SubsonicProxy } from '../../subsonic/index.js';
import { CliError } from '../errors.js';
import type { GlobalOptions } from '../context.js';

interface Flags { upstream?: string; port: string; host: string; syncInterval: string; syncUser?: string; timeout: string }

/**
 * A duration flag: a whole number with a unit (ms, s, m, h), or 0.
 *
 * @example duration('--sync-interval', '15m') // 900000
 */
export function duration(flag: string, v: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(v.trim());
  if (m === null || (m[2] === undefined && m[1] !== '0')) throw new CliError(`${flag} must be a duration such as 15m, 90s, 1h or 500ms (0: never), got ${JSON.stringify(v)}`);
  return Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h' ?? 'ms'];
}

export function registerSubsonic(program: Command, globals: () => GlobalOptions): void {
  program
    .command('subsonic')
    .description('an OpenSubsonic-compatible proxy in front of a Subsonic server (Navidrome, Gonic, Airsonic, Supysonic, ...): point clients at it with the same login')
    .option('--upstream <url>', 'the Subsonic server, e.g. http://127.0.0.1:4533 (its base URL, without /rest)')
    .option('--port <port>', 'TCP port to listen on (0 picks a free one)', '4533')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--sync-interval <duration>', 'how often to read the library again: 15m, 1h, ... (0: only at start)', '15m')
    .option('--sync-user <name>', 'log in as this user to sync the library at start, with the password in SEGUE_SUBSONIC_PASSWORD (default: SEGUE_SUBSONIC_USER; without either, the first client login starts the sync)')
    .option('--timeout <duration>', 'how long to wait for the upstream before answering Subsonic error 0', '10s')
    .action(async (flags: Flags) => {
      const g = globals();
      if (flags.upstream === undefined) throw new CliError('--upstream is required: the URL of your Subsonic server, e.g. --upstream http://127.0.0.1:4533');
      const port = Number(flags.port);
      if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new CliError(`--port must be an integer in 0..65535, got ${JSON.stringify(flags.port)}`);
      const syncIntervalMs = duration('--sync-interval', flags.syncInterval);
      const timeoutMs = duration('--timeout', flags.timeout);
      if (timeoutMs <= 0) throw new CliError('--timeout must be more than 0');
      const user = flags.syncUser ?? process.env.SEGUE_SUBSONIC_USER;
      const password = process.env.SEGUE_SUBSONIC_PASSWORD;
      if (user !== undefined && password === undefined) throw new CliError(`the sync user ${JSON.stringify(user)} needs its password in SEGUE_SUBSONIC_PASSWORD (it is kept in memory only)`);
      const log = (m: string): void => void process.stderr.write(`segue subsonic: ${m}\n`);
      const store = await openStore(g.store);
      let proxy: SubsonicProxy;
      try {
        proxy = await SubsonicProxy.start(store, {
          upstream: flags.upstream, port, host: flags.host, syncIntervalMs, timeoutMs, log,
          ...(user !== undefined && password !== undefined ? { syncLogin: { username: user, password } } : {}),
        });
      } catch (err) {
        await store.close();
        throw new CliError((err as Error).message);
      }
      process.stdout.write(`Segue's Subsonic proxy for ${flags.upstream} listening on ${proxy.url} (point clients here with the same login)\n`);
      if (user === undefined) log('no sync login given (--sync-user or SEGUE_SUBSONIC_USER, with SEGUE_SUBSONIC_PASSWORD): the first client login reads the library');
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          log(`${signal}: stopping`);
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await proxy.close();
      await store.close();
    });
}
