/**
 * Segue's architecture boundaries (DESIGN.md "Folders", STYLE.md "Layout tells the data
 * flow"), checked by `npm run lint` (and so `npm test`):
 *
 * 1. stage order: a folder of src/ imports only its own stage and earlier ones;
 * 2. storage backends: only src/store/ reaches src/store/sqlite/, src/store/postgres/ and
 *    their drivers (a test may open a SQLite file with better-sqlite3 to check it);
 * 3. public surfaces: another folder is imported through its index.ts; test code may also
 *    use a folder's test helpers (its testing.ts, the store's contract suite), and only
 *    test code may;
 * 4. no circular imports (type-only imports count: they are checked with
 *    tsPreCompilationDeps), and no import that resolves to nothing.
 *
 * A new folder of src/ gets a place in STAGES (rules `stage-unknown*` say so).
 * Run alone: `npx depcruise src bench test`; the import graph: `--output-type dot`.
 */

/**
 * The stage order, earliest first; folders in one group are one stage (they may import each
 * other). This is the order the imports follow, which differs from DESIGN.md's data-flow
 * picture in one place: ingest writes through the store's interfaces (Store.ingest, the
 * event log's sessionize), so store comes before ingest. The simulator writes worlds into a
 * store and its tests read them back through ingest; models' and ranking's tests build
 * worlds with it. experiments assigns listeners to policy variants over surfaces (which know
 * it only as their Assigner interface); evaluation replays and simulates over surfaces with
 * the experiments' Assigner. The Subsonic proxy serves through the server's Serving (models
 * swapped in without a restart). The client's generator reads the server's OpenAPI document; the
 * CLI comes last. bench/ and test/ may import every stage.
 */
const STAGES = [
  ['domain', 'math'],
  ['store'],
  ['bus'],
  ['ingest'],
  ['simulator'],
  ['features'],
  ['models'],
  ['ranking'],
  ['sequencing'],
  ['surfaces'],
  ['experiments'],
  ['evaluation'],
  ['worker'],
  ['server'],
  ['subsonic'],
  ['client'],
  ['cli'],
];

/** Test code: test files, testing.ts helpers, the store's contract suite, the top-level test/ folder. */
const TEST_CODE = ['\\.test\\.ts$', '(^|/)testing\\.ts$', '^src/store/contract/', '^test/'];
/** What a folder offers test code of other folders (the store's contract suite and fixtures, testing.ts helpers). */
const TEST_SURFACE = ['^src/[^/]+/testing\\.ts$', '^src/store/contract/index\\.ts$'];
const TEST_HELPERS = ['(^|/)testing\\.ts$', '^src/store/contract/', '^test/'];
/** Everything in src/ that is not test code. */
const NOT_TEST_CODE = '^src/(?!store/contract/)(?!.*(\\.test|/testing)\\.ts$)';

const any = (folders) => `^src/(${folders.join('|')})/`;

const stageRules = STAGES.slice(0, -1).map((group, i) => ({
  name: `stage-${group.join('-')}`,
  comment:
    `${group.join(' and ')} may import only earlier stages (${STAGES.slice(0, i).flat().join(', ') || 'none'})` +
    `${group.length > 1 ? ' and each other' : ''}; ${STAGES.slice(i + 1).flat().join(', ')} come later. See STAGES in .dependency-cruiser.cjs.`,
  severity: 'error',
  from: { path: any(group) },
  to: { path: any(STAGES.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...stageRules,
    {
      name: 'stage-unknown',
      comment: 'Every folder of src/ has a place in the stage order: add it to STAGES in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: any(STAGES.flat()) },
    },
    {
      name: 'stage-unknown-importer',
      comment: 'Every folder of src/ has a place in the stage order: add it to STAGES in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: any(STAGES.flat()) },
      to: {},
    },
    {
      name: 'console-is-a-client',
      comment: 'The web console (console/) reaches the server only through the public HTTP API: from src/ it imports the typed client (src/client/index.ts) and nothing else.',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^src/', pathNot: '^src/client/(index|openapi)\\.ts$' },
    },
    {
      name: 'nothing-imports-the-console',
      comment: 'The console is a separate app bundled by Vite; the server serves its files (dist/console), it does not import them.',
      severity: 'error',
      from: { pathNot: '^console/' },
      to: { path: '^console/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'store-backend',
      comment: 'Only src/store/ reaches a storage backend or its driver: open a store with openStore(location) from store/index.ts.',
      severity: 'error',
      from: {
        pathNot: [
          '^src/store/',
          // The store benchmark creates and drops its scratch PostgreSQL database as the admin
          // user (CREATE/DROP DATABASE), which no store interface offers yet.
          '^bench/store\\.ts$',
        ],
      },
      to: { path: ['^src/store/(sqlite|postgres)/', '^node_modules/(@types/)?(pg|pg-copy-streams)/'] },
    },
    {
      name: 'state-backend',
      comment: 'Only the Redis online state and counters (src/features/redis-*.ts) and their test support reach the Redis driver: open the state with openOnlineState.',
      severity: 'error',
      from: { pathNot: ['^src/features/redis-[a-z]+\\.ts$', '^src/features/testing\\.ts$'] },
      to: { path: '^node_modules/ioredis/' },
    },
    {
      name: 'bus-backend',
      comment: 'Only src/bus/ reaches the NATS client: use the bus through bus/index.ts.',
      severity: 'error',
      from: { pathNot: '^src/bus/' },
      to: { path: '^node_modules/@nats-io/' },
    },
    {
      name: 'store-backend-sqlite',
      comment: 'Only src/store/ opens SQLite; a test may open a SQLite file with better-sqlite3 to check its integrity.',
      severity: 'error',
      from: { pathNot: ['^src/store/', '\\.test\\.ts$'] },
      to: { path: '^node_modules/(@types/)?better-sqlite3/' },
    },
    {
      name: 'index-only',
      comment: "Import another folder through its index.ts (its public surface); add what you need to that index. Inside a folder, import freely.",
      severity: 'error',
      from: { path: '^(src/[^/]+|bench|test)/', pathNot: TEST_CODE },
      to: { path: '^src/[^/]+/', pathNot: ['^$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'index-only-tests',
      comment: "Test code imports another folder through its index.ts or its test helpers (testing.ts, the store's contract suite); internals only of its own folder.",
      severity: 'error',
      from: { path: '^(src/[^/]+|test)/', pathNot: NOT_TEST_CODE },
      to: { path: '^src/[^/]+/', pathNot: ['^$1/', '^src/[^/]+/index\\.ts$', ...TEST_SURFACE] },
    },
    {
      name: 'test-helpers-in-tests',
      comment: "Test helpers (testing.ts, the store's contract suite, test/) use vitest and are left out of the build: only test code imports them.",
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: TEST_HELPERS },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles (type-only imports included): a cycle hides which side comes first.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports are edges too: a type from a later stage is a back-arrow as well.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
