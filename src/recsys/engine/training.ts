/**
 * How a fit reports progress and learns that it should stop. Inside the kernel, the kernel
 * installs a host whose progress bar is the notebook's and whose `check` throws when the
 * user interrupts the cell; elsewhere (tests, bench) the default host is silent.
 */
import { inspect } from 'node:util';
import { Table } from '../../data';
import { line, type Chart } from '../../charts';

export interface ProgressBar {
  tick(steps?: number): void;
  done(): void;
}

export interface TrainingHost {
  progress(label: string, total: number): ProgressBar;
  /** Throws when the work should stop (the cell was interrupted). */
  check(): void;
  /** Shows a value (a chart beside a result) in the running cell's output; `update` replaces it in place. */
  show(value: unknown): Shown;
}

export interface Shown {
  update(value: unknown): void;
}

const SILENT: TrainingHost = {
  progress: () => ({ tick() {}, done() {} }),
  check() {},
  show: () => ({ update() {} }),
};
let host: TrainingHost = SILENT;

/** Installs the host fits report to; the kernel calls this once at start. */
export function setTrainingHost(h: TrainingHost | null): void {
  host = h ?? SILENT;
}

/** Shows `value` in the notebook when running in the kernel; nothing elsewhere. */
export function show(value: unknown): Shown {
  return host.show(value);
}

export interface EpochLog {
  epoch: number;
  loss: number;
  seconds: number;
  /** Whatever else the model measured this epoch (validation metrics, learning rate, …). */
  metrics: Record<string, number>;
}

export interface FitOptions {
  /** Called after each epoch, outside the kernel too. */
  onEpoch?: (log: EpochLog) => void;
  /** Stops the fit with an error once aborted. */
  signal?: AbortSignal;
  /** Shows a progress bar in the notebook (default true). */
  progress?: boolean;
  /** Continue from the weights and optimiser state of the last fit or of a loaded model. */
  resume?: boolean;
  /** Fit on this share of the training rows (0.3: three in ten), drawn at random with the model's seed. */
  sample?: number;
  /** The model's settings (epochs, learning rate, …): checked as the constructor's are, and kept after the fit. */
  [setting: string]: unknown;
}

export class FitCancelledError extends Error {
  constructor() {
    super('The fit was cancelled.');
    this.name = 'FitCancelled';
  }
}

/** Loss and metrics per epoch; displays as a table, `chart()` draws the training curves. */
export class History {
  constructor(
    readonly model: string,
    readonly epochs: readonly EpochLog[],
    readonly seconds: number,
    /** With `fit(…, { sample })`: the training rows the fit learnt from, of how many. */
    readonly sampled: { rows: number; of: number } | null = null,
  ) {}

  get table(): Table {
    const names = [...new Set(this.epochs.flatMap((e) => Object.keys(e.metrics)))];
    const columns: Record<string, Float64Array | Int32Array> = {
      epoch: Int32Array.from(this.epochs, (e) => e.epoch),
      loss: Float64Array.from(this.epochs, (e) => e.loss),
      seconds: Float64Array.from(this.epochs, (e) => e.seconds),
    };
    for (const n of names) columns[n] = Float64Array.from(this.epochs, (e) => e.metrics[n] ?? NaN);
    return Table.fromColumns(columns);
  }

  /** One line, as a notebook shows a fit's result: epochs, the loss and each metric from first to last, the time. */
  toString(): string {
    const first = this.epochs[0];
    const last = this.epochs[this.epochs.length - 1];
    const on = this.sampled
      ? ` on a sample of ${this.sampled.rows.toLocaleString('en')} of ${this.sampled.of.toLocaleString('en')} rows`
      : '';
    if (!first) return `${this.model}: fitted in one pass${on} (${this.seconds.toFixed(1)} s)`;
    const change = (a: number, b: number) => `${a.toPrecision(4)} → ${b.toPrecision(4)}`;
    const metrics = Object.keys(last.metrics).map(
      (m) => `${m} ${change(first.metrics[m] ?? NaN, last.metrics[m])}`,
    );
    return (
      `${this.model}: ${this.epochs.length} epochs${on}, loss ${change(first.loss, last.loss)}` +
      `${metrics.map((m) => `, ${m}`).join('')} (${this.seconds.toFixed(1)} s); .table and .chart() for each epoch`
    );
  }

  [inspect.custom](): string {
    return this.toString();
  }

