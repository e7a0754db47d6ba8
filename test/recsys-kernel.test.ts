import { describe, expect, it } from 'vitest';
import type { KernelClient } from '../src/kernel-client';
import { MIME } from '../src/notebook';
import { run, runStarted, suiteKernel } from './helpers/kernel';

// One kernel for the library's notebook tests: the neural ones reuse the data the first defines.
describe('the recommender library in a notebook', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  /** Interrupts `code` while it runs: the cell stops, and the kernel (its pid) is the same one. */
  async function expectStopsInPlace(code: string): Promise<void> {
    const pid = kernel.info.pid;
    const { result, started } = runStarted(kernel, code);
    await started;
    await new Promise((r) => setTimeout(r, 300));
    await kernel.interrupt();
    const r = await result;
    expect(r.reply.status).toBe('interrupted');
    expect(r.text).not.toMatch(/restarted/);
    expect(kernel.info.pid).toBe(pid);
  }

  it('trains ItemCF on synthetic data with a progress bar and shows a named user’s top 10 as a table', async () => {
    const fit = await run(
      kernel,
      'const data = rl.synthetic({ users: 300, items: 200 });\n' +
        'const model = new rl.ItemCF();\n' +
        'await model.fit(data);\n' +
        'const who: string = data.userNames[3];\n' +
        'who',
    );
    expect(fit.reply.status).toBe('ok');
    expect(fit.updates.some((u) => MIME.progress in u)).toBe(true);
    const result = fit.outputs.find((o) => o.output_type === 'execute_result');
    const who = String(result?.output_type === 'execute_result' ? result.data['text/plain'] : '').replaceAll(
      "'",
      '',
    );
    const r = await run(kernel, 'model.recommend(who, { k: 10 })');
    expect(r.reply.status).toBe('ok');
    const bundle = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(bundle[MIME.table]).toMatchObject({ numRows: 10 });
    expect(String(bundle['text/plain'])).toMatch(/rank.*item.*title.*score.*reason/s);
    const wrong = await run(kernel, `model.recommend('${who}x')`);
    expect(wrong.reply.status).toBe('error');
    expect(wrong.text).toContain(`Closest user names: "${who}"`);
  });

  it('evaluates into a table and a bar chart, and through `import * as rl from "reclab"`', async () => {
    const r = await run(
      kernel,
      "import * as lib from 'reclab';\n" +
        'await lib.evaluate([new lib.MostPopular(), model], lib.leaveLastOut(data), { k: [10] })',
    );
    expect(r.reply.status).toBe('ok');
    expect(r.outputs.some((o) => o.output_type === 'display_data' && MIME.echarts in o.data)).toBe(true);
    expect(r.text).toMatch(/MostPopular[\s\S]*ItemCF/);
  });

  it('stops a long fit when the cell is interrupted, without restarting the kernel', async () => {
    // 5,000 items of 12 users each: EASE inverts for seconds on two cores, and still most of a second on sixteen.
    await run(
      kernel,
      'const wide = rl.Dataset.fromInteractions({\n' +
        '  user: Array.from({ length: 60000 }, (_, i) => `u${i % 2000}`),\n' +
        '  item: Array.from({ length: 60000 }, (_, i) => `i${(i * 7919) % 5000}`),\n' +
        '});',
    );
    await expectStopsInPlace('await new rl.EASE().fit(wide);');
  });

  it('trains TwoTower with a progress bar, recommends with reasons, and indexes its item vectors', async () => {
    const fit = await run(
      kernel,
      'const data = rl.synthetic({ users: 300, items: 200 });\n' +
        'const tt = new rl.TwoTower({ epochs: 3 });\n' +
        'await tt.fit(data);',
    );
    expect(fit.reply.status).toBe('ok');
    expect(fit.updates.some((u) => MIME.progress in u)).toBe(true);
    const r = await run(kernel, 'tt.recommend(data.userNames[5], { k: 10 })');
    expect(r.reply.status).toBe('ok');
    expect(String(r.text)).toMatch(/rank.*item.*title.*score.*reason.*like /s);
    const index = await run(
      kernel,
      'const e = tt.itemEmbeddings();\n' +
        'const index = rl.ClusterIndex.build(e.data, e.dim, { clusters: 10 });\n' +
        'const u = tt.userEmbeddings();\n' +
        'Array.from(index.search(u.data.subarray(0, u.dim), 5, { nprobe: 10 }).ids).join(",") === ' +
        'Array.from(rl.exactSearch(e.data, e.dim, u.data.subarray(0, u.dim), 5).ids).join(",")',
    );
    expect(index.text).toContain('true');
  });

  it('stops a long TwoTower fit when the cell is interrupted, without restarting the kernel', async () => {
    await expectStopsInPlace('await new rl.TwoTower({ epochs: 1000 }).fit(data);');
  });
});
