import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import type { CatalogTable } from '../../../src/api';

export { monaco };

self.MonacoEnvironment = {
  getWorker: (_id, label) =>
    label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker(),
};

const ts = monaco.typescript;
ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  // The kernel's Node has the web's globals (console, setTimeout, URL, TextEncoder, fetch, …);
  // without them every console.log would be a type error, and type errors now show on each run.
  lib: ['es2023', 'dom'],
  strict: false,
  allowNonTsExtensions: true,
  esModuleInterop: true,
  noEmit: true,
});
ts.typescriptDefaults.setDiagnosticsOptions({
  // Cells share one scope, and each may be run again: a name declared in two cells, and
  // top-level await in a cell without imports, are both fine in RecLab.
  diagnosticCodesToIgnore: [2451, 2300, 1375, 1378, 2393, 7016, 80005],
});
// Keep every cell's model in the worker, so names declared in one cell complete in the others.
ts.typescriptDefaults.setEagerModelSync(true);

let typesLoaded: Promise<void> | undefined;

/** The declarations of the kernel's globals and of 'reclab', built with the renderer. */
export function loadKernelTypes(): Promise<void> {
  typesLoaded ??= fetch('./kernel-types.json')
    .then((r) => (r.ok ? (r.json() as Promise<Record<string, string>>) : {}))
    .then((files) => {
      for (const [path, text] of Object.entries(files as Record<string, string>))
        ts.typescriptDefaults.addExtraLib(text, path);
    })
    .catch(() => undefined);
  return typesLoaded;
}

let sqlNames: monaco.IDisposable | undefined;
/** Names bound by SQL cells (`-- name: x`) are Tables in TypeScript cells. */
export function declareSqlResults(names: string[]): void {
  sqlNames?.dispose();
  const text = names
    .map((n) => `declare const ${n}: InstanceType<typeof import('reclab').Table>;`)
    .join('\n');
  sqlNames = ts.typescriptDefaults.addExtraLib(text, 'file:///reclab-sql-results.d.ts');
}

const SQL_KEYWORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP BY',
  'ORDER BY',
  'HAVING',
  'LIMIT',
  'OFFSET',
  'JOIN',
  'LEFT JOIN',
  'INNER JOIN',
  'ON',
  'USING',
  'AS',
  'DISTINCT',
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'WITH',
  'UNION ALL',
  'CREATE TABLE',
  'CREATE VIEW',
  'INSERT INTO',
  'VALUES',
  'DESCRIBE',
  'SUMMARIZE',
  'read_csv',
  'read_parquet',
  'read_json',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS NULL',
  'LIKE',
  'QUALIFY',
  'row_number() OVER',
  'PARTITION BY',
];

let catalogSource: () => Promise<CatalogTable[]> = async () => [];

/** Where SQL completions get the kernel's tables and columns from. */
export function setCatalogSource(source: () => Promise<CatalogTable[]>): void {
  catalogSource = source;
}

monaco.languages.registerCompletionItemProvider('sql', {
  triggerCharacters: ['.', ' '],
  async provideCompletionItems(model, position) {
    const word = model.getWordUntilPosition(position);
    const range = new monaco.Range(
      position.lineNumber,
      word.startColumn,
      position.lineNumber,
      word.endColumn,
    );
    const tables = await catalogSource().catch(() => []);
    const Kind = monaco.languages.CompletionItemKind;
    const suggestions: monaco.languages.CompletionItem[] = SQL_KEYWORDS.map((k) => ({
      label: k,
      kind: Kind.Keyword,
      insertText: k,
      range,
    }));
    for (const t of tables) {
      suggestions.push({
        label: t.name,
        kind: Kind.Struct,
        insertText: t.name,
        detail: `table (${t.columns.length} columns)`,
        range,
      });
      for (const c of t.columns)
        suggestions.push({
          label: c.name,
          kind: Kind.Field,
          insertText: c.name,
          detail: `${t.name}.${c.name} ${c.type}`,
          range,
        });
    }
    return { suggestions };
  },
});

/** A cell's text model's path, less its extension. */
export const cellPath = (handle: string) => `/cells/cell-${handle}`;

/** Where a cell's text model lives: the TypeScript worker knows each cell by this name. */
export function cellUri(handle: string, kind: string): monaco.Uri {
  const ext = kind === 'sql' ? 'sql' : kind === 'markdown' ? 'md' : 'ts';
  return monaco.Uri.parse(`file://${cellPath(handle)}.${ext}`);
}

export function languageOf(kind: string): string {
  return kind === 'sql'
    ? 'sql'
    : kind === 'markdown'
      ? 'markdown'
      : kind === 'raw'
        ? 'plaintext'
        : 'typescript';
}

export function applyTheme(dark: boolean): void {
  monaco.editor.setTheme(dark ? 'vs-dark' : 'vs');
}

/** A key as commands write it ("Mod+Shift+S", "Shift+Enter", "Escape") as Monaco's key code. */
export function monacoKeys(keys: string): number {
  const parts = keys.split('+');
  const key = parts.pop()!;
  const modifiers: Record<string, number> = {
    Mod: monaco.KeyMod.CtrlCmd,
    Shift: monaco.KeyMod.Shift,
    Alt: monaco.KeyMod.Alt,
  };
  const named: Record<string, number> = {
    Enter: monaco.KeyCode.Enter,
    Escape: monaco.KeyCode.Escape,
    Up: monaco.KeyCode.UpArrow,
    Down: monaco.KeyCode.DownArrow,
    '-': monaco.KeyCode.Minus,
  };
  const code = named[key] ?? monaco.KeyCode[`Key${key}` as keyof typeof monaco.KeyCode];
  if (code === undefined) throw new Error(`No Monaco key for "${keys}".`);
  return parts.reduce((k, m) => k | modifiers[m], code as number);
}
