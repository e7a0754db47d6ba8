/**
 * Offline evaluation of rankers on a ranking split: each model predicts the test samples'
 * probabilities once, and every task it predicts is judged by AUC, GAUC, log loss and
 * calibration. A metric that is undefined (AUC of a task whose test labels are all one class)
 * is a missing cell, shown as NULL, with a note saying why; never NaN.
 */
import type { LineSeriesOption } from 'echarts';
import { Table, type ColumnData } from '../../data';
import { bar, line, scatter, Chart } from '../../charts';
import { RankingSamples, TASKS, type RankingSplit, type Task } from '../data/ranking-samples';
import type { Predictions, Ranker } from '../models/ranking/ranking-model';
import { History, TrainingContext, show, type FitOptions } from '../engine/training';
import { auc, calibration, gauc, logLoss, type CalibrationBin } from './ranking-metrics';

export interface EvaluateRankingOptions {
  /** The tasks to judge (default: each model's own). */
  tasks?: readonly Task[];
  /** Options for models that still need fitting on the split's training samples. */
  fit?: FitOptions;
  progress?: boolean;
}

/** One ranker, a list, or `{ name: ranker }`. */
export type Rankers = Ranker | readonly Ranker[] | Readonly<Record<string, Ranker>>;

/** The calibration bins of one model on one task. */
export interface CalibrationCurve {
  model: string;
  task: Task;
  bins: readonly CalibrationBin[];
}

/** Bins of the calibration chart (equal-count bins by predicted probability). */
export const CALIBRATION_BINS = 10;

/**
 * One row per model × task: model, task, samples, positives, AUC, GAUC, log_loss,
 * predicted_rate, observed_rate, calibration (predicted ÷ observed rate), fit_s, predict_s and
 * a note where a metric is undefined. `chart()` draws AUC and GAUC; `calibrationChart(task)`
 * the predicted against the observed rate per bin.
 */
export class RankingEvaluation extends Table {
  constructor(
    columns: ConstructorParameters<typeof Table>[0],
    readonly split: RankingSplit,
    /** The tasks judged, in TASKS order. */
    readonly tasks: readonly Task[],
    /** Per model and task, the calibration bins (10, equal-count). */
    readonly calibrationCurves: readonly CalibrationCurve[],
    /** The History of each fit this evaluation ran (models fitted before are not here): `rl.aucCurves(evaluation)`. */
    readonly histories: Readonly<Record<string, History>>,
  ) {
    super(columns);
  }

  /** The models, in the order evaluated. */
  get models(): string[] {
    return [...new Set(this.column('model') as string[])];
  }

  /** A metric of one model on one task; null where it is undefined or the model does not predict the task. */
  metric(
    model: string,
    task: Task,
    name: 'AUC' | 'GAUC' | 'log_loss' | 'predicted_rate' | 'observed_rate' | 'calibration',
  ): number | null {
    const r = this.rowOf(model, task);
    return r < 0 ? null : (this.value(name, r) as number | null);
  }

  /** AUC and GAUC as bars: one series per model, the groups by task (click AUC, click GAUC, buy AUC, …). */
  chart(): Chart {
    const metrics = this.tasks.flatMap((t) => [`${t} AUC`, `${t} GAUC`]);
    const columns: Record<string, ColumnData> = { metric: metrics };
    let lo = Infinity;
    for (const model of this.models) {
      columns[model] = Float64Array.from(metrics, (m) => {
        const [task, name] = m.split(' ') as [Task, 'AUC' | 'GAUC'];
        const v = this.metric(model, task, name) ?? NaN;
        if (v < lo) lo = v;
        return v;
      });
    }
    if (lo === Infinity) {
      const notes = [...new Set((this.column('note') as string[]).filter(Boolean))];
      throw new Error(
        `RankingEvaluation.chart: no AUC or GAUC to draw on ${this.split.name}` +
          `${notes.length ? `: ${notes.join('; ')}` : ''}.`,
      );
    }
    const drawn = bar(Table.fromColumns(columns), {
      x: 'metric',
      y: this.models,
      title: `${this.split.name}: AUC and GAUC by task`,
    });
    // AUC lives in [0.5, 1] for any model better than chance: bars from 0 would hide the differences.
    const yAxis = {
      ...(drawn.option.yAxis as object),
      name: 'AUC',
      min: Math.min(0.5, Math.floor(lo * 20) / 20),
      max: 1,
    };
    const text = this.tasks
      .map((t) => `${t} AUC ${this.models.map((m) => `${m} ${fixed(this.metric(m, t, 'AUC'))}`).join(', ')}`)
      .join('; ');
    return new Chart(
      { ...drawn.option, yAxis },
      { width: drawn.width, height: drawn.height },
      `${this.split.name}: ${text}`,
    );
  }

