import type {
  CatalogTable,
  CellEdit,
  JsonValue,
  CellKind,
  CellRun,
  KernelStatus,
  Output,
  QueryParams,
  QueryResult,
  TypeErrorPolicy,
  WindowQueryName,
  WireCell,
  WireNotebook,
  WorkbenchEvent,
} from '../../../src/api';
import { ConnectionLostError, RequestError, type Rpc } from './rpc';
import { download } from './download';
import { readCells, writeCells } from './cell-clipboard';
import { dataFileSql } from './data-file-sql';
import { cellTypeErrors } from './type-check';
import { splitLines } from '../../../src/notebook';

export interface CellModel {
  handle: string;
  kind: CellKind;
  source: string;
  outputs: Output[];
  executionCount: number | null;
  outputsHidden: boolean;
  run: CellRun | undefined;
  /** The last finished run, for the error line and the time it took. */
  lastRun: CellRun | undefined;
}

/** Source edits are sent after typing pauses this long (and always before a run or save). */
const SOURCE_DEBOUNCE_MS = 300;

const newId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');

/** This window, as the server tells its edit batches apart from other windows'. */
const CLIENT = newId();

/**
 * The notebook as the UI shows it. Edits apply here at once and are sent to the server
 * in order; edits not yet acknowledged are kept and re-sent after a lost connection, so
 * typed text survives it.
 */
