/**
 * End to end: one notebook in two windows (two tabs of one browser), as a user who opened
 * it twice would: each sees what the other types, and leaving one leaves the other working.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, openBrowser, screenshot, serve, type OpenBrowser, type Served } from './browser';
import { closeBrowser, openFile } from './page';

const unavailable = browserUnavailable();
let folder: string;
let server: Served;
let open: OpenBrowser | undefined;

beforeAll(async () => {
  if (unavailable) return;
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-e2e-windows-'));
  await fs.writeFile(
    path.join(folder, 'shared.ipynb'),
    serializeNotebook(createNotebook([newCodeCell('1')])),
  );
  server = await serve(folder, path.join(folder, '.state'));
});

afterAll(async () => {
  await server?.stop();
  if (folder) await fs.rm(folder, { recursive: true, force: true });
});

afterEach(async (test) => {
  if (!open) return;
  await closeBrowser(open, test.task.result?.state === 'fail' ? test.task.name : undefined);
  open = undefined;
});

describe.skipIf(unavailable)('one notebook in two windows', () => {
  it('shows each window what the other types, and leaving one keeps the other saving', async () => {
    open = await openBrowser('dark');
    const first = open.page;
    const second = await open.context.newPage();
    await openFile(first, server.url, 'shared.ipynb');
    await openFile(second, server.url, 'shared.ipynb');

    await first.getByTestId('cell').first().locator('.view-lines').click();
    await first.keyboard.press('Control+A');
    await first.keyboard.type('const fromFirst = 6 * 7;');
    await second.getByTestId('cell').first().locator('.view-lines', { hasText: 'fromFirst' }).waitFor();
    await screenshot(second, 'two-windows-dark');

    // The first window goes back to the start page; the second types, saves, and nothing was lost.
    // It has unsaved changes, so leaving asks first.
    first.once('dialog', (dialog) => void dialog.accept());
    await first.locator('button.home').click();
    await first.getByTestId('files').waitFor();
    await second.getByTestId('cell').first().locator('.view-lines').click();
    await second.keyboard.press('End');
    await second.keyboard.type(' fromFirst');
    await second.keyboard.press('Control+s');
    await expect
      .poll(() => fs.readFile(path.join(folder, 'shared.ipynb'), 'utf8'), { timeout: 20_000 })
      .toContain('const fromFirst = 6 * 7; fromFirst');
    expect(await second.getByTestId('notice').count()).toBe(0);
    expect(open.errors).toEqual([]);
  });
});
