import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import * as nodePath from 'node:path';
import {
  MIME,
  typeErrorsText,
  type CellEdit,
  type CellRun,
  type CellTypeError,
  type CodeCellKind,
  type KernelStatus,
  type TypeErrorsOutput,
  type WireNotebook,
  type WorkbenchEvent,
} from '../api';
import { KernelClient, KernelDiedError, type KernelOptions } from '../kernel-client';
import {
  OutputCollector,
  cellKind,
  cellSource,
  foreignKernelHint,
  widgetIds,
  widgetOutputIndex,
  type JsonValue,
  type MimeBundle,
  type CollectorOptions,
  type Output,
  type StreamOutput,
} from '../notebook';
import { type NotebookDocument } from './document';
import { saveFile, type FileStamp } from './save-file';
import type { StateStore } from './state-store';

/** Unsaved edits are copied to the recovery file at most this often. */
export const RECOVERY_INTERVAL_MS = 2000;
/** A cell's outputs go to the windows at most this often while it runs (a print loop must not flood them). */
const OUTPUT_INTERVAL_MS = 80;

type Publish = (event: WorkbenchEvent) => void;

/**
 * One open notebook: its document, its own kernel, and the queue of cells waiting to run.
 * Everything it reports goes to `publish`, which reaches only the connections attached to
 * this notebook.
 */
export class NotebookSession {
  readonly id = randomBytes(8).toString('hex');
  /** The file as RecLab last read or wrote it: a save notices what another program changed since. */
  stamp: FileStamp | undefined;
  private kernel: KernelClient | undefined;
  private kernelStarting: Promise<KernelClient>;
  private kernelStatus: KernelStatus = { state: 'starting' };
  private readonly queue: string[] = [];
  private readonly runs = new Map<string, CellRun>();
  /** The type errors of each queued cell, as the editor's checker found them when it was asked to run. */
  private readonly typeErrors = new Map<string, CellTypeError[]>();
  private draining = false;
  private recoveryTimer: NodeJS.Timeout | undefined;
  /** Saves and recovery writes happen one at a time, in order. */
  private writes: Promise<unknown> = Promise.resolve();
  /** The last edit batch applied from each client: a batch re-sent after a lost connection is applied once. */
  private readonly applied = new Map<string, number>();
  private closed = false;
  /** The outputs of the cell running now, which its run owns until it ends. */
  private runningOutputs: { collector: OutputCollector; publish(): void } | undefined;