  /**
   * Predicted against observed positive rate in 10 equal-count bins, one line per model, and the diagonal of
   * a calibrated model.
   */
  calibrationChart(task: Task = this.tasks[0]): Chart {
    if (!this.tasks.includes(task))
      throw new Error(
        `calibrationChart: task "${task}" was not evaluated; the tasks are ${this.tasks.join(', ')}.`,
      );
    const curves = this.calibrationCurves.filter((c) => c.task === task);
    const model: string[] = [];
    const predicted: number[] = [];
    const observed: number[] = [];
    let hi = 0;
    for (const c of curves) {
      for (const b of c.bins) {
        model.push(c.model);
        predicted.push(b.predicted);
        observed.push(b.observed);
        hi = Math.max(hi, b.predicted, b.observed);
      }
    }
    const drawn = scatter(
      { model, predicted, observed },
      { x: 'predicted', y: 'observed', color: 'model', title: `${this.split.name}: calibration of ${task}` },
    );
    const top = niceCeil(hi);
    // One line per model through its bins, in the order the models were evaluated (the scatter sorts its
    // groups by name).
    const order = this.models;
    const series = (drawn.option.series as LineSeriesOption[])
      .map((s): LineSeriesOption => ({ ...s, type: 'line', symbolSize: 6 }))
      .sort((a, b) => order.indexOf(String(a.name)) - order.indexOf(String(b.name)));
    series.push({
      type: 'line',
      name: 'calibrated',
      data: [
        [0, 0],
        [top, top],
      ],
      showSymbol: false,
      silent: true,
      lineStyle: { type: 'dashed', color: '#999' },
      itemStyle: { color: '#999' },
      tooltip: { show: false },
    });
    const axis = (a: unknown) => ({ ...(a as object), scale: false, min: 0, max: top });
    const text = curves
      .map(
        (c) =>
          `${c.model} predicts ${percent(this.metric(c.model, task, 'predicted_rate'))} ` +
          `where ${percent(this.metric(c.model, task, 'observed_rate'))} happen`,
      )
      .join(', ');
    const option = withSubtitle(drawn, `${CALIBRATION_BINS} bins of equal count by prediction, per model`);
    return new Chart(
      { ...option, xAxis: axis(option.xAxis), yAxis: axis(option.yAxis), series },
      { width: drawn.width, height: drawn.height },
      `calibration of ${task} on ${this.split.name} (${CALIBRATION_BINS} bins by prediction): ${text}`,
    );
  }

  private rowOf(model: string, task: Task): number {
    const models = this.column('model') as string[];
    const tasks = this.column('task') as string[];
    for (let r = 0; r < this.numRows; r++) if (models[r] === model && tasks[r] === task) return r;
    return -1;
  }
}

interface Row {
  model: string;
  task: Task;
  samples: number;
  positives: number;
  auc: number | null;
  gauc: number | null;
  logLoss: number | null;
  predicted: number;
  observed: number;
  fitSeconds: number;
  predictSeconds: number;
  note: string;
}

/**
 * Judges rankers on `split.test`: models not fitted yet are fitted on `split.train` first
 * (with `options.fit`). Returns one row per model × task and shows the AUC chart.
 */
