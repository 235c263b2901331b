import { defineConfig } from 'vitest/config';

// Two projects in one run. `files`: every test, on the data directory's files. `postgres`: the
// end-to-end suite again, the same test files, on PostgreSQL (OKPAY_TEST_STORE=postgres): every test
// store the harness makes is then a fresh database on the run's server (test/support/pg-e2e.ts).
// `--project files` or `--project postgres` runs one of them (`npm run test:pg` is the second).
//
// Left out of `postgres`, because they are about the data directory's own files or already run both
// stores themselves: the files' layout and modes, a full disk, crashes mid-write, its lock, the schema-2
// upgrade, store copy, the PostgreSQL tests proper; and tests named `[files]` (they edit a store file
// by hand, or never open the suite's store: they run in-process on the memory store, or on a data
// directory of their own). And the files that never open the suite's store, so that on `postgres`
// they would run the very same test again: the man page's, the code cache's, the demo's (its own
// data directory), the README tour's (the same), and the fixtures' (each test a data directory of its
// own, made a test store by loading or generating fixtures).
const FILE_STORE_ONLY = [
  'test/e2e/files.test.ts',
  'test/e2e/disk.test.ts',
  'test/e2e/crash.test.ts',
  'test/e2e/security.test.ts',
  'test/e2e/split-store.test.ts',
  'test/e2e/store-lock.test.ts',
  'test/e2e/schema2-store.test.ts',
  'test/e2e/schema11-store.test.ts',
  'test/e2e/store-copy.test.ts',
  'test/e2e/postgres.test.ts',
  'test/e2e/postgres-refusals.test.ts',
  'test/e2e/man.test.ts',
  'test/e2e/code-cache.test.ts',
  'test/e2e/demo.test.ts',
  'test/e2e/readme.test.ts',
  'test/e2e/fixtures.test.ts',
];

export default defineConfig({
  test: {
    // A hang's bound, not a speed check: an end-to-end test of 30 s on a quiet machine took 80 s
    // under a load of 17, so the bound is 300 s.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // A worker runs its test files one after another in one process, with the modules they import
    // loaded once (vitest's default loads them again for every file): the unit tests' CPU time
    // halves (77 + 26 s -> 37 + 12 s for test/unit). Each test file still runs in a fresh module
    // scope; what the files share is the source modules and the harness's per-worker templates.
    // A test that mocks a module imports what uses it afresh (test/unit/store-lost-lock.test.ts).
    isolate: false,
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine, idle
    // half the time while the end-to-end tests wait for the okpay processes they spawn. With two,
    // a test shares the cores with another file's: the timeouts only catch hangs, so they are wide.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'files',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/pg-cluster.ts', 'test/support/store-templates.ts'],
          env: { OKPAY_BCRYPT_COST: '4' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/e2e/**/*.test.ts'],
          exclude: FILE_STORE_ONLY,
          testNamePattern: /^(?!.*\[files\])/,
          globalSetup: ['test/support/pg-cluster.ts', 'test/support/store-templates.ts'],
          env: { OKPAY_BCRYPT_COST: '4', OKPAY_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
