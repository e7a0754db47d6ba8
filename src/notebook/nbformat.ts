/**
 * The nbformat 4 document, typed as it is on disk. The model is the file's own parsed
 * JSON, edited in place and never rebuilt, so every field RecLab does not know survives
 * a load/save untouched; `cells.ts` gives the convenient views (source as one string,
 * cell language).
 */
import type { JsonObject, JsonValue } from './json';

/** nbformat allows a multi-line string as one string or as a list of lines. */
export type MultilineString = string | string[];

/** A mime bundle: mime type → content (text as a multiline string, JSON as JSON). */
export type MimeBundle = Record<string, JsonValue>;

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: JsonObject;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: JsonObject;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

interface CellBase {
  id?: string;
  metadata: JsonObject;
  source: MultilineString;
}
export interface CodeCell extends CellBase {
  cell_type: 'code';
  execution_count: number | null;
  outputs: Output[];
}
export interface MarkdownCell extends CellBase {
  cell_type: 'markdown';
  attachments?: JsonObject;
}
export interface RawCell extends CellBase {
  cell_type: 'raw';
  attachments?: JsonObject;
}
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: JsonObject;
  cells: Cell[];
}

export const KERNELSPEC = {
  name: 'reclab-ts',
  display_name: 'TypeScript (RecLab)',
  language: 'typescript',
} as const;

export const LANGUAGE_INFO = {
  name: 'typescript',
  file_extension: '.ts',
  mimetype: 'text/typescript',
} as const;

/** Mime types RecLab adds beside the static forms that other tools show. */
export const MIME = {
  table: 'application/vnd.reclab.table+json',
  echarts: 'application/vnd.reclab.echarts+json',
  progress: 'application/vnd.reclab.progress+json',
  projector: 'application/vnd.reclab.projector+json',
  recommend: 'application/vnd.reclab.recommend+json',
  typeErrors: 'application/vnd.reclab.type-errors+json',
  tree: 'application/vnd.reclab.tree+json',
} as const;
