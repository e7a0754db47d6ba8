import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './notebook-file';

/** A save that did not happen; the message says why in words and what to do. */
export class SaveError extends Error {}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOENT: 'the folder does not exist',
  EISDIR: 'a folder has that name',
};

/**
 * Writes a notebook so that nothing is lost whatever fails: the previous version is
 * copied aside first, the new text goes to a temporary file in the same folder, is flushed
 * and renamed over the old one, and only then is the copy removed.
 */
export async function saveFile(file: string, text: string): Promise<void> {
  const backup = path.join(path.dirname(file), `.${path.basename(file)}.bak`);
  let backedUp = false;
  try {
    try {
      await fs.copyFile(file, backup);
      backedUp = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await writeFileAtomic(file, text);
  } catch (e) {
    const error = e as NodeJS.ErrnoException & { dest?: string };
    const reason = REASONS[error.code ?? ''] ?? (e instanceof Error ? e.message : String(e));
    // The backup or temporary file may be what failed: name it when it is not the notebook.
    const at = error.dest ?? error.path;
    const where = at && at !== file ? ` (${at})` : '';
    throw new SaveError(
      `Could not save ${file}: ${reason}${where}. Your edits are kept here and in the recovery file; free some space or fix the permissions and save again, or use Save As to save elsewhere.`,
    );
  }
  if (backedUp) await fs.rm(backup, { force: true });
}
