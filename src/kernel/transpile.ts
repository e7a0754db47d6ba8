/**
 * Turns a TypeScript cell into a script that runs in the kernel's one persistent global
 * scope, the way a REPL does:
 * - types are stripped by TypeScript's transpiler (with a source map, for error lines);
 * - top-level `const`/`let`/`var`, classes and imports become assignments to globals, so
 *   later cells see them and re-running a cell that declares `const x` works;
 * - the body runs inside an async function, so top-level `await` works, and every `await`
 *   goes through the interrupt guard, so an interrupted cell stops at its next await;
 * - the value of a final expression statement is returned, to be displayed.
 * Edits never add or remove line breaks, so generated lines map back through the map.
 */
import { SourceMap, createRequire, isBuiltin } from 'node:module';
import type TS from 'typescript';
import { RUNTIME, reservedNameProblem } from './reserved';

// TypeScript is large (half a second to load): the kernel loads it after it is ready.
// Not named `require`: bundlers for the desktop app declare one of their own.
const requireHere = createRequire(import.meta.url);
let ts: typeof TS;
export function loadTypeScript(): typeof TS {
  return (ts ??= requireHere('typescript') as typeof TS);
}

export interface TranspiledCell {
  /** A script whose completion value is a promise of the cell's result. */
  readonly code: string;
  /** The 1-based cell line for a 1-based line of `code`. */
  cellLine(generatedLine: number): number;
}

export class CellSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'SyntaxError';
  }
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

const compilerOptions = (): TS.CompilerOptions => ({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  useDefineForClassFields: true,
  // Every import is kept as written (it may be there for its side effects); only
  // `import type` is dropped.
  verbatimModuleSyntax: true,
  isolatedModules: true,
});

export function transpileCell(source: string): TranspiledCell {
  loadTypeScript();
  const output = ts.transpileModule(source, {
    compilerOptions: compilerOptions(),
    fileName: 'cell.ts',
    reportDiagnostics: true,
  });
  const error = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error) {
    const { line, character } = error.file
      ? error.file.getLineAndCharacterOfPosition(error.start ?? 0)
      : { line: 0, character: 0 };
    throw new CellSyntaxError(
      ts.flattenDiagnosticMessageText(error.messageText, '\n'),
      line + 1,
      character + 1,
    );
  }
  const js = output.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const map = new SourceMap(JSON.parse(output.sourceMapText!));
  const { body, prologue, declared } = rewrite(js);
  const cellLine = (generatedLine: number) => {
    const entry = map.findEntry(generatedLine - 1, 1e6) as { generatedLine?: number; originalLine?: number };
    return entry.generatedLine === generatedLine - 1 && entry.originalLine !== undefined
      ? entry.originalLine + 1
      : generatedLine;
  };
  for (const name of declared) {
    const problem = reservedNameProblem(name.text);
    if (problem) {
      const { line, character } = name.getSourceFile().getLineAndCharacterOfPosition(name.getStart());
      throw new CellSyntaxError(problem, cellLine(line + 1), character + 1);
    }
  }
  return { code: `(async () => {${prologue}${body}\n})()`, cellLine };
}

