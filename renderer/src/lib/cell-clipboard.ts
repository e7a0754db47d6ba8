import { CellCopiesSchema, firstProblem, type CellCopy } from '../../../src/api';

/**
 * Copied cells live in the page's local storage, not the system clipboard: every notebook of
 * this RecLab (other tabs and windows too) can paste them, and copying cells never replaces
 * text the user copied elsewhere.
 */
const KEY = 'reclab.cells';

export function writeCells(cells: CellCopy[]): void {
  localStorage.setItem(KEY, JSON.stringify(cells));
}

/** The cells copied last; nothing when none were, or when what is stored is not cells (another version wrote it). */
export function readCells(): CellCopy[] {
  let stored: unknown;
  try {
    stored = JSON.parse(localStorage.getItem(KEY) ?? '[]');
  } catch {
    return [];
  }
  return firstProblem(CellCopiesSchema, stored) === undefined ? (stored as CellCopy[]) : [];
}
