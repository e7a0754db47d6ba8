import { randomBytes } from 'node:crypto';
import * as nodePath from 'node:path';
import type { CellEdit, CellRun, KernelStatus, WireNotebook, WorkbenchEvent } from '../api';
import { KernelClient, type KernelOptions } from '../kernel';
import { OutputCollector, cellLanguage, cellSource, type Output } from '../notebook';
import { NotebookDocument } from './document';
import { saveFile } from './save-file';
import type { StateStore } from './state-store';

/** Unsaved edits are copied to the recovery file at most this often. */
export const RECOVERY_INTERVAL_MS = 2000;

type Publish = (event: WorkbenchEvent) => void;

/**
 * One open notebook: its document, its own kernel, and the queue of cells waiting to run.
 * Everything it reports goes to `publish`, which reaches only the connections attached to
 * this notebook.
 */
export class NotebookSession {
  readonly id = randomBytes(8).toString('hex');
  private kernel: KernelClient | undefined;
  private readonly kernelStarting: Promise<KernelClient>;
  private kernelStatus: KernelStatus = { state: 'starting' };
  private readonly queue: string[] = [];
  private readonly runs = new Map<string, CellRun>();
  private draining = false;
  /** The cell at the head of the queue while it runs. */
  private running: string | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    public path: string,
    readonly document: NotebookDocument,
    private readonly store: StateStore,
    private readonly publish: Publish,
    kernelOptions: KernelOptions,
  ) {
    this.kernelStarting = KernelClient.start({ ...kernelOptions, cwd: nodePath.dirname(this.path) });
    this.kernelStarting.then(
      (kernel) => this.adopt(kernel),
      (e: Error) => this.setKernel({ state: 'dead', message: e.message }),
    );
  }

  get name(): string {
    return nodePath.basename(this.path);
  }

  wire(): WireNotebook {
    return {
      session: this.id,
      path: this.path,
      name: this.name,
      cells: this.document.cells,
      dirty: this.document.dirty,
      kernel: this.kernelStatus,
      running: [...this.runs.values()],
    };
  }

  edit(edits: readonly CellEdit[]): void {
    this.document.apply(edits);
    this.changed();
  }

  async save(to = this.path): Promise<void> {
    const text = this.document.textForSave();
    try {
      await saveFile(to, text);
    } catch (e) {
      // The edits stay in memory; make sure they are on disk somewhere too.
      await this.store.writeRecovery(this.path, text).catch(() => undefined);
      throw e;
    }
    if (to !== this.path) await this.store.dropRecovery(this.path);
    this.path = to;
    this.document.markSaved(text);
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    await this.store.dropRecovery(this.path);
    await this.store.addRecent(this.path);
    this.publish({ event: 'dirty', session: this.id, dirty: this.document.dirty });
  }

  execute(cells: readonly string[]): void {
    for (const handle of cells) {
      const cell = this.document.cell(handle);
      if (cell.cell_type !== 'code' || this.queue.includes(handle)) continue;
      this.queue.push(handle);
      this.setRun({ cell: handle, state: 'queued' });
    }
    void this.drain();
  }

  /** Stops the running cell and drops the queued ones. */
  async interrupt(): Promise<void> {
    this.cancelQueue();
    await this.kernel?.interrupt();
  }

  async restart(): Promise<KernelStatus> {
    this.cancelQueue();
    const kernel = this.kernel ?? (await this.kernelStarting.catch(() => undefined));
    if (!kernel) throw new Error('The kernel could not be started; see its message in the header.');
    this.setKernel({ state: 'starting' });
    const info = await kernel.restart();
    this.setKernel({ state: 'idle', info });
    return this.kernelStatus;
  }

  async client(): Promise<KernelClient> {
    const kernel = this.kernel ?? (await this.kernelStarting);
    if (kernel.state === 'dead') throw new Error('The kernel is not running; restart it to use it again.');
    return kernel;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.recoveryTimer);
    this.cancelQueue();
    const kernel = await this.kernelStarting.catch(() => undefined);
    await kernel?.shutdown();
  }

  private adopt(kernel: KernelClient): void {
    this.kernel = kernel;
    if (this.closed) return void kernel.shutdown();
    this.setKernel({ state: 'idle', info: kernel.info });
    kernel.on('state', (state: KernelClient['state']) => {
      if (state === 'dead') return; // 'died' carries the reason
      if (state === 'starting') this.setKernel({ state });
      else if (state === 'busy') this.setKernel({ state, info: this.kernelStatus.info, busySince: Date.now() });
      else if (state === 'idle' && this.kernelStatus.state !== 'idle') this.setKernel({ state, info: kernel.info });
    });
    kernel.on('died', (error: Error) => {
      this.cancelQueue();
      this.setKernel({ state: 'dead', info: this.kernelStatus.info, message: error.message });
    });
  }

  /** Drops the cells waiting to run; the one running finishes (or is interrupted) on its own. */
  private cancelQueue(): void {
    const waiting = this.queue.splice(this.running === undefined ? 0 : 1);
    for (const handle of waiting) this.setRun({ cell: handle, state: 'done' });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length && !this.closed) {
        const handle = this.queue[0];
        this.running = handle;
        const ok = await this.runCell(handle).finally(() => (this.running = undefined));
        if (this.queue[0] === handle) this.queue.shift();
        if (!ok) this.cancelQueue();
      }
    } finally {
      this.draining = false;
    }
  }

  private async runCell(handle: string): Promise<boolean> {
    let cell;
    try {
      cell = this.document.cell(handle);
    } catch {
      return true; // deleted while queued
    }
    const language = cellLanguage(cell);
    if (cell.cell_type !== 'code' || (language !== 'typescript' && language !== 'sql')) return true;
    const collector = new OutputCollector([]);
    const show = () => {
      this.safeSetOutputs(handle, [...collector.outputs]);
      this.publish({ event: 'outputs', session: this.id, cell: handle, outputs: collector.outputs });
    };
    show();
    this.setRun({ cell: handle, state: 'running' });
    let run: CellRun;
    try {
      const kernel = await this.client();
      const reply = await kernel.execute(cellSource(cell), language, {
        onOutput: (output: Output, displayId?: string) => (collector.add(output, displayId), show()),
        onUpdateDisplay: (displayId, data) => {
          if (collector.update(displayId, { output_type: 'display_data', data, metadata: {} })) show();
        },
      });
      run = { cell: handle, state: 'done', status: reply.status, durationMs: reply.durationMs, errorLine: reply.errorLine };
      this.safeSetOutputs(handle, collector.outputs, reply.executionCount || null);
      run.executionCount = reply.executionCount || null;
    } catch (e) {
      collector.add({ output_type: 'error', ename: 'KernelDied', evalue: e instanceof Error ? e.message : String(e), traceback: [] });
      show();
      run = { cell: handle, state: 'done', status: 'error' };
    }
    this.setRun(run);
    this.changed();
    return run.status === 'ok';
  }

  private safeSetOutputs(handle: string, outputs: Output[], executionCount?: number | null): void {
    try {
      this.document.setOutputs(handle, outputs, executionCount);
    } catch {
      // The cell was deleted while it ran; its outputs go with it.
    }
  }

  private setRun(run: CellRun): void {
    if (run.state === 'done') this.runs.delete(run.cell);
    else this.runs.set(run.cell, run);
    this.publish({ event: 'run', session: this.id, run });
  }

  private setKernel(status: KernelStatus): void {
    this.kernelStatus = status;
    this.publish({ event: 'kernel', session: this.id, kernel: status });
  }

  /** Schedules a copy of the unsaved notebook into the recovery file. */
  private changed(): void {
    this.publish({ event: 'dirty', session: this.id, dirty: this.document.dirty });
    if (this.recoveryTimer || this.closed) return;
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      if (this.document.dirty) void this.store.writeRecovery(this.path, this.document.textForSave()).catch(() => undefined);
    }, RECOVERY_INTERVAL_MS);
  }
}