function rewrite(js: string): { body: string; prologue: string; declared: TS.Identifier[] } {
  const file = ts.createSourceFile('cell.js', js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const declared: TS.Identifier[] = [];
  const insert = (at: number, text: string) => edits.push({ start: at, end: at, text });
  const statements = file.statements;
  /**
   * Makes the expression from `end` to `close` (after replacing from `start`) a statement, returned when it
   * comes last.
   */
  const asValue = (start: number, end: number, close: number, last: boolean) => {
    edits.push({ start, end, text: last ? 'return (' : ';(' });
    insert(close, ')');
  };

  statements.forEach((statement, index) => {
    if ((ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) && !statement.name) {
      // `export default class {}`: an anonymous class or function is a value, like `export default x`.
      const modifiers = ts.getModifiers(statement) ?? [];
      if (modifiers.length)
        asValue(
          modifiers[0].getStart(),
          modifiers[modifiers.length - 1].end,
          statement.end,
          index === statements.length - 1,
        );
      return;
    }
    stripExport(statement, edits);
    declared.push(...declaredNames(statement));
    if (ts.isVariableStatement(statement)) {
      rewriteVariables(statement, edits);
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      // Keep the declaration (it is hoisted within the cell) and publish it.
      hoisted.push(`globalThis[${JSON.stringify(statement.name.text)}] = ${statement.name.text};`);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      insert(statement.getStart(), `;${statement.name.text} = `);
      insert(statement.end, ';');
    } else if (ts.isExportAssignment(statement)) {
      // `export default x` in a cell is the expression `x`, shown when it comes last.
      asValue(
        statement.getStart(),
        statement.expression.getStart(),
        statement.expression.end,
        index === statements.length - 1,
      );
    } else if (ts.isExportDeclaration(statement)) {
      edits.push({ start: statement.getStart(), end: statement.end, text: '' });
    } else if (ts.isImportDeclaration(statement)) {
      edits.push({ start: statement.getStart(), end: statement.end, text: importAssignment(statement, js) });
    } else if (
      index === statements.length - 1 &&
      ts.isExpressionStatement(statement) &&
      !isAssignment(statement.expression)
    ) {
      asValue(
        statement.expression.getStart(),
        statement.expression.getStart(),
        statement.expression.end,
        true,
      );
    }
  });

  const guardAwaits = (node: TS.Node): void => {
    if (ts.isAwaitExpression(node)) {
      insert(node.expression.getStart(), `${RUNTIME}.guard(`);
      insert(node.expression.end, ')');
    }
    // `import(x)`: a script run in the kernel has no module loader of its own, so V8 would
    // refuse it; it loads as a cell's `import` statement does.
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      edits.push({ start: node.expression.getStart(), end: node.expression.end, text: `${RUNTIME}.import` });
    ts.forEachChild(node, guardAwaits);
  };
  guardAwaits(file);

  return { body: applyEdits(js, edits), prologue: hoisted.join(' '), declared };
}

/** The names a top-level statement puts into the global scope. */
function declaredNames(statement: TS.Statement): TS.Identifier[] {
  const names: TS.Identifier[] = [];
  const bind = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach((d) => bind(d.name));
  else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name)
    names.push(statement.name);
  // `import process from 'node:process'` binds the very object the global already holds.
  else if (
    ts.isImportDeclaration(statement) &&
    statement.importClause &&
    !isBuiltin((statement.moduleSpecifier as TS.StringLiteral).text)
  ) {
    const { name, namedBindings } = statement.importClause;
    if (name) names.push(name);
    if (namedBindings && ts.isNamespaceImport(namedBindings)) names.push(namedBindings.name);
    if (namedBindings && ts.isNamedImports(namedBindings))
      names.push(...namedBindings.elements.map((e) => e.name));
  }
  return names;
}

function stripExport(statement: TS.Statement, edits: Edit[]): void {
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  for (const m of modifiers ?? []) {
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
      edits.push({ start: m.getStart(), end: m.end, text: '' });
    }
  }
}

/** `const a = 1, {b} = o;` → `;(a = 1, {b} = o);`: binding patterns are valid assignment targets. */
function rewriteVariables(statement: TS.VariableStatement, edits: Edit[]): void {
  const list = statement.declarationList;
  const first = list.declarations[0];
  if (!first) return;
  edits.push({ start: list.getStart(), end: first.getStart(), text: ';(' });
  for (const d of list.declarations) {
    if (!d.initializer) edits.push({ start: d.name.end, end: d.name.end, text: ' = void 0' });
  }
  edits.push({ start: list.end, end: list.end, text: ')' });
}

function importAssignment(statement: TS.ImportDeclaration, js: string): string {
  const spec = (statement.moduleSpecifier as TS.StringLiteral).text;
  const load = `(await ${RUNTIME}.import(${JSON.stringify(spec)}))`;
  const clause = statement.importClause;
  const parts: string[] = [];
  if (!clause) parts.push(`${load};`);
  else {
    if (clause.name) parts.push(`${clause.name.text} = ${RUNTIME}.defaultExport${load};`);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) parts.push(`${bindings.name.text} = ${load};`);
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.length) {
      const names = bindings.elements.map((e) =>
        e.propertyName ? `${e.propertyName.text}: ${e.name.text}` : e.name.text,
      );
      parts.push(`({${names.join(', ')}} = ${load});`);
    }
  }
  // Keep the line count: an import may span lines.
  const lineBreaks = js.slice(statement.getStart(), statement.end).split('\n').length - 1;
  return `;${parts.join(' ')}${'\n'.repeat(lineBreaks)}`;
}

function isAssignment(e: TS.Expression): boolean {
  return (
    ts.isBinaryExpression(e) &&
    e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    e.operatorToken.kind <= ts.SyntaxKind.LastAssignment
  );
}

/** Applies non-overlapping edits; insertions at one position keep the order they were made. */
function applyEdits(text: string, edits: Edit[]): string {
  const ordered = edits
    .map((e, seq) => ({ ...e, seq }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.seq - b.seq);
  let out = '';
  let pos = 0;
  for (const e of ordered) {
    out += text.slice(pos, e.start) + e.text;
    pos = Math.max(pos, e.end);
  }
  return out + text.slice(pos);
}
