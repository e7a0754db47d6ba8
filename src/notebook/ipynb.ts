import {
  JsonSyntaxError,
  isJsonObject as isObject,
  parseJson,
  stringifyJupyter,
  type JsonValue,
} from './json';
import { KERNELSPEC, LANGUAGE_INFO, type Cell, type Notebook } from './nbformat';
import { newCellId } from './cells';

/** A file that is not a notebook RecLab can open; `file` and `reason` say which and why. */
export class NotebookFormatError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'NotebookFormatError';
  }
}

const isMultiline = (v: JsonValue | undefined) =>
  typeof v === 'string' || (Array.isArray(v) && v.every((line) => typeof line === 'string'));

/**
 * Reads an `.ipynb` text. Checks the structure RecLab relies on and nothing more, so that
 * notebooks from newer tools with extra fields still open.
 */
export function parseNotebook(text: string, file = 'notebook'): Notebook {
  let root: JsonValue;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new NotebookFormatError(
        file,
        `not valid JSON: ${e.message}. Fix the file in a text editor or restore it from a backup.`,
      );
    }
    throw e;
  }
  const bad = (what: string): never => {
    throw new NotebookFormatError(file, `not a Jupyter notebook: ${what}`);
  };
  if (!isObject(root)) return bad('the top level is not a JSON object');
  if (root.nbformat !== 4 && Number(root.nbformat) !== 4) {
    return bad(
      root.nbformat === undefined
        ? 'there is no "nbformat" field'
        : `nbformat ${String(root.nbformat)} is not supported ` +
            '(RecLab reads nbformat 4; convert with "jupyter nbconvert --to notebook")',
    );
  }
  if (!isObject(root.metadata)) return bad('"metadata" is missing or not an object');
  if (!Array.isArray(root.cells)) return bad('"cells" is missing or not a list');
  root.cells.forEach((cell, i) => {
    const where = `cell ${i + 1}`;
    if (!isObject(cell)) return bad(`${where} is not an object`);
    if (typeof cell.cell_type !== 'string') bad(`${where} has no "cell_type"`);
    if (!isMultiline(cell.source)) bad(`${where} has no "source" text`);
    if (cell.metadata !== undefined && !isObject(cell.metadata)) bad(`${where} "metadata" is not an object`);
    if (cell.cell_type === 'code' && cell.outputs !== undefined && !Array.isArray(cell.outputs)) {
      bad(`${where} "outputs" is not a list`);
    }
  });
  return root as unknown as Notebook;
}

/** The notebook as Jupyter would write it: sorted keys, one-space indent, trailing newline. */
export function serializeNotebook(notebook: Notebook): string {
  return stringifyJupyter(notebook as unknown as JsonValue);
}

export function createNotebook(cells: Cell[] = []): Notebook {
  return {
    cells,
    metadata: { kernelspec: { ...KERNELSPEC }, language_info: { ...LANGUAGE_INFO } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/**
 * Brings a notebook that RecLab is about to write with new content up to nbformat 4.5:
 * cell ids, and the RecLab kernelspec where the notebook names none.
 */
export function upgradeNotebook(notebook: Notebook): void {
  if (!(notebook.nbformat_minor >= 5)) notebook.nbformat_minor = 5;
  const seen = new Set<string>();
  for (const cell of notebook.cells) {
    if (!cell.id || seen.has(cell.id)) cell.id = newCellId();
    seen.add(cell.id);
    // nbformat 4.5 requires metadata on every cell and outputs on code cells.
    cell.metadata ??= {};
    if (cell.cell_type === 'code') {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  }
  notebook.metadata.kernelspec ??= { ...KERNELSPEC };
  notebook.metadata.language_info ??= { ...LANGUAGE_INFO };
}
