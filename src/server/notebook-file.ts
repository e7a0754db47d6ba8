import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { NotebookFormatError, parseNotebook, serializeNotebook, type Notebook } from '../notebook';

export async function readNotebookFile(file: string): Promise<Notebook> {
  return parseNotebook(await readNotebookText(file), file);
}

/** A notebook file's text; a file that cannot be read gets "FILE: cannot be read: reason". */
export async function readNotebookText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
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
  return decodeUtf8(bytes, file);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The file's text, refusing bytes that are not UTF-8: read leniently they would become
 * U+FFFD, and the next save would write that over the original bytes.
 */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Point at the first bad byte: the decoder does not say where it stopped.
    let good = 0;
    for (let step = bytes.length; step >= 1; step = Math.floor(step / 2))
      while (good + step <= bytes.length && validUtf8Prefix(bytes.subarray(0, good + step))) good += step;
    const line = bytes.subarray(0, good).toString('utf8').split('\n').length;
    throw new NotebookFormatError(
      file,
      `is not valid UTF-8 (line ${line}, byte ${good + 1}). Notebooks are UTF-8 text; ` +
        'RecLab opens it only once it is: re-save it as UTF-8 in a text editor. The file was left as it is.',
    );
  }
}

/** Whether `bytes` could begin a UTF-8 text: valid, or cut short inside a character. */
function validUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
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

/** `mode`: the new file's permissions, exactly (the umask does not apply); by default the umask's. */
export async function writeFileAtomic(file: string, text: string, mode?: number): Promise<void> {
  const dir = path.dirname(file);
  // Random, so two saves at once never share a temporary file.
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // Created private, so no one reads a private notebook's text between creation and chmod.
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.chmod(mode ?? 0o666 & ~process.umask());
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
