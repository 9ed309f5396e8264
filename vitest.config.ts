import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest test files, longest first (measured: about 40 to 120 s each on a shared 2-core
 * machine). They start first, so that the short files fill in beside them and no long file
 * starts last and runs alone at the end. Without this, a fresh clone (no timing cache) runs
 * files in vitest's default order and the suite took about a minute longer.
 */
const LONGEST_FIRST = [
  'src/evaluation/live-off-policy.test.ts',
  'test/e2e/console.test.ts',
  'test/e2e/demo.test.ts',
  'test/e2e/postgres-demo.test.ts',
  'test/e2e/recommend-cli.test.ts',
  'test/e2e/eval-cli.test.ts',
  'test/e2e/scaleout-faults.test.ts',
  'test/e2e/experiment-cli.test.ts',
  'test/e2e/postgres-faults.test.ts',
  'test/e2e/postgres-commands.test.ts',
  'src/evaluation/off-policy.test.ts',
  'test/e2e/postgres-parity.test.ts',
  'test/e2e/postgres-import.test.ts',
  'src/experiments/experiments.test.ts',
  'src/experiments/interleaving.test.ts',
  'src/evaluation/tune.test.ts',
  'test/e2e/scaleout.test.ts',
  'test/e2e/postgres-errors.test.ts',
  'test/e2e/workers.test.ts',
  'test/e2e/import-crash.test.ts',
  'src/evaluation/closed-loop.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rest = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return rest.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two test files at a time, also on a 2-core machine (vitest's default there is one): the
    // suite is mostly single-threaded simulation and training, and takes about two thirds of
    // the serial time (6.4 against 8.6 min on the development machine). Timeouts are wide
    // enough for a file that shares its core.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    sequence: { sequencer: LongestFirst },
  },
});
