import type { CellTypeError } from '../../../src/api';
import { cellPath, loadKernelTypes, monaco } from './monaco';

type Diagnostic = Awaited<ReturnType<monaco.typescript.TypeScriptWorker['getSemanticDiagnostics']>>[number];
type MessageChain = Exclude<Diagnostic['messageText'], string>;

const ERROR = 1;

/**
 * The type errors of TypeScript cells `handles`, by handle, asked of the editor's TypeScript
 * worker as the cells are now: the editor's markers may lag the last keystroke. Cells
 * without errors are left out; a worker that fails to answer finds none, so the run goes on.
 */
export async function cellTypeErrors(handles: readonly string[]): Promise<Record<string, CellTypeError[]>> {
  // A cell keeps its first model when its kind changes: found by its handle, whatever its extension.
  const byPath = new Map(monaco.editor.getModels().map((m) => [m.uri.path.replace(/\.\w+$/, ''), m]));
  const models = handles.flatMap((handle) => {
    const model = byPath.get(cellPath(handle));
    return model?.getLanguageId() === 'typescript' ? [{ handle, model }] : [];
  });
  if (!models.length) return {};
  try {
    // Without the kernel's declarations, `tf`, `display` and `rl` would all be errors.
    await loadKernelTypes();
    const getWorker = await monaco.typescript.getTypeScriptWorker();
    const worker = await getWorker(...models.map((m) => m.model.uri));
    const ignored = new Set(
      monaco.typescript.typescriptDefaults.getDiagnosticsOptions().diagnosticCodesToIgnore,
    );
    const found: Record<string, CellTypeError[]> = {};
    for (const { handle, model } of models) {
      const file = model.uri.toString();
      const [syntactic, semantic] = await Promise.all([
        worker.getSyntacticDiagnostics(file),
        worker.getSemanticDiagnostics(file),
      ]);
      const errors = [...syntactic, ...semantic]
        .filter((d) => d.category === ERROR && !ignored.has(d.code))
        .map((d) => {
          const at = model.getPositionAt(d.start ?? 0);
          return { line: at.lineNumber, column: at.column, message: messageText(d.messageText) };
        })
        .sort((a, b) => a.line - b.line || a.column - b.column);
      if (errors.length) found[handle] = errors;
    }
    return found;
  } catch {
    return {};
  }
}

/** A diagnostic's message with its chain of reasons, each indented under the one it explains, as tsc prints it. */
function messageText(text: string | MessageChain, indent = ''): string {
  if (typeof text === 'string') return text;
  const next = (text.next ?? []).map((n) => `\n${messageText(n, `${indent}  `)}`).join('');
  return `${indent}${text.messageText}${next}`;
}
