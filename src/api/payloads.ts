/**
 * What RecLab's own MIME types carry, described once: the kernel writes these payloads,
 * the file keeps them, and the UI and the HTML export read them back through
 * {@link readPayload}, so a notebook edited by hand or by another tool cannot break either.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MIME } from '../notebook';
import { firstProblem } from './validate';
import { ColumnSummarySchema } from './kernel';

const Columns = Type.Array(Type.Object({ name: Type.String(), type: Type.String() }));

/**
 * Under the table MIME type: the first rows, the rest staying in the kernel, and each
 * column's distribution over all of them, so a reopened notebook's grid shows them without it.
 */
export const TableOutputSchema = Type.Object({
  tableId: Type.String(),
  numRows: Type.Number({ minimum: 0 }),
  columns: Columns,
  rows: Type.Array(Type.Array(Type.Unknown())),
  summaries: Type.Optional(Type.Array(ColumnSummarySchema)),
});
export type TableOutput = Static<typeof TableOutputSchema>;

/** Under the ECharts MIME type. `option` is checked for what may run or fetch by `safeChartOption`. */
export const ChartOutputSchema = Type.Object({
  option: Type.Record(Type.String(), Type.Unknown()),
  width: Type.Number({ minimum: 0 }),
  height: Type.Number({ minimum: 0 }),
});
export type ChartOutput = Static<typeof ChartOutputSchema>;

export const ProgressStateSchema = Type.Object({
  label: Type.String(),
  value: Type.Number({ minimum: 0 }),
  total: Type.Number({ minimum: 0 }),
  elapsedSeconds: Type.Number({ minimum: 0 }),
  /** Items per second so far. */
  rate: Type.Number({ minimum: 0 }),
  /** Seconds left at the current rate; null before the first step. */
  etaSeconds: Type.Union([Type.Number(), Type.Null()]),
  done: Type.Boolean(),
});
export type ProgressState = Static<typeof ProgressStateSchema>;

export const ProjectorColorSchema = Type.Union([
  /** `values`: base64 Uint16, an index into `categories` per point; `categories.length` marks a missing value. */
  Type.Object({
    name: Type.String(),
    kind: Type.Literal('category'),
    categories: Type.Array(Type.String()),
    values: Type.String(),
  }),
  /** `values`: base64 Float32 per point; NaN for missing. */
  Type.Object({
    name: Type.String(),
    kind: Type.Literal('number'),
    min: Type.Number(),
    max: Type.Number(),
    values: Type.String(),
  }),
]);
export type ProjectorColor = Static<typeof ProjectorColorSchema>;

/**
 * The embedding projector's payload. Coordinates are little-endian Float32 in base64,
 * `count × dims`, row-major; the file stays compact at 100,000 points.
 */
export const ProjectorOutputSchema = Type.Object({
  widgetId: Type.String(),
  title: Type.String(),
  /** 'pca' | 'umap' | 'tsne' */
  method: Type.String(),
  dims: Type.Union([Type.Literal(2), Type.Literal(3)]),
  count: Type.Integer({ minimum: 0 }),
  coords: Type.String(),
  labels: Type.Array(Type.String()),
  color: Type.Optional(ProjectorColorSchema),
});
export type ProjectorOutput = Static<typeof ProjectorOutputSchema>;

const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()]);

export const RecommendResultSchema = Type.Object({
  user: Type.String(),
  model: Type.String(),
  columns: Type.Array(Type.String()),
  rows: Type.Array(Type.Array(Cell)),
  history: Type.Object({
    columns: Type.Array(Type.String()),
    rows: Type.Array(Type.Array(Cell)),
    total: Type.Number({ minimum: 0 }),
  }),
});
export type RecommendResult = Static<typeof RecommendResultSchema>;

/** The top-10 widget's payload. */
export const RecommendOutputSchema = Type.Object({
  widgetId: Type.String(),
  /** The models the selector offers, by variable name. */
  models: Type.Array(Type.String()),
  model: Type.String(),
  /** The last result shown, kept in the file. */
  last: Type.Optional(RecommendResultSchema),
});
export type RecommendOutput = Static<typeof RecommendOutputSchema>;

/** A TypeScript error the editor's checker found in a cell, at a 1-based line and column. */
export const CellTypeErrorSchema = Type.Object({
  line: Type.Integer({ minimum: 1 }),
  column: Type.Integer({ minimum: 1 }),
  message: Type.String(),
});
export type CellTypeError = Static<typeof CellTypeErrorSchema>;

/** Whether a cell's type errors only warn before it runs, or stop it: the notebook's `metadata.reclab.typeErrors`. */
export const TypeErrorPolicySchema = Type.Union([Type.Literal('warn'), Type.Literal('stop')]);
export type TypeErrorPolicy = Static<typeof TypeErrorPolicySchema>;

/** The type errors a cell had when it was run; `stopped`: the cell did not run for them. */
export const TypeErrorsOutputSchema = Type.Object({
  errors: Type.Array(CellTypeErrorSchema),
  stopped: Type.Boolean(),
});
export type TypeErrorsOutput = Static<typeof TypeErrorsOutputSchema>;

/**
 * A value to unfold, as a browser's console shows objects: under the tree MIME type. A node
 * with `entries` is an object that opens; one without is a value, or an object past the
 * depth the kernel went to, read as its summary.
 */
export const ValueTreeNodeSchema = Type.Recursive((Node) =>
  Type.Object({
    /** The value as one line: `{a: 1, b: Array(3), …}`, `(3) [1, 2, 3]`, `'text'`, `42`. */
    summary: Type.String(),
    kind: Type.Union(
      ['object', 'string', 'number', 'boolean', 'null', 'undefined', 'other'].map((k) => Type.Literal(k)),
    ),
    entries: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Node }))),
    /** Entries left out past the kernel's limits. */
    more: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
);
export type ValueTreeNode = Static<typeof ValueTreeNodeSchema>;

const PAYLOADS = {
  [MIME.table]: TableOutputSchema,
  [MIME.echarts]: ChartOutputSchema,
  [MIME.progress]: ProgressStateSchema,
  [MIME.projector]: ProjectorOutputSchema,
  [MIME.recommend]: RecommendOutputSchema,
  [MIME.typeErrors]: TypeErrorsOutputSchema,
  [MIME.tree]: ValueTreeNodeSchema,
} satisfies Record<(typeof MIME)[keyof typeof MIME], TSchema>;

/** Each RecLab MIME type's payload type. */
export type MimePayloads = { [M in keyof typeof PAYLOADS]: Static<(typeof PAYLOADS)[M]> };
export type RecLabMime = keyof MimePayloads;

export type PayloadRead<M extends RecLabMime> =
  { ok: true; value: MimePayloads[M] } | { ok: false; error: string };

/**
 * A RecLab payload from a bundle, checked: what is wrong with it, where it does not fit, so it is shown as
 * unreadable.
 */
export function readPayload<M extends RecLabMime>(mime: M, value: unknown): PayloadRead<M> {
  const problem = firstProblem(PAYLOADS[mime], value);
  return problem === undefined
    ? { ok: true, value: value as MimePayloads[M] }
    : { ok: false, error: `${mime}: ${problem}` };
}

export function isRecLabMime(mime: string): mime is RecLabMime {
  return Object.hasOwn(PAYLOADS, mime);
}
