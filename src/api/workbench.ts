/**
 * The contract between the workbench UI (renderer) and the RecLab server, carried by one
 * WebSocket, described once as schemas: the TypeScript types are derived from them and the
 * server checks every request against them. The client sends requests
 * `{ id, method, params }`; each gets exactly one response with that id. The server also
 * pushes events about open notebooks (outputs, cell and kernel state) to every connection
 * attached to them.
 *
 * The server holds each open notebook (the file's cells, outputs and every field RecLab
 * does not know); the UI sends edits and keeps an optimistic copy. After a lost
 * connection the UI re-sends the edits the server has not acknowledged and re-attaches,
 * so nothing typed is lost.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CELL_KINDS, type CellKind, type JsonValue, type Output } from '../notebook';
import { JsonValueSchema, OutputSchema } from './output-schema';
import { CellTypeErrorSchema, TypeErrorPolicySchema } from './payloads';
import {
  ExecuteStatusSchema,
  KernelInfoSchema,
  WINDOW_QUERIES,
  type KernelQueryName,
  type QueryResult,
} from './kernel';

export const CellKindSchema = Type.Unsafe<CellKind>(Type.Union(CELL_KINDS.map((kind) => Type.Literal(kind))));

export const WireCellSchema = Type.Object({
  /** Stable for the session; new cells get theirs from the UI. */
  handle: Type.String(),
  kind: CellKindSchema,
  source: Type.String(),
  outputs: Type.Array(OutputSchema),
  executionCount: Type.Union([Type.Integer(), Type.Null()]),
  /** The outputs are collapsed to a bar (Jupyter's `outputs_hidden`). */
  outputsHidden: Type.Boolean(),
  /** How long the last run took, as the file records it. */
  durationMs: Type.Optional(Type.Number()),
});
export type WireCell = Static<typeof WireCellSchema>;

export const KernelStateNameSchema = Type.Union([
  Type.Literal('starting'),
  Type.Literal('idle'),
  Type.Literal('busy'),
  Type.Literal('dead'),
]);
export type KernelStateName = Static<typeof KernelStateNameSchema>;

export const KernelStatusSchema = Type.Object({
  state: KernelStateNameSchema,
  info: Type.Optional(KernelInfoSchema),
  /** Epoch ms when the running cell started, while busy. */
  busySince: Type.Optional(Type.Number()),
  /** Why the kernel died, when it did. */
  message: Type.Optional(Type.String()),
});
export type KernelStatus = Static<typeof KernelStatusSchema>;

export const CellRunSchema = Type.Object({
  cell: Type.String(),
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done')]),
  executionCount: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  status: Type.Optional(ExecuteStatusSchema),
  durationMs: Type.Optional(Type.Number()),
  /** 1-based cell line of the error, when the error points into the cell. */
  errorLine: Type.Optional(Type.Integer()),
});
export type CellRun = Static<typeof CellRunSchema>;

export const WireNotebookSchema = Type.Object({
  session: Type.String(),
  path: Type.String(),
  name: Type.String(),
  cells: Type.Array(WireCellSchema),
  dirty: Type.Boolean(),
  kernel: KernelStatusSchema,
  /** Execution state of cells that are queued or running. */
  running: Type.Array(CellRunSchema),
  typeErrors: TypeErrorPolicySchema,
});
export type WireNotebook = Static<typeof WireNotebookSchema>;

const Handle = Type.String();
const Index = Type.Integer({ minimum: 0 });

export const CellEditSchema = Type.Union([
  Type.Object({ op: Type.Literal('source'), cell: Handle, source: Type.String() }),
  Type.Object({
    op: Type.Literal('insert'),
    index: Index,
    cell: Handle,
    kind: CellKindSchema,
    source: Type.String(),
    /** A pasted cell brings its outputs, as Jupyter's does. */
    outputs: Type.Optional(Type.Array(OutputSchema)),
  }),
  Type.Object({ op: Type.Literal('delete'), cell: Handle }),
  /** Puts a deleted cell back, outputs and all, where it was. */
  Type.Object({ op: Type.Literal('undelete'), cell: Handle }),
  Type.Object({ op: Type.Literal('move'), cell: Handle, index: Index }),
  Type.Object({ op: Type.Literal('kind'), cell: Handle, kind: CellKindSchema }),
  /** Clears one cell's outputs, or every cell's when `cell` is absent. */
  Type.Object({ op: Type.Literal('clearOutputs'), cell: Type.Optional(Handle) }),
  Type.Object({ op: Type.Literal('outputsHidden'), cell: Handle, hidden: Type.Boolean() }),
  /** Sets whether type errors only warn before a cell runs, or stop it, for the whole notebook. */
  Type.Object({ op: Type.Literal('typeErrors'), policy: TypeErrorPolicySchema }),
]);
export type CellEdit = Static<typeof CellEditSchema>;

/** A cell as copied (C, X) and pasted (V), in this notebook or another one. */
export const CellCopySchema = Type.Object({
  kind: CellKindSchema,
  source: Type.String(),
  outputs: Type.Array(OutputSchema),
});
export type CellCopy = Static<typeof CellCopySchema>;
export const CellCopiesSchema = Type.Array(CellCopySchema);

export interface FolderEntry {
  name: string;
  path: string;
  /** `data`: a file DuckDB reads (CSV, TSV, Parquet, JSON), which opens as a SQL cell. */
  kind: 'folder' | 'notebook' | 'data';
}

