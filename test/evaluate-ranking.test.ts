import { afterEach, describe, expect, it } from 'vitest';
import { Chart, renderSvg } from '../src/charts';
import { tableHtml, tableText } from '../src/data';
import { FeatureSet } from '../src/recsys/data/features';
import { RankingSamples, TASKS, type RankingSplit, type Task } from '../src/recsys/data/ranking-samples';
import { History, setTrainingHost, type EpochLog, type FitOptions } from '../src/recsys/engine/training';
import { RankingEvaluation, aucCurves, evaluateRanking } from '../src/recsys/evaluation/evaluate-ranking';
import { auc, calibration, gauc, logLoss } from '../src/recsys/evaluation/ranking-metrics';
import type { Predictions, Ranker } from '../src/recsys/models/ranking/ranking-model';

// ——— hand-built samples and a ranker with fixed predictions ———

/** Samples of `users` (user indices), with the given labels per task (missing tasks: all 0). */
function samples(name: string, users: number[], labels: Partial<Record<Task, number[]>>): RankingSamples {
  const n = users.length;
  const numUsers = Math.max(0, ...users.map((u) => u + 1));
  const all = {} as Record<Task, Uint8Array>;
  for (const t of TASKS) all[t] = Uint8Array.from(labels[t] ?? new Array<number>(n).fill(0));
  return new RankingSamples({
    name,
    vocabulary: {
      users: Array.from({ length: numUsers }, (_, u) => `u${u}`),
      items: ['i0'],
      categories: ['c0'],
      itemCategory: new Int32Array(1),
      userFeatures: FeatureSet.empty(numUsers),
      itemFeatures: FeatureSet.empty(1),
    },
    log: {
      indptr: new Int32Array(numUsers + 1),
      items: new Int32Array(0),
      categories: new Int32Array(0),
      behaviours: new Int32Array(0),
      times: new Float64Array(0),
    },
    users: Int32Array.from(users),
    items: new Int32Array(n),
    categories: new Int32Array(n),
    times: Float64Array.from(users, (_, i) => i),
    historyEnds: new Int32Array(n),
    labels: all,
  });
}

/** Predicts fixed probabilities (exact in float32); records its fits. */
class Fixed implements Ranker {
  readonly tasks: readonly Task[];
  isFitted: boolean;
  readonly fits: { train: RankingSamples; options: FitOptions | undefined }[] = [];
  constructor(
    readonly name: string,
    private readonly values: Partial<Record<Task, number[]>>,
    { fitted = true, auc: curve = [0.6, 0.7] }: { fitted?: boolean; auc?: number[] } = {},
  ) {
    this.tasks = TASKS.filter((t) => t in values);
    this.isFitted = fitted;
    this.curve = curve;
  }
  private readonly curve: number[];
  async fit(train: RankingSamples, options?: FitOptions): Promise<History> {
    this.fits.push({ train, options });
    this.isFitted = true;
    const epochs: EpochLog[] = this.curve.map((v, i) => ({
      epoch: i + 1,
      loss: 1 / (i + 1),
      seconds: 0,
      metrics: { [`${this.tasks[0]} AUC`]: v },
    }));
    return new History(this.name, epochs, 0);
  }
  predict(s: RankingSamples): Predictions {
    const out: Predictions = {};
    for (const t of this.tasks) {
      const v = this.values[t]!;
      if (v.length !== s.size) throw new Error('test misuse: predictions of the wrong length');
      out[t] = Float32Array.from(v);
    }
    return out;
  }
  scoreItems(): Float32Array {
    throw new Error('not used');
  }
}

// Users 0 and 1, three test samples each; nobody buys; everybody carts.
const TEST_USERS = [0, 0, 0, 1, 1, 1];
const CLICK = [1, 0, 0, 1, 1, 0];
const A_CLICK = [0.75, 0.25, 0.875, 0.5, 0.875, 0.125];

function split(): RankingSplit {
  return {
    name: 'tiny',
    train: samples('train', [0, 1], { click: [1, 0] }),
    test: samples('test', TEST_USERS, { click: CLICK, cart: [1, 1, 1, 1, 1, 1] }),
    description: 'hand-built',
  };
}

const shown: unknown[] = [];
function capture(): void {
  shown.length = 0;
  setTrainingHost({
    progress: () => ({ tick() {}, done() {} }),
    check() {},
    show: (v) => (shown.push(v), { update() {} }),
  });
}
afterEach(() => setTrainingHost(null));

