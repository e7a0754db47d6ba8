import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * What a cell's `import` statements load. Packages the kernel already holds (TensorFlow.js,
 * the RecLab library) are handed over as the very instances the globals use, so a tensor
 * or a Table made through an import is the same kind of object as one made through `tf`.
 * Anything else is looked up from the notebook's folder, then from RecLab's own packages.
 */
export class ModuleLoader {
  private readonly requires: NodeRequire[];

  constructor(
    private readonly preloaded: Readonly<Record<string, unknown>>,
    notebookDir: string,
  ) {
    this.requires = [createRequire(path.join(notebookDir, 'notebook.js')), createRequire(import.meta.url)];
  }

  async load(specifier: string): Promise<unknown> {
    if (specifier in this.preloaded) return this.preloaded[specifier];
    for (const req of this.requires) {
      let resolved: string;
      try {
        resolved = req.resolve(specifier);
      } catch {
        continue;
      }
      try {
        return req(resolved);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE')
          return import(pathToFileURL(resolved).href);
        throw e;
      }
    }
    throw new Error(
      `Cannot find module "${specifier}". RecLab looked in the notebook's folder and in its own packages; ` +
        `install it with "npm install ${specifier}" in the notebook's folder.`,
    );
  }
}

/** The value of a default import, with the same CommonJS interop TypeScript uses. */
export function defaultExport(module: unknown): unknown {
  if (typeof module !== 'object' && typeof module !== 'function') return module;
  const m = module as { default?: unknown; __esModule?: boolean; [Symbol.toStringTag]?: string };
  if (m[Symbol.toStringTag] === 'Module' || m.__esModule) return m.default;
  return module;
}