export interface OpenResult {
  notebook: WireNotebook;
  /** Unsaved edits found from an earlier run that ended without saving them. */
  recovery?: { savedAt: number };
  /** The sample notebook this one is a fresh copy of: samples are never opened, or saved, in place. */
  copiedFrom?: string;
}

const Session = Type.Object({ session: Type.String() });
const none = Type.Object({});
const withSession = <P extends Record<string, TSchema>>(fields: P) =>
  Type.Object({ session: Type.String(), ...fields });

/** Every method's parameters; the server refuses a request whose parameters do not fit. */
export const WORKBENCH_PARAMS = {
  /** The first call of a window: `protocol` is the PROTOCOL_VERSION the page was built with. */
  hello: Type.Object({ protocol: Type.Integer() }),
  listFolder: Type.Object({ path: Type.Optional(Type.String()) }),
  samples: none,
  recent: none,
  open: Type.Object({ path: Type.String(), restore: Type.Optional(Type.Boolean()) }),
  /** `name`: the file to create, relative to `folder` (or the folder served); Untitled.ipynb, -1, … without one. */
  create: Type.Object({ folder: Type.Optional(Type.String()), name: Type.Optional(Type.String()) }),
  /** Re-attaches a connection to an open notebook and returns its current state. */
  attach: Session,
  close: Session,
  /**
   * Applies a batch of edits, all or none. `client` names the window and `seq` numbers its
   * batches, so a batch re-sent after a lost connection is applied once.
   */
  edit: withSession({ client: Type.String(), seq: Type.Integer(), edits: Type.Array(CellEditSchema) }),
  /** `overwrite`: the user has agreed to replace a file another program changed since it was read. */
  save: withSession({ overwrite: Type.Optional(Type.Boolean()) }),
  /** `overwrite`: the user has agreed to replace the file already at `path`. */
  saveAs: withSession({ path: Type.String(), overwrite: Type.Optional(Type.Boolean()) }),
  discardRecovery: Session,
  /**
   * Queues cells to run in order; a failing cell cancels the rest of the queue. `typeErrors`:
   * what the editor's checker found in each cell, by handle, shown before the cell runs.
   */
  execute: withSession({
    cells: Type.Array(Handle),
    typeErrors: Type.Optional(Type.Record(Type.String(), Type.Array(CellTypeErrorSchema))),
  }),
  interrupt: Session,
  restart: Session,
  /** Asks the notebook's kernel one of the window queries; the server checks and forwards it. */
  query: withSession({
    query: Type.Union(WINDOW_QUERIES.map((q) => Type.Literal(q))),
    params: Type.Record(Type.String(), Type.Unknown()),
  }),
  /** The notebook as it is now (unsaved edits too) as one self-contained HTML page. */
  exportHtml: Session,
  /**
   * Calls `method` on the kernel object behind a widget output. When the call changes what
   * the widget shows, its output in the notebook is replaced (and an `outputs` event sent).
   */
  widget: withSession({
    widgetId: Type.String(),
    method: Type.String(),
    params: Type.Optional(JsonValueSchema),
  }),
};

/** What each method returns. */
interface WorkbenchResults {
  hello: { folder: string; version: string };
  listFolder: { path: string; entries: FolderEntry[] };
  samples: FolderEntry[];
  recent: FolderEntry[];
  open: OpenResult;
  create: OpenResult;
  attach: WireNotebook;
  close: null;
  edit: null;
  save: { path: string; name: string };
  saveAs: { path: string; name: string };
  discardRecovery: null;
  execute: null;
  interrupt: null;
  restart: KernelStatus;
  /** Typed by the query asked: see {@link QueryResult}. */
  query: QueryResult<KernelQueryName>;
  exportHtml: { html: string; name: string };
  widget: JsonValue;
}

export type WorkbenchMethod = keyof typeof WORKBENCH_PARAMS;

/** Every method, with what it takes and what it returns. */
export type WorkbenchMethods = {
  [M in WorkbenchMethod]: { params: Static<(typeof WORKBENCH_PARAMS)[M]>; result: WorkbenchResults[M] };
};

export type WorkbenchRequest = {
  [M in WorkbenchMethod]: { id: number; method: M; params: WorkbenchMethods[M]['params'] };
}[WorkbenchMethod];

export type WorkbenchResponse =
  | { id: number; ok: true; result: unknown }
  /**
   * `needs: 'overwrite'`: the request would replace what the user has not seen; it may be
   * sent again with `overwrite`.
   */
  | { id: number; ok: false; error: string; needs?: 'overwrite' };

export type WorkbenchEvent =
  /** A cell's outputs from index `from` on; the ones before it are unchanged. */
  | { event: 'outputs'; session: string; cell: string; from: number; outputs: Output[] }
  | { event: 'run'; session: string; run: CellRun }
  | { event: 'kernel'; session: string; kernel: KernelStatus }
  | { event: 'dirty'; session: string; dirty: boolean }
  /** Stream output `index` of a running cell grew: its lines from `fromLine` on are now `lines`. */
  | { event: 'stream'; session: string; cell: string; index: number; fromLine: number; lines: string[] }
  /** A batch of edits one window made, applied: the notebook's other windows follow. */
  | { event: 'edits'; session: string; client: string; edits: CellEdit[] };

export type ServerMessage = WorkbenchResponse | WorkbenchEvent;
