export type * from './kernel';
export type * from './workbench';
export type { MimeBundle, Output } from '../notebook/nbformat';
export type { JsonValue } from '../notebook/json';
export { MIME } from '../notebook/nbformat';
export { sqlCellName } from './sql-name';
export { formatCount, formatCountOf, formatDuration, formatRate, formatValue } from './format';
export type {
  ProjectorColor,
  ProjectorNeighbour,
  ProjectorOutput,
  RecommendOutput,
  RecommendResult,
  Widget,
  WidgetCallResult,
  WidgetContext,
  WidgetReply,
  WidgetSpec,
} from './widgets';
export { WIDGET, WIDGET_GONE, isWidget } from './widgets';
export { escapeHtml } from './escape-html';
export { stripAnsi } from './ansi';
export { safeChartOption } from './chart-option';