export async function evaluateRanking(
  models: Rankers,
  split: RankingSplit,
  options: EvaluateRankingOptions = {},
): Promise<RankingEvaluation> {
  const named = namedRankers(models);
  if (!split || !(split.train instanceof RankingSamples) || !(split.test instanceof RankingSamples)) {
    throw new Error(
      'evaluateRanking: the split must be a RankingSplit ' +
        '({ name, train, test } of RankingSamples, as rl.rankingSamples makes); ' +
        'rl.evaluate judges retrieval models on a Split.',
    );
  }
  const test = split.test;
  if (test.size === 0)
    throw new Error(
      `evaluateRanking: the test set of "${split.name}" is empty; ` +
        `nothing to evaluate (${split.description ?? 'no description'}).`,
    );
  const tasks = chooseTasks(named, options.tasks);

  const histories: Record<string, History> = {};
  const fitSeconds = new Map<string, number>();
  for (const [name, model] of named) {
    if (model.isFitted) continue;
    const started = performance.now();
    histories[name] = await model.fit(split.train, { progress: options.progress, ...options.fit });
    fitSeconds.set(name, (performance.now() - started) / 1000);
  }

  const ctx = new TrainingContext('evaluating rankers', { progress: options.progress });
  ctx.begin(named.length);
  const rows: Row[] = [];
  const curves: CalibrationCurve[] = [];
  for (const [name, model] of named) {
    const started = performance.now();
    const predictions = model.predict(test);
    const predictSeconds = (performance.now() - started) / 1000;
    for (const task of tasks) {
      if (!model.tasks.includes(task)) continue;
      const p = checkedPredictions(name, predictions, task, test);
      const labels = test.labels[task];
      let positives = 0;
      let sum = 0;
      for (let i = 0; i < p.length; i++) {
        positives += labels[i] > 0 ? 1 : 0;
        sum += p[i];
      }
      const a = auc(p, labels);
      const g = gauc(p, labels, test.users);
      const notes: string[] = [];
      if (a === null) notes.push(`AUC undefined: ${positives ? 'no negatives' : 'no positives'}`);
      else if (g === null) notes.push('GAUC undefined: no user has both classes');
      rows.push({
        model: name,
        task,
        samples: p.length,
        positives,
        auc: a,
        gauc: g,
        logLoss: logLoss(p, labels),
        predicted: sum / p.length,
        observed: positives / p.length,
        fitSeconds: fitSeconds.get(name) ?? NaN,
        predictSeconds,
        note: notes.join('; '),
      });
      curves.push({ model: name, task, bins: calibration(p, labels, CALIBRATION_BINS) });
    }
    await ctx.step();
  }
  ctx.finish();

  // Undefined metrics are NaN in their Float64Array: the table reads and shows them as null (NULL), never NaN.
  const num = (f: (r: Row) => number | null) => Float64Array.from(rows, (r) => f(r) ?? NaN);
  const columns: Record<string, ColumnData> = {
    model: rows.map((r) => r.model),
    task: rows.map((r) => r.task),
    samples: Int32Array.from(rows, (r) => r.samples),
    positives: Int32Array.from(rows, (r) => r.positives),
    AUC: num((r) => r.auc),
    GAUC: num((r) => r.gauc),
    log_loss: num((r) => r.logLoss),
    predicted_rate: num((r) => r.predicted),
    observed_rate: num((r) => r.observed),
    calibration: num((r) => (r.observed > 0 ? r.predicted / r.observed : null)),
    fit_s: num((r) => r.fitSeconds),
    predict_s: num((r) => r.predictSeconds),
    note: rows.map((r) => r.note),
  };
  const evaluation = new RankingEvaluation(
    Table.fromColumns(columns).columns,
    split,
    tasks,
    curves,
    histories,
  );
  // With no AUC anywhere (every task one class) there is no chart; the notes say why.
  if (rows.some((r) => r.auc !== null || r.gauc !== null)) show(evaluation.chart());
  return evaluation;
}

