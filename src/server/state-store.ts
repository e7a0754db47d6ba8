import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './notebook-file';

interface RecoveryRecord {
  path: string;
  savedAt: number;
  text: string;
}

const RECENT_LIMIT = 12;

/**
 * What the workbench keeps between launches, in its state folder: the recently opened
 * notebooks, and for each notebook with unsaved edits a recovery copy that survives a
 * crash of the app or the machine.
 */
export class StateStore {
  /** Updates of the recent list, one at a time, so that none is lost. */
  private recentUpdates: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {}

  private recoveryFile(notebookPath: string): string {
    const key = createHash('sha256').update(path.resolve(notebookPath)).digest('hex').slice(0, 24);
    return path.join(this.dir, 'recovery', `${key}.json`);
  }

  async writeRecovery(notebookPath: string, text: string): Promise<void> {
    const file = this.recoveryFile(notebookPath);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const record: RecoveryRecord = { path: path.resolve(notebookPath), savedAt: Date.now(), text };
    // Unsaved edits may be as private as the notebook: readable by this user only.
    await writeFileAtomic(file, JSON.stringify(record), 0o600);
  }

  /** The recovery copy of a notebook, if one was left behind. */
  async readRecovery(notebookPath: string): Promise<RecoveryRecord | undefined> {
    try {
      const record = JSON.parse(await fs.readFile(this.recoveryFile(notebookPath), 'utf8')) as RecoveryRecord;
      return record.path === path.resolve(notebookPath) ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async dropRecovery(notebookPath: string): Promise<void> {
    await fs.rm(this.recoveryFile(notebookPath), { force: true });
  }

  async recent(): Promise<string[]> {
    try {
      const list = JSON.parse(await fs.readFile(path.join(this.dir, 'recent.json'), 'utf8')) as unknown;
      return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return [];
    }
  }

  addRecent(notebookPath: string): Promise<void> {
    const resolved = path.resolve(notebookPath);
    const update = async () => {
      const list = [resolved, ...(await this.recent()).filter((p) => p !== resolved)].slice(0, RECENT_LIMIT);
      await fs.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(path.join(this.dir, 'recent.json'), JSON.stringify(list, null, 1));
    };
    const next = this.recentUpdates.then(update, update);
    this.recentUpdates = next.catch(() => undefined);
    return next;
  }
}
