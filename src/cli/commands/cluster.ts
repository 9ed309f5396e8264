import type { Command } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { ensurePostgresDatabase, openStore, redactLocation } from '../../store/index.js';
import { openOnlineState, rebuildState, TrackTable, type RedisOnlineState } from '../../features/index.js';
import { positiveInt } from '../args.js';
import { CliError } from '../errors.js';
import { services, type GlobalOptions } from '../context.js';

const DEFAULT_STORE = 'postgres://postgres@127.0.0.1:5432/segue';
const DEFAULT_STATE = 'redis://127.0.0.1:6379/0';
const DEFAULT_BUS = 'nats://127.0.0.1:4222';
/** Largest request body the proxy buffers (the server's default limit). */
const BODY_LIMIT = 4 * 1024 * 1024;

interface Child { name: string; proc: ChildProcess; url?: string }

/** Start `segue <args>` as a child, its output passed on with a name in front; resolves with the first match of `ready` in its output. */
async function child(name: string, args: string[], ready: RegExp, quiet: boolean): Promise<Child> {
  const proc = spawn(process.execPath, [process.argv[1]!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Child = { name, proc };
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CliError(`cluster up: ${name} did not start within 120 s: ${seen.slice(-500)}`)), 120_000);
    const look = (d: Buffer, err: boolean): void => {
      const text = d.toString();
      seen += text;
      if (!quiet) for (const line of text.split('\n')) if (line.trim() !== '') (err ? process.stderr : process.stdout).write(`[${name}] ${line}\n`);
      const m = ready.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', (d: Buffer) => look(d, false));
    proc.stderr!.on('data', (d: Buffer) => look(d, true));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new CliError(`cluster up: ${name} exited with ${code}: ${seen.slice(-500).trim()}`));
    });
  });
  c.url = url;
  return c;
}

/**
 * A round-robin proxy in front of the nodes: each request goes to the next node; a node that
 * does not answer (connection refused, reset) is skipped and the request tried on the next,
 * so one node's death costs no client a failure. Bodies are buffered (up to 4 MiB) for that.
 */
function proxy(nodes: () => string[]): Server {
  let next = 0;
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size <= BODY_LIMIT) chunks.push(d);
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'payload_too_large', message: `request body over ${BODY_LIMIT} bytes` }));
        return;
      }
      const body = Buffer.concat(chunks);
      const all = nodes();
      const attempt = (tries: number): void => {
        const target = new URL(req.url ?? '/', all[next++ % all.length]);
        const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up: IncomingMessage) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        out.on('error', () => {
          if (tries + 1 < all.length) attempt(tries + 1);
          else if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'bad_gateway', message: 'no node answered' }));
        });
        out.end(body);
      };
      attempt(0);
    });
  });
}

/**
 * `segue cluster up`: try the scale-out deployment on one machine: nodes and workers on the
 * local PostgreSQL, Redis and NATS, behind one port (docs/scale-out.md).
 */
