import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_STREAM_CHARS, createNotebook, joinText, newCodeCell, serializeNotebook } from '../src/notebook';
import { suiteServer } from './helpers/server';

const suite = suiteServer('large-output');

describe('a cell that prints far more than anyone reads', () => {
  it('keeps the first part with a note, writes the whole to a file, and sends each line about once', async () => {
    const file = path.join(suite.work, 'loud.ipynb');
    // 200,000 lines of 28 characters: 5.6 MB.
    const code = "for (let i = 0; i < 200000; i++) console.log('x'.repeat(20) + String(i).padStart(7, '0'));";
    await fs.writeFile(file, serializeNotebook(createNotebook([newCodeCell(code)])));
    const client = await suite.connect();
    try {
      const { notebook } = await client.request('open', { path: file });
      const cell = notebook.cells[0].handle;
      await client.request('execute', { session: notebook.session, cells: [cell] });
      await client.waitFor(
        (e) => e.event === 'run' && e.run.state === 'done' && e.run.status === 'ok',
        120_000,
      );
      const sentChars = client.events
        .filter((e) => e.event === 'stream' || e.event === 'outputs')
        .reduce((n, e) => n + JSON.stringify(e).length, 0);
      expect(sentChars).toBeLessThan(3 * MAX_STREAM_CHARS);

      const [output] = (await client.request('attach', { session: notebook.session })).cells[0].outputs;
      const text = output.output_type === 'stream' ? joinText(output.text) : '';
      const note = text.slice(text.lastIndexOf('[RecLab kept'));
      expect(text.length - note.length).toBeLessThanOrEqual(MAX_STREAM_CHARS);
      expect(note).toMatch(/^\[RecLab kept the first 1\.0 MB of this output and left out 4\.6 MB more\. /);
      const whole = /The whole output is in (.*)\]\n$/.exec(note)![1];
      const all = await fs.readFile(whole, 'utf8');
      expect(all.length).toBe(200_000 * 28);
      expect(all.endsWith(`${'x'.repeat(20)}0199999\n`)).toBe(true);
      expect((await fs.stat(whole)).mode & 0o777).toBe(0o600);
      await client.request('close', { session: notebook.session });
    } finally {
      client.close();
    }
  });
});
