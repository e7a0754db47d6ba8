/**
 * Widgets: outputs whose view talks back to the kernel object that made them, as Jupyter's
 * comms do. The kernel registers the object when it is displayed; the view calls methods on
 * it by widget id through the server. A call may return a new bundle for the widget's
 * output: that is how its last state reaches the notebook file, in static forms too.
 */
import type { MimeBundle } from '../notebook/nbformat';
import type { JsonValue } from '../notebook/json';

/** How the kernel's answer for a widget it no longer has begins: its view then shows the saved state only. */
export const WIDGET_GONE = 'This widget is no longer in the kernel';

/** The key under which a library object says it is a widget: `[WIDGET](): WidgetSpec`. */
export const WIDGET = Symbol.for('reclab.widget');

export interface WidgetContext {
  /** The notebook's variables (the kernel's globals that cells declared), by name. */
  variables(): Iterable<[string, unknown]>;
}

export interface WidgetReply {
  result: JsonValue;
  /** What the widget shows changed: its output is drawn again (by `bundle`) and replaced in the notebook. */
  changed?: boolean;
}

/** What a widget call gives back through the kernel: the result, and the new output when it changed. */
export interface WidgetCallResult {
  result: JsonValue;
  bundle?: MimeBundle;
}

export interface WidgetSpec {
  /** The widget's output as it is now; its RecLab payload carries `widgetId`. */
  bundle(widgetId: string): MimeBundle;
  call(method: string, params: JsonValue, context: WidgetContext): Promise<WidgetReply> | WidgetReply;
}

export interface Widget {
  [WIDGET](): WidgetSpec;
}

export function isWidget(value: unknown): value is Widget {
  return (
    typeof value === 'object' && value !== null && typeof (value as Partial<Widget>)[WIDGET] === 'function'
  );
}

/**
 * The embedding projector's payload (`MIME.projector`). Coordinates are little-endian
 * Float32 in base64, `count × dims`, row-major; the file stays compact at 100,000 points.
 */
export interface ProjectorOutput {
  widgetId: string;
  title: string;
  /** 'pca' | 'umap' | 'tsne' */
  method: string;
  dims: 2 | 3;
  count: number;
  coords: string;
  labels: string[];
  color?: ProjectorColor;
}

export type ProjectorColor =
  /** `values`: base64 Uint16, an index into `categories` per point; `categories.length` marks a missing value. */
  | { name: string; kind: 'category'; categories: string[]; values: string }
  /** `values`: base64 Float32 per point; NaN for missing. */
  | { name: string; kind: 'number'; min: number; max: number; values: string };

/** One neighbour of a point, by cosine similarity in the original space. */
export interface ProjectorNeighbour {
  index: number;
  label: string;
  similarity: number;
}

/** The top-10 widget's payload (`MIME.recommend`). */
export interface RecommendOutput {
  widgetId: string;
  /** The models the selector offers, by variable name. */
  models: string[];
  model: string;
  /** The last result shown, kept in the file. */
  last?: RecommendResult;
}

export interface RecommendResult {
  user: string;
  model: string;
  columns: string[];
  rows: (string | number | null)[][];
  history: { columns: string[]; rows: (string | number | null)[][]; total: number };
}
