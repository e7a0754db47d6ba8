import { inspect } from 'node:util';
import { Chart, renderSvg } from '../charts';
import { PREVIEW_ROWS, Table, tableHtml, tableText } from '../data';
import type { ChartOutput, TableOutput, ValueTreeNode } from '../api';
import { MIME, type JsonValue, type MimeBundle } from '../notebook';
import type { TableRegistry } from './tables';
import type { WidgetRegistry } from './widgets';
import { jsonSafe } from './json-safe';
import { valueTree } from './value-tree';
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

/**
 * A value as text: its class's own `toString()` where it has one (a Dataset's summary line,
 * not its 800 lines of arrays), else as Node inspects it.
 */
export function plainText(value: unknown): string {
  if (typeof value === 'string') return value;
  return ownSummary(value) ?? inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}

/** Past this many lines of text, a plain object or array is shown as a tree to unfold. */
const TREE_LINES = 10;

function ownSummary(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const toString = (value as { toString?: unknown }).toString;
  // Built-in toStrings (Object's `[object Object]`, Array's joined values) say less than inspecting.
  if (
    typeof toString !== 'function' ||
    /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(toString))
  )
    return undefined;
  try {
    const text: unknown = toString.call(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Arrays and objects made of data (no class of their own), the values a tree shows best. */
function isPlainData(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
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
        summaries: tables.columnSummary(tableId),
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
  const text = plainText(value);
  if (isPlainData(value) && text.split('\n').length > TREE_LINES)
    return { 'text/plain': text, [MIME.tree]: json(valueTree(value)) };
  return { 'text/plain': text };
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
function json(payload: TableOutput | ChartOutput | ValueTreeNode): JsonValue {
  return payload as unknown as JsonValue;
}
