export * from './nbformat';
export { parseJson, stringifyJupyter, formatNumber, JsonNumberText, JsonSyntaxError } from './json';
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
  cellLanguage,
  joinText,
  splitLines,
  newCellId,
  newCodeCell,
  newMarkdownCell,
} from './cells';
export type { CellLanguage } from './cells';
export { OutputCollector, widgetIds, widgetOutputIndex } from './outputs';
export { readNotebookFile, readNotebookText, writeNotebookFile, writeFileAtomic } from './file';
