export type * from './kernel';
export type * from './workbench';
export type { MimeBundle, Output } from '../notebook/nbformat';
export { MIME } from '../notebook/nbformat';
export { sqlCellName } from './sql-name';
export { formatDuration, formatRate } from './format';
export type { ProjectorColor, ProjectorNeighbour, ProjectorOutput, RecommendOutput, RecommendResult, Widget, WidgetContext, WidgetReply, WidgetSpec } from './widgets';
export { WIDGET, isWidget } from './widgets';
export { escapeHtml } from './escape-html';
