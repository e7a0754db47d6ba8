/**
 * The contract between the workbench UI (renderer) and the RecLab server, carried by one
 * WebSocket. The client sends requests `{ id, method, params }`; each gets exactly one
 * response with that id. The server also pushes events about open notebooks (outputs,
 * cell and kernel state) to every connection attached to them.
 *
 * The server holds each open notebook (the file's cells, outputs and every field RecLab
 * does not know); the UI sends edits and keeps an optimistic copy. After a lost
 * connection the UI re-sends the edits the server has not acknowledged and re-attaches,
 * so nothing typed is lost.
 */
import type { Output } from '../notebook/nbformat';
import type { JsonValue } from '../notebook/json';
import type { CatalogTable, ColumnSummary, KernelInfo, SortKey, TablePage } from './kernel';

export type CellKindName = 'typescript' | 'sql' | 'markdown' | 'raw';

export interface WireCell {
  /** Stable for the session; new cells get theirs from the UI. */
  handle: string;
  kind: CellKindName;
  source: string;
  outputs: Output[];
  executionCount: number | null;
}

export interface WireNotebook {
  session: string;
  path: string;
  name: string;
  cells: WireCell[];
  dirty: boolean;
  kernel: KernelStatus;
  /** Execution state of cells that are queued or running. */
  running: CellRun[];
}

export type KernelStateName = 'starting' | 'idle' | 'busy' | 'dead';

export interface KernelStatus {
  state: KernelStateName;
  info?: KernelInfo;
  /** Epoch ms when the running cell started, while busy. */
  busySince?: number;
  /** Why the kernel died, when it did. */
  message?: string;
}

export interface CellRun {
  cell: string;
  state: 'queued' | 'running' | 'done';
  executionCount?: number | null;
  status?: 'ok' | 'error' | 'interrupted';
  durationMs?: number;
  /** 1-based cell line of the error, when the error points into the cell. */
  errorLine?: number;
}

export type CellEdit =
  | { op: 'source'; cell: string; source: string }
  | { op: 'insert'; index: number; cell: string; kind: CellKindName; source: string }
  | { op: 'delete'; cell: string }
  /** Puts a deleted cell back, outputs and all, where it was. */
  | { op: 'undelete'; cell: string }
  | { op: 'move'; cell: string; index: number }
  | { op: 'kind'; cell: string; kind: CellKindName }
  /** Clears one cell's outputs, or every cell's when `cell` is absent. */
  | { op: 'clearOutputs'; cell?: string };

export interface FolderEntry {
  name: string;
  path: string;
  kind: 'folder' | 'notebook';
}

export interface OpenResult {
  notebook: WireNotebook;
  /** Unsaved edits found from an earlier run that ended without saving them. */
  recovery?: { savedAt: number };
}

/** Every method, with what it takes and what it returns. */
export interface WorkbenchMethods {
  hello: { params: Record<string, never>; result: { folder: string; version: string } };
  listFolder: { params: { path?: string }; result: { path: string; entries: FolderEntry[] } };
  samples: { params: Record<string, never>; result: FolderEntry[] };
  recent: { params: Record<string, never>; result: FolderEntry[] };
  open: { params: { path: string; restore?: boolean }; result: OpenResult };
  create: { params: { folder?: string }; result: OpenResult };
  /** Re-attaches a connection to an open notebook and returns its current state. */
  attach: { params: { session: string }; result: WireNotebook };
  close: { params: { session: string }; result: null };
  /**
   * Applies a batch of edits, all or none. `client` names the window and `seq` numbers its
   * batches, so a batch re-sent after a lost connection is applied once.
   */
  edit: { params: { session: string; client: string; seq: number; edits: CellEdit[] }; result: null };
  save: { params: { session: string }; result: { path: string; name: string } };
  saveAs: { params: { session: string; path: string }; result: { path: string; name: string } };
  discardRecovery: { params: { session: string }; result: null };
  /** Queues cells to run in order; a failing cell cancels the rest of the queue. */
  execute: { params: { session: string; cells: string[] }; result: null };
  interrupt: { params: { session: string }; result: null };
  restart: { params: { session: string }; result: KernelStatus };
  page: {
    params: { session: string; tableId: string; offset: number; limit: number; sort?: SortKey };
    result: TablePage;
  };
  /** A table's column distributions, for the grid's headers and charts; `bins` as in the kernel's request. */
  columnSummary: {
    params: { session: string; tableId: string; column?: string; bins?: number };
    result: ColumnSummary[];
  };
  catalog: { params: { session: string }; result: CatalogTable[] };
  /** The notebook as it is now (unsaved edits too) as one self-contained HTML page. */
  exportHtml: { params: { session: string }; result: { html: string; name: string } };
  /**
   * Calls `method` on the kernel object behind a widget output. When the call changes what
   * the widget shows, its output in the notebook is replaced (and an `outputs` event sent).
   */
  widget: {
    params: { session: string; widgetId: string; method: string; params?: JsonValue };
    result: JsonValue;
  };
}

export type WorkbenchMethod = keyof WorkbenchMethods;

export type WorkbenchRequest = {
  [M in WorkbenchMethod]: { id: number; method: M; params: WorkbenchMethods[M]['params'] };
}[WorkbenchMethod];

export type WorkbenchResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type WorkbenchEvent =
  /** A cell's outputs from index `from` on; the ones before it are unchanged. */
  | { event: 'outputs'; session: string; cell: string; from: number; outputs: Output[] }
  | { event: 'run'; session: string; run: CellRun }
  | { event: 'kernel'; session: string; kernel: KernelStatus }
  | { event: 'dirty'; session: string; dirty: boolean };

export type ServerMessage = WorkbenchResponse | WorkbenchEvent;
