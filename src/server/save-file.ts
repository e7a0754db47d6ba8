import { constants, promises as fs, type Stats } from 'node:fs';
import { writeFileAtomic } from './notebook-file';

/** A save that did not happen; the message says why in words and what to do. */
export class SaveError extends Error {}

/** A save that would overwrite something the user has not seen: it happens only when asked again with `overwrite`. */
export class OverwriteError extends SaveError {}

/** What a file was when RecLab last read or wrote it: a later difference means another program changed it. */
export interface FileStamp {
  mtimeMs: number;
  size: number;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOENT: 'the folder does not exist',
  EISDIR: 'a folder has that name',
};

const KEEP =
  'Your edits are kept here and in the recovery file; fix that and save again, or use Save As to save elsewhere.';

/** What `work` gives, or undefined when the file it is about does not exist. */
async function unlessMissing<T>(work: Promise<T>): Promise<T | undefined> {
  return work.catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
}

/** The file's stamp, or undefined when there is no file. */
export async function fileStamp(file: string): Promise<FileStamp | undefined> {
  const stat = await unlessMissing(fs.stat(file));
  return stat && { mtimeMs: stat.mtimeMs, size: stat.size };
}

/**
 * Writes a notebook so that nothing is lost whatever fails: the text goes to a temporary
 * file in the same folder, is flushed and renamed over the old one, so the file is the old
 * text or the new one, never a mix. The file keeps its permissions; a symbolic link keeps
 * pointing where it did and its target gets the text. A read-only file is not replaced, and
 * neither is one that changed on disk since `expected` unless `overwrite` says so.
 */
export async function saveFile(
  file: string,
  text: string,
  { expected, overwrite = false }: { expected?: FileStamp; overwrite?: boolean } = {},
): Promise<FileStamp> {
  try {
    const target = (await unlessMissing(fs.realpath(file))) ?? file;
    const stat = await unlessMissing(fs.stat(target));
    if (stat) await refuseUnseenChanges(file, target, stat, expected, overwrite);
    await writeFileAtomic(target, text, stat ? stat.mode & 0o7777 : undefined);
    return (await fileStamp(target))!;
  } catch (e) {
    if (e instanceof SaveError) throw e;
    const error = e as NodeJS.ErrnoException & { dest?: string };
    const reason = REASONS[error.code ?? ''] ?? (e instanceof Error ? e.message : String(e));
    // The temporary file may be what failed: name it when it is not the notebook.
    const at = error.dest ?? error.path;
    const where = at && at !== file ? ` (${at})` : '';
    throw new SaveError(`Could not save ${file}: ${reason}${where}. ${KEEP}`);
  }
}

async function refuseUnseenChanges(
  file: string,
  target: string,
  stat: Stats,
  expected: FileStamp | undefined,
  overwrite: boolean,
): Promise<void> {
  // Renaming over a read-only file works whenever its folder is writable: ask the file itself,
  // and its mode too, since access() says yes to root whatever the mode.
  const writable =
    (stat.mode & 0o222) !== 0 &&
    (await fs.access(target, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable) throw new SaveError(`Could not save ${file}: the file is read-only. ${KEEP}`);
  if (overwrite || !expected) return;
  if (stat.mtimeMs === expected.mtimeMs && stat.size === expected.size) return;
  const when = new Date(stat.mtimeMs).toLocaleString();
  throw new OverwriteError(
    `${file} was changed on disk by another program (at ${when}) since RecLab read it. ` +
      'Saving now replaces those changes with yours. Save As keeps both.',
  );
}
