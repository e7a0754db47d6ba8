import { MIME, type MimeBundle } from '../notebook';
import { progressText, type ProgressState } from '../api';
import type { OutputSink } from './display';
import type { InterruptSignal } from './interrupt';

export interface ProgressOptions {
  total: number;
  label?: string;
}

/** Updates are sent at most this often; the final state is always sent. */
const MIN_INTERVAL_MS = 100;

/**
 * A progress bar that updates in place (nbformat's display id mechanism). Each step also
 * checks for an interrupt, so a loop that reports progress stops when asked.
 */
export class Progress {
  private value = 0;
  private finished = false;
  private lastSent = 0;
  private readonly started = performance.now();
  readonly label: string;
  readonly total: number;

  constructor(
    options: ProgressOptions,
    private readonly sink: OutputSink,
    private readonly signal: InterruptSignal,
    private readonly displayId: string,
  ) {
    if (!(options.total >= 0))
      throw new Error(`progress: total must be a number ≥ 0, got ${String(options.total)}.`);
    this.total = options.total;
    this.label = options.label ?? '';
    sink.display(this.bundle(), displayId);
  }

  /** Advances by `steps` (default 1). */
  tick(steps = 1): void {
    this.set(this.value + steps);
  }

  set(value: number): void {
    this.signal.check();
    this.value = Math.min(value, this.total);
    const now = performance.now();
    if (this.value >= this.total) this.done();
    else if (now - this.lastSent >= MIN_INTERVAL_MS) {
      this.lastSent = now;
      this.sink.update(this.displayId, this.bundle());
    }
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.sink.update(this.displayId, this.bundle());
  }

  state(): ProgressState {
    const elapsedSeconds = (performance.now() - this.started) / 1000;
    const rate = elapsedSeconds > 0 ? this.value / elapsedSeconds : 0;
    return {
      label: this.label,
      value: this.value,
      total: this.total,
      elapsedSeconds,
      rate,
      etaSeconds: this.value > 0 && rate > 0 ? (this.total - this.value) / rate : null,
      done: this.finished,
    };
  }

  private bundle(): MimeBundle {
    const s = this.state();
    return { 'text/plain': progressText(s), [MIME.progress]: { ...s } };
  }
}
