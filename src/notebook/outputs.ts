import { joinText, splitLines } from './cells';
import { MIME, type MimeBundle, type Output } from './nbformat';

/**
 * A code cell's outputs as they arrive from the kernel: consecutive stream text of the
 * same stream is merged (as Jupyter stores it), and a display with a display id can be
 * replaced in place (progress bars, live charts).
 */
export class OutputCollector {
  private readonly displays = new Map<string, number[]>();
  /** The first output changed since {@link takeChanged}; outputs before it are as they were. */
  private changedFrom = 0;

  constructor(readonly outputs: Output[] = []) {}

  /** Where the outputs changed since the last call, so a viewer replaces only those. */
  takeChanged(): number {
    const from = Math.min(this.changedFrom, this.outputs.length);
    this.changedFrom = this.outputs.length;
    return from;
  }

  add(output: Output, displayId?: string): void {
    const last = this.outputs[this.outputs.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      this.changedFrom = Math.min(this.changedFrom, this.outputs.length - 1);
      // Only the unfinished last line is joined again: a cell printing many lines stays linear.
      const lines = typeof last.text === 'string' ? splitLines(last.text) : last.text;
      const open = lines.length && !lines[lines.length - 1].endsWith('\n') ? lines.pop()! : '';
      for (const line of splitLines(open + joinText(output.text))) lines.push(line);
      last.text = lines;
      return;
    }
    if (output.output_type === 'stream') output = { ...output, text: splitLines(joinText(output.text)) };
    this.changedFrom = Math.min(this.changedFrom, this.outputs.length);
    this.outputs.push(output);
    if (displayId !== undefined) {
      const at = this.displays.get(displayId) ?? [];
      at.push(this.outputs.length - 1);
      this.displays.set(displayId, at);
    }
  }

  /** Replaces the data of output `index` (a widget drawn anew). */
  replaceData(index: number, data: MimeBundle): void {
    this.outputs[index] = { ...this.outputs[index], data } as Output;
    this.changedFrom = Math.min(this.changedFrom, index);
  }

  /** Replaces every output shown under `displayId`; returns false when there is none. */
  update(displayId: string, output: Output): boolean {
    const at = this.displays.get(displayId);
    if (!at) return false;
    for (const index of at) {
      this.outputs[index] = output;
      this.changedFrom = Math.min(this.changedFrom, index);
    }
    return true;
  }
}

/** RecLab's own payloads; a widget's names its id, whatever kind of widget it is. */
const RECLAB_MIME = MIME.table.slice(0, MIME.table.indexOf('.reclab.') + '.reclab.'.length);

/** The ids of the widgets `outputs` show. */
export function widgetIds(outputs: readonly Output[]): string[] {
  const ids: string[] = [];
  for (const o of outputs) {
    // Outputs come from files too: one that is not an object, or has no data, shows no widget.
    if (o?.output_type !== 'display_data' && o?.output_type !== 'execute_result') continue;
    if (typeof o.data !== 'object' || o.data === null) continue;
    for (const [mime, payload] of Object.entries(o.data)) {
      const id = mime.startsWith(RECLAB_MIME)
        ? (payload as { widgetId?: unknown } | null)?.widgetId
        : undefined;
      if (typeof id === 'string') ids.push(id);
    }
  }
  return ids;
}

/** Where in `outputs` widget `widgetId` is shown, or -1. */
export function widgetOutputIndex(outputs: readonly Output[], widgetId: string): number {
  return outputs.findIndex((o) => widgetIds([o]).includes(widgetId));
}
