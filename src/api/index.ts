export type * from './kernel';
export type * from './workbench';
export type * from './payloads';
export {
  PROTOCOL_VERSION,
  KERNEL_QUERIES,
  ExecuteReplySchema,
  KernelOutboundSchema,
  WINDOW_QUERIES,
  type QueryParams,
  type QueryResult,
} from './kernel';
export { CellCopiesSchema, WORKBENCH_PARAMS } from './workbench';
export { readPayload, isRecLabMime } from './payloads';
export { checked, firstProblem } from './validate';
export { readOutput, type OutputRead } from './output-schema';
export type { CellKind, CodeCellKind, JsonValue, MimeBundle, Output } from '../notebook';
export { MIME } from '../notebook';
export { sqlCellName } from './sql-name';
export {
  formatCount,
  formatCountOf,
  formatDuration,
  formatRate,
  formatValue,
  progressText,
  typeErrorsText,
} from './format';
export type { ProjectorNeighbour, Widget, WidgetContext, WidgetReply, WidgetSpec } from './widgets';
export { WIDGET, WIDGET_GONE, isWidget } from './widgets';
export { escapeHtml } from './escape-html';
export { stripAnsi } from './ansi';
export { safeChartOption } from './chart-option';
export {
  MISSING_COLOUR,
  categoryColour,
  mapBounds,
  mapFrame,
  plainColour,
  rgb,
  sequentialColour,
  type MapArea,
  type MapBounds,
  type MapLayout,
} from './projector-style';