export class NotebookModel {
  session: string;
  path = $state('');
  name = $state('');
  cells = $state<CellModel[]>([]);
  dirty = $state(false);
  kernel = $state<KernelStatus>({ state: 'starting' });
  typeErrors = $state<TypeErrorPolicy>('warn');
  active = $state(0);
  mode = $state<'command' | 'edit'>('command');
  /** A message for the user that stays until dismissed (a failed save, a lost kernel). */
  notice = $state<{ kind: 'error' | 'info'; text: string } | undefined>(undefined);
  /** Counts finished runs and kernel changes: views of the kernel's state (the variables) ask again when it moves. */
  kernelChanges = $state(0);
  /** State, so that the "Undo delete" button appears and goes. */
  private deleted = $state<{ cell: CellModel; index: number }[]>([]);
  private unsent: CellEdit[] = [];
  /**
   * The batch sent last and not yet acknowledged: the first `length` of `unsent`. Those
   * edits no longer change, and a re-send after a lost connection is the same batch under
   * the same number, so the server applies it once.
   */
  private batch: { seq: number; length: number } | undefined;
  /** The kernel's DuckDB tables, for SQL completions; dropped whenever a cell ran or the kernel changed. */
  private tables: Promise<CatalogTable[]> | undefined;
  private seq = 0;
  private sending: Promise<void> | undefined;
  /** The last run asked for: runs go to the server in the order they were asked for. */
  private runs: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly rpc: Rpc,
    wire: WireNotebook,
  ) {
    this.session = wire.session;
    this.load(wire);
  }

  /** Takes the server's state, keeping the sources of cells with edits still unsent. */
  load(wire: WireNotebook): void {
    const unsentSource = new Map<string, string>();
    for (const e of this.unsent) if (e.op === 'source') unsentSource.set(e.cell, e.source);
    this.path = wire.path;
    this.name = wire.name;
    this.dirty = wire.dirty || this.unsent.length > 0;
    this.kernel = wire.kernel;
    this.typeErrors = wire.typeErrors;
    const runs = new Map(wire.running.map((r) => [r.cell, r]));
    this.cells = wire.cells.map((c) => ({
      ...c,
      source: unsentSource.get(c.handle) ?? c.source,
      run: runs.get(c.handle),
      lastRun: this.cells.find((old) => old.handle === c.handle)?.lastRun ?? savedRun(c),
    }));
    this.active = Math.min(this.active, Math.max(0, this.cells.length - 1));
  }

  handleEvent(event: WorkbenchEvent): void {
    if (event.session !== this.session) return;
    if (event.event === 'kernel' || (event.event === 'run' && event.run.state === 'done')) {
      this.tables = undefined;
      this.kernelChanges++;
    }
    switch (event.event) {
      case 'outputs': {
        const cell = this.find(event.cell);
        // Outputs before `from` keep their identity, so a progress tick does not redraw the charts beside it.
        if (cell) cell.outputs = [...cell.outputs.slice(0, event.from), ...event.outputs];
        break;
      }
      case 'stream': {
        const output = this.find(event.cell)?.outputs[event.index];
        if (output?.output_type !== 'stream') break;
        const lines = typeof output.text === 'string' ? splitLines(output.text) : output.text;
        this.find(event.cell)!.outputs[event.index] = {
          ...output,
          text: [...lines.slice(0, event.fromLine), ...event.lines],
        };
        break;
      }
      case 'run': {
        const cell = this.find(event.run.cell);
        if (!cell) break;
        if (event.run.state === 'done') {
          cell.run = undefined;
          if (event.run.status) {
            cell.lastRun = event.run;
            if (event.run.executionCount !== undefined) cell.executionCount = event.run.executionCount;
          }
        } else cell.run = event.run;
        break;
      }
      case 'kernel':
        this.kernel = event.kernel;
        break;
      case 'dirty':
        this.dirty = event.dirty || this.unsent.length > 0;
        break;
      case 'edits':
        if (event.client !== CLIENT) this.follow(event.edits);
        break;
    }
  }

  /**
   * Another window's edits to this notebook. Its typing shows here at once, except in a cell
   * with edits of this window's still unsent (those win, as they reach the server later); any
   * other change takes the server's state.
   */
  private follow(edits: CellEdit[]): void {
    const pending = new Set(this.unsent.flatMap((e) => ('cell' in e && e.cell ? [e.cell] : [])));
    for (const edit of edits) {
      if (edit.op !== 'source') {
        this.resync().catch((e: Error) => (this.notice = { kind: 'error', text: e.message }));
        return;
      }
      const cell = this.find(edit.cell);
      if (cell && !pending.has(edit.cell)) cell.source = edit.source;
    }
  }

  /** The notebook's folder, which its relative paths (SQL's files, the file list) start from. */
  get folder(): string {
    return this.path.replace(/[/\\][^/\\]*$/, '');
  }

  find(handle: string): CellModel | undefined {
    return this.cells.find((c) => c.handle === handle);
  }

  indexOf(handle: string): number {
    return this.cells.findIndex((c) => c.handle === handle);
  }

  // ---- edits ----

  setSource(handle: string, source: string): void {
    const cell = this.find(handle);
    if (!cell || cell.source === source) return;
    cell.source = source;
    const last =
      this.unsent.length > (this.batch?.length ?? 0) ? this.unsent[this.unsent.length - 1] : undefined;
    if (last?.op === 'source' && last.cell === handle) last.source = source;
    else this.unsent.push({ op: 'source', cell: handle, source });
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushLater(), SOURCE_DEBOUNCE_MS);
  }

  insert(index: number, kind: CellKind = 'typescript', source = '', outputs?: Output[]): string {
    const handle = newId();
    const at = Math.max(0, Math.min(index, this.cells.length));
    this.cells.splice(at, 0, {
      handle,
      kind,
      source,
      outputs: outputs ?? [],
      executionCount: null,
      outputsHidden: false,
      run: undefined,
      lastRun: undefined,
    });
    this.active = at;
    this.edit({
      op: 'insert',
      index: at,
      cell: handle,
      kind,
      source,
      ...(outputs?.length ? { outputs } : {}),
    });
    return handle;
  }

  /** Copies a cell, outputs and all, where every notebook of this RecLab can paste it. */
  copy(handle: string): void {
    const cell = this.find(handle);
    if (cell) writeCells([{ kind: cell.kind, source: cell.source, outputs: cell.outputs }]);
  }

  cut(handle: string): void {
    this.copy(handle);
    this.remove(handle);
  }

  /** Inserts the cells copied last at `index`; false when there are none. */
  paste(index: number): boolean {
    const cells = readCells();
    cells.forEach((c, i) => this.insert(index + i, c.kind, c.source, c.outputs));
    return cells.length > 0;
  }

  /**
   * Joins the cell below into this one, as JupyterLab does: the sources with a blank line
   * between, the outputs cleared (they belong to neither source). Z brings the lower cell back.
   */
  mergeBelow(handle: string): void {
    const index = this.indexOf(handle);
    const below = this.cells[index + 1];
    if (index < 0 || !below) return;
    const cell = this.cells[index];
    this.setSource(handle, [cell.source, below.source].filter((s) => s.trim()).join('\n\n'));
    if (cell.outputs.length) {
      cell.outputs = [];
      cell.executionCount = null;
      this.edit({ op: 'clearOutputs', cell: handle });
    }
    this.remove(below.handle);
    this.active = index;
  }

  /** Splits a cell at character `offset` of its source; the rest goes to a new cell below, which is returned. */
  split(handle: string, offset: number): string | undefined {
    const index = this.indexOf(handle);
    if (index < 0) return undefined;
    const cell = this.cells[index];
    const head = cell.source.slice(0, offset).replace(/\s+$/, '');
    const tail = cell.source.slice(offset).replace(/^\s*\n/, '');
    this.setSource(handle, head);
    return this.insert(index + 1, cell.kind, tail);
  }

  remove(handle: string): void {
    const index = this.indexOf(handle);
    if (index < 0) return;
    const [cell] = this.cells.splice(index, 1);
    this.deleted.push({ cell, index });
    this.active = Math.min(index, Math.max(0, this.cells.length - 1));
    this.edit({ op: 'delete', cell: handle });
  }

  get canUndelete(): boolean {
    return this.deleted.length > 0;
  }

  undelete(): void {
    const last = this.deleted.pop();
    if (!last) return;
    const at = Math.min(last.index, this.cells.length);
    this.cells.splice(at, 0, last.cell);
    this.active = at;
    this.edit({ op: 'undelete', cell: last.cell.handle });
  }

  move(handle: string, by: number): void {
    const from = this.indexOf(handle);
    const to = from + by;
    if (from < 0 || to < 0 || to >= this.cells.length) return;
    const [cell] = this.cells.splice(from, 1);
    this.cells.splice(to, 0, cell);
    this.active = to;
    this.edit({ op: 'move', cell: handle, index: to });
  }

  setKind(handle: string, kind: CellKind): void {
    const cell = this.find(handle);
    if (!cell || cell.kind === kind) return;
    const code = (k: CellKind) => k === 'typescript' || k === 'sql';
    if (!(code(cell.kind) && code(kind))) {
      cell.outputs = [];
      cell.executionCount = null;
    }
    cell.kind = kind;
    this.edit({ op: 'kind', cell: handle, kind });
  }

  clearOutputs(): void {
    for (const cell of this.cells) {
      cell.outputs = [];
      cell.executionCount = null;
      cell.lastRun = undefined;
    }
    this.edit({ op: 'clearOutputs' });
  }

  /** Collapses the cell's outputs to a bar, or opens them again (O, as in Jupyter). */
  toggleOutputs(handle: string): void {
    const cell = this.find(handle);
    if (!cell) return;
    cell.outputsHidden = !cell.outputsHidden;
    this.edit({ op: 'outputsHidden', cell: handle, hidden: cell.outputsHidden });
  }

  setTypeErrors(policy: TypeErrorPolicy): void {
    this.typeErrors = policy;
    this.edit({ op: 'typeErrors', policy });
  }

  private edit(edit: CellEdit): void {
    this.unsent.push(edit);
    this.dirty = true;
    this.flushLater();
  }

  /** A failed send keeps its edits; they go out again when the connection is back. */
  private flushLater(): void {
    this.flush().catch(() => undefined);
  }

  /** Sends the edits not yet acknowledged; resolves once the server has them all. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    while (this.sending) await this.sending;
    if (!this.unsent.length) return;
    const batch = (this.batch ??= { seq: ++this.seq, length: this.unsent.length });
    const edits = this.unsent.slice(0, batch.length);
    this.sending = (async () => {
      try {
        await this.rpc.request('edit', { session: this.session, client: CLIENT, seq: batch.seq, edits });
        this.unsent.splice(0, batch.length);
        this.batch = undefined;
      } catch (e) {
        if (e instanceof ConnectionLostError) throw e;
        // The server refused the batch (it no longer matches its notebook): take its state.
        this.unsent.splice(0, batch.length);
        this.batch = undefined;
        this.notice = {
          kind: 'error',
          text: `${(e as Error).message} The notebook was reloaded from the server.`,
        };
        this.load(await this.rpc.request('attach', { session: this.session }));
      } finally {
        this.sending = undefined;
      }
    })();
    await this.sending;
    if (this.unsent.length) await this.flush();
  }

  /**
   * Reads a data file in a new SQL cell below the selected one (in the empty cell of a new
   * notebook), and runs it: the grid shows the rows and each column's distribution.
   */
  async openDataFile(file: string): Promise<void> {
    const sql = dataFileSql(file, this.folder);
    const only = this.cells.length === 1 ? this.cells[0] : undefined;
    let handle: string;
    if (only && !only.source.trim()) {
      handle = only.handle;
      this.setKind(handle, 'sql');
      this.setSource(handle, sql);
    } else handle = this.insert(this.cells.length ? this.active + 1 : 0, 'sql', sql);
    await this.run([handle]);
  }

  // ---- kernel and file ----

  /** Calls `method` on the kernel object behind widget `widgetId`; the reply is what that widget answers. */
  widget(widgetId: string, method: string, params: JsonValue): Promise<JsonValue> {
    return this.rpc.request('widget', { session: this.session, widgetId, method, params });
  }

  /** Asks this notebook's kernel a query of the kernel contract; the server forwards it as it is. */
  query<Q extends WindowQueryName>(query: Q, params: QueryParams<Q>): Promise<QueryResult<Q>> {
    // The server answers with the kernel's reply to this very query, checked against its result schema.
    return this.rpc.request('query', { session: this.session, query, params }) as Promise<QueryResult<Q>>;
  }

  catalog(): Promise<CatalogTable[]> {
    this.tables ??= this.query('catalog', {}).catch((e: Error) => {
      this.tables = undefined;
      throw e;
    });
    return this.tables;
  }

  /**
   * Runs cells in order, each with the type errors the editor's checker finds in it now. Asking
   * the checker takes a while, so each run waits for the one asked for before it: a second
   * Shift+Enter never overtakes the first.
   */
  run(handles: string[]): Promise<void> {
    const code = handles.filter((h) => {
      const cell = this.find(h);
      return cell && (cell.kind === 'typescript' || cell.kind === 'sql');
    });
    const typescript = code.filter((h) => this.find(h)?.kind === 'typescript');
    const run = this.runs.then(async () => {
      const typeErrors = await cellTypeErrors(typescript);
      await this.flush();
      if (code.length) await this.rpc.request('execute', { session: this.session, cells: code, typeErrors });
    });
    this.runs = run.catch(() => undefined);
    return run;
  }

  /** Downloads the notebook as it is now (unsaved edits too) as one offline HTML page. */
  async exportHtml(): Promise<void> {
    try {
      await this.flush();
      const { html, name } = await this.rpc.request('exportHtml', { session: this.session });
      download(name, html, 'text/html');
      this.notice = { kind: 'info', text: `Exported ${name}.` };
    } catch (e) {
      this.notice = { kind: 'error', text: `Export failed: ${(e as Error).message}` };
    }
  }

  async save(): Promise<void> {
    try {
      await this.flush();
      const saved = await confirmingOverwrite((overwrite) =>
        this.rpc.request('save', { session: this.session, overwrite }),
      );
      if (!saved) return;
      this.path = saved.path;
      this.name = saved.name;
      this.notice = undefined;
    } catch (e) {
      this.notice = { kind: 'error', text: (e as Error).message };
      throw e;
    }
  }

  async saveAs(path: string): Promise<void> {
    await this.flush();
    const saved = await confirmingOverwrite((overwrite) =>
      this.rpc.request('saveAs', { session: this.session, path, overwrite }),
    );
    if (!saved) return;
    this.path = saved.path;
    this.name = saved.name;
    this.notice = undefined;
  }

  async resync(): Promise<void> {
    await this.flush();
    this.load(await this.rpc.request('attach', { session: this.session }));
  }
}

/** The run a cell's file records (its time), for a notebook just opened: an error output marks it failed. */
function savedRun(cell: WireCell): CellRun | undefined {
  if (cell.durationMs === undefined) return undefined;
  const failed = cell.outputs.some((o) => o.output_type === 'error');
  return { cell: cell.handle, state: 'done', status: failed ? 'error' : 'ok', durationMs: cell.durationMs };
}

/**
 * Sends a save; when the server answers that it would replace what the user has not seen
 * (another program's changes, an existing file), asks, and sends it again only on yes.
 * Undefined when the user said no.
 */
async function confirmingOverwrite<T>(send: (overwrite: boolean) => Promise<T>): Promise<T | undefined> {
  try {
    return await send(false);
  } catch (e) {
    if (!(e instanceof RequestError && e.needs === 'overwrite')) throw e;
    if (!confirm(`${e.message}\n\nOverwrite it?`)) return undefined;
    return send(true);
  }
}
