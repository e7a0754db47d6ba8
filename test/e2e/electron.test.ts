/**
 * The desktop app through Playwright's Electron support. Runs where Electron's binary is
 * installed (`npm install` with internet); elsewhere it is reported as skipped, with why.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import '../../main/preload-api';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { _electron as electron } from 'playwright';
import { describe, expect, it } from 'vitest';
import { screenshot } from './browser';

const ROOT = path.resolve(import.meta.dirname, '../..');

function electronUnavailable(): string | undefined {
  let binary: string;
  try {
    binary = createRequire(import.meta.url)('electron') as string;
  } catch (e) {
    return (
      `Electron's binary is not installed (${(e as Error).message.split('\n')[0]}); ` +
      'it is skipped with ELECTRON_SKIP_BINARY_DOWNLOAD=1'
    );
  }
  if (!existsSync(binary)) return `Electron's binary is missing at ${binary}`;
  if (!existsSync(path.join(ROOT, 'out/main/index.js'))) return 'the app is not built (npm run build)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no display to open a window on (set DISPLAY, or run under xvfb-run)';
  return undefined;
}

const unavailable = electronUnavailable();

describe('the desktop app', { timeout: 120_000 }, () => {
  it('opens the same workbench in a locked-down window', async (context) => {
    if (unavailable) {
      // Said in the log as well as in the report: this test is only as good as its reason to skip.
      console.log(`Electron test skipped: ${unavailable}`);
      context.skip(unavailable);
    }
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-electron-'));
    const notebook = path.join(folder, 'desktop.ipynb');
    await fs.copyFile(path.join(ROOT, 'notebooks/getting-started.ipynb'), notebook);
    // A notebook on the command line opens in the window, as from a file manager.
    const app = await electron.launch({
      args: [ROOT, notebook],
      cwd: ROOT,
      env: { ...process.env, RECLAB_STATE_DIR: folder },
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('notebook').waitFor();
      await expect(page.title()).resolves.toBe('desktop.ipynb — RecLab');
      // The page has no Node, only the preload's small API.
      const globals = await page.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        desktop: Object.keys(window.reclabDesktop ?? {}),
      }));
      expect(globals).toEqual({
        require: 'undefined',
        process: 'undefined',
        desktop: expect.arrayContaining(['openDialog', 'saveDialog', 'setDirty', 'onCommand', 'onOpenFile']),
      });
      // Kernels are child processes of main, never main itself.
      const mainPid = await app.evaluate(() => process.pid);
      await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
      const kernelPid = Number(await page.getByTestId('kernel-state').getAttribute('data-pid'));
      expect(kernelPid).toBeGreaterThan(0);
      expect(kernelPid).not.toBe(mainPid);
      await screenshot(page, 'electron-notebook');
    } finally {
      await app.close();
    }
  });
});
