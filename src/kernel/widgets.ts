import { randomBytes } from 'node:crypto';
import type { JsonValue, MimeBundle } from '../notebook';
import type { Widget, WidgetCallResult, WidgetContext, WidgetSpec } from '../api';
import { WIDGET, WIDGET_GONE } from '../api';
import { jsonSafe } from './json-safe';

/**
 * Widgets that outputs show, so their views can call them. Like tables, ids carry a
 * per-kernel prefix: a saved output must not reach another kernel's widget after a restart
 * or a reopen; it gets a message saying how to make it live again. A widget is let go when
 * its output is (the cell ran again or was cleared), or when many newer ones were shown.
 */
export class WidgetRegistry {
  /** Least recently shown or called first. */
  private readonly widgets = new Map<string, WidgetSpec>();
  private readonly prefix = randomBytes(4).toString('hex');
  private next = 1;

  constructor(
    private readonly context: WidgetContext,
    readonly capacity = 64,
  ) {}

  /** Registers `widget` and returns the output it first shows. */
  show(widget: Widget): MimeBundle {
    const spec = widget[WIDGET]();
    const id = `${this.prefix}-w${this.next++}`;
    this.widgets.set(id, spec);
    for (const old of this.widgets.keys()) {
      if (this.widgets.size <= this.capacity) break;
      this.widgets.delete(old);
    }
    return jsonSafe(spec.bundle(id)) as MimeBundle;
  }

  async call(widgetId: string, method: string, params: JsonValue): Promise<WidgetCallResult> {
    const spec = this.widgets.get(widgetId);
    if (!spec) {
      const why = widgetId.startsWith(`${this.prefix}-`)
        ? 'its cell ran again or was cleared, or many newer widgets were shown since'
        : 'the kernel was restarted, or the notebook reopened';
      throw new Error(`${WIDGET_GONE} (${why}): run its cell again to make it live.`);
    }
    // In use: the last to be let go.
    this.widgets.delete(widgetId);
    this.widgets.set(widgetId, spec);
    const reply = await spec.call(method, params, this.context);
    // What a library returns may hold what JSON cannot carry; cleaned before the IPC channel.
    const result = jsonSafe(reply.result) as JsonValue;
    // The output is drawn for the id that was called, whatever the widget was shown as elsewhere.
    return reply.changed ? { result, bundle: jsonSafe(spec.bundle(widgetId)) as MimeBundle } : { result };
  }

  release(widgetIds: readonly string[]): null {
    for (const id of widgetIds) this.widgets.delete(id);
    return null;
  }
}
