import type { CellEdit, CellKind, TypeErrorPolicy, WireCell } from '../api';
import {
  cellKind,
  cellSource,
  clearExecution,
  executionMs,
  isJsonObject,
  outputsHidden,
  recordExecution,
  setOutputsHidden,
  newCellId,
  serializeNotebook,
  setCellSource,
  upgradeNotebook,
  widgetOutputIndex,
  type Cell,
  type Notebook,
  type JsonObject,
  type Output,
} from '../notebook';

/** Thrown for an edit that names a cell the document does not have. */
export class EditError extends Error {}

/**
 * An open notebook as the server holds it: the parsed file itself (so fields RecLab does
 * not know are written back untouched), a session handle per cell, and whether it differs
 * from what is on disk. Cells are addressed by handle, never by index, so edits that
 * cross in flight cannot hit the wrong cell.
 */
export class NotebookDocument {
  private handles: string[];
  private readonly deleted: { cell: Cell; handle: string; index: number }[] = [];
  /** Bumped by every change; the notebook is dirty while it differs from the version last saved. */
  private version = 0;
  private savedVersion: number;

  /** `dirty`: the notebook is not what the file holds (edits recovered after a crash). */
  constructor(
    readonly notebook: Notebook,
    dirty = false,
  ) {
    this.handles = notebook.cells.map(() => newCellId());
    this.savedVersion = dirty ? -1 : 0;
  }

  get dirty(): boolean {
    return this.version !== this.savedVersion;
  }

  get cells(): WireCell[] {
    return this.notebook.cells.map((cell, i) => toWire(cell, this.handles[i]));
  }

  /** Whether type errors stop a cell's run: `metadata.reclab.typeErrors`, warning only unless it says 'stop'. */
  get typeErrors(): TypeErrorPolicy {
    return reclabMetadata(this.notebook).typeErrors === 'stop' ? 'stop' : 'warn';
  }

  cell(handle: string): Cell {
    const i = this.indexOf(handle);
    return this.notebook.cells[i];
  }

  /** Applies edits in order, all or none: the whole batch is checked before any is applied. */
  apply(edits: readonly CellEdit[]): void {
    this.check(edits);
    for (const edit of edits) this.applyOne(edit);
    this.version++;
  }

  /** Plays the batch on the cell handles alone and throws at the first edit that cannot apply. */
  private check(edits: readonly CellEdit[]): void {
    const handles = [...this.handles];
    const deleted = this.deleted.map((d) => d.handle);
    const need = (handle: string) => {
      if (!handles.includes(handle))
        throw new EditError(`There is no cell ${handle} in this notebook; reload the page to resynchronise.`);
    };
    for (const edit of edits) {
      switch (edit.op) {
        case 'insert':
          if (!handles.includes(edit.cell)) handles.push(edit.cell);
          break;
        case 'delete':
          if (handles.includes(edit.cell)) deleted.push(handles.splice(handles.indexOf(edit.cell), 1)[0]);
          break;
        case 'undelete':
          if (handles.includes(edit.cell)) break;
          if (!deleted.includes(edit.cell))
            throw new EditError(`Cell ${edit.cell} was not deleted, so it cannot be restored.`);
          handles.push(edit.cell);
          break;
        case 'clearOutputs':
          if (edit.cell !== undefined) need(edit.cell);
          break;
        case 'typeErrors':
          break;
        default:
          need(edit.cell);
      }
    }
  }

  /** The text to write, with what nbformat 4.5 requires of a notebook that changed, and the version it is. */
  snapshot(): { text: string; version: number } {
    if (this.dirty) upgradeNotebook(this.notebook);
    return { text: serializeNotebook(this.notebook), version: this.version };
  }

  /** After a save of `version`; changes that arrived while it was written keep the notebook dirty. */
  markSaved(version: number): void {
    this.savedVersion = version;
  }

  /** The cell showing widget `widgetId` and the output's index there, if one still does. */
  findWidget(widgetId: string): { handle: string; index: number; outputs: readonly Output[] } | undefined {
    for (const [c, cell] of this.notebook.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      const index = widgetOutputIndex(cell.outputs ?? [], widgetId);
      if (index >= 0) return { handle: this.handles[c], index, outputs: cell.outputs };
    }
    return undefined;
  }

  /**
   * Outputs change without a user edit; they still make the notebook differ from disk. A run
   * that ended taking `durationMs` is recorded as JupyterLab records it, for the cell to show;
   * one that ended without (the kernel died) leaves no time, as it shows none.
   */
  setOutputs(
    handle: string,
    outputs: Output[],
    executionCount?: number | null,
    durationMs?: number | null,
  ): void {
    const cell = this.cell(handle);
    if (cell.cell_type !== 'code') return;
    cell.outputs = outputs;
    if (executionCount !== undefined) cell.execution_count = executionCount;
    if (typeof durationMs === 'number') recordExecution(cell, new Date(), durationMs);
    else if (durationMs === null) clearExecution(cell);
    this.version++;
  }

