import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kernels are child processes that load TensorFlow.js and DuckDB: give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll's own default (1 s) is shorter than a kernel's answer on a busy 2-core machine:
    // a list the kernel sends after a run failed CI once for arriving late, not for being wrong.
    expect: { poll: { timeout: 20_000 } },
    pool: 'forks',
    maxWorkers: 2,
  },
});
