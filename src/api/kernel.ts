/**
 * The message contract between a kernel process and whoever drives it (the server, the
 * CLI, tests). Requests carry an `id`; each gets exactly one reply with that id. Output
 * events name the execution they belong to.
 */
import type { MimeBundle, Output } from '../notebook/nbformat';
import type { JsonValue } from '../notebook/json';
import type { WidgetCallResult } from './widgets';

/** How a table page is ordered. */
export interface SortKey {
  column: string;
  descending?: boolean;
}

export interface ProgressState {
  label: string;
  value: number;
  total: number;
  elapsedSeconds: number;
  /** Items per second so far. */
  rate: number;
  /** Seconds left at the current rate; null before the first step. */
  etaSeconds: number | null;
  done: boolean;
}

/** What an output carries under the RecLab table mime type: the first rows; the rest stay in the kernel. */
export interface TableOutput {
  tableId: string;
  numRows: number;
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/** What an output carries under the RecLab ECharts mime type. */
export interface ChartOutput {
  option: Record<string, unknown>;
  width: number;
  height: number;
}

export type CellKind = 'typescript' | 'sql';

export interface KernelInfo {
  /** The TensorFlow.js backend in use: `tensorflow` (native), `webgpu`, `wasm` or `cpu`. */
  backend: string;
  /** What the backend runs on, in words (a GPU's name, "CPU (wasm, 2 threads)", …). */
  device: string;
  tfjsVersion: string;
  duckdbVersion: string;
  nodeVersion: string;
  pid: number;
  /** Backends tried before the one in use, with why each was not used. */
  skipped: { backend: string; reason: string }[];
}

export type KernelRequest =
  | { type: 'execute'; id: number; code: string; kind: CellKind }
  | { type: 'page'; id: number; tableId: string; offset: number; limit: number; sort?: SortKey }
  /**
   * Summaries of one column of a shown table, or of all of them. `bins`: how many bars, the
   * histogram's bins for numbers (about as many, on round edges; default 16) and the top
   * values for the rest (default 5).
   */
  | { type: 'columnSummary'; id: number; tableId: string; column?: string; bins?: number }
  | { type: 'info'; id: number }
  /** The tables and columns of the kernel's DuckDB database, for completions. */
  | { type: 'catalog'; id: number }
  /** A widget's view calls `method` on the kernel object behind widget `widgetId`. */
  | { type: 'widget'; id: number; widgetId: string; method: string; params: JsonValue }
  /** The widgets of outputs that are gone (their cell ran again, or was cleared): the kernel lets them go. */
  | { type: 'releaseWidgets'; id: number; widgetIds: string[] };

/** The one message that is not a request: it must get through while a cell runs. */
export interface InterruptMessage {
  type: 'interrupt';
  /** The execute request to stop; one still queued is stopped as soon as it starts. */
  target: number;
}

export type KernelInbound = KernelRequest | InterruptMessage;

export type ExecuteStatus = 'ok' | 'error' | 'interrupted';

export interface ExecuteReply {
  status: ExecuteStatus;
  executionCount: number;
  /** Cell line of the error, 1-based, when the error points into the cell. */
  errorLine?: number;
  durationMs: number;
}

export interface TablePage {
  tableId: string;
  offset: number;
  numRows: number;
  columns: { name: string; type: string }[];
  /** Row-major values of the page, JSON-ready. */
  rows: unknown[][];
}

/**
 * A column's distribution, for a grid's header and its one-click chart: a histogram for
 * numbers and times, the most frequent values for everything else.
 */
export type ColumnSummary = NumericSummary | CategorySummary;

export interface NumericSummary {
  kind: 'numeric';
  column: string;
  type: string;
  rows: number;
  /** NULL (NaN) values. */
  nulls: number;
  /** ±Infinity values (DuckDB's infinite times): left out of min, max and the histogram. */
  infinite: number;
  /** Of the finite values; null when there are none. Times in ms since 1970. */
  min: number | null;
  max: number | null;
  /**
   * Bin i counts the values in [start + i·width, start + (i+1)·width), the last bin closed;
   * the edges are round, as a histogram chart's. When `discrete` (whole or half-step numbers
   * taking no more steps than bins asked for), width is the step (1 or 0.5) and bin i counts
   * the value start + i·width.
   */
  histogram: { start: number; width: number; counts: number[]; discrete: boolean };
}

export interface CategorySummary {
  kind: 'category';
  column: string;
  type: string;
  rows: number;
  nulls: number;
  /** Distinct non-NULL values: exact, or a lower bound when `distinctCapped`. */
  distinct: number;
  distinctCapped: boolean;
  /** The most frequent values (as text; JSON for nested values), most frequent first, with exact counts. */
  top: { value: string; count: number }[];
}

export interface CatalogTable {
  name: string;
  columns: { name: string; type: string }[];
}

export interface ReplyPayload {
  execute: ExecuteReply;
  page: TablePage;
  columnSummary: ColumnSummary[];
  info: KernelInfo;
  catalog: CatalogTable[];
  widget: WidgetCallResult;
  releaseWidgets: null;
}

export type KernelReply =
  | {
      [K in keyof ReplyPayload]: { type: 'reply'; id: number; request: K; ok: true; result: ReplyPayload[K] };
    }[keyof ReplyPayload]
  | { type: 'reply'; id: number; request: KernelRequest['type']; ok: false; error: string };

export type KernelEvent =
  | { type: 'ready'; info: KernelInfo }
  | { type: 'status'; state: 'busy' | 'idle' }
  /** An output of execution `execId`; `displayId` marks a display that may be updated. */
  | { type: 'output'; execId: number; output: Output; displayId?: string }
  | { type: 'update_display'; execId: number; displayId: string; data: MimeBundle };

export type KernelOutbound = KernelReply | KernelEvent;
