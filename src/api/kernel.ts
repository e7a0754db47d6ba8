/**
 * The message contract between a kernel process and whoever drives it (the server, the
 * CLI, tests), described once as schemas: the TypeScript types below are derived from
 * them, and the server checks every message a kernel sends against them, since a cell can
 * write to the channel too.
 *
 * Requests carry an `id`; each gets exactly one reply with that id. Besides running cells,
 * a kernel answers *queries*, declared in {@link KERNEL_QUERIES}: a query is added there and
 * implemented in the kernel, and nothing in between changes.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { CodeCellKind } from '../notebook';
import { JsonValueSchema, MimeBundleSchema, OutputSchema } from './output-schema';

/** Bumped when a message changes shape, so a stale window or kernel is told instead of misread. */
export const PROTOCOL_VERSION = 1;

const Columns = Type.Array(Type.Object({ name: Type.String(), type: Type.String() }));
const Count = Type.Integer({ minimum: 0 });

/** How a table page is ordered. */
export const SortKeySchema = Type.Object({
  column: Type.String(),
  descending: Type.Optional(Type.Boolean()),
});
export type SortKey = Static<typeof SortKeySchema>;

export const KernelInfoSchema = Type.Object({
  /** The TensorFlow.js backend in use: `tensorflow` (native), `webgpu`, `wasm` or `cpu`. */
  backend: Type.String(),
  /** What the backend runs on, in words (a GPU's name, "CPU (wasm, 2 threads)", …). */
  device: Type.String(),
  tfjsVersion: Type.String(),
  duckdbVersion: Type.String(),
  nodeVersion: Type.String(),
  pid: Type.Integer(),
  /** Backends tried before the one in use, with why each was not used. */
  skipped: Type.Array(Type.Object({ backend: Type.String(), reason: Type.String() })),
});
export type KernelInfo = Static<typeof KernelInfoSchema>;

export const TablePageSchema = Type.Object({
  tableId: Type.String(),
  offset: Count,
  numRows: Count,
  columns: Columns,
  /** Row-major values of the page, JSON-ready. */
  rows: Type.Array(Type.Array(Type.Unknown())),
});
export type TablePage = Static<typeof TablePageSchema>;

export const NumericSummarySchema = Type.Object({
  kind: Type.Literal('numeric'),
  column: Type.String(),
  type: Type.String(),
  rows: Count,
  /** NULL (NaN) values. */
  nulls: Count,
  /** ±Infinity values (DuckDB's infinite times): left out of min, max and the histogram. */
  infinite: Count,
  /** Of the finite values; null when there are none. Times in ms since 1970. */
  min: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  /**
   * Bin i counts the values in [start + i·width, start + (i+1)·width), the last bin closed;
   * the edges are round, as a histogram chart's. When `discrete` (whole or half-step numbers
   * taking no more steps than bins asked for), width is the step (1 or 0.5) and bin i counts
   * the value start + i·width.
   */
  histogram: Type.Object({
    start: Type.Number(),
    width: Type.Number(),
    counts: Type.Array(Type.Number()),
    discrete: Type.Boolean(),
  }),
});
export type NumericSummary = Static<typeof NumericSummarySchema>;

export const CategorySummarySchema = Type.Object({
  kind: Type.Literal('category'),
  column: Type.String(),
  type: Type.String(),
  rows: Count,
  nulls: Count,
  /** Distinct non-NULL values: exact, or a lower bound when `distinctCapped`. */
  distinct: Count,
  distinctCapped: Type.Boolean(),
  /** The most frequent values (as text; JSON for nested values), most frequent first, with exact counts. */
  top: Type.Array(Type.Object({ value: Type.String(), count: Count })),
});
export type CategorySummary = Static<typeof CategorySummarySchema>;

/**
 * A column's distribution, for a grid's header and its one-click chart: a histogram for
 * numbers and times, the most frequent values for everything else.
 */
export const ColumnSummarySchema = Type.Union([NumericSummarySchema, CategorySummarySchema]);
export type ColumnSummary = Static<typeof ColumnSummarySchema>;

export const CatalogTableSchema = Type.Object({ name: Type.String(), columns: Columns });
export type CatalogTable = Static<typeof CatalogTableSchema>;

/** What a widget call gives back: the result, and the widget's new output when what it shows changed. */
export const WidgetCallResultSchema = Type.Object({
  result: JsonValueSchema,
  bundle: Type.Optional(MimeBundleSchema),
});
export type WidgetCallResult = Static<typeof WidgetCallResultSchema>;

/** One name the cells declared, as the variable inspector lists it. */
export const VariableInfoSchema = Type.Object({
  name: Type.String(),
  /** The class (`Table`, `SASRec`, `Float32Array`) or the kind of value (`number`, `function`). */
  type: Type.String(),
  /** One line: a table's rows and columns, a tensor's shape, a model's fitted state, a value. */
  summary: Type.String(),
  /** The memory its data holds, where that is known (typed arrays, tensors, tables). */
  bytes: Type.Optional(Type.Number()),
});
export type VariableInfo = Static<typeof VariableInfoSchema>;

