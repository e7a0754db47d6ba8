import * as path from 'node:path';
import type { ExecuteReply } from '../api';
import { KernelClient } from '../kernel-client';
import {
  OutputCollector,
  cellKind,
  cellSource,
  foreignKernelHint,
  type CodeCell,
  type Notebook,
} from '../notebook';

export interface RunOptions {
  /** The notebook's folder: the kernel's working folder. */
  dir: string;
  /** Seconds one cell may run before it is interrupted; none by default. */
  timeoutSeconds?: number;
  backend?: string;
  /** Called after each cell with a one-line summary. */
  onCell?(summary: CellSummary): void;
}

export interface CellSummary {
  index: number;
  /** 1-based position among all cells, as a user counts them. */
  position: number;
  cellId: string | undefined;
  kind: 'typescript' | 'sql';
  status: ExecuteReply['status'] | 'timeout';
  durationMs: number;
  /** The error output's first line, for a failed cell. */
  error?: string;
}

export interface RunResult {
  ok: boolean;
  cells: CellSummary[];
  failed?: CellSummary;
}

/**
 * Runs every code cell of a notebook in order in a fresh kernel, replacing its outputs.
 * Stops at the first cell that fails, as Jupyter's nbconvert does.
 */
export async function runNotebook(notebook: Notebook, options: RunOptions): Promise<RunResult> {
  const kernel = await KernelClient.start({ cwd: path.resolve(options.dir), backend: options.backend });
  const summaries: CellSummary[] = [];
  const hint = foreignKernelHint(notebook);
  try {
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      const summary = await runCell(kernel, cell, index, options.timeoutSeconds, hint);
      summaries.push(summary);
      options.onCell?.(summary);
      if (summary.status !== 'ok') return { ok: false, cells: summaries, failed: summary };
    }
    return { ok: true, cells: summaries };
  } finally {
    await kernel.shutdown();
  }
}

async function runCell(
  kernel: KernelClient,
  cell: CodeCell,
  index: number,
  timeoutSeconds: number | undefined,
  foreignHint: string | undefined,
): Promise<CellSummary> {
  const kind = cellKind(cell) === 'sql' ? 'sql' : 'typescript';
  const collector = new OutputCollector([]);
  cell.outputs = collector.outputs;
  cell.execution_count = null;
  const started = performance.now();
  let timedOut = false;
  const timer =
    timeoutSeconds && timeoutSeconds > 0
      ? setTimeout(() => {
          timedOut = true;
          // A restart that fails shows up as the kernel's death in the execute below.
          kernel.interrupt().catch(() => undefined);
        }, timeoutSeconds * 1000)
      : undefined;
  let reply: ExecuteReply;
  try {
    reply = await kernel.executeInto(cellSource(cell), kind, collector);
  } catch (e) {
    // The kernel died under this cell: record that in the cell, as Jupyter does.
    const message = e instanceof Error ? e.message : String(e);
    collector.add({ output_type: 'error', ename: 'KernelDied', evalue: message, traceback: [message] });
    reply = { status: 'error', executionCount: 0, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
  if (reply.executionCount > 0) cell.execution_count = reply.executionCount;
  // A cell that finished as the timer fired did finish.
  timedOut &&= reply.status !== 'ok';
  if (timedOut) {
    collector.add({
      output_type: 'error',
      ename: 'Timeout',
      evalue: `The cell ran longer than ${timeoutSeconds} s (--timeout) and was interrupted.`,
      traceback: [],
    });
  }
  if (reply.status === 'error' && foreignHint)
    collector.add({ output_type: 'stream', name: 'stderr', text: foreignHint });
  const error = cell.outputs.find((o) => o.output_type === 'error');
  return {
    index,
    position: index + 1,
    cellId: cell.id,
    kind,
    status: timedOut ? 'timeout' : reply.status,
    durationMs: performance.now() - started,
    error: error?.output_type === 'error' ? `${error.ename}: ${error.evalue.split('\n')[0]}` : undefined,
  };
}
