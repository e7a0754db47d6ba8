import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../src/notebook';
import { StateStore } from '../src/server/state-store';
import type { WorkbenchClient } from '../dev';
import { suiteServer } from './helpers/server';

const suite = suiteServer('saving');
let client: WorkbenchClient;
let dir: string;
let work: string;

beforeAll(async () => {
  ({ dir, work } = suite);
  client = await suite.connect();
});

afterAll(() => client?.close());

const original = serializeNotebook(createNotebook([newCodeCell('1')]));
const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

/** Opens `file`, types into its cell, and gives back the session with what save and close need. */
async function openAndEdit(file: string, source = 'typed()') {
  const { notebook } = await client.request('open', { path: file });
  await client.request('edit', {
    session: notebook.session,
    client: 'w',
    seq: 1,
    edits: [{ op: 'source', cell: notebook.cells[0].handle, source }],
  });
  return {
    session: notebook.session,
    save: (overwrite?: boolean) => client.request('save', { session: notebook.session, overwrite }),
    close: () => client.request('close', { session: notebook.session }),
  };
}

const needsOverwrite = { needs: 'overwrite' };

describe('saving keeps what the file is', () => {
  it('keeps a private notebook private, and writes recovery copies for this user only', async () => {
    const file = path.join(work, 'private.ipynb');
    await fs.writeFile(file, original, { mode: 0o600 });
    await fs.chmod(file, 0o600);
    const nb = await openAndEdit(file);
    await nb.save();
    expect(await fs.readFile(file, 'utf8')).toContain('typed()');
    expect(await mode(file)).toBe(0o600);
    await nb.close();
    const store = new StateStore(path.join(dir, 'state'));
    await store.writeRecovery(file, 'edits');
    const recovery = path.join(dir, 'state', 'recovery');
    const [copy] = await fs.readdir(recovery);
    expect(await mode(path.join(recovery, copy))).toBe(0o600);
    await store.dropRecovery(file);
  });

  it('refuses to replace a read-only file, and says so', async () => {
    const file = path.join(work, 'read-only.ipynb');
    await fs.writeFile(file, original);
    await fs.chmod(file, 0o444);
    const nb = await openAndEdit(file);
    await expect(nb.save()).rejects.toThrow(
      /Could not save .*read-only\.ipynb: the file is read-only\. .*Save As/,
    );
    expect(await fs.readFile(file, 'utf8')).toBe(original);
    await nb.close();
  });

  it('saves through a symbolic link into its target, and the link stays a link', async () => {
    const target = path.join(dir, 'elsewhere.ipynb');
    const link = path.join(work, 'link.ipynb');
    await fs.writeFile(target, original);
    await fs.symlink(target, link);
    const nb = await openAndEdit(link);
    await nb.save();
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(target, 'utf8')).toContain('typed()');
    await nb.close();
  });

  it('asks before replacing changes another program made on disk, and replaces them only when told', async () => {
    const file = path.join(work, 'changed.ipynb');
    await fs.writeFile(file, original);
    const nb = await openAndEdit(file);
    const theirs = serializeNotebook(createNotebook([newCodeCell('"written by another program"')]));
    await fs.writeFile(file, theirs);
    const later = new Date(Date.now() + 5000);
    await fs.utimes(file, later, later);
    await expect(nb.save()).rejects.toMatchObject({
      ...needsOverwrite,
      message: expect.stringMatching(
        /changed\.ipynb was changed on disk by another program .* Save As keeps both/,
      ),
    });
    expect(await fs.readFile(file, 'utf8')).toBe(theirs);
    await nb.save(true);
    expect(await fs.readFile(file, 'utf8')).toContain('typed()');
    // Saved again with nothing changed on disk since: no question.
    await nb.save();
    await nb.close();
  });

  it('leaves no temporary or backup file behind when a save fails', async () => {
    const file = path.join(work, 'gone-folder', 'nb.ipynb');
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, original);
    const nb = await openAndEdit(file);
    await fs.rm(path.dirname(file), { recursive: true });
    await expect(nb.save()).rejects.toThrow(/the folder does not exist/);
    await nb.close();
    expect((await fs.readdir(work)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('Save As', () => {
  it('asks before replacing an existing file, refuses a path open elsewhere and an empty name', async () => {
    const mine = path.join(work, 'mine.ipynb');
    const existing = path.join(work, 'existing.ipynb');
    const busy = path.join(work, 'busy.ipynb');
    const existingText = serializeNotebook(createNotebook([newCodeCell('"keep me"')]));
    await fs.writeFile(mine, original);
    await fs.writeFile(existing, existingText);
    await fs.writeFile(busy, original);
    const other = await openAndEdit(busy, 'other()');
    const nb = await openAndEdit(mine);
    const saveAs = (p: string, overwrite?: boolean) =>
      client.request('saveAs', { session: nb.session, path: p, overwrite });

    await expect(saveAs('existing')).rejects.toMatchObject({
      ...needsOverwrite,
      message: expect.stringContaining('existing.ipynb already exists'),
    });
    expect(await fs.readFile(existing, 'utf8')).toBe(existingText);
    await expect(saveAs('busy.ipynb', true)).rejects.toThrow(/busy\.ipynb is open in another window/);
    expect(await fs.readFile(busy, 'utf8')).toBe(original);
    await expect(saveAs('  ')).rejects.toThrow(/Save As needs a file name/);

    expect((await saveAs('existing', true)).path).toBe(existing);
    expect(await fs.readFile(existing, 'utf8')).toContain('typed()');
    await nb.close();
    await other.close();
  });
});
