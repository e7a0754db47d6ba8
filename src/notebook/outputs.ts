import { joinText, splitLines } from './cells';
import type { Output } from './nbformat';

/**
 * A code cell's outputs as they arrive from the kernel: consecutive stream text of the
 * same stream is merged (as Jupyter stores it), and a display with a display id can be
 * replaced in place (progress bars, live charts).
 */
export class OutputCollector {
  private readonly displays = new Map<string, number[]>();

  constructor(readonly outputs: Output[] = []) {}

  add(output: Output, displayId?: string): void {
    const last = this.outputs[this.outputs.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      // Only the unfinished last line is joined again: a cell printing many lines stays linear.
      const lines = typeof last.text === 'string' ? splitLines(last.text) : last.text;
      const open = lines.length && !lines[lines.length - 1].endsWith('\n') ? lines.pop()! : '';
      for (const line of splitLines(open + joinText(output.text))) lines.push(line);
      last.text = lines;
      return;
    }
    if (output.output_type === 'stream') output = { ...output, text: splitLines(joinText(output.text)) };
    this.outputs.push(output);
    if (displayId !== undefined) {
      const at = this.displays.get(displayId) ?? [];
      at.push(this.outputs.length - 1);
      this.displays.set(displayId, at);
    }
  }

  /** Replaces every output shown under `displayId`; returns false when there is none. */
  update(displayId: string, output: Output): boolean {
    const at = this.displays.get(displayId);
    if (!at) return false;
    for (const index of at) this.outputs[index] = output;
    return true;
  }
}