  chart(): Chart {
    if (!this.epochs.length)
      throw new Error(
        `${this.model} has no training curve: its fit has no epochs (it computes its model in one pass).`,
      );
    const t = this.table;
    return line(t, {
      x: 'epoch',
      y: t.columnNames.filter((n) => n !== 'epoch' && n !== 'seconds'),
      title: `${this.model}: training`,
    });
  }
}

/** Yield to the event loop at most this often, so an interrupt message gets through. */
const YIELD_MS = 50;
/** Redraw the live training curves at most this often (a redraw costs ~10 ms); the last epoch always shows. */
const CURVES_MS = 250;

/**
 * What a model's fit sees: it declares how much work there is, reports each step or epoch,
 * and awaits `pause()` inside long loops. Every report checks for cancellation.
 */
export class TrainingContext {
  private readonly logs: EpochLog[] = [];
  private readonly started = performance.now();
  private epochStarted = performance.now();
  private lastYield = performance.now();
  private bar: ProgressBar | undefined;
  private sampled: { rows: number; of: number } | null = null;
  private curves: Shown | undefined;
  private curvesEpochs = 0;
  private curvesDrawn = 0;

  constructor(
    readonly model: string,
    readonly options: FitOptions = {},
  ) {}

  /** Epochs recorded so far (a resumed fit counts those before it). */
  get epochs(): number {
    return this.logs.length;
  }

  /** The epochs recorded so far, as a copy (what a later resumed fit continues). */
  loggedEpochs(): EpochLog[] {
    return [...this.logs];
  }

  /** Takes over the epochs of the fit a resumed fit goes on from, so its history and curves continue theirs. */
  continueFrom(logs: readonly EpochLog[]): void {
    if (this.logs.length) throw new Error('continueFrom: this fit has recorded epochs already.');
    this.logs.push(...logs);
    this.curvesEpochs = this.logs.length;
  }

  /** Records that the fit learns from `rows` of its `of` training rows (`fit(…, { sample })`). */
  sampledRows(rows: number, of: number): void {
    this.sampled = rows < of ? { rows, of } : null;
  }

  /** Starts the progress bar: `total` steps (epochs, or rows of a similarity matrix). */
  begin(total: number, label = this.model): void {
    this.bar?.done();
    this.bar = this.options.progress === false ? undefined : host.progress(label, total);
  }

  /** Advances the bar by `n` steps; yields to the event loop now and then; throws when cancelled. */
  async step(n = 1): Promise<void> {
    this.bar?.tick(n);
    await this.pause();
  }

  /** Records an epoch (and steps the bar by one). */
  async epoch(loss: number, metrics: Record<string, number> = {}): Promise<void> {
    const now = performance.now();
    const log: EpochLog = {
      epoch: this.logs.length + 1,
      loss,
      seconds: (now - this.epochStarted) / 1000,
      metrics,
    };
    this.logs.push(log);
    this.options.onEpoch?.(log);
    this.drawCurves(false);
    // Drawing is not the model's work: the next epoch's time starts after it.
    this.epochStarted = performance.now();
    await this.step(1);
  }

  /** Shows the loss and metric curves beside the progress bar on the first epoch, then updates them in place. */
  private drawCurves(last: boolean): void {
    if (this.options.progress === false || this.logs.length === this.curvesEpochs) return;
    // A loss that is NaN from the start (a diverging model) has no curve yet; the fit goes on.
    if (
      !this.curves &&
      !this.logs.some((l) => Number.isFinite(l.loss) || Object.values(l.metrics).some(Number.isFinite))
    )
      return;
    const now = performance.now();
    if (this.curves && !last && now - this.curvesDrawn < CURVES_MS) return;
    const curves = this.history().chart();
    if (this.curves) this.curves.update(curves);
    else this.curves = show(curves);
    this.curvesEpochs = this.logs.length;
    this.curvesDrawn = now;
  }

  /** Checks for cancellation; lets pending messages in when the last yield was a while ago. */
  async pause(): Promise<void> {
    this.check();
    if (performance.now() - this.lastYield < YIELD_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
    this.check();
  }

  check(): void {
    if (this.options.signal?.aborted) throw new FitCancelledError();
    host.check();
  }

  finish(): History {
    this.bar?.done();
    this.drawCurves(true);
    return this.history();
  }

  private history(): History {
    return new History(this.model, this.logs, (performance.now() - this.started) / 1000, this.sampled);
  }
}