  constructor(
    public path: string,
    readonly document: NotebookDocument,
    private readonly store: StateStore,
    private readonly publish: Publish,
    private readonly kernelOptions: KernelOptions,
  ) {
    this.kernelStarting = this.startKernel();
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
      typeErrors: this.document.typeErrors,
    };
  }

  /** Applies batch `seq` of `client`'s edits, unless it already was. */
  edit(client: string, seq: number, edits: readonly CellEdit[]): void {
    if ((this.applied.get(client) ?? -1) >= seq) return;
    const clearing = edits.some((e) => e.op === 'clearOutputs');
    const shown = clearing ? this.document.cells.flatMap((c) => widgetIds(c.outputs)) : [];
    this.document.apply(edits);
    this.applied.set(client, seq);
    // Every window on this notebook sees the edits live; the one that made them knows itself by `client`.
    this.publish({ event: 'edits', session: this.id, client, edits: [...edits] });
    if (shown.length) {
      // A running cell's widgets live on in its run, which writes its outputs back.
      const still = new Set([
        ...this.document.cells.flatMap((c) => widgetIds(c.outputs)),
        ...widgetIds(this.runningOutputs?.collector.outputs ?? []),
      ]);
      this.releaseWidgets(shown.filter((id) => !still.has(id)));
    }
    this.changed();
  }

  /**
   * Saves to the notebook's file or, for Save As, to `to`. A file changed on disk since it was
   * read is replaced only with `overwrite`.
   */
  save(to = this.path, overwrite = false): Promise<void> {
    return this.serialized(async () => {
      const { text, version } = this.document.snapshot();
      const expected = to === this.path ? this.stamp : undefined;
      try {
        this.stamp = await saveFile(to, text, { expected, overwrite });
      } catch (e) {
        // The edits stay in memory; make sure they are on disk somewhere too.
        await this.store.writeRecovery(this.path, text).catch(() => undefined);
        throw e;
      }
      const moved = to !== this.path;
      if (moved) await this.store.dropRecovery(this.path);
      this.path = to;
      this.document.markSaved(version);
      await this.store.dropRecovery(this.path);
      if (moved) await this.store.addRecent(this.path);
      this.publish({ event: 'dirty', session: this.id, dirty: this.document.dirty });
    });
  }

  execute(cells: readonly string[], typeErrors: Record<string, CellTypeError[]> = {}): void {
    const code = cells.filter((handle) => this.document.cell(handle).cell_type === 'code');
    for (const handle of code) {
      const errors = typeErrors[handle] ?? [];
      if (errors.length) this.typeErrors.set(handle, errors);
      else this.typeErrors.delete(handle);
      if (this.queue.includes(handle)) continue;
      this.queue.push(handle);
      this.setRun({ cell: handle, state: 'queued' });
    }
    void this.drain();
  }

  /** Calls a widget; what it shows next replaces its output, so the file keeps the last state. */
  async widget(widgetId: string, method: string, params: JsonValue | undefined): Promise<JsonValue> {
    const reply = await (await this.client()).query('widget', { widgetId, method, params: params ?? null });
    if (reply.bundle) this.replaceWidgetOutput(widgetId, reply.bundle);
    return reply.result;
  }

  private replaceWidgetOutput(widgetId: string, data: MimeBundle): void {
    // A widget of the cell running now lives in its run's outputs, which the run writes back at its end.
    const running = this.runningOutputs;
    const inRun = running ? widgetOutputIndex(running.collector.outputs, widgetId) : -1;
    if (running && inRun >= 0) {
      running.collector.replaceData(inRun, data);
      // The run's own publishing: the document and the windows get it once, as any output change.
      running.publish();
    } else {
      const found = this.document.findWidget(widgetId);
      if (!found) return; // its output was cleared or deleted meanwhile
      const outputs = [...found.outputs];
      outputs[found.index] = { ...outputs[found.index], data } as Output;
      this.document.setOutputs(found.handle, outputs);
      this.publish({
        event: 'outputs',
        session: this.id,
        cell: found.handle,
        from: found.index,
        outputs: outputs.slice(found.index),
      });
    }
    this.changed();
  }

  /** The kernel lets go of widgets no output shows any more; a failure only costs memory. */
  private releaseWidgets(ids: string[]): void {
    if (ids.length) void this.kernel?.query('releaseWidgets', { widgetIds: ids }).catch(() => undefined);
  }

  /** Stops the running cell and drops the queued ones. */
  async interrupt(): Promise<void> {
    this.cancelQueue();
    await this.kernel?.interrupt();
  }

  async restart(): Promise<KernelStatus> {
    this.cancelQueue();
    const kernel = await this.kernelStarting.catch(() => undefined);
    // A running kernel reports its own way through starting to idle (see adopt).
    if (kernel) await kernel.restart();
    else {
      this.setKernel({ state: 'starting' });
      // The first start failed: try a fresh one.
      this.kernelStarting = this.startKernel();
      await this.kernelStarting;
    }
    return this.kernelStatus;
  }

  async client(): Promise<KernelClient> {
    const kernel = this.kernel ?? (await this.kernelStarting);
    if (kernel.state === 'dead') throw new Error('The kernel is not running; restart it to use it again.');
    return kernel;
  }

  /** Shuts the kernel down; unsaved edits are written to the recovery file first. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.recoveryTimer);
    this.cancelQueue();
    if (this.document.dirty) await this.writeRecovery();
    const kernel = await this.kernelStarting.catch(() => undefined);
    await kernel?.shutdown();
  }

  private startKernel(): Promise<KernelClient> {
    const starting = KernelClient.start({ ...this.kernelOptions, cwd: nodePath.dirname(this.path) });
    starting.then(
      (kernel) => this.adopt(kernel),
      (e: Error) => this.setKernel({ state: 'dead', message: e.message }),
    );
    return starting;
  }

  private adopt(kernel: KernelClient): void {
    this.kernel = kernel;
    if (this.closed) return void kernel.shutdown();
    this.setKernel({ state: 'idle', info: kernel.info });
    kernel.on('state', (state: KernelClient['state']) => {
      if (state === 'dead') return; // 'died' carries the reason
      if (state === 'starting') this.setKernel({ state });
      else if (state === 'busy')
        this.setKernel({ state, info: this.kernelStatus.info, busySince: Date.now() });
      else if (state === 'idle' && this.kernelStatus.state !== 'idle')
        this.setKernel({ state, info: kernel.info });
    });
    kernel.on('died', (error: Error) => {
      this.cancelQueue();
      this.setKernel({ state: 'dead', info: this.kernelStatus.info, message: error.message });
    });
  }

  /** Drops the cells waiting to run; the one running finishes (or is interrupted) on its own. */
  private cancelQueue(): void {
    // While the queue drains, its head is the cell running.
    const waiting = this.queue.splice(this.draining ? 1 : 0);
    for (const handle of waiting) {
      this.typeErrors.delete(handle);
      this.setRun({ cell: handle, state: 'done' });
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length && !this.closed) {
        const handle = this.queue[0];
        const status = await this.runCell(handle);
        // An interrupt has already dropped the cells queued before it; later ones still run.
        if (status === 'error') this.cancelQueue();
        this.queue.shift();
        // A cell deleted or made Markdown while queued did not run: it is no longer queued either.
        if (this.runs.has(handle)) this.setRun({ cell: handle, state: 'done' });
      }
    } finally {
      this.draining = false;
    }
  }

  private async runCell(handle: string): Promise<CellRun['status']> {
    const typeErrors = this.typeErrors.get(handle) ?? [];
    this.typeErrors.delete(handle);
    let cell;
    try {
      cell = this.document.cell(handle);
    } catch {
      return 'ok'; // deleted while queued
    }
    if (cell.cell_type !== 'code') return 'ok'; // made Markdown while queued
    const language = cellKind(cell) as CodeCellKind;
    const spill = this.overflowFiles(handle);
    const collector = new OutputCollector([], { overflow: spill.overflow });
    // The widgets the cell showed last time go with those outputs.
    this.releaseWidgets(widgetIds(cell.outputs ?? []));
    this.runningOutputs = { collector, publish: () => publishNow() };
    let timer: NodeJS.Timeout | undefined;
    const publishNow = () => {
      clearTimeout(timer);
      timer = undefined;
      const change = collector.takeChanged();
      this.safeSetOutputs(handle, [...collector.outputs]);
      // A growing log is sent as its new lines only: re-sending it whole every 80 ms froze the page.
      if (change.kind === 'stream') {
        const text = (collector.outputs[change.index] as StreamOutput).text as string[];
        this.publish({
          event: 'stream',
          session: this.id,
          cell: handle,
          index: change.index,
          fromLine: change.fromLine,
          lines: text.slice(change.fromLine),
        });
        return;
      }
      this.publish({
        event: 'outputs',
        session: this.id,
        cell: handle,
        from: change.from,
        outputs: collector.outputs.slice(change.from),
      });
    };
    const show = () => (timer ??= setTimeout(publishNow, OUTPUT_INTERVAL_MS));
    // The warning is the cell's first output, made here rather than by the kernel: it is
    // there when the kernel is not, and a cell that type errors stop never reaches it.
    const stopped = typeErrors.length > 0 && this.document.typeErrors === 'stop';
    if (typeErrors.length) collector.add(typeErrorsOutput({ errors: typeErrors, stopped }));
    publishNow();
    this.setRun({ cell: handle, state: 'running' });
    const run: CellRun = stopped
      ? { cell: handle, state: 'done', status: 'error', errorLine: typeErrors[0].line, executionCount: null }
      : await this.runInKernel(handle, cellSource(cell), language, collector, show);
    publishNow();
    await spill.close();
    this.runningOutputs = undefined;
    this.safeSetOutputs(handle, collector.outputs, run.executionCount, run.durationMs ?? null);
    this.setRun(run);
    this.changed();
    return run.status;
  }

  private async runInKernel(
    handle: string,
    source: string,
    language: CodeCellKind,
    collector: OutputCollector,
    show: () => void,
  ): Promise<CellRun> {
    try {
      const kernel = await this.client();
      const reply = await kernel.executeInto(source, language, collector, show);
      const hint = reply.status === 'error' ? foreignKernelHint(this.document.notebook) : undefined;
      if (hint) collector.add({ output_type: 'stream', name: 'stderr', text: hint });
      return {
        cell: handle,
        state: 'done',
        status: reply.status,
        durationMs: reply.durationMs,
        errorLine: reply.errorLine,
        executionCount: reply.executionCount || null,
      };
    } catch (e) {
      const restarted = e instanceof KernelDiedError && this.kernelStatus.state !== 'dead';
      // A restart while the cell ran stopped it, as an interrupt would; a death is an error.
      collector.add({
        output_type: 'error',
        ename: restarted ? 'Interrupted' : 'KernelDied',
        evalue: e instanceof Error ? e.message : String(e),
        traceback: [],
      });
      return { cell: handle, state: 'done', status: restarted ? 'interrupted' : 'error' };
    }
  }

  /**
   * Where a running cell's stream text past the cap goes: a file in the state folder, for this
   * user only, started afresh by each run; the output's note names it. Written through a
   * stream, since a 50 MB print arrives as hundreds of thousands of pieces: a synchronous
   * write each would stall the server for every window. `close` resolves once all is on disk.
   */
  private overflowFiles(handle: string): { overflow: CollectorOptions['overflow']; close(): Promise<void> } {
    const dir = nodePath.join(this.store.dir, 'outputs');
    const files = new Map<string, WriteStream>();
    const overflow = (stream: string, text: string) => {
      const file = nodePath.join(dir, `${nodePath.basename(this.path, '.ipynb')}-${handle}-${stream}.txt`);
      let out = files.get(file);
      if (!out) {
        try {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
        } catch {
          return undefined; // no state folder: the note says how much was left out, and no file
        }
        out = createWriteStream(file, { mode: 0o600 });
        // A full disk loses only the overflow; the note still says how much was left out.
        out.on('error', () => undefined);
        files.set(file, out);
      }
      out.write(text);
      return file;
    };
    const close = async () => {
      await Promise.all([...files.values()].map((out) => new Promise<void>((done) => out.end(done))));
    };
    return { overflow, close };
  }

  private safeSetOutputs(
    handle: string,
    outputs: Output[],
    executionCount?: number | null,
    durationMs?: number | null,
  ): void {
    try {
      this.document.setOutputs(handle, outputs, executionCount, durationMs);
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

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  private writeRecovery(): Promise<void> {
    return this.serialized(async () => {
      if (this.document.dirty)
        await this.store.writeRecovery(this.path, this.document.snapshot().text).catch(() => undefined);
    });
  }

  /** Reports the change and schedules a copy of the unsaved notebook into the recovery file. */
  private changed(): void {
    this.publish({ event: 'dirty', session: this.id, dirty: this.document.dirty });
    if (this.recoveryTimer || this.closed) return;
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      void this.writeRecovery();
    }, RECOVERY_INTERVAL_MS);
  }
}

/** A cell's type errors as an output: RecLab's payload, and the same as text for other tools. */
function typeErrorsOutput(payload: TypeErrorsOutput): Output {
  return {
    output_type: 'display_data',
    data: { 'text/plain': typeErrorsText(payload), [MIME.typeErrors]: payload },
    metadata: {},
  };
}
