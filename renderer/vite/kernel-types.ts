import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import type { Plugin } from 'vite';

/**
 * Emits `kernel-types.json` beside the built renderer: the declarations of the globals
 * cells see (`tf`, `db`, `rl`, `display`, `progress`), of `import … from 'reclab'`, and of
 * every package they refer to, keyed by the virtual path the editor's TypeScript worker
 * finds them at. Generated from src/kernel/globals.ts, so the editor cannot drift from
 * what the kernel installs.
 */
export function kernelTypes(root: string): Plugin {
  return {
    name: 'reclab-kernel-types',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'kernel-types.json',
        source: JSON.stringify(collectTypes(root)),
      });
    },
  };
}

export function collectTypes(root: string): Record<string, string> {
  const globalsFile = path.join(root, 'src/kernel/globals.ts');
  const libraryFile = path.join(root, 'src/kernel/library.ts');
  const program = ts.createProgram([globalsFile, libraryFile], {
    declaration: true,
    emitDeclarationOnly: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    esModuleInterop: true,
    skipLibCheck: true,
    strict: true,
    types: [],
  });
  const files: Record<string, string> = {};
  const virtual = (file: string) => `file:///${path.relative(root, file).split(path.sep).join('/')}`;
  program.emit(undefined, (file, text) => (files[virtual(file)] = text), undefined, true);
  const packages = new Set<string>();
  for (const source of program.getSourceFiles()) {
    if (!source.isDeclarationFile || program.isSourceFileDefaultLibrary(source)) continue;
    const rel = path.relative(root, source.fileName);
    if (!rel.startsWith('node_modules')) continue;
    files[virtual(source.fileName)] = source.text;
    const m = rel
      .split(path.sep)
      .join('/')
      .match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (m) packages.add(m[1]);
  }
  // The editor resolves bare imports the classic node way: through each package's "types".
  for (const name of packages) {
    const pkg = JSON.parse(
      readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    files[`file:///node_modules/${name}/package.json`] = JSON.stringify({
      name,
      version: pkg.version,
      types: pkg.types ?? pkg.typings ?? 'index.d.ts',
    });
  }
  const checker = program.getTypeChecker();
  const exported = (file: string, name: string) => {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    const symbol = module && checker.getExportsOfModule(module).find((s) => s.name === name);
    if (!symbol) throw new Error(`kernel-types: ${file} does not export ${name}`);
    return symbol;
  };
  const libraryKeys = checker
    .getTypeOfSymbol(exported(libraryFile, 'library'))
    .getProperties()
    .map((p) => p.name);
  const globalNames = checker
    .getDeclaredTypeOfSymbol(exported(globalsFile, 'KernelGlobals'))
    .getProperties()
    .map((p) => p.name);
  files['file:///node_modules/reclab/package.json'] = JSON.stringify({ name: 'reclab', types: 'index.d.ts' });
  files['file:///node_modules/reclab/index.d.ts'] = libraryKeys
    .map((k) => `export declare const ${k}: import('../../src/kernel/library').Library['${k}'];`)
    .join('\n');
  files['file:///reclab-globals.d.ts'] = globalNames
    .map((n) => `declare const ${n}: import('./src/kernel/globals').KernelGlobals['${n}'];`)
    .join('\n');
  return files;
}