/** The models with unique names, each checked to be a ranker that predicts something. */
function namedRankers(models: Rankers): [string, Ranker][] {
  if (models === null || typeof models !== 'object')
    throw new Error(
      `evaluateRanking: models must be a ranker, a list of rankers or { name: ranker }, got ${String(models)}.`,
    );
  const given: [string, Ranker][] = isRanker(models)
    ? [[models.name, models]]
    : Array.isArray(models)
      ? (models as Ranker[]).map((m, i) => [m?.name ?? `models[${i}]`, m])
      : Object.entries(models as Record<string, Ranker>);
  if (!given.length)
    throw new Error('evaluateRanking: no models given; pass a ranker, a list or { name: ranker }.');
  const seen = new Set<string>();
  return given.map(([name, model]) => {
    if (!isRanker(model)) {
      const retrieval = typeof (model as { recommend?: unknown } | null)?.recommend === 'function';
      throw new Error(
        `evaluateRanking: "${name}" is not a ranker (it has no tasks and predict(samples))` +
          `${retrieval ? '; rl.evaluate judges retrieval models' : ''}.`,
      );
    }
    if (!model.tasks.length)
      throw new Error(
        `evaluateRanking: ${name} predicts no task; a ranker predicts one or more of ${TASKS.join(', ')}.`,
      );
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name} (${n})`;
    seen.add(unique);
    return [unique, model];
  });
}

function isRanker(m: unknown): m is Ranker {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as Ranker).fit === 'function' &&
    typeof (m as Ranker).predict === 'function' &&
    Array.isArray((m as Ranker).tasks)
  );
}

/**
 * The asked tasks (checked: each known and predicted by some model), or every task some model predicts; in
 * TASKS order.
 */
function chooseTasks(named: readonly [string, Ranker][], asked: readonly Task[] | undefined): Task[] {
  const predicted = new Set(named.flatMap(([, m]) => m.tasks));
  const who = () => named.map(([n, m]) => `${n}: ${m.tasks.join(', ')}`).join('; ');
  if (asked === undefined) return TASKS.filter((t) => predicted.has(t));
  if (!Array.isArray(asked) || !asked.length)
    throw new Error(
      `evaluateRanking: tasks must be a list of ${TASKS.join(', ')}, got ${JSON.stringify(asked)}.`,
    );
  for (const t of asked) {
    if (!(TASKS as readonly string[]).includes(t))
      throw new Error(`evaluateRanking: unknown task "${t}"; the tasks are ${TASKS.join(', ')}.`);
    if (!predicted.has(t)) throw new Error(`evaluateRanking: no model predicts "${t}" (${who()}).`);
  }
  return TASKS.filter((t) => asked.includes(t));
}

/** The model's probabilities for `task`: one per sample, each a number in [0, 1]. */
function checkedPredictions(
  name: string,
  predictions: Predictions,
  task: Task,
  test: RankingSamples,
): Float32Array {
  const p = predictions?.[task];
  if (!p || p.length !== test.size) {
    throw new Error(
      `evaluateRanking: ${name} predicts ${task} but gave ${p ? `${p.length} probabilities` : 'none'} ` +
        `for the ${test.size} test samples.`,
    );
  }
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (!(v >= 0 && v <= 1)) {
      throw new Error(
        Number.isNaN(v)
          ? `evaluateRanking: ${name} predicted ${task} as NaN for test sample ${i}: ` +
              'its training diverged (a loss of NaN?). Fit it again, with a lower learning rate.'
          : `evaluateRanking: ${name} predicted ${task} as ${v} for test sample ${i}; ` +
              'predictions must be probabilities in [0, 1].',
      );
    }
  }
  return p;
}

// ——— AUC by epoch ———

export interface AucCurvesOptions {
  /** The metric to draw (default: each history's first metric ending in "AUC", e.g. "click AUC"). */
  metric?: string;
  title?: string;
}

/**
 * Histories to draw: one, a list (named by their model), `{ name: History }`, or an evaluation that fitted
 * its models.
 */
export type AucCurvesInput =
  History | readonly History[] | Readonly<Record<string, History>> | RankingEvaluation;

/**
 * The validation AUC of several fits by epoch in one chart, one line per model (x = epoch),
 * from the Histories their `fit` returned.
 */
export function aucCurves(input: AucCurvesInput, options: AucCurvesOptions = {}): Chart {
  const named = namedHistories(input);
  const columns: Record<string, ColumnData> = {};
  const epochs = [...new Set(named.flatMap(([, h]) => h.epochs.map((e) => e.epoch)))].sort((a, b) => a - b);
  const summary: string[] = [];
  const metrics = new Set<string>();
  for (const [name, h] of named) {
    const metric =
      options.metric ?? h.epochs.flatMap((e) => Object.keys(e.metrics)).find((m) => m.endsWith('AUC'));
    const measured = [...new Set(h.epochs.flatMap((e) => Object.keys(e.metrics)))];
    if (!metric || !measured.includes(metric)) {
      const what = options.metric ? `"${options.metric}"` : 'AUC metric';
      throw new Error(
        `aucCurves: ${name}'s history has no ${what} ` +
          `(it measured ${measured.length ? measured.join(', ') : 'only its loss'}` +
          `${h.epochs.length ? '' : '; it has no epochs'}); fit it with validation > 0, or leave it out.`,
      );
    }
    metrics.add(metric);
    const byEpoch = new Map(h.epochs.map((e) => [e.epoch, e.metrics[metric]]));
    columns[name] = Float64Array.from(epochs, (e) => byEpoch.get(e) ?? NaN);
    let best = -1;
    for (const e of h.epochs)
      if (
        Number.isFinite(e.metrics[metric]) &&
        (best < 0 || e.metrics[metric] > h.epochs[best].metrics[metric])
      )
        best = h.epochs.indexOf(e);
    if (best >= 0)
      summary.push(`${name} ${h.epochs[best].metrics[metric].toFixed(4)} at epoch ${h.epochs[best].epoch}`);
  }
  const metric = metrics.size === 1 ? [...metrics][0] : 'AUC';
  const names = named.map(([n]) => n);
  const drawn = line(Table.fromColumns({ epoch: Int32Array.from(epochs), ...columns }), {
    x: 'epoch',
    y: names,
    title: options.title ?? `${metric} by epoch`,
  });
  // Fits of different lengths leave cells empty: not "missing" points. The subtitle names each model's best
  // epoch instead.
  const option = withSubtitle(drawn, `best: ${summary.join(' · ')}`);
  option.yAxis = { ...(option.yAxis as object), name: metric };
  return new Chart(
    option,
    { width: drawn.width, height: drawn.height },
    `${option.title && (option.title as { text: string }).text}: best ${summary.join(', ')}`,
  );
}

