import { runInThisContext } from 'node:vm';
import { format } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { CatalogTable, CodeCellKind, ExecuteReply, KernelOutbound, VariableInfo } from '../api';
import { type Database } from '../data';
import { setChartDatabase } from '../charts';
import { setServingHost, setTrainingHost } from '../recsys';
import { startPipelineServer } from '../serving';
import type { MimeBundle, Output } from '../notebook';
import { createDisplay, toMimeBundle, type OutputSink } from './display';
import { cellFileName, reportError, type RanCell } from './errors';
import { InterruptError, InterruptSignal } from './interrupt';
import type { KernelGlobals } from './globals';
import { library } from './library';
import { ModuleLoader, defaultExport } from './modules';
import { Progress, type ProgressOptions } from './progress';
import { parseSqlCell } from './sql-cell';
import { TableRegistry } from './tables';
import { WidgetRegistry } from './widgets';
import { RUNTIME, isReserved } from './reserved';
import { transpileCell } from './transpile';
import { describeVariable } from './variables';

type Globals = Record<string, unknown>;

/**
 * The state of one notebook's kernel: the DuckDB connection, the global scope cells
 * declare into, the tables outputs have shown. Runs one cell at a time; talks to its
 * driver only through `send`.
 */
export class Kernel {
  readonly signal = new InterruptSignal();
  readonly tables = new TableRegistry();
  /** Widgets list the notebook's variables (models to choose from): what cells declared. */
  readonly widgets = new WidgetRegistry({ variables: () => this.variables() });
  /** The globals the kernel gives cells (`tf`, `db`, …): not variables of the notebook. */
  private readonly kernelGlobals: ReadonlySet<string>;
  private executionCount = 0;
  /** The request whose outputs are being produced; late output goes to the last one. */
  private currentRequest = 0;
  private readonly cells = new Map<number, RanCell>();
  /** The execute request running now, if any. */
  private running: number | undefined;
  /** Execute requests interrupted before they started. */
  private readonly cancelled = new Set<number>();
  private nextDisplayId = 1;
  private readonly sink: OutputSink = {
    display: (data, displayId) => this.emit({ output_type: 'display_data', data, metadata: {} }, displayId),
    update: (displayId, data) =>
      this.send({ type: 'update_display', execId: this.currentRequest, displayId, data }),
  };

  constructor(
    private readonly send: (message: KernelOutbound) => void,
    readonly db: Database,
    notebookDir: string,
  ) {
    const modules = new ModuleLoader({ '@tensorflow/tfjs': tf, reclab: library }, notebookDir);
    const globals: KernelGlobals = {
      tf,
      db,
      rl: library,
      display: createDisplay(this.sink, this),
      progress: (options: ProgressOptions) =>
        new Progress(options, this.sink, this.signal, `progress-${this.nextDisplayId++}`),
    };
    // Also every global there is by now: the backends install theirs (WebGPU's GPU* classes) after the
    // reserved names were taken, and they are not the notebook's variables either.
    this.kernelGlobals = new Set([...Object.keys(globals), ...Object.getOwnPropertyNames(globalThis)]);
    Object.assign(globalThis as Globals, globals, {
      [RUNTIME]: {
        guard: <T>(value: T) => this.signal.guard(value),
        import: (specifier: string) => modules.load(specifier),
        defaultExport,
      },
    });
    // Model fits and evaluations draw the notebook's progress bars and stop when the cell is interrupted.
    setTrainingHost({
      progress: (label, total) => globals.progress({ label, total }),
      check: () => this.signal.check(),
      show: (value) => {
        const displayId = `shown-${this.nextDisplayId++}`;
        globals.display(value, { displayId });
        return { update: (next) => globals.display.update(displayId, next) };
      },
    });
    // `pipeline.serve()` listens in this process, so a restart (which ends it) stops every server a cell started.
    setServingHost(startPipelineServer);
    setChartDatabase(db);
    this.captureConsole();
  }