type Series = { name: string; type: string; data: unknown[] };
const seriesOf = (c: Chart) => c.option.series as Series[];

// ——— the metrics ———

describe('ranking metrics, by hand', () => {
  it('AUC counts the pairs in the right order, ties half', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    // Positives 0.5 and 0.9, negatives 0.5 and 0.2: 0.5 ties 0.5 (half), the other three pairs are right.
    expect(auc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBeCloseTo(3.5 / 4, 12);
    expect(auc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0])).toBe(0.5);
    expect(auc([0.9, 0.1], [0, 1])).toBe(0);
    // Only the given rows.
    expect(auc([0.9, 0.1, 0.5, 0.2], [1, 1, 0, 0], [1, 2])).toBe(0);
  });

  it('AUC is null, never NaN, without one of the classes', () => {
    expect(auc([0.2, 0.7], [0, 0])).toBeNull();
    expect(auc([0.2, 0.7], [1, 1])).toBeNull();
    expect(auc([], [])).toBeNull();
  });

  it('GAUC weights each user’s AUC by the user’s samples and leaves one-class users out', () => {
    const users = Int32Array.from([0, 0, 0, 1, 1, 2, 2]);
    // User 0: positive 0.5 against negatives 0.9 and 0.2 → 0.5, weight 3. User 1: 0.3 below 0.6 → 0,
    // weight 2. User 2: no positive.
    const scores = [0.5, 0.9, 0.2, 0.3, 0.6, 0.1, 0.8];
    const labels = [1, 0, 0, 1, 0, 0, 0];
    expect(gauc(scores, labels, users)).toBeCloseTo((0.5 * 3 + 0 * 2) / 5, 12);
    expect(gauc([0.1, 0.2], [1, 0], Int32Array.from([0, 1]))).toBeNull();
  });

  it('log loss is the mean cross-entropy, clipped away from 0 and 1', () => {
    expect(logLoss([0.25, 0.5, 0.75], [1, 0, 1])).toBeCloseTo(
      -(Math.log(0.25) + Math.log(0.5) + Math.log(0.75)) / 3,
      12,
    );
    expect(logLoss([0, 1], [0, 1])).toBeCloseTo(-Math.log(1 - 1e-7), 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-7), 9);
    expect(logLoss([], [])).toBeNull();
  });

  it('calibration bins the predictions by value, equal counts, mean prediction against observed rate', () => {
    const p = [0.8, 0.1, 0.6, 0.3, 0.2, 0.7, 0.4, 0.5];
    const y = [1, 0, 1, 0, 0, 0, 1, 0];
    const bins = calibration(p, y, 4);
    expect(bins.map((b) => b.count)).toEqual([2, 2, 2, 2]);
    expect(bins.map((b) => b.predicted)).toEqual([0.15, 0.35, 0.55, 0.75].map((v) => expect.closeTo(v, 12)));
    expect(bins.map((b) => b.observed)).toEqual([0, 0.5, 0.5, 0.5]);
    // Fewer samples than bins: no empty bin.
    expect(calibration([0.2, 0.4, 0.9], [0, 1, 1], 10)).toEqual([
      { predicted: 0.2, observed: 0, count: 1 },
      { predicted: 0.4, observed: 1, count: 1 },
      { predicted: 0.9, observed: 1, count: 1 },
    ]);
    expect(calibration([], [], 10)).toEqual([]);
  });
});

// ——— the evaluation ———

