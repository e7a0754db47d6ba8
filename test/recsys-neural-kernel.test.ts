import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelClient } from '../src/kernel';
import { MIME } from '../src/notebook';
import { run, runStarted, startKernel } from './helpers/kernel';

describe('the neural models in a notebook', () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel();
  });
  afterAll(() => kernel.shutdown());

  it('trains TwoTower with a progress bar, recommends with reasons, and indexes its item vectors', async () => {
    const fit = await run(kernel, 'const data = rl.synthetic({ users: 300, items: 200 });\nconst tt = new rl.TwoTower({ epochs: 3 });\nawait tt.fit(data);');
    expect(fit.reply.status).toBe('ok');
    expect(fit.updates.some((u) => MIME.progress in u)).toBe(true);
    const r = await run(kernel, 'tt.recommend(data.userNames[5], { k: 10 })');
    expect(r.reply.status).toBe('ok');
    expect(String(r.text)).toMatch(/rank.*item.*title.*score.*reason.*like /s);
    const index = await run(
      kernel,
      'const e = tt.itemEmbeddings();\nconst index = rl.ClusterIndex.build(e.data, e.dim, { clusters: 10 });\nconst u = tt.userEmbeddings();\nArray.from(index.search(u.data.subarray(0, u.dim), 5, { nprobe: 10 }).ids).join(",") === Array.from(rl.exactSearch(e.data, e.dim, u.data.subarray(0, u.dim), 5).ids).join(",")',
    );
    expect(index.text).toContain('true');
  });

  it('stops a long TwoTower fit when the cell is interrupted, without restarting the kernel', async () => {
    const pid = kernel.info.pid;
    const { result, started } = runStarted(kernel, 'await new rl.TwoTower({ epochs: 1000 }).fit(data);');
    await started;
    await new Promise((r) => setTimeout(r, 300));
    await kernel.interrupt();
    const r = await result;
    expect(r.reply.status).toBe('interrupted');
    expect(kernel.info.pid).toBe(pid);
  });
});
