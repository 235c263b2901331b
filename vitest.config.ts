import { defineConfig } from 'vitest/config';

// `npm run test:pg` runs the end-to-end suite on PostgreSQL (OKPAY_TEST_STORE=postgres): every test
// store the harness makes is then a fresh database (test/support/pg-e2e.ts). Left out there: the
// files about the data directory's files themselves (their layout and modes, a full disk, crashes
// mid-write, the schema-2 upgrade), those that already run both stores on their own, and tests
// named `[files]` (they edit a store file by hand).
const onPostgres = process.env['OKPAY_TEST_STORE'] === 'postgres';
const FILE_STORE_ONLY = [
  'test/e2e/files.test.ts',
  'test/e2e/disk.test.ts',
  'test/e2e/crash.test.ts',
  'test/e2e/security.test.ts',
  'test/e2e/split-store.test.ts',
  'test/e2e/schema2-store.test.ts',
  'test/e2e/store-copy.test.ts',
  'test/e2e/postgres.test.ts',
];

export default defineConfig({
  test: {
    include: onPostgres ? ['test/e2e/**/*.test.ts'] : ['test/**/*.test.ts'],
    ...(onPostgres ? { exclude: FILE_STORE_ONLY, testNamePattern: /^(?!.*\[files\])/ } : {}),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine, idle
    // half the time while the end-to-end tests wait for the okpay processes they spawn. With two,
    // a test shares the cores with another file's: the timeouts only catch hangs, so they are wide.
    maxWorkers: 2,
    globalSetup: ['test/support/pg-cluster.ts'],
    env: { OKPAY_BCRYPT_COST: '4' },
  },
});
