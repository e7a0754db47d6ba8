import { joinText, splitLines } from './cells';
import { MIME, type MimeBundle, type Output, type StreamOutput } from './nbformat';

/** What changed in a collector since it was last asked. */
export type OutputChange =
  /** Outputs from index `from` on are new or replaced; those before it are as they were. */
  | { kind: 'outputs'; from: number }
  /** Only stream output `index` grew: its first `fromLine` lines are as they were. */
  | { kind: 'stream'; index: number; fromLine: number };

export interface CollectorOptions {
  /**
   * How much text one stream output keeps (as Jupyter caps what it shows): past it, the
   * text goes to `overflow` instead, and the output ends with a line saying so.
   */
  maxStreamChars?: number;
  /**
   * Takes the whole text of a stream output that outgrew the cap: first everything it had,
   * then each piece left out. Returns where the whole text can be read, for the note.
   */
  overflow?: (stream: string, text: string) => string | undefined;
}

/** Enough for any log a person reads in a notebook; 50 MB of prints would freeze the page and bloat the file. */
export const MAX_STREAM_CHARS = 1_000_000;

/**
 * A code cell's outputs as they arrive from the kernel: consecutive stream text of the
 * same stream is merged (as Jupyter stores it), and a display with a display id can be
 * replaced in place (progress bars, live charts).
 */
export class OutputCollector {
  private readonly displays = new Map<string, number[]>();
  /** The first output changed since {@link takeChanged}; outputs before it are as they were. */
  private changedFrom = 0;
  /** The stream output that only grew since {@link takeChanged}, and its first changed line. */
  private grown: { index: number; line: number } | undefined;
  /** Characters kept by each stream output, and what was left out of it, by output index. */
  private readonly kept = new Map<number, { chars: number; droppedChars: number; where?: string }>();
  private readonly maxStreamChars: number;

  constructor(
    readonly outputs: Output[] = [],
    private readonly options: CollectorOptions = {},
  ) {
    this.maxStreamChars = options.maxStreamChars ?? MAX_STREAM_CHARS;
  }

  /** What changed since the last call, so a viewer sends only that. */
  takeChanged(): OutputChange {
    const from = Math.min(this.changedFrom, this.outputs.length, this.grown?.index ?? Infinity);
    const grown = this.grown;
    this.changedFrom = this.outputs.length;
    this.grown = undefined;
    if (grown && from === grown.index && from === this.outputs.length - 1)
      return { kind: 'stream', index: grown.index, fromLine: grown.line };
    return { kind: 'outputs', from };
  }

  add(output: Output, displayId?: string): void {
    const index = this.outputs.length - 1;
    const last = this.outputs[index];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      this.append(index, last, joinText(output.text));
      return;
    }
    this.changedFrom = Math.min(this.changedFrom, this.outputs.length);
    if (output.output_type === 'stream') {
      const text = joinText(output.text);
      this.outputs.push({ ...output, text: [] });
      this.kept.set(this.outputs.length - 1, { chars: 0, droppedChars: 0 });
      this.append(this.outputs.length - 1, this.outputs[this.outputs.length - 1] as StreamOutput, text);
      return;
    }
    this.outputs.push(output);
    if (displayId !== undefined) {
      const at = this.displays.get(displayId) ?? [];
      at.push(this.outputs.length - 1);
      this.displays.set(displayId, at);
    }
  }

  private append(index: number, stream: StreamOutput, text: string): void {
    const kept = this.kept.get(index) ?? { chars: joinText(stream.text).length, droppedChars: 0 };
    this.kept.set(index, kept);
    const lines = typeof stream.text === 'string' ? splitLines(stream.text) : stream.text;
    stream.text = lines;
    if (kept.droppedChars > 0) {
      this.leaveOut(index, stream, kept, text);
      return;
    }
    const room = this.maxStreamChars - kept.chars;
    // Cut at a line's end where one fits, so the kept text ends whole; only an output that is
    // one huge line keeps a part of a line.
    const cut = text.lastIndexOf('\n', room - 1);
    const end = cut >= 0 ? cut + 1 : kept.chars === 0 ? Math.max(0, room) : 0;
    const taken = text.length <= room ? text : text.slice(0, end);
    // Only the unfinished last line is joined again: a cell printing many lines stays linear.
    const open = lines.length && !lines[lines.length - 1].endsWith('\n') ? lines.pop()! : '';
    this.markGrown(index, lines.length);
    for (const line of splitLines(open + taken)) lines.push(line);
    kept.chars += taken.length;
    if (taken.length < text.length) {
      kept.where = this.options.overflow?.(stream.name, joinText(lines));
      this.leaveOut(index, stream, kept, text.slice(taken.length));
    }
  }

  /** Text past the cap goes to `overflow`; the output's last line counts what was left out. */
  private leaveOut(
    index: number,
    stream: StreamOutput,
    kept: { chars: number; droppedChars: number; where?: string },
    text: string,
  ): void {
    const lines = stream.text as string[];
    if (kept.droppedChars > 0) lines.pop();
    else if (lines.length && !lines[lines.length - 1].endsWith('\n')) lines[lines.length - 1] += '\n';
    this.options.overflow?.(stream.name, text);
    kept.droppedChars += text.length;
    this.markGrown(index, lines.length);
    const whole = kept.where ? ` The whole output is in ${kept.where}` : '';
    lines.push(
      `[RecLab kept the first ${formatChars(kept.chars)} of this output and left out ` +
        `${formatChars(kept.droppedChars)} more.${whole}]\n`,
    );
  }

  private markGrown(index: number, line: number): void {
    if (this.changedFrom <= index) return;
    this.grown = { index, line: Math.min(line, this.grown?.index === index ? this.grown.line : line) };
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

function formatChars(n: number): string {
  return n >= 1e5
    ? `${(n / 1e6).toFixed(1)} MB`
    : n >= 1e3
      ? `${(n / 1e3).toFixed(0)} kB`
      : `${n} characters`;
}
