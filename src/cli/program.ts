import { Command } from 'commander';
import { registerImport } from './commands/import.js';
import { registerStats } from './commands/stats.js';
import { registerSimulate } from './commands/simulate.js';
import { registerDemo } from './commands/demo.js';
import { registerEval } from './commands/eval.js';
import { registerTrain } from './commands/train.js';
import { registerRecommend } from './commands/recommend.js';
import { registerTradeoff } from './commands/tradeoff.js';
import { registerServe } from './commands/serve.js';
import { registerKeys } from './commands/keys.js';
import { registerExperiment, registerPolicy } from './commands/experiment.js';
import { registerStore } from './commands/store.js';
import { registerWorker } from './commands/worker.js';
import { registerState } from './commands/state.js';
import { registerCluster } from './commands/cluster.js';
import { registerSubsonic } from './commands/subsonic.js';
import type { GlobalOptions } from './context.js';

/**
 * The `segue` command. Every command takes --store (default ./segue.db), --json and --debug;
 * a failure prints one line `segue: <message>` and exits non-zero (a stack trace only with --debug).
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('segue')
    .description('Segue decides what plays next: a personalization and sequencing engine for audio streaming.')
    .option('--store <path>', 'the store: a SQLite file (created if absent), sqlite:<path>, :memory: or postgres://user@host:port/db', process.env.SEGUE_STORE ?? './segue.db')
    .option('--state <url>', 'the online state in Redis, redis://host:port/db, shared by stateless nodes and workers (default: SEGUE_STATE, else embedded in the store)', process.env.SEGUE_STATE)
    .option('--state-prefix <prefix>', 'prefix of the Redis keys', process.env.SEGUE_STATE_PREFIX ?? 'segue:')
    .option('--bus <url>', 'the event bus, nats://host:port (NATS JetStream): accepted events and exposures go there (default: SEGUE_BUS, else none)', process.env.SEGUE_BUS)
    .option('--bus-prefix <prefix>', 'prefix of the bus streams and subjects', process.env.SEGUE_BUS_PREFIX ?? 'segue')
    .option('--bus-partitions <n>', 'partitions of the bus streams, by listener hash (fixed when they are created)', process.env.SEGUE_BUS_PARTITIONS ?? '16')
    .option('--json', 'machine-readable output', false)
    .option('--debug', 'print stack traces on errors', false)
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerImport(program, globals);
  registerStats(program, globals);
  registerSimulate(program, globals);
  registerDemo(program, globals);
  registerTrain(program, globals);
  registerEval(program, globals);
  registerRecommend(program, globals);
  registerTradeoff(program, globals);
  registerServe(program, globals);
  registerKeys(program, globals);
  registerExperiment(program, globals);
  registerPolicy(program, globals);
  registerStore(program, globals);
  registerWorker(program, globals);
  registerState(program, globals);
  registerCluster(program, globals);
  registerSubsonic(program, globals);
  return program;
}