describe('evaluateRanking', () => {
  it('gives AUC, GAUC, log loss and calibration per model and task, as computed by hand', async () => {
    capture();
    const a = new Fixed('A', { click: A_CLICK, buy: new Array(6).fill(0.125) });
    const b = new Fixed('B', { click: new Array(6).fill(0.5) });
    const e = await evaluateRanking([a, b], split(), { progress: false });
    expect(e).toBeInstanceOf(RankingEvaluation);
    expect(e.tasks).toEqual(['click', 'buy']);
    expect(e.columnNames).toEqual([
      'model',
      'task',
      'samples',
      'positives',
      'AUC',
      'GAUC',
      'log_loss',
      'predicted_rate',
      'observed_rate',
      'calibration',
      'fit_s',
      'predict_s',
      'note',
    ]);
    const rows = e.rows();
    expect(rows.map((r) => `${r.model} ${r.task}`)).toEqual(['A click', 'A buy', 'B click']);

    // A on click: positives 0.75, 0.5, 0.875 against negatives 0.25, 0.875, 0.125: 6.5 of 9 pairs
    // (0.875 = 0.875 counts half).
    // Per user: user 0 has 0.75 against 0.25 and 0.875 → 0.5; user 1 has 0.5 and 0.875 above 0.125 → 1; both weigh 3.
    const ll = -(2 * Math.log(0.75) + Math.log(0.125) + Math.log(0.5) + 2 * Math.log(0.875)) / 6;
    expect(rows[0]).toEqual(
      expect.objectContaining({
        samples: 6,
        positives: 3,
        AUC: expect.closeTo(6.5 / 9, 12),
        GAUC: expect.closeTo(0.75, 12),
        log_loss: expect.closeTo(ll, 6),
      }),
    );
    expect(rows[0]).toEqual(
      expect.objectContaining({
        predicted_rate: expect.closeTo(0.5625, 12),
        observed_rate: 0.5,
        calibration: expect.closeTo(1.125, 12),
        note: '',
      }),
    );
    // B knows nothing: every pair ties.
    expect(rows[2]).toEqual(
      expect.objectContaining({
        AUC: 0.5,
        GAUC: 0.5,
        log_loss: expect.closeTo(Math.log(2), 6),
        calibration: 1,
      }),
    );
    // Timings: fitted before, so no fit time; prediction timed.
    expect(rows[0].fit_s).toBeNull();
    expect(rows[0].predict_s).toBeGreaterThanOrEqual(0);
    expect(a.fits).toHaveLength(0);

    // The chart was shown, as rl.evaluate shows its own.
    expect(shown).toHaveLength(1);
    expect(shown[0]).toBeInstanceOf(Chart);
  });

  it('reports AUC of a one-class task as null with a note, shown as NULL, never NaN', async () => {
    const a = new Fixed('A', {
      click: A_CLICK,
      cart: new Array(6).fill(0.75),
      buy: new Array(6).fill(0.125),
    });
    const e = await evaluateRanking(a, split(), { progress: false });
    const byTask = Object.fromEntries(e.rows().map((r) => [r.task, r]));
    expect(byTask.buy).toEqual(
      expect.objectContaining({
        positives: 0,
        AUC: null,
        GAUC: null,
        calibration: null,
        observed_rate: 0,
        note: 'AUC undefined: no positives',
      }),
    );
    expect(byTask.buy.log_loss).toBeCloseTo(-Math.log(0.875), 6);
    expect(byTask.cart).toEqual(
      expect.objectContaining({
        positives: 6,
        AUC: null,
        GAUC: null,
        calibration: 0.75,
        note: 'AUC undefined: no negatives',
      }),
    );
    expect(e.metric('A', 'buy', 'AUC')).toBeNull();
    expect(e.metric('A', 'click', 'AUC')).toBeCloseTo(6.5 / 9, 12);
    // As text and HTML, the missing cells say NULL; nothing says NaN.
    for (const text of [tableText(e), tableHtml(e)]) {
      expect(text).not.toMatch(/NaN/);
      expect(text).toContain('NULL');
      expect(text).toContain('AUC undefined: no positives');
    }
  });

  it('fits a model that is not fitted on the training samples, with options.fit, and keeps its History', async () => {
    const train = split();
    const a = new Fixed('A', { click: A_CLICK }, { fitted: false });
    const e = await evaluateRanking({ mine: a }, train, { fit: { epochs: 3 }, progress: false });
    expect(a.fits).toHaveLength(1);
    expect(a.fits[0].train).toBe(train.train);
    expect(a.fits[0].options).toEqual({ progress: false, epochs: 3 });
    expect(e.rows()[0].model).toBe('mine');
    expect(e.rows()[0].fit_s).toBeGreaterThanOrEqual(0);
    expect(Object.keys(e.histories)).toEqual(['mine']);
    // Evaluated again: it is fitted now, so it is not fitted twice.
    await evaluateRanking(a, train, { progress: false });
    expect(a.fits).toHaveLength(1);
  });

  it('judges only the asked tasks, and only with the models that predict them', async () => {
    const a = new Fixed('A', { click: A_CLICK, buy: new Array(6).fill(0.125) });
    const b = new Fixed('B', { buy: new Array(6).fill(0.25) });
    const e = await evaluateRanking([a, b], split(), { tasks: ['buy'], progress: false });
    expect(e.rows().map((r) => `${r.model} ${r.task}`)).toEqual(['A buy', 'B buy']);
    const both = await evaluateRanking([a, b], split(), { progress: false });
    expect(both.rows().map((r) => `${r.model} ${r.task}`)).toEqual(['A click', 'A buy', 'B buy']);
  });

  it('names two models of one name apart', async () => {
    const e = await evaluateRanking(
      [new Fixed('A', { click: A_CLICK }), new Fixed('A', { click: new Array(6).fill(0.5) })],
      split(),
      { progress: false },
    );
    expect(e.models).toEqual(['A', 'A (2)']);
  });

  it('draws AUC and GAUC as bars, one series per model, grouped by task', async () => {
    const a = new Fixed('A', { click: A_CLICK, buy: new Array(6).fill(0.125) });
    const b = new Fixed('B', { click: new Array(6).fill(0.5) });
    const e = await evaluateRanking([a, b], split(), { progress: false });
    const c = e.chart();
    expect((c.option.xAxis as { data: string[] }).data).toEqual([
      'click AUC',
      'click GAUC',
      'buy AUC',
      'buy GAUC',
    ]);
    const series = seriesOf(c);
    expect(series.map((s) => [s.name, s.type])).toEqual([
      ['A', 'bar'],
      ['B', 'bar'],
    ]);
    expect(series[0].data).toEqual([expect.closeTo(6.5 / 9, 12), expect.closeTo(0.75, 12), null, null]);
    expect(series[1].data).toEqual([0.5, 0.5, null, null]);
    expect((c.option.yAxis as { min: number; max: number }).min).toBe(0.5);
    expect(c.text).toBe('tiny: click AUC A 0.7222, B 0.5000; buy AUC A undefined, B undefined');
    expect(renderSvg(c)).toContain('tiny: AUC and GAUC by task');
  });

  it('draws calibration: predicted against observed per bin, one line per model, and the diagonal', async () => {
    const a = new Fixed('A', { click: A_CLICK });
    const b = new Fixed('B', { click: new Array(6).fill(0.5) });
    const e = await evaluateRanking([a, b], split(), { progress: false });
    // Lines in the order the models were given, not by name.
    const reversed = await evaluateRanking({ Z: a, Y: b }, split(), { progress: false });
    expect(seriesOf(reversed.calibrationChart()).map((s) => s.name)).toEqual(['Z', 'Y', 'calibrated']);
    // 6 samples in 10 bins: six bins of one sample, by predicted value.
    const binsA = e.calibrationCurves.find((c) => c.model === 'A' && c.task === 'click')!.bins;
    expect(binsA.map((x) => x.count)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(binsA.map((x) => x.predicted)).toEqual([0.125, 0.25, 0.5, 0.75, 0.875, 0.875]);
    expect(binsA.slice(0, 4).map((x) => x.observed)).toEqual([0, 0, 1, 1]);
    expect(binsA[4].observed + binsA[5].observed).toBe(1);

    const c = e.calibrationChart();
    const series = seriesOf(c);
    expect(series.map((s) => [s.name, s.type])).toEqual([
      ['A', 'line'],
      ['B', 'line'],
      ['calibrated', 'line'],
    ]);
    expect(series[0].data).toEqual(binsA.map((x) => [x.predicted, x.observed]));
    // B predicts 0.5 for all: six bins at 0.5, half of them positive in all.
    const pointsB = series[1].data as [number, number][];
    expect(pointsB.map(([x]) => x)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(pointsB.reduce((sum, [, y]) => sum + y, 0)).toBe(3);
    // The diagonal spans the axes, which are alike: 0 to a round bound above the largest value.
    expect(series[2].data).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(c.option.title).toEqual(
      expect.objectContaining({
        text: 'tiny: calibration of click',
        subtext: '10 bins of equal count by prediction, per model',
      }),
    );
    expect(c.option.xAxis).toEqual(expect.objectContaining({ min: 0, max: 1, name: 'predicted' }));
    expect(c.option.yAxis).toEqual(expect.objectContaining({ min: 0, max: 1, name: 'observed' }));
    expect(c.text).toBe(
      'calibration of click on tiny (10 bins by prediction): ' +
        'A predicts 56.3% where 50.0% happen, B predicts 50.0% where 50.0% happen',
    );
    expect(renderSvg(c)).toContain('tiny: calibration of click');
    // 40 samples, one positive: 10 bins of 4, none above 0.25 predicted or observed; so both axes end at 0.3,
    // and so does the diagonal.
    const forty = Array.from({ length: 40 }, (_, i) => i);
    const lowTest = samples(
      'test',
      forty.map(() => 0),
      { click: forty.map((i) => (i === 39 ? 1 : 0)) },
    );
    const low = await evaluateRanking(
      new Fixed('Low', { click: forty.map((i) => (i < 20 ? 0.125 : 0.25)) }),
      { ...split(), test: lowTest },
      { progress: false },
    );
    expect(low.calibrationCurves[0].bins.map((x) => x.count)).toEqual(new Array(10).fill(4));
    expect(seriesOf(low.calibrationChart()).at(-1)!.data).toEqual([
      [0, 0],
      [0.3, 0.3],
    ]);
    expect(low.calibrationChart().option.yAxis).toEqual(expect.objectContaining({ min: 0, max: 0.3 }));
    expect(() => e.calibrationChart('buy')).toThrow(
      'calibrationChart: task "buy" was not evaluated; the tasks are click.',
    );
  });

  it('says clearly what is wrong with its input', async () => {
    const a = new Fixed('A', { click: A_CLICK });
    const s = split();
    await expect(evaluateRanking(a, s, { tasks: ['buy'] })).rejects.toThrow(
      'evaluateRanking: no model predicts "buy" (A: click).',
    );
    await expect(evaluateRanking(a, s, { tasks: ['view' as Task] })).rejects.toThrow(
      'evaluateRanking: unknown task "view"; the tasks are click, cart, buy.',
    );
    await expect(evaluateRanking(a, s, { tasks: [] })).rejects.toThrow(/tasks must be a list/);
    await expect(evaluateRanking(a, { ...s, test: samples('empty', [], {}) })).rejects.toThrow(
      'evaluateRanking: the test set of "tiny" is empty; nothing to evaluate (hand-built).',
    );
    await expect(evaluateRanking(new Fixed('None', {}), s)).rejects.toThrow(
      'evaluateRanking: None predicts no task; a ranker predicts one or more of click, cart, buy.',
    );
    await expect(evaluateRanking([], s)).rejects.toThrow('evaluateRanking: no models given');
    await expect(
      evaluateRanking(
        { cf: { name: 'ItemCF', fit: async () => {}, recommend() {} } as unknown as Ranker },
        s,
      ),
    ).rejects.toThrow(
      'evaluateRanking: "cf" is not a ranker (it has no tasks and predict(samples)); ' +
        'rl.evaluate judges retrieval models.',
    );
    await expect(
      evaluateRanking(a, { name: 'x', train: {}, test: {} } as unknown as RankingSplit),
    ).rejects.toThrow(/the split must be a RankingSplit/);
    const nan = new Fixed('Diverged', { click: [0.5, NaN, 0.5, 0.5, 0.5, 0.5] });
    await expect(evaluateRanking(nan, s, { progress: false })).rejects.toThrow(
      'evaluateRanking: Diverged predicted click as NaN for test sample 1: its training diverged',
    );
    const big = new Fixed('Big', { click: [0.5, 2, 0.5, 0.5, 0.5, 0.5] });
    await expect(evaluateRanking(big, s, { progress: false })).rejects.toThrow(
      'predictions must be probabilities in [0, 1]',
    );
    const short = new Fixed('Short', { click: A_CLICK });
    short.predict = () => ({ click: new Float32Array(2) });
    await expect(evaluateRanking(short, s, { progress: false })).rejects.toThrow(
      'evaluateRanking: Short predicts click but gave 2 probabilities for the 6 test samples.',
    );
  });

  it('shows no chart when no AUC is defined, and chart() says why', async () => {
    capture();
    const a = new Fixed('A', { buy: new Array(6).fill(0.125) });
    const e = await evaluateRanking(a, split(), { progress: false });
    expect(shown).toHaveLength(0);
    expect(() => e.chart()).toThrow(
      'RankingEvaluation.chart: no AUC or GAUC to draw on tiny: AUC undefined: no positives.',
    );
  });

  it('moves a progress bar over the models', async () => {
    const bars: { label: string; total: number; value: number }[] = [];
    setTrainingHost({
      progress: (label, total) => {
        const bar = { label, total, value: 0 };
        bars.push(bar);
        return { tick: (n = 1) => void (bar.value += n), done() {} };
      },
      check() {},
      show: () => ({ update() {} }),
    });
    await evaluateRanking([new Fixed('A', { click: A_CLICK }), new Fixed('B', { click: A_CLICK })], split());
    expect(bars).toEqual([{ label: 'evaluating rankers', total: 2, value: 2 }]);
  });
});

// ——— AUC by epoch ———

describe('aucCurves', () => {
  const history = (model: string, values: number[], metric = 'click AUC') =>
    new History(
      model,
      values.map((v, i) => ({ epoch: i + 1, loss: 1, seconds: 0, metrics: { lr: 0.01, [metric]: v } })),
      0,
    );

  it('draws one line per model, x = epoch, from the metric ending in AUC', () => {
    const c = aucCurves([history('DIN', [0.6, 0.7, 0.65]), history('DNN', [0.55, 0.58])]);
    const series = seriesOf(c);
    expect(series.map((s) => s.name)).toEqual(['DIN', 'DNN']);
    expect(series[0].data).toEqual([
      [1, 0.6],
      [2, 0.7],
      [3, 0.65],
    ]);
    // The shorter fit stops at its last epoch.
    expect(series[1].data).toEqual([
      [1, 0.55],
      [2, 0.58],
    ]);
    expect(c.option.title).toEqual(
      expect.objectContaining({
        text: 'click AUC by epoch',
        subtext: 'best: DIN 0.7000 at epoch 2 · DNN 0.5800 at epoch 2',
      }),
    );
    expect(c.option.xAxis).toEqual(expect.objectContaining({ name: 'epoch' }));
    expect(c.option.yAxis).toEqual(expect.objectContaining({ name: 'click AUC' }));
    expect(c.text).toBe('click AUC by epoch: best DIN 0.7000 at epoch 2, DNN 0.5800 at epoch 2');
    expect(renderSvg(c)).toContain('click AUC by epoch');
  });

  it('takes { name: History } and an evaluation that fitted its models', async () => {
    const named = aucCurves({
      mine: history('DIN', [0.6, 0.7]),
      yours: history('DIN', [0.5, 0.6], 'buy AUC'),
    });
    expect(seriesOf(named).map((s) => s.name)).toEqual(['mine', 'yours']);
    expect((named.option.title as { text: string }).text).toBe('AUC by epoch');
    const a = new Fixed('A', { click: A_CLICK }, { fitted: false, auc: [0.61, 0.64, 0.63] });
    const e = await evaluateRanking(a, split(), { progress: false });
    expect(seriesOf(aucCurves(e))[0].data).toEqual([
      [1, 0.61],
      [2, 0.64],
      [3, 0.63],
    ]);
    const before = await evaluateRanking(new Fixed('B', { click: A_CLICK }), split(), { progress: false });
    expect(() => aucCurves(before)).toThrow('aucCurves: this evaluation fitted no model');
  });

  it('says what is wrong with its input', () => {
    const noAuc = new History('LR', [{ epoch: 1, loss: 1, seconds: 0, metrics: {} }], 0);
    expect(() => aucCurves([history('DIN', [0.6]), noAuc])).toThrow(
      "aucCurves: LR's history has no AUC metric (it measured only its loss); " +
        'fit it with validation > 0, or leave it out.',
    );
    expect(() => aucCurves(history('DIN', [0.6]), { metric: 'buy AUC' })).toThrow(
      'aucCurves: DIN\'s history has no "buy AUC" (it measured lr, click AUC)',
    );
    expect(() => aucCurves({ din: new Fixed('DIN', { click: A_CLICK }) as unknown as History })).toThrow(
      'aucCurves: "din" is a model, not its History',
    );
    expect(() => aucCurves([])).toThrow('aucCurves: no histories given');
  });
});

describe('the library exports', () => {
  it('offers the ranking evaluation and its metrics as rl.*', async () => {
    const rl = await import('../src/recsys');
    expect(rl.evaluateRanking).toBe(evaluateRanking);
    expect(rl.RankingEvaluation).toBe(RankingEvaluation);
    expect(rl.aucCurves).toBe(aucCurves);
    expect([rl.auc, rl.gauc, rl.logLoss, rl.calibration]).toEqual([auc, gauc, logLoss, calibration]);
  });
});
