/**
 * Widgets: outputs whose view talks back to the kernel object that made them, as Jupyter's
 * comms do. The kernel registers the object when it is displayed; the view calls methods on
 * it by widget id through the server. A call may return a new bundle for the widget's
 * output: that is how its last state reaches the notebook file, in static forms too.
 */
import type { JsonValue, MimeBundle } from '../notebook';

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

/** One neighbour of a point in the projector, by cosine similarity in the original space. */
export interface ProjectorNeighbour {
  index: number;
  label: string;
  similarity: number;
}