export function registerCluster(program: Command, globals: () => GlobalOptions): void {
  const cluster = program.command('cluster').description('try the scale-out deployment on this machine');
  cluster
    .command('up')
    .description(`start stateless nodes and workers on PostgreSQL, Redis and NATS behind one port, until Ctrl-C (defaults: ${DEFAULT_STORE}, ${DEFAULT_STATE}, ${DEFAULT_BUS})`)
    .option('--nodes <n>', 'segue serve processes', '2')
    .option('--workers <n>', 'segue worker processes', '2')
    .option('--port <port>', 'the port of the round-robin proxy in front of the nodes (0 picks one)', '8080')
    .option('--host <host>', 'address of the proxy', '127.0.0.1')
    .action(async (flags: { nodes: string; workers: string; port: string; host: string }) => {
      const g = globals();
      const given = (name: string): boolean => program.getOptionValueSource(name) !== 'default' && program.getOptionValueSource(name) !== undefined;
      const store = given('store') ? g.store : DEFAULT_STORE;
      const s = services({ ...g, state: g.state ?? DEFAULT_STATE, bus: g.bus ?? DEFAULT_BUS });
      const nodes = positiveInt('--nodes', flags.nodes), workers = positiveInt('--workers', flags.workers);
      const port = Number(flags.port);
      if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new CliError(`--port must be an integer in 0..65535, got ${JSON.stringify(flags.port)}`);
      const say = (m: string): void => void process.stderr.write(`segue cluster: ${m}\n`);
      if (store.startsWith('postgres')) if (await ensurePostgresDatabase(store)) say(`created ${redactLocation(store)}`);
      // The state holds the whole log's fold before anyone reads it.
      const st = await openStore(store);
      try {
        const { state } = await openOnlineState(st, await TrackTable.load(st), { redis: { ...s.state!, readTimeoutMs: 10_000 } });
        const redis = state as RedisOnlineState;
        try {
          if (!(await redis.isReady())) {
            say('the Redis state is not ready: folding the event log into it');
            const r = await rebuildState(st, redis);
            say(`state rebuilt: ${r.listeners.toLocaleString('en-US')} listeners, ${r.events.toLocaleString('en-US')} events`);
          }
        } finally {
          await redis.close();
        }
        if ((await st.models.list()).length === 0) say('no model is trained on this store yet: nodes answer 503 until `segue train` (they pick the models up without a restart)');
      } finally {
        await st.close();
      }
      const common = ['--store', store, '--state', s.state!.url, '--state-prefix', s.state!.prefix, '--bus', s.bus!.url, '--bus-prefix', s.bus!.prefix, '--bus-partitions', String(s.bus!.partitions)];
      const children: Child[] = [];
      const stopAll = async (): Promise<void> => {
        for (const c of children) c.proc.kill('SIGTERM');
        await Promise.all(children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null).map((c) => once(c.proc, 'exit')));
      };
      let server: Server;
      try {
        for (let i = 0; i < workers; i++) children.push(await child(`worker ${i + 1}`, [...common, 'worker', '--metrics-port', '0'], /metrics at (http:\/\/\S+)\/metrics/, g.json));
        for (let i = 0; i < nodes; i++) children.push(await child(`node ${i + 1}`, [...common, 'serve', '--port', '0'], /listening on (http:\/\/\S+) /, g.json));
        const nodeUrls = children.filter((c) => c.name.startsWith('node')).map((c) => c.url!);
        server = proxy(() => nodeUrls);
        await new Promise<void>((resolve, reject) => {
          server.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(err.code === 'EADDRINUSE' ? `port ${port} on ${flags.host} is in use: pass --port` : err.message)));
          server.listen(port, flags.host, () => resolve());
        });
      } catch (err) {
        await stopAll();
        throw err;
      }
      const addr = server.address() as { port: number };
      const url = `http://${flags.host}:${addr.port}`;
      const out = {
        url, store: redactLocation(store), state: s.state!.url, bus: s.bus!.url,
        nodes: children.filter((c) => c.name.startsWith('node')).map((c) => c.url), workers: children.filter((c) => c.name.startsWith('worker')).map((c) => `${c.url}/metrics`),
        pids: { nodes: children.filter((c) => c.name.startsWith('node')).map((c) => c.proc.pid), workers: children.filter((c) => c.name.startsWith('worker')).map((c) => c.proc.pid) },
      };
      if (g.json) process.stdout.write(JSON.stringify(out) + '\n');
      else process.stdout.write([`Segue cluster listening on ${url} (round robin over ${nodes} nodes; Ctrl-C stops everything)`, ...out.nodes.map((n, i) => `  node ${i + 1}: ${n}`), ...out.workers.map((w, i) => `  worker ${i + 1}: ${w}`)].join('\n') + '\n');
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          say(`${signal}: stopping the proxy, nodes and workers`);
          server.close();
          void stopAll().then(resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