  private indexOf(handle: string): number {
    const i = this.handles.indexOf(handle);
    if (i < 0)
      throw new EditError(`There is no cell ${handle} in this notebook; reload the page to resynchronise.`);
    return i;
  }

  private applyOne(edit: CellEdit): void {
    const cells = this.notebook.cells;
    switch (edit.op) {
      case 'source':
        setCellSource(this.cell(edit.cell), edit.source);
        break;
      case 'insert': {
        // Edits are re-sent after a lost connection: one that already arrived changes nothing.
        if (this.handles.includes(edit.cell)) break;
        const index = clamp(edit.index, 0, cells.length);
        const cell = makeCell(edit.kind, edit.source);
        if (cell.cell_type === 'code' && edit.outputs) cell.outputs = edit.outputs;
        cells.splice(index, 0, cell);
        this.handles.splice(index, 0, edit.cell);
        break;
      }
      case 'delete': {
        if (!this.handles.includes(edit.cell)) break;
        const index = this.indexOf(edit.cell);
        this.deleted.push({ cell: cells[index], handle: edit.cell, index });
        cells.splice(index, 1);
        this.handles.splice(index, 1);
        break;
      }
      case 'undelete': {
        const at = this.deleted.findIndex((d) => d.handle === edit.cell);
        if (at < 0) break; // already back
        const [restored] = this.deleted.splice(at, 1);
        const index = clamp(restored.index, 0, cells.length);
        cells.splice(index, 0, restored.cell);
        this.handles.splice(index, 0, restored.handle);
        break;
      }
      case 'move': {
        const from = this.indexOf(edit.cell);
        const [cell] = cells.splice(from, 1);
        const [handle] = this.handles.splice(from, 1);
        const to = clamp(edit.index, 0, cells.length);
        cells.splice(to, 0, cell);
        this.handles.splice(to, 0, handle);
        break;
      }
      case 'kind': {
        const index = this.indexOf(edit.cell);
        cells[index] = changeKind(cells[index], edit.kind);
        break;
      }
      case 'clearOutputs':
        for (const cell of edit.cell === undefined ? cells : [this.cell(edit.cell)]) {
          if (cell.cell_type === 'code') {
            cell.outputs = [];
            cell.execution_count = null;
            clearExecution(cell);
          }
        }
        break;
      case 'outputsHidden':
        setOutputsHidden(this.cell(edit.cell), edit.hidden);
        break;
      case 'typeErrors': {
        // 'warn' is the default: the key goes, and the file is as it was before 'stop'.
        const { typeErrors: _old, ...rest } = reclabMetadata(this.notebook);
        const reclab: JsonObject = edit.policy === 'stop' ? { ...rest, typeErrors: 'stop' } : rest;
        if (Object.keys(reclab).length) this.notebook.metadata.reclab = reclab;
        else delete this.notebook.metadata.reclab;
        break;
      }
    }
  }
}

/** RecLab's own notebook settings, under `metadata.reclab`. */
function reclabMetadata(notebook: Notebook): JsonObject {
  const reclab = notebook.metadata.reclab;
  return isJsonObject(reclab) ? reclab : {};
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.trunc(n)));

function toWire(cell: Cell, handle: string): WireCell {
  return {
    handle,
    kind: cellKind(cell),
    source: cellSource(cell),
    outputs: cell.cell_type === 'code' ? (cell.outputs ?? []) : [],
    executionCount: cell.cell_type === 'code' ? (cell.execution_count ?? null) : null,
    outputsHidden: outputsHidden(cell),
    durationMs: cell.cell_type === 'code' ? executionMs(cell) : undefined,
  };
}

function makeCell(kind: CellKind, source: string): Cell {
  return changeKind({ cell_type: 'raw', id: newCellId(), metadata: {}, source: [] }, kind, source);
}

/**
 * The cell as `kind`, keeping its id, source and metadata. Outputs survive only a change
 * between the two code languages, as in Jupyter.
 */
function changeKind(cell: Cell, kind: CellKind, source = cellSource(cell)): Cell {
  const {
    outputs: _o,
    execution_count: _e,
    ...rest
  } = cell as Cell & { outputs?: unknown; execution_count?: unknown };
  const metadata = { ...(cell.metadata ?? {}) };
  const vscode = { ...((metadata.vscode as Record<string, unknown> | undefined) ?? {}) };
  delete vscode.languageId;
  if (kind === 'sql') vscode.languageId = 'sql';
  if (Object.keys(vscode).length) metadata.vscode = vscode as JsonObject;
  else delete metadata.vscode;
  let next: Cell;
  if (kind === 'typescript' || kind === 'sql') {
    const wasCode = cell.cell_type === 'code';
    next = {
      ...rest,
      cell_type: 'code',
      metadata,
      outputs: wasCode ? (cell.outputs ?? []) : [],
      execution_count: wasCode ? (cell.execution_count ?? null) : null,
    } as Cell;
  } else {
    next = { ...rest, cell_type: kind, metadata } as Cell;
  }
  setCellSource(next, source);
  return next;
}
