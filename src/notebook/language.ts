import type { Notebook } from './nbformat';

/** The languages RecLab's kernel runs, as notebooks from other tools name them. */
const RUNNABLE = new Set(['typescript', 'javascript', 'sql']);

/**
 * For a notebook written for another kernel (a Python notebook from Jupyter), what a failing
 * cell should add: RecLab runs its code cells as TypeScript, which is seldom what they are.
 */
export function foreignKernelHint(notebook: Notebook): string | undefined {
  const meta = notebook.metadata as {
    kernelspec?: { language?: unknown; display_name?: unknown };
    language_info?: { name?: unknown };
  };
  const language = meta.kernelspec?.language ?? meta.language_info?.name;
  if (typeof language !== 'string' || RUNNABLE.has(language.toLowerCase())) return undefined;
  const kernel =
    typeof meta.kernelspec?.display_name === 'string' ? ` (${meta.kernelspec.display_name})` : '';
  return (
    `This notebook was written for a ${language} kernel${kernel}; RecLab runs code cells as TypeScript ` +
    'or SQL. Port the cell, or open the notebook in a tool that has that kernel.\n'
  );
}
