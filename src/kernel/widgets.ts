import { randomBytes } from 'node:crypto';
import type { JsonValue, MimeBundle } from '../notebook';
import type { Widget, WidgetContext, WidgetReply, WidgetSpec } from '../api';
import { WIDGET } from '../api';
import { jsonSafe } from './json-safe';

/**
 * Widgets that outputs have shown, so their views can call them. Like tables, ids carry a
 * per-kernel prefix: a saved output must not reach another kernel's widget after a
 * restart or a reopen; it gets a message saying how to make it live again.
 */
export class WidgetRegistry {
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

  async call(widgetId: string, method: string, params: JsonValue): Promise<WidgetReply> {
    const spec = this.widgets.get(widgetId);
    if (!spec) throw new Error('This widget belongs to an earlier run of the kernel (it was restarted, or the notebook was reopened): run its cell again to make it live.');
    const reply = await spec.call(method, params, this.context);
    // What a library returns may hold what JSON cannot carry; cleaned before the IPC channel.
    return { result: jsonSafe(reply.result) as JsonValue, ...(reply.bundle ? { bundle: jsonSafe(reply.bundle) as MimeBundle } : {}) };
  }
}
