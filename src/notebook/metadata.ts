/**
 * What RecLab keeps in a cell's metadata, under the keys Jupyter uses, so JupyterLab and
 * VS Code read the same: hidden outputs and when the cell last ran.
 */
import { isJsonObject, type JsonObject } from './json';
import type { Cell } from './nbformat';

/** Whether the cell's outputs are hidden: `jupyter.outputs_hidden` (JupyterLab) or `collapsed` (nbformat). */
export function outputsHidden(cell: Cell): boolean {
  const jupyter = cell.metadata?.jupyter;
  return cell.metadata?.collapsed === true || (isJsonObject(jupyter) && jupyter.outputs_hidden === true);
}

/** Hides or shows the cell's outputs as JupyterLab does; showing them drops the keys, so the cell is as before. */
export function setOutputsHidden(cell: Cell, hidden: boolean): void {
  const metadata = (cell.metadata ??= {});
  const { outputs_hidden: _old, ...jupyter } = isJsonObject(metadata.jupyter) ? metadata.jupyter : {};
  if (hidden) {
    metadata.jupyter = { ...jupyter, outputs_hidden: true };
    metadata.collapsed = true;
    return;
  }
  if (Object.keys(jupyter).length) metadata.jupyter = jupyter;
  else delete metadata.jupyter;
  delete metadata.collapsed;
}

const STARTED = 'iopub.execute_input';
const FINISHED = 'shell.execute_reply';

/**
 * Records when the cell's last run started and ended, as JupyterLab does under
 * `metadata.execution`: what the cell shows as its run time after the notebook is reopened.
 */
export function recordExecution(cell: Cell, finished: Date, durationMs: number): void {
  const started = new Date(finished.getTime() - Math.round(durationMs));
  const execution: JsonObject = { [STARTED]: started.toISOString(), [FINISHED]: finished.toISOString() };
  (cell.metadata ??= {}).execution = execution;
}

export function clearExecution(cell: Cell): void {
  delete cell.metadata?.execution;
}

/** How long the cell's last run took, by its `metadata.execution` times; undefined where they are missing or bad. */
export function executionMs(cell: Cell): number | undefined {
  const execution = cell.metadata?.execution;
  if (!isJsonObject(execution)) return undefined;
  const [started, finished] = [execution[STARTED], execution[FINISHED]].map((t) =>
    typeof t === 'string' ? Date.parse(t) : NaN,
  );
  const ms = finished - started;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
