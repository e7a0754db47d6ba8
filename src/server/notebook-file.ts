import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NotebookFormatError, parseNotebook, serializeNotebook, type Notebook } from '../notebook';

export async function readNotebookFile(file: string): Promise<Notebook> {
  return parseNotebook(await readNotebookText(file), file);
}

/** A notebook file's text; a file that cannot be read gets "FILE: cannot be read: reason". */
export async function readNotebookText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a folder'
            : String(e);
    throw new NotebookFormatError(file, `cannot be read: ${reason}`);
  }
}

/**
 * Writes the notebook so that a crash or a full disk never leaves a damaged file: the
 * text goes to a temporary file in the same folder, is flushed to disk, then renamed over
 * the old one.
 */
export async function writeNotebookFile(file: string, notebook: Notebook): Promise<void> {
  await writeFileAtomic(file, serializeNotebook(notebook));
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  // Random, so two saves at once never share a temporary file.
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
}
