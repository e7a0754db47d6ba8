import type { Cell, CodeCell, MarkdownCell, MultilineString } from './nbformat';

/** A cell's kind as RecLab names it: the file stores it as cell_type, plus the language of code cells. */
export const CELL_KINDS = ['typescript', 'sql', 'markdown', 'raw'] as const;
export type CellKind = (typeof CELL_KINDS)[number];
/** The kinds a kernel runs. */
export type CodeCellKind = Extract<CellKind, 'typescript' | 'sql'>;

/** Joins nbformat's list-of-lines form; a single string is returned as it is. */
export function joinText(text: MultilineString): string {
  return typeof text === 'string' ? text : text.join('');
}

/** Splits text into lines that keep their line endings, as nbformat writers do. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function cellSource(cell: Cell): string {
  return joinText(cell.source);
}

export function setCellSource(cell: Cell, source: string): void {
  cell.source = splitLines(source);
}

/**
 * A SQL cell is a code cell whose language is recorded where VS Code records it
 * (`metadata.vscode.languageId`), so VS Code and other tools see it as SQL too.
 */
export function cellKind(cell: Cell): CellKind {
  if (cell.cell_type === 'markdown') return 'markdown';
  if (cell.cell_type !== 'code') return 'raw';
  const vscode = cell.metadata?.vscode as { languageId?: unknown } | undefined;
  return vscode?.languageId === 'sql' ? 'sql' : 'typescript';
}

export function newCellId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function newCodeCell(source: string, language: CodeCellKind = 'typescript'): CodeCell {
  return {
    cell_type: 'code',
    execution_count: null,
    id: newCellId(),
    metadata: language === 'sql' ? { vscode: { languageId: 'sql' } } : {},
    outputs: [],
    source: splitLines(source),
  };
}

export function newMarkdownCell(source: string): MarkdownCell {
  return { cell_type: 'markdown', id: newCellId(), metadata: {}, source: splitLines(source) };
}
