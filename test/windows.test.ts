import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../src/notebook';
import { suiteServer } from './helpers/server';

const suite = suiteServer('windows');

describe('one notebook in two windows', () => {
  it('shows each window the other’s edits, and leaving one window keeps the notebook for the other', async () => {
    const file = path.join(suite.work, 'shared.ipynb');
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell('1'), newCodeCell('2')])));
    const a = await suite.connect();
    const b = await suite.connect();
    try {
      const opened = (await a.request('open', { path: file })).notebook;
      const same = (await b.request('open', { path: file })).notebook;
      expect(same.session).toBe(opened.session);
      const [first] = opened.cells.map((c) => c.handle);
      const edits = [{ op: 'source' as const, cell: first, source: 'typed in a' }];
      await a.request('edit', { session: opened.session, client: 'window-a', seq: 1, edits });
      const seen = await b.waitFor((e) => e.event === 'edits');
      expect(seen).toEqual({ event: 'edits', session: opened.session, client: 'window-a', edits });

      // Window a leaves; b types on, runs and saves in the same session.
      await a.request('close', { session: opened.session });
      await b.request('edit', {
        session: same.session,
        client: 'window-b',
        seq: 1,
        edits: [{ op: 'source', cell: first, source: '6 * 7' }],
      });
      await b.request('execute', { session: same.session, cells: [first] });
      await b.waitFor((e) => e.event === 'run' && e.run.state === 'done' && e.run.status === 'ok');
      await b.request('save', { session: same.session });
      const saved = await fs.readFile(file, 'utf8');
      expect(saved).toContain('6 * 7');
      expect(saved).toContain('"text/plain": "42"');
      await b.request('close', { session: same.session });
      // The last window gone, the session is closed.
      await expect(b.request('attach', { session: same.session })).rejects.toThrow(/no longer open/);
    } finally {
      a.close();
      b.close();
    }
  });
});
