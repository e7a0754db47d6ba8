import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LineSeriesOption } from 'echarts';
import { type Chart } from '../src/charts';
import type { KernelClient } from '../src/kernel-client';
import { MIME, type MimeBundle, type Output } from '../src/notebook';
import { type History, TrainingContext, setTrainingHost } from '../src/recsys';
import { run, suiteKernel } from './helpers/kernel';

/** The points of each line of a training chart, by name. */
function curves(option: unknown): Record<string, unknown[]> {
  const series = (option as { series: LineSeriesOption[] }).series;
  return Object.fromEntries(series.map((s) => [s.name, s.data as unknown[]]));
}

describe('the live training curves of a fit', () => {
  let clock = 0;
  let shown: Chart[];
  let updates: Chart[];
  beforeAll(() => {
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
  });
  afterAll(() => vi.restoreAllMocks());
  afterEach(() => setTrainingHost(null));

  function host() {
    shown = [];
    updates = [];
    setTrainingHost({
      progress: () => ({ tick() {}, done() {} }),
      check() {},
      show: (value) => (shown.push(value as Chart), { update: (next) => updates.push(next as Chart) }),
    });
  }

  async function fit(epochs: number, msPerEpoch: number, options = {}): Promise<History> {
    const ctx = new TrainingContext('Model', options);
    ctx.begin(epochs);
    for (let e = 1; e <= epochs; e++) {
      clock += msPerEpoch;
      await ctx.epoch(1 / e, e % 2 === 0 ? { recall: e / 10 } : {});
    }
    return ctx.finish();
  }

  it('shows the chart on the first epoch and updates that one output after each later one', async () => {
    host();
    await fit(4, 1000);
    expect(shown).toHaveLength(1);
    expect(curves(shown[0].option).loss).toEqual([[1, 1]]);
    expect(updates.map((u) => curves(u.option).loss.length)).toEqual([2, 3, 4]);
    expect(curves(updates.at(-1)!.option)).toEqual({
      loss: [
        [1, 1],
        [2, 0.5],
        [3, 1 / 3],
        [4, 0.25],
      ],
      recall: [
        [2, 0.2],
        [4, 0.4],
      ],
    });
  });

  it('redraws fast epochs at most every quarter second, and always shows the last', async () => {
    host();
    await fit(10, 1);
    expect(shown).toHaveLength(1);
    expect(updates).toHaveLength(1);
    expect(curves(updates[0].option).loss).toHaveLength(10);
  });

  it('waits for a finite loss before it draws, and leaves out the NaN ones', async () => {
    host();
    const ctx = new TrainingContext('Model');
    ctx.begin(3);
    for (const loss of [NaN, 2, NaN]) {
      clock += 1000;
      await ctx.epoch(loss);
    }
    ctx.finish();
    expect(shown.map((c) => curves(c.option).loss)).toEqual([[[2, 2]]]);
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0].option.title)).toContain('2 of 3 points left out');
  });

  it('shows nothing when the fit is asked for no progress, or has no epochs', async () => {
    host();
    await fit(3, 1000, { progress: false });
    const ctx = new TrainingContext('ItemCF');
    ctx.begin(5);
    await ctx.step(5);
    ctx.finish();
    expect(shown).toEqual([]);
  });

  it('History.chart draws loss and metrics against the epoch with the line builder', async () => {
    const history = await fit(2, 1000, { progress: false });
    const chart = history.chart();
    expect((chart.option.title as { text: string }).text).toBe('Model: training');
    expect(chart.option.xAxis as { type: string; name: string }).toMatchObject({
      type: 'value',
      name: 'epoch',
    });
    expect(curves(chart.option)).toEqual({
      loss: [
        [1, 1],
        [2, 0.5],
      ],
      recall: [[2, 0.2]],
    });
  });

  it('History.chart of a fit without epochs says so, naming the model', () => {
    const ctx = new TrainingContext('ItemCF', { progress: false });
    expect(() => ctx.finish().chart()).toThrow('ItemCF has no training curve: its fit has no epochs');
  });
});

describe('training curves in a notebook', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  const charts = (outputs: Output[]) =>
    outputs.filter((o) => o.output_type === 'display_data' && MIME.echarts in o.data);

  it('model.fit draws one chart beside its progress bar and updates it in place to the last epoch', async () => {
    const r = await run(
      kernel,
      'const data = rl.synthetic({ users: 120, items: 60 });\n' +
        'await new rl.AutoEncoder({ epochs: 3, hidden: [16, 8] }).fit(data);\n' +
        "'fitted'",
    );
    expect(r.reply.status).toBe('ok');
    const shown = charts(r.outputs);
    expect(shown).toHaveLength(1);
    const kinds = r.outputs.map((o) =>
      o.output_type === 'display_data'
        ? MIME.progress in o.data
          ? 'progress'
          : MIME.echarts in o.data
            ? 'chart'
            : 'other'
        : o.output_type,
    );
    expect(kinds.slice(0, 2)).toEqual(['progress', 'chart']);
    const last = shown[0].output_type === 'display_data' ? shown[0].data : ({} as MimeBundle);
    expect(String(last['image/svg+xml'])).toMatch(/^<svg/);
    expect(curves((last[MIME.echarts] as { option: unknown }).option).loss).toHaveLength(3);
    expect(r.updates.filter((u) => MIME.echarts in u).length).toBeGreaterThanOrEqual(1);
  });

  it('a fit without progress shows no chart', async () => {
    const r = await run(
      kernel,
      'await new rl.AutoEncoder({ epochs: 2, hidden: [16, 8] }).fit(data, { progress: false });',
    );
    expect(r.reply.status).toBe('ok');
    expect(charts(r.outputs)).toEqual([]);
  });
});