const query = <P extends TSchema, R extends TSchema>(params: P, result: R) => ({ params, result });

/** Everything a kernel answers besides running cells, with what each takes and returns. */
export const KERNEL_QUERIES = {
  info: query(Type.Object({}), KernelInfoSchema),
  page: query(
    Type.Object({ tableId: Type.String(), offset: Count, limit: Count, sort: Type.Optional(SortKeySchema) }),
    TablePageSchema,
  ),
  /**
   * Summaries of one column of a shown table, or of all of them. `bins`: how many bars, the
   * histogram's bins for numbers (about as many, on round edges; default 16) and the top
   * values for the rest (default 5).
   */
  columnSummary: query(
    Type.Object({
      tableId: Type.String(),
      column: Type.Optional(Type.String()),
      bins: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    }),
    Type.Array(ColumnSummarySchema),
  ),
  /** The tables and columns of the kernel's DuckDB database, for completions. */
  catalog: query(Type.Object({}), Type.Array(CatalogTableSchema)),
  /** A widget's view calls `method` on the kernel object behind widget `widgetId`. */
  widget: query(
    Type.Object({ widgetId: Type.String(), method: Type.String(), params: JsonValueSchema }),
    WidgetCallResultSchema,
  ),
  /** The names the cells declared, by name, for the variable inspector. */
  variables: query(Type.Object({}), Type.Array(VariableInfoSchema)),
  /** One variable as a cell showing it would display it (a table's grid, a chart, its text). */
  displayVariable: query(Type.Object({ name: Type.String() }), MimeBundleSchema),
  /** The widgets of outputs that are gone (their cell ran again, or was cleared): the kernel lets them go. */
  releaseWidgets: query(Type.Object({ widgetIds: Type.Array(Type.String()) }), Type.Null()),
};

export type KernelQueryName = keyof typeof KERNEL_QUERIES;
export type QueryParams<Q extends KernelQueryName> = Static<(typeof KERNEL_QUERIES)[Q]['params']>;
export type QueryResult<Q extends KernelQueryName> = Static<(typeof KERNEL_QUERIES)[Q]['result']>;

/** The queries a window may send its notebook's kernel; the server forwards them as they are. */
export const WINDOW_QUERIES = [
  'page',
  'columnSummary',
  'catalog',
  'variables',
  'displayVariable',
] as const satisfies KernelQueryName[];
export type WindowQueryName = (typeof WINDOW_QUERIES)[number];

export type KernelRequest =
  | { type: 'execute'; id: number; code: string; kind: CodeCellKind }
  | {
      [Q in KernelQueryName]: { type: 'query'; id: number; query: Q; params: QueryParams<Q> };
    }[KernelQueryName];

/** The one message that is not a request: it must get through while a cell runs. */
export interface InterruptMessage {
  type: 'interrupt';
  /** The execute request to stop; one still queued is stopped as soon as it starts. */
  target: number;
}

export type KernelInbound = KernelRequest | InterruptMessage;

export const ExecuteStatusSchema = Type.Union([
  Type.Literal('ok'),
  Type.Literal('error'),
  Type.Literal('interrupted'),
]);
export type ExecuteStatus = Static<typeof ExecuteStatusSchema>;

export const ExecuteReplySchema = Type.Object({
  status: ExecuteStatusSchema,
  executionCount: Type.Integer(),
  /** Cell line of the error, 1-based, when the error points into the cell. */
  errorLine: Type.Optional(Type.Integer()),
  durationMs: Type.Number(),
});
export type ExecuteReply = Static<typeof ExecuteReplySchema>;

/**
 * What a kernel sends. A reply's `result` is checked against its request's result schema by
 * the driver, which knows what it asked; the envelope is checked here.
 */
export const KernelOutboundSchema = Type.Union([
  Type.Object({
    type: Type.Literal('reply'),
    id: Type.Integer(),
    ok: Type.Literal(true),
    result: Type.Unknown(),
  }),
  Type.Object({
    type: Type.Literal('reply'),
    id: Type.Integer(),
    ok: Type.Literal(false),
    error: Type.String(),
  }),
  Type.Object({ type: Type.Literal('ready'), protocol: Type.Integer(), info: KernelInfoSchema }),
  Type.Object({
    type: Type.Literal('status'),
    state: Type.Union([Type.Literal('busy'), Type.Literal('idle')]),
  }),
  /** An output of execution `execId`; `displayId` marks a display that may be updated. */
  Type.Object({
    type: Type.Literal('output'),
    execId: Type.Integer(),
    output: OutputSchema,
    displayId: Type.Optional(Type.String()),
  }),
  Type.Object({
    type: Type.Literal('update_display'),
    execId: Type.Integer(),
    displayId: Type.String(),
    data: MimeBundleSchema,
  }),
]);
export type KernelOutbound = Static<typeof KernelOutboundSchema>;
export type KernelReply = Extract<KernelOutbound, { type: 'reply' }>;
export type KernelEvent = Exclude<KernelOutbound, KernelReply>;