function namedHistories(input: AucCurvesInput): [string, History][] {
  let given: [string, unknown][];
  if (input instanceof RankingEvaluation) {
    given = Object.entries(input.histories);
    if (!given.length)
      throw new Error(
        'aucCurves: this evaluation fitted no model (they were fitted before it); ' +
          'pass the Histories their fit returned: aucCurves({ DIN: await din.fit(train), … }).',
      );
  } else if (input instanceof History) given = [[input.model, input]];
  else if (Array.isArray(input)) given = input.map((h, i) => [h instanceof History ? h.model : `[${i}]`, h]);
  else if (input !== null && typeof input === 'object') given = Object.entries(input);
  else throw new Error(`aucCurves: pass Histories (a list or { name: History }), got ${String(input)}.`);
  if (!given.length) throw new Error('aucCurves: no histories given; pass the Histories that fit returned.');
  const seen = new Set<string>();
  return given.map(([name, h]) => {
    if (!(h instanceof History)) {
      const model = typeof (h as { fit?: unknown } | null)?.fit === 'function';
      throw new Error(
        model
          ? `aucCurves: "${name}" is a model, not its History; ` +
              'pass what its fit returned: const history = await model.fit(train).'
          : `aucCurves: "${name}" is not a History; pass what a model's fit returned.`,
      );
    }
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name} (${n})`;
    seen.add(unique);
    return [unique, h];
  });
}

/** The chart's option with its subtitle replaced, the legend and plot moved down if it had none. */
function withSubtitle(chart: Chart, subtext: string): Chart['option'] {
  const option = { ...chart.option };
  const title = option.title as { subtext?: string };
  // The height the builders give a subtitle (src/charts/heading.ts).
  const shift = title.subtext ? 0 : 18;
  option.title = { ...title, subtext };
  if (option.legend)
    option.legend = {
      ...(option.legend as object),
      top: ((option.legend as { top: number }).top ?? 40) + shift,
    };
  if (option.grid)
    option.grid = { ...(option.grid as object), top: ((option.grid as { top: number }).top ?? 0) + shift };
  return option;
}

function fixed(v: number | null): string {
  return v === null ? 'undefined' : v.toFixed(4);
}

function percent(v: number | null): string {
  return v === null ? 'undefined' : `${(v * 100).toPrecision(3)}%`;
}

/** A round upper bound for an axis, so its ticks are round too: 0.137 → 0.2, 0.62 → 0.7, 0.034 → 0.04, 1 → 1. */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(v));
  return Math.min(1, Number((Math.ceil(v / step - 1e-9) * step).toPrecision(12)));
}
