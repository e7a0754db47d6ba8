import { inspect } from 'node:util';
import { Chart, renderSvg } from '../charts';
import { PREVIEW_ROWS, Table, tableHtml, tableText } from '../data';
import type { ChartOutput, TableOutput } from '../api';
import { MIME, type JsonValue, type MimeBundle } from '../notebook';
import type { TableRegistry } from './tables';
import type { WidgetRegistry } from './widgets';
import { jsonSafe } from './json-safe';
import { isWidget } from '../api';

/** Where display outputs go: the current execution's output stream. */
export interface OutputSink {
  display(data: MimeBundle, displayId?: string): void;
  update(displayId: string, data: MimeBundle): void;
}

/**
 * Objects can say how they are displayed, like `_repr_mimebundle_` in Jupyter:
 * `[DISPLAY](): MimeBundle`.
 */
export const DISPLAY = Symbol.for('reclab.display');

interface SelfDisplaying {
  [DISPLAY](): MimeBundle;
}

export class Markdown {
  constructor(readonly text: string) {}
}
export class Html {
  constructor(readonly html: string) {}
}

export function plainText(value: unknown): string {
  return typeof value === 'string'
    ? value
    : inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}

/** Where shown tables and widgets stay, so their views can page through or call them. */
export interface Registries {
  tables: TableRegistry;
  widgets: WidgetRegistry;
}

/** Every value gets `text/plain`; richer values add their own forms beside it. */
export function toMimeBundle(value: unknown, { tables, widgets }: Registries): MimeBundle {
  // A widget says in its own bundle what it is as text; printing the object (its models, its vectors) would be waste.
  if (isWidget(value)) return { 'text/plain': '<widget>', ...widgets.show(value) };
  if (value instanceof Table) {
    const tableId = tables.add(value);
    const page = tables.page(tableId, 0, PREVIEW_ROWS);
    return {
      'text/plain': tableText(value),
      'text/html': tableHtml(value),
      [MIME.table]: json({
        tableId,
        numRows: value.numRows,
        columns: page.columns,
        rows: page.rows,
      } satisfies TableOutput),
    };
  }
  if (value instanceof Chart) {
    const svg = renderSvg(value);
    let functions = false;
    const option = jsonSafe(value.option, () => (functions = true));
    // Functions (formatters, callbacks) are drawn into the SVG but cannot be saved: such a
    // chart keeps only its static form.
    if (functions)
      return {
        'text/plain': `${chartText(value)}, static: its option holds functions`,
        'image/svg+xml': svg,
      };
    return {
      'text/plain': chartText(value),
      'image/svg+xml': svg,
      [MIME.echarts]: json({
        option: option as ChartOutput['option'],
        width: value.width,
        height: value.height,
      } satisfies ChartOutput),
    };
  }
  if (value instanceof Markdown) return { 'text/markdown': value.text, 'text/plain': value.text };
  if (value instanceof Html) return { 'text/html': value.html, 'text/plain': value.html };
  // A bundle a library returns may hold what JSON cannot carry (bigint, NaN, functions):
  // cleaned here, before it reaches the IPC channel, a WebSocket or a notebook file.
  if (isSelfDisplaying(value))
    return { 'text/plain': plainText(value), ...(jsonSafe(value[DISPLAY]()) as MimeBundle) };
  if (isTensor(value)) return { 'text/plain': value.toString() };
  return { 'text/plain': plainText(value) };
}

/** A chart as a line of text, for readers without pictures: its builder's line, else its title, else its size. */
function chartText(chart: Chart): string {
  if (chart.text) return `Chart: ${chart.text}`;
  const title = [chart.option.title].flat()[0] as { text?: unknown } | undefined;
  return typeof title?.text === 'string' && title.text
    ? `Chart: ${title.text}`
    : `<Chart ${chart.width}×${chart.height}>`;
}

export interface DisplayFunction {
  (value: unknown, options?: { displayId?: string }): void;
  markdown(text: string): void;
  html(html: string): void;
  /** Replaces what an earlier `display(…, { displayId })` showed. */
  update(displayId: string, value: unknown): void;
}

export function createDisplay(sink: OutputSink, registries: Registries): DisplayFunction {
  const display = ((value: unknown, options?: { displayId?: string }) =>
    sink.display(toMimeBundle(value, registries), options?.displayId)) as DisplayFunction;
  display.markdown = (text) => display(new Markdown(text));
  display.html = (html) => display(new Html(html));
  display.update = (displayId, value) => sink.update(displayId, toMimeBundle(value, registries));
  return display;
}

function isSelfDisplaying(v: unknown): v is SelfDisplaying {
  return typeof v === 'object' && v !== null && typeof (v as Partial<SelfDisplaying>)[DISPLAY] === 'function';
}

function isTensor(v: unknown): v is { toString(): string } {
  return typeof v === 'object' && v !== null && 'dataId' in v && 'shape' in v && 'dtype' in v;
}

/** The contract's payloads are plain JSON by construction; the notebook types them as such. */
function json(payload: TableOutput | ChartOutput): JsonValue {
  return payload as unknown as JsonValue;
}
