export * from './nbformat';
export {
  parseJson,
  stringifyJupyter,
  formatNumber,
  isJsonObject,
  JsonNumberText,
  JsonSyntaxError,
} from './json';
export type { JsonObject, JsonValue } from './json';
export {
  parseNotebook,
  serializeNotebook,
  createNotebook,
  upgradeNotebook,
  NotebookFormatError,
} from './ipynb';
export {
  cellSource,
  setCellSource,
  cellKind,
  joinText,
  splitLines,
  newCellId,
  newCodeCell,
  newMarkdownCell,
} from './cells';
export { CELL_KINDS } from './cells';
export type { CellKind, CodeCellKind } from './cells';
export { MAX_STREAM_CHARS, OutputCollector, widgetIds, widgetOutputIndex } from './outputs';
export type { CollectorOptions, OutputChange } from './outputs';
export { foreignKernelHint } from './language';
export { clearExecution, executionMs, outputsHidden, recordExecution, setOutputsHidden } from './metadata';