  async execute(requestId: number, code: string, kind: CodeCellKind): Promise<ExecuteReply> {
    const executionCount = ++this.executionCount;
    const started = performance.now();
    this.currentRequest = requestId;
    this.running = requestId;
    this.signal.reset();
    const reply = (status: ExecuteReply['status'], errorLine?: number): ExecuteReply => ({
      status,
      executionCount,
      errorLine,
      durationMs: performance.now() - started,
    });
    try {
      if (this.cancelled.delete(requestId)) throw new InterruptError();
      const value = kind === 'sql' ? await this.runSql(code) : await this.runTypeScript(code, executionCount);
      if (value !== undefined)
        this.emit({
          output_type: 'execute_result',
          execution_count: executionCount,
          data: toMimeBundle(value, this),
          metadata: {},
        });
      return reply('ok');
    } catch (error) {
      if (error instanceof InterruptError) {
        this.emit({
          output_type: 'error',
          ename: error.name,
          evalue: error.message,
          traceback: [`${error.name}: ${error.message}`],
        });
        return reply('interrupted');
      }
      const report = reportError(error, { executionCount, source: code }, this.cells);
      this.emit(report.output);
      return reply('error', report.line);
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Stops execute request `target`. Several messages can arrive in one turn of the event
   * loop, so an interrupt may come before the execution it aims at has started.
   */
  interrupt(target: number): void {
    if (target !== this.running) {
      if (target > this.currentRequest) this.cancelled.add(target);
      return;
    }
    this.signal.interrupt();
    this.db.interrupt();
  }

  /** Tables and views of the DuckDB database with their columns, in catalog order. */
  async catalog(): Promise<CatalogTable[]> {
    const result = await this.db.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
    );
    const tables = new Map<string, CatalogTable>();
    for (const row of result.rows()) {
      const name = String(row.table_name);
      let table = tables.get(name);
      if (!table) tables.set(name, (table = { name, columns: [] }));
      table.columns.push({ name: String(row.column_name), type: String(row.data_type) });
    }
    return [...tables.values()];
  }

  private async runTypeScript(code: string, executionCount: number): Promise<unknown> {
    const transpiled = transpileCell(code);
    this.cells.set(executionCount, { executionCount, source: code, transpiled });
    return this.signal.guard(
      runInThisContext(transpiled.code, { filename: cellFileName(executionCount) }) as Promise<unknown>,
    );
  }

  private async runSql(code: string): Promise<unknown> {
    const { sql, name } = parseSqlCell(code);
    if (!sql.trim()) return undefined;
    const table = await this.signal.guard(this.db.query(sql));
    if (name) (globalThis as Globals)[name] = table;
    return table;
  }

  /** What the variable inspector lists: every name the cells declared, by name. */
  listVariables(): VariableInfo[] {
    return [...this.variables()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => describeVariable(name, value));
  }

  /** A variable as a cell's last expression would show it. */
  displayVariable(name: string): MimeBundle {
    if (!this.isVariable(name))
      throw new Error(
        `There is no variable "${name}" in the kernel (any more): run the cell that declares it.`,
      );
    return toMimeBundle((globalThis as Globals)[name], this) as MimeBundle;
  }

  /** What cells declared, by name. */
  private *variables(): Iterable<[string, unknown]> {
    const globals = globalThis as Globals;
    for (const name of Object.keys(globals)) if (this.isVariable(name)) yield [name, globals[name]];
  }

  /** A name a cell declared: a global of its own, not one the kernel or Node had before. */
  private isVariable(name: string): boolean {
    return (
      Object.prototype.propertyIsEnumerable.call(globalThis, name) &&
      !isReserved(name) &&
      !this.kernelGlobals.has(name)
    );
  }

  private emit(output: Output, displayId?: string): void {
    this.send({ type: 'output', execId: this.currentRequest, output, displayId });
  }

  private stream(name: 'stdout' | 'stderr', args: unknown[]): void {
    this.emit({ output_type: 'stream', name, text: format(...args) + '\n' });
  }

  private captureConsole(): void {
    const out = (...args: unknown[]) => this.stream('stdout', args);
    const err = (...args: unknown[]) => this.stream('stderr', args);
    Object.assign(console, { log: out, info: out, debug: out, warn: err, error: err });
    console.table = (data: unknown) => this.sink.display(toMimeBundle(data, this) as MimeBundle);
  }
}
