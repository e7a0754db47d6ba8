import type { ErrorOutput } from '../notebook';
import type { TranspiledCell } from './transpile';

/** A cell that ran, kept so errors from its functions point at its lines later too. */
export interface RanCell {
  executionCount: number;
  source: string;
  transpiled: TranspiledCell;
}

export interface CellErrorReport {
  output: ErrorOutput;
  /** 1-based line in the cell that failed, when the error points into it. */
  line?: number;
}

/** The file name a cell's script runs under; stack frames name it. */
export const cellFileName = (executionCount: number) => `cell[${executionCount}]`;
const FRAME = /cell\[(\d+)\]:(\d+):(\d+)/;

/**
 * An error output in the Jupyter shape: the exception's name and message, then where it
 * happened in the cell, with the line shown. Frames inside libraries are left out.
 */
export function reportError(
  error: unknown,
  current: Pick<RanCell, 'executionCount' | 'source'>,
  cells: ReadonlyMap<number, RanCell>,
): CellErrorReport {
  const err = error instanceof Error ? error : undefined;
  const ename = err?.name ?? 'Error';
  const evalue = err ? err.message : String(error);
  const traceback = [`${ename}: ${evalue}`];
  let line: number | undefined;
  const given = (err as { line?: unknown } | undefined)?.line;
  if (typeof given === 'number') {
    line = given;
    traceback.push(...excerpt(current, line));
  } else {
    let lastWhere = '';
    for (const frame of frames(err?.stack ?? '')) {
      const m = FRAME.exec(frame);
      if (!m) continue;
      const cell = cells.get(Number(m[1]));
      if (!cell) continue;
      const cellLine = cell.transpiled.cellLine(Number(m[2]));
      // The wrapper's own frames map to no line of the cell.
      if (cellLine > cell.source.split('\n').length) continue;
      const fn = /^\s*at (?:async )?([^\s(]+) \(/.exec(frame)?.[1];
      const inFunction = fn && !fn.startsWith('cell[') && fn !== '<anonymous>' ? ` in ${fn}` : '';
      const where = `  at cell [${cell.executionCount}], line ${cellLine}${inFunction}`;
      if (where === lastWhere) continue;
      lastWhere = where;
      traceback.push(where);
      if (line === undefined && cell.executionCount === current.executionCount) {
        line = cellLine;
        traceback.push(...excerpt(cell, cellLine));
      }
    }
  }
  return { output: { output_type: 'error', ename, evalue, traceback }, line };
}

/**
 * The stack's frame lines. A syntax error V8 finds when the script is compiled has no
 * frames; its location is the stack's first line instead (`cell[4]:3`).
 */
function frames(stack: string): string[] {
  const lines = stack.split('\n');
  const compiled = /^(cell\[\d+\]:\d+)$/.exec(lines[0]);
  return compiled ? [`    at ${compiled[1]}:1`] : lines.slice(1);
}

function excerpt(cell: Pick<RanCell, 'source'>, line: number): string[] {
  const lines = cell.source.split('\n');
  const out: string[] = [];
  const width = String(Math.min(lines.length, line + 1)).length;
  for (let n = Math.max(1, line - 2); n <= Math.min(lines.length, line + 1); n++) {
    out.push(`${n === line ? '-->' : '   '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
  }
  return out;
}
